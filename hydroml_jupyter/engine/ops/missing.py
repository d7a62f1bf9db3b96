"""Operations on missing values: fill and drop."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown, word
from hydroml_jupyter.engine.ops.base import (
    Label,
    Operation,
    kind_of,
    register,
    require_kind,
)
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, Value, Word
from hydroml_jupyter.engine.ops.spec import param

Strategy = Literal["value", "mean", "median", "mode", "ffill", "bfill", "interpolate"]


@register
@dataclasses.dataclass(frozen=True, repr=False)
class FillMissing(Operation):
    """Fill the missing values of ``column``.

    ``strategy`` is ``value`` (with ``value=``), ``mean``, ``median`` (numeric
    columns), ``mode`` (any column), ``ffill``, ``bfill`` or ``interpolate``
    (numeric columns).
    """

    name = "fill_missing"
    summary = "Fill missing values"
    short_form = ShortForm(
        parts=(Column("column"), Word("strategy", then={"value": (Value("value"),)})),
        example="fill_missing age median",
    )

    column: Label = field(metadata=param("the column to fill", columns="any"))
    strategy: Strategy = field(
        default="value",
        metadata=param(
            "how to fill: with value=, or from the other values (mean, median and "
            "interpolate need a numeric column)"
        ),
    )
    value: Any = field(default=None, metadata=param("the value to fill with (strategy value only)"))

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if self.strategy == "value" and self.value is None:
            raise self.error(
                f"filling {self.column!r} with strategy 'value' needs value=", column=self.column
            )
        if self.strategy != "value" and self.value is not None:
            raise self.error(
                f"column {self.column!r}: value= only goes with strategy 'value', "
                f"not {self.strategy!r}",
                column=self.column,
                value=self.value,
            )
        kind = kind_of(df[self.column].dtype)
        if (
            self.strategy == "value"
            and kind in "iuf"
            and (isinstance(self.value, bool) or not isinstance(self.value, int | float))
        ):
            raise self.error(
                f"{self.value!r} is not a number, and {self.column!r} is {df[self.column].dtype}",
                column=self.column,
                value=self.value,
            )
        if (
            self.strategy == "value"
            and isinstance(df[self.column].dtype, pd.StringDtype)
            and not isinstance(self.value, str)
        ):
            raise self.error(
                f"{self.value!r} is not text, and {self.column!r} is {df[self.column].dtype}; "
                f"fill with the text {str(self.value)!r} or cast the column first",
                column=self.column,
                value=self.value,
            )
        if self.strategy in ("mean", "median", "interpolate"):
            require_kind(self, df, self.column, "iuf", "numeric")
        series = df[self.column]
        if self.strategy == "mode" and series.notna().sum() == 0:
            raise self.error(
                f"column {self.column!r} has no values to take the mode of", column=self.column
            )
        if self.strategy in ("mean", "median") and kind_of(series.dtype) in "iu":
            fill = getattr(series, self.strategy)()
            if series.isna().any() and pd.notna(fill) and float(fill) != int(fill):
                raise self.error(
                    f"the {self.strategy} of {self.column!r} is {fill:g}, not a whole number, "
                    f"and the column is {series.dtype}; cast it to float64 first",
                    column=self.column,
                    value=fill,
                )

    def _fill_expr(self, series: str) -> str:
        match self.strategy:
            case "value":
                return f"{series}.fillna({literal(self.value)})"
            case "mean" | "median":
                return f"{series}.fillna({series}.{word(self.strategy, ('mean', 'median'))}())"
            case "mode":
                return f"{series}.fillna({series}.mode().iloc[0])"
            case _:
                return f"{series}.{word(self.strategy, ('ffill', 'bfill', 'interpolate'))}()"

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        s = df[self.column]
        match self.strategy:
            case "value":
                filled = s.fillna(self.value)
            case "mean" | "median":
                filled = s.fillna(getattr(s, self.strategy)())
            case "mode":
                filled = s.fillna(s.mode().iloc[0])
            case _:
                filled = getattr(s, self.strategy)()
        out = df.copy(deep=False)
        out[self.column] = filled
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        return f"{target} = {self._fill_expr(target)}"

    def label(self) -> str:
        how = f"with {shown(self.value)}" if self.strategy == "value" else f"by {self.strategy}"
        return f"Fill missing {name(self.column)} {how}"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class DropMissing(Operation):
    """Drop rows with missing values in ``columns`` (all columns when None)."""

    name = "drop_missing"
    summary = "Drop rows with missing values"
    short_form = ShortForm(example="drop_missing age income --how all")

    columns: list[Label] | None = field(
        default=None, metadata=param("the columns to look at (all when none)", columns="any")
    )
    how: Literal["any", "all"] = field(
        default="any", metadata=param("drop a row missing any of them, or only one missing all")
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns or [])

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return df.dropna(subset=self.columns, how=self.how)

    def code(self, var: str = "df") -> str:
        subset = "" if self.columns is None else f"subset={literal(self.columns)}, "
        return f"{var} = {var}.dropna({subset}how={literal(self.how)})"

    def label(self) -> str:
        where = "any column" if self.columns is None else ", ".join(map(name, self.columns))
        return f"Drop rows missing {'all of' if self.how == 'all' else 'any of'} {where}"
