"""Pivot: one row per combination of ``index`` values, one column per value of ``columns``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import field
from typing import Any, cast

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name, word
from hydroml_jupyter.engine.ops.aggregate import AGG_FUNCS
from hydroml_jupyter.engine.ops.base import Label, Operation, kind_of, register, short_repr
from hydroml_jupyter.engine.ops.shortform import Column, Columns, Keyword, ShortForm
from hydroml_jupyter.engine.ops.spec import param

#: Aggregations a pivot accepts: ``group_aggregate``'s, but ``size`` (it counts rows,
#: not values, so it would make one column whatever ``values`` names).
PIVOT_FUNCS: tuple[str, ...] = tuple(f for f in AGG_FUNCS if f != "size")
#: Aggregations that need numbers (or booleans, or datetimes for mean and median).
_NUMERIC = {"mean": "iufbM", "median": "iufbM", "std": "iufb", "var": "iufb", "sum": "iufbT"}
#: The most columns a pivot may make: distinct values of ``columns`` times ``values``.
MAX_COLUMNS = 10_000
#: How a result column is named from its key, or from its (value column, key) pair.
_ONE, _MANY = "{}", "{0[0]}_{0[1]}"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Pivot(Operation):
    """Spread the values of ``columns`` into columns, one row per ``index`` combination.

    Each cell aggregates ``values`` with ``aggfunc`` over the rows of its (index,
    key) combination. Column names are text: the key as ``str()`` writes it (``'1'``,
    ``'1.5'``, ``'2020-01-01 00:00:00'``, ``'nan'``), or ``'<value>_<key>'`` when
    ``values`` names several columns. Missing keys (in ``index`` or ``columns``) are
    kept as their own row or column, nothing is dropped; categories that never occur
    make no row or column (``observed=True``). Rows are sorted by the index keys,
    columns by key, missing last; the index columns come back as ordinary columns and
    the rows get a fresh 0..n-1 index. A combination with no row is missing (NaN),
    so integer counts become float where one is.

    Refused: a result wider than :data:`MAX_COLUMNS` columns (the message gives the
    count), and two keys whose names are the same text (``1`` and ``'1'``).

    Examples
    --------
    >>> op = Pivot(index=["carrier"], columns="month", values=["delay"])
    >>> op.label()
    'Pivot mean(delay) by carrier across month'
    >>> print(op.code().splitlines()[1])
    df.columns = df.columns.astype('object').map('{}'.format).rename(None)
    """

    name = "pivot"
    summary = "Pivot values into columns"
    short_form = ShortForm(
        parts=(Columns("index", end=":"), Column("columns"), Keyword("->"), Columns("values")),
        example="pivot carrier: month -> arr_delay --aggfunc median",
    )

    index: list[Label] = field(
        metadata=param(
            "the columns whose values make the rows", columns="any", placeholder="e.g. carrier"
        )
    )
    columns: Label = field(
        metadata=param(
            "the column whose values become the new columns",
            columns="any",
            placeholder="e.g. month",
        )
    )
    values: list[Label] = field(
        metadata=param(
            "the columns aggregated into the cells", columns="any", placeholder="e.g. arr_delay"
        )
    )
    aggfunc: str = field(
        default="mean",
        metadata=param("how the values of one cell are combined", choices=PIVOT_FUNCS),
    )

    def columns_used(self) -> list[Label]:
        return [*self.index, self.columns, *self.values]

    def validate(self, df: pd.DataFrame) -> None:
        if not self.index:
            raise self.error("index= names no column")
        if not self.values:
            raise self.error("values= names no column")
        super().validate(df)
        seen: dict[Label, str] = {}
        for role, labels in (("index", self.index), ("columns", [self.columns])):
            for label in labels:
                if label in seen:
                    raise self.error(
                        f"column {short_repr(label)} is named twice (in {seen[label]} and {role})",
                        column=label,
                    )
                seen[label] = role
        for label in self.values:
            if label in seen:
                raise self.error(
                    f"column {short_repr(label)} is in values and in {seen[label]}: "
                    "a key column cannot also be aggregated",
                    column=label,
                )
            seen[label] = "values"
        if self.aggfunc not in PIVOT_FUNCS:
            raise self.error(
                f"unknown aggregation {short_repr(self.aggfunc)}; use one of "
                f"{', '.join(PIVOT_FUNCS)}",
                value=self.aggfunc,
            )
        kinds = _NUMERIC.get(self.aggfunc, "")
        for label in self.values if kinds else []:
            if kind_of(df[label].dtype) not in kinds:
                raise self.error(
                    f"{self.aggfunc} of column {short_repr(label)} ({df[label].dtype}) "
                    "cannot be computed; cast it to a number first, or use count, first, "
                    "last, min, max or nunique",
                    column=label,
                    value=self.aggfunc,
                )
        keys = int(df[self.columns].nunique(dropna=False))
        wide = keys * len(self.values)
        if wide > MAX_COLUMNS:
            per = f" × {len(self.values)} value columns" if len(self.values) > 1 else ""
            raise self.error(
                f"column {short_repr(self.columns)} has {keys:,} distinct values{per}: the "
                f"result would have {wide:,} columns, more than {MAX_COLUMNS:,}; filter or "
                "bin it first",
                column=self.columns,
                value=keys,
            )

    def _format(self) -> Callable[[Any], str]:
        return (_ONE if len(self.values) == 1 else _MANY).format

    def _check_names(self, wide: pd.DataFrame) -> None:
        """Refuse two keys (or a key and an index column) that would give one column name."""
        seen: dict[str, Any] = {}
        for key in wide.columns:
            text = self._format()(key)
            if text in seen:
                raise self.error(
                    f"the keys {short_repr(seen[text])} and {short_repr(key)} of "
                    f"column {short_repr(self.columns)} would both make the column "
                    f"{short_repr(text)}; cast {short_repr(self.columns)} to str first",
                    column=self.columns,
                    value=text,
                )
            seen[text] = key
        for label in self.index:
            if label in seen:
                raise self.error(
                    f"the key {short_repr(seen[label])} of column "
                    f"{short_repr(self.columns)} would make a column named like the index "
                    f"column {short_repr(label)}; rename that column first",
                    column=label,
                    value=label,
                )

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        grouped = df.groupby([*self.index, self.columns], dropna=False, observed=True, sort=True)
        picked = grouped[self.values[0]] if len(self.values) == 1 else grouped[self.values]
        # Two or more key levels: unstacking one of them always leaves a frame.
        wide = cast(pd.DataFrame, picked.agg(self.aggfunc).unstack(self.columns))
        self._check_names(wide)
        wide.columns = wide.columns.astype("object").map(self._format()).rename(None)
        return wide.reset_index()

    def code(self, var: str = "df") -> str:
        one = len(self.values) == 1
        picked = literal(self.values[0] if one else self.values)
        fmt = literal(_ONE if one else _MANY)
        keys = literal([*self.index, self.columns])
        return (
            f"{var} = {var}.groupby({keys}, dropna=False, observed=True, sort=True)[{picked}]"
            f".agg({literal(word(self.aggfunc, PIVOT_FUNCS))}).unstack({literal(self.columns)})\n"
            f"{var}.columns = {var}.columns.astype('object').map({fmt}.format).rename(None)\n"
            f"{var} = {var}.reset_index()"
        )

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        made = len(after.columns) - len(self.index)
        return [
            f"{len(before):,} rows → {len(after):,} rows × {len(after.columns):,} columns "
            f"({made:,} from the values of {name(self.columns)})"
        ]

    def label(self) -> str:
        values = ", ".join(map(name, self.values))
        index = ", ".join(map(name, self.index))
        return f"Pivot {self.aggfunc}({values}) by {index} across {name(self.columns)}"
