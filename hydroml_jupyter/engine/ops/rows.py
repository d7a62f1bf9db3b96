"""Operations on rows: filter, sort and de-duplicate."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown, word
from hydroml_jupyter.engine.ops.base import (
    PANDAS_FAILURES,
    Label,
    Operation,
    is_text,
    kind_of,
    register,
)
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, SortKeys, Value, Values, Word
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.messages import first_line

Comparison = Literal[
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "between",
    "in",
    "not_in",
    "contains",
    "startswith",
    "endswith",
    "is_null",
    "not_null",
]

_TEXT_TESTS = ("contains", "startswith", "endswith")
_ORDERED = ("<", "<=", ">", ">=", "between")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


@register
@dataclasses.dataclass(frozen=True, repr=False)
class FilterRows(Operation):
    """Keep the rows where ``column op value`` holds; missing values never match."""

    name = "filter_rows"
    summary = "Keep rows matching a condition"
    short_form = ShortForm(
        parts=(
            Column("column"),
            Word(
                "op",
                meta="CMP",
                noun="comparison",
                then={
                    "between": (Values("value", count=2, meta="LOW HIGH"),),
                    "in": (Values("value"),),
                    "not_in": (Values("value"),),
                    "is_null": (),
                    "not_null": (),
                },
                otherwise=(Value("value"),),
            ),
        ),
        example="filter_rows year >= 2000",
    )

    column: Label = field(metadata=param("the column to test", columns="any"))
    op: Comparison = field(metadata=param("the comparison"))
    value: Any = field(
        default=None,
        metadata=param(
            "what to compare with: [low, high] for between, a list for in and not_in, "
            "nothing for is_null and not_null"
        ),
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        series = df[self.column]
        kind = kind_of(series.dtype)
        if self.op in ("is_null", "not_null"):
            if self.value is not None:
                raise self.error(
                    f"column {self.column!r}: {self.op} takes no value",
                    column=self.column,
                    value=self.value,
                )
            return
        if self.op == "between":
            if not (isinstance(self.value, list) and len(self.value) == 2):
                raise self.error(
                    f"column {self.column!r}: between needs value=[low, high], not {self.value!r}",
                    column=self.column,
                    value=self.value,
                )
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, list):
                raise self.error(
                    f"column {self.column!r}: {self.op} needs a list, not {self.value!r}",
                    column=self.column,
                    value=self.value,
                )
        elif self.value is None:
            raise self.error(
                f"column {self.column!r}: {self.op!r} needs a value", column=self.column
            )
        if self.op in _TEXT_TESTS:
            if not is_text(series):
                raise self.error(
                    f"{self.op} needs a text column; {self.column!r} is {series.dtype}",
                    column=self.column,
                )
            if not isinstance(self.value, str):
                raise self.error(
                    f"column {self.column!r}: {self.op} needs a string, not {self.value!r}",
                    column=self.column,
                    value=self.value,
                )
        values = self.value if isinstance(self.value, list) else [self.value]
        for value in values:
            self._check_comparable(series, kind, value)

    def _check_comparable(self, series: pd.Series, kind: str, value: Any) -> None:
        numeric_value = isinstance(value, int | float) and not isinstance(value, bool)
        if kind in "iuf" and not numeric_value and self.op not in ("==", "!=", "in", "not_in"):
            raise self.error(
                f"{value!r} is not a number, and {self.column!r} is {series.dtype}",
                column=self.column,
                value=value,
            )
        if kind == "T" and numeric_value and self.op in _ORDERED:
            raise self.error(
                f"cannot compare text column {self.column!r} with the number {value!r}",
                column=self.column,
                value=value,
            )
        if kind == "M" and self.op in _ORDERED:
            try:
                pd.Timestamp(value)
            except (TypeError, ValueError):
                raise self.error(
                    f"{value!r} is not a date, and {self.column!r} is {series.dtype}",
                    column=self.column,
                    value=value,
                ) from None

    def _mask_code(self, s: str) -> str:
        v = literal(self.value)
        match self.op:
            case "between":
                return f"{s}.between({literal(self.value[0])}, {literal(self.value[1])})"
            case "in":
                return f"{s}.isin({v}) & {s}.notna()"
            case "not_in":
                return f"~{s}.isin({v}) & {s}.notna()"
            case "contains":
                return f"{s}.str.contains({v}, regex=False, na=False)"
            case "startswith" | "endswith":
                return f"{s}.str.{word(self.op, ('startswith', 'endswith'))}({v}, na=False)"
            case "is_null":
                return f"{s}.isna()"
            case "not_null":
                return f"{s}.notna()"
            case "!=":
                return f"({s} != {v}) & {s}.notna()"
            case _:
                return f"{s} {word(self.op, _COMPARE)} {v}"

    def _mask(self, s: pd.Series) -> pd.Series:
        v = self.value
        # The stubs type a comparison with an Any value as Any; it is a Series.
        compared: pd.Series
        match self.op:
            case "between":
                return s.between(v[0], v[1])
            case "in":
                return s.isin(v) & s.notna()
            case "not_in":
                return ~s.isin(v) & s.notna()
            case "contains":
                return s.str.contains(v, regex=False, na=False)
            case "startswith":
                return s.str.startswith(v, na=False)
            case "endswith":
                return s.str.endswith(v, na=False)
            case "is_null":
                return s.isna()
            case "not_null":
                return s.notna()
            case "==":
                compared = s == v
            case "!=":
                compared = (s != v) & s.notna()
            case "<":
                compared = s < v
            case "<=":
                compared = s <= v
            case ">":
                compared = s > v
            case _:
                compared = s >= v
        return compared

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        """Return where the condition holds in ``df``: one bool per row, missing values False.

        The operation is checked against ``df`` first, as :meth:`apply` does; a failure
        raises :class:`~hydroml_jupyter.OperationError` naming the column and value at
        fault. ``df[op.mask(df)]`` equals ``op.apply(df)``.
        """
        self.validate(df)
        try:
            held = self._mask(df[self.column])
        except PANDAS_FAILURES as exc:
            raise self.error(first_line(exc), column=self.column, value=self.value) from exc
        return held.to_numpy(dtype=bool, na_value=False)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return df[self._mask(df[self.column])]

    def code(self, var: str = "df") -> str:
        return f"{var} = {var}[{self._mask_code(col(var, self.column))}]"

    def label(self) -> str:
        if self.op in ("is_null", "not_null"):
            return f"Keep rows where {name(self.column)} {self.op.replace('_', ' ')}"
        return (
            f"Keep rows where {name(self.column)} {self.op.replace('_', ' ')} {shown(self.value)}"
        )


@register
@dataclasses.dataclass(frozen=True, repr=False)
class SortRows(Operation):
    """Sort rows by ``by`` (stable; missing values last)."""

    name = "sort_rows"
    summary = "Sort rows"
    short_form = ShortForm(
        parts=(SortKeys("by", "ascending"),), example="sort_rows spend desc, name"
    )

    by: list[Label] = field(
        metadata=param("the columns to sort by, the first one first", columns="any")
    )
    ascending: bool | list[bool] = field(
        default=True, metadata=param("True for ascending: one for every column, or one per column")
    )

    def columns_used(self) -> list[Label]:
        return list(self.by)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.by:
            raise self.error("by= names no column")
        super().validate(df)
        if isinstance(self.ascending, list) and len(self.ascending) != len(self.by):
            raise self.error(
                f"ascending has {len(self.ascending)} values for {len(self.by)} columns",
                value=self.ascending,
            )

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        # pandas-stubs type ``by`` as str names; pandas sorts by any column label (int too).
        out: pd.DataFrame = df.sort_values(by=self.by, ascending=self.ascending, kind="stable")  # type: ignore[call-overload]
        return out

    def code(self, var: str = "df") -> str:
        return (
            f"{var} = {var}.sort_values(by={literal(self.by)}, "
            f"ascending={literal(self.ascending)}, kind='stable')"
        )

    def label(self) -> str:
        ascending = self.ascending if isinstance(self.ascending, list) else [self.ascending]
        ascending = ascending * len(self.by) if len(ascending) == 1 else ascending
        keys = [f"{name(b)} {'↑' if a else '↓'}" for b, a in zip(self.by, ascending, strict=True)]
        return "Sort by " + ", ".join(keys)


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Dedupe(Operation):
    """Drop duplicate rows (judged on ``subset``, all columns when None)."""

    name = "dedupe"
    summary = "Drop duplicate rows"
    short_form = ShortForm(example="dedupe email --keep last")

    subset: list[Label] | None = field(
        default=None,
        metadata=param("the columns that judge duplicates (all when none)", columns="any"),
    )
    keep: Literal["first", "last", "none"] = field(
        default="first", metadata=param("which copy to keep: first, last, or none of them")
    )

    def columns_used(self) -> list[Label]:
        return list(self.subset or [])

    def validate(self, df: pd.DataFrame) -> None:
        if self.subset == []:
            raise self.error("subset= names no column")
        super().validate(df)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        keep = False if self.keep == "none" else self.keep
        return df.drop_duplicates(subset=self.subset, keep=keep)

    def code(self, var: str = "df") -> str:
        keep = "False" if self.keep == "none" else literal(self.keep)
        subset = "" if self.subset is None else f"subset={literal(self.subset)}, "
        return f"{var} = {var}.drop_duplicates({subset}keep={keep})"

    def label(self) -> str:
        on = "" if self.subset is None else " on " + ", ".join(map(name, self.subset))
        keep = "dropping every copy" if self.keep == "none" else f"keeping the {self.keep}"
        return f"Drop duplicate rows{on}, {keep}"
