"""Melt: wide to long, one row per (row, melted column)."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import Columns, ShortForm
from hydroml_jupyter.engine.ops.spec import param


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Melt(Operation):
    """Unpivot: each ``value_vars`` column becomes rows of ``var_name`` and ``value_name``.

    ``id_vars`` are repeated on every row; ``value_vars`` None melts every other
    column. The rows come column by column (all rows of the first melted column,
    then the next) and get a fresh 0..n-1 index. The ``var_name`` column holds the
    melted columns' labels as they are: ``str`` when every one is text, ``object``
    otherwise (an integer label stays an integer). The ``value_name`` column takes
    the dtype pandas finds common to the melted columns (``object`` for a mix).

    Refused: ``var_name`` or ``value_name`` naming an id column or each other, and
    ``value_name`` naming any column of the frame (pandas refuses that too).

    Examples
    --------
    >>> Melt(id_vars=["id"], value_vars=["jan", "feb"], var_name="month").label()
    'Melt jan, feb into month, value (keeping id)'
    """

    name = "melt"
    summary = "Melt columns into rows"
    short_form = ShortForm(
        parts=(Columns("id_vars", end=":"), Columns("value_vars")),
        example="melt carrier day: dep_delay arr_delay --var-name delay --value-name minutes",
    )

    id_vars: list[Label] = field(
        metadata=param(
            "the columns kept on every row (the identifiers)",
            columns="any",
            placeholder="e.g. carrier",
        )
    )
    value_vars: list[Label] | None = field(
        default=None,
        metadata=param(
            "the columns melted into rows (every other column when none)",
            columns="any",
            placeholder="every other column",
        ),
    )
    var_name: Label = field(
        default="variable",
        metadata=param("the new column holding the melted columns' names", placeholder="variable"),
    )
    value_name: Label = field(
        default="value",
        metadata=param("the new column holding their values", placeholder="value"),
    )

    def columns_used(self) -> list[Label]:
        return [*self.id_vars, *(self.value_vars or [])]

    def _melted(self, df: pd.DataFrame) -> list[Label]:
        if self.value_vars is not None:
            return list(self.value_vars)
        return [c for c in df.columns if c not in self.id_vars]

    def validate(self, df: pd.DataFrame) -> None:
        if self.value_vars == []:
            raise self.error("value_vars= names no column (leave it out to melt every other one)")
        super().validate(df)
        for what, labels in (("id_vars", self.id_vars), ("value_vars", self.value_vars or [])):
            twice = [c for i, c in enumerate(labels) if c in labels[:i]]
            if twice:
                raise self.error(
                    f"column {short_repr(twice[0])} is in {what} twice", column=twice[0]
                )
        both = [c for c in self.value_vars or [] if c in self.id_vars]
        if both:
            raise self.error(
                f"column {short_repr(both[0])} is in id_vars and in value_vars", column=both[0]
            )
        if not self._melted(df):
            raise self.error("every column is in id_vars: no column is left to melt")
        for key, label in (("var_name", self.var_name), ("value_name", self.value_name)):
            if isinstance(label, str) and not label.strip():
                raise self.error(f"{key}= is empty: the new column needs a name", value=label)
            if label in self.id_vars:
                raise self.error(
                    f"{key}={short_repr(label)} is also an id column; choose another name",
                    column=label,
                    value=label,
                )
        if self.var_name == self.value_name:
            raise self.error(
                f"var_name and value_name are both {short_repr(self.var_name)}",
                value=self.var_name,
            )
        if self.value_name in df.columns:
            raise self.error(
                f"value_name={short_repr(self.value_name)} is a column of the frame; "
                "choose another name, or rename that column first",
                column=self.value_name,
                value=self.value_name,
            )

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return df.melt(
            id_vars=self.id_vars,
            value_vars=self.value_vars,
            var_name=self.var_name,
            value_name=self.value_name,
            ignore_index=True,
        )

    def code(self, var: str = "df") -> str:
        return (
            f"{var} = {var}.melt(id_vars={literal(self.id_vars)}, "
            f"value_vars={literal(self.value_vars)}, var_name={literal(self.var_name)}, "
            f"value_name={literal(self.value_name)}, ignore_index=True)"
        )

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        melted = len(self._melted(before))
        return [
            f"{len(before):,} rows × {melted:,} melted columns → {len(after):,} rows "
            f"× {len(after.columns):,} columns"
        ]

    def label(self) -> str:
        melted = "every other column" if self.value_vars is None else None
        what = melted or ", ".join(map(name, self.value_vars or []))
        keeping = f" (keeping {', '.join(map(name, self.id_vars))})" if self.id_vars else ""
        return f"Melt {what} into {name(self.var_name)}, {name(self.value_name)}{keeping}"
