"""Operations on missing values: fill and drop."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal

import numpy as np
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
#: The strategies that may fill within groups (``by=``).
_GROUPED = ("mean", "median", "mode")


@register
@dataclasses.dataclass(frozen=True, repr=False)
class FillMissing(Operation):
    """Fill the missing values of ``column``.

    ``strategy`` is ``value`` (with ``value=``), ``mean``, ``median`` (numeric
    columns), ``mode`` (any column; the smallest of a tie), ``ffill``, ``bfill`` or
    ``interpolate`` (numeric columns).

    ``by`` (mean, median and mode only): fill with the value of each row's group, the
    groups made by these columns (missing keys form a group). A group whose values
    are all missing stays missing.
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
    by: list[Label] | None = field(
        default=None,
        metadata=param(
            "fill within the groups of these columns (mean, median, mode); "
            "a group with no values stays missing",
            columns="any",
            advanced=True,
        ),
    )

    def columns_used(self) -> list[Label]:
        return [self.column, *(self.by or [])]

    def validate(self, df: pd.DataFrame) -> None:
        if self.by is not None:
            self._check_by()
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
        if self.strategy in ("mean", "median") and kind_of(series.dtype) in "iu" and not self.by:
            fill = getattr(series, self.strategy)()
            if series.isna().any() and pd.notna(fill) and float(fill) != int(fill):
                raise self.error(
                    f"the {self.strategy} of {self.column!r} is {fill:g}, not a whole number, "
                    f"and the column is {series.dtype}; cast it to float64 first",
                    column=self.column,
                    value=fill,
                )

    def _check_by(self) -> None:
        if self.strategy not in _GROUPED:
            raise self.error(
                f"column {self.column!r}: by= goes with strategy mean, median or mode, "
                f"not {self.strategy!r}",
                column=self.column,
                value=self.by,
            )
        if not self.by:
            raise self.error(f"column {self.column!r}: by= names no column", column=self.column)
        if self.column in self.by:
            raise self.error(
                f"column {self.column!r} cannot be one of its own groups (by=)",
                column=self.column,
            )

    def _group_fill(self, df: pd.DataFrame) -> pd.Series:
        """Return each row's fill: its group's mean, median or (smallest) mode."""
        by = list(self.by or [])
        if self.strategy != "mode":
            how: Literal["mean", "median"] = "mean" if self.strategy == "mean" else "median"
            fill: pd.Series = df.groupby(by, dropna=False)[self.column].transform(how)
            return fill
        # Counts per (group, value), sorted by value; a stable sort by count keeps the
        # smallest value first among a group's most frequent ones.
        modes = (
            df.dropna(subset=[self.column])
            .groupby([*by, self.column], dropna=False, observed=True)
            .size()
            .sort_values(ascending=False, kind="stable")
            .index.to_frame(index=False)
            .drop_duplicates(subset=by)
        )
        return df[by].merge(modes, on=by, how="left")[self.column].set_axis(df.index)

    def _group_fill_expr(self, var: str) -> str:
        by, column = literal(self.by), literal(self.column)
        if self.strategy != "mode":
            how = literal(word(self.strategy, ("mean", "median")))
            return f"{var}.groupby({by}, dropna=False)[{column}].transform({how})"
        return (
            f"{var}[{by}].merge(\n"
            f"        {var}.dropna(subset=[{column}])\n"
            f"        .groupby({literal([*(self.by or []), self.column])}, dropna=False, "
            "observed=True)\n"
            "        .size()\n"
            "        .sort_values(ascending=False, kind='stable')\n"
            "        .index.to_frame(index=False)\n"
            f"        .drop_duplicates(subset={by}),\n"
            f"        on={by},\n"
            "        how='left',\n"
            f"    )[{column}].set_axis({var}.index)"
        )

    def _check_whole(self, series: pd.Series, fill: pd.Series, df: pd.DataFrame) -> None:
        """Refuse a group's mean or median that an integer column cannot hold."""
        if kind_of(series.dtype) not in "iu" or self.strategy == "mode":
            return
        needed = (series.isna() & fill.notna()).to_numpy(dtype=bool)
        values = fill.to_numpy(dtype="float64", na_value=np.nan)
        broken = np.flatnonzero(needed & (values != np.round(values)))
        if len(broken):
            at = int(broken[0])
            keys = df[list(self.by or [])].iloc[at].tolist()
            where = ", ".join(
                f"{name(k)}={shown(v)}" for k, v in zip(self.by or [], keys, strict=True)
            )
            raise self.error(
                f"the {self.strategy} of {self.column!r} where {where} is {values[at]:g}, "
                f"not a whole number, and the column is {series.dtype}; cast it to float64 first",
                column=self.column,
                value=float(values[at]),
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
        if self.by:
            fill = self._group_fill(df)
            self._check_whole(s, fill, df)
            out = df.copy(deep=False)
            out[self.column] = s.fillna(fill)
            return out
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
        if self.by:
            return f"{target} = {target}.fillna(\n    {self._group_fill_expr(var)}\n)"
        return f"{target} = {self._fill_expr(target)}"

    def label(self) -> str:
        how = f"with {shown(self.value)}" if self.strategy == "value" else f"by {self.strategy}"
        within = " within " + ", ".join(map(name, self.by)) if self.by else ""
        return f"Fill missing {name(self.column)} {how}{within}"

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        """Count the values left missing because their group has no values."""
        if not self.by:
            return []
        left = int(after[self.column].isna().sum())
        if not left:
            return []
        if left == 1:
            return [f"1 value stays missing in {name(self.column)}: its group has no values"]
        return [f"{left:,} values stay missing in {name(self.column)}: their groups have no values"]


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
