"""Operations on the values of one column: replace and text clean-up."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown, word
from hydroml_jupyter.engine.ops.base import Label, Operation, is_text, register

_ACTIONS = ("strip", "lower", "upper", "title")


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Replace(Operation):
    """Replace values of ``column``: ``mapping={old: new}`` (exact matches)."""

    name = "replace"
    summary = "Replace values"

    column: Label
    mapping: dict[Any, Any]

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if not self.mapping:
            raise self.error("mapping= is empty", column=self.column)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        out[self.column] = df[self.column].replace(self.mapping)
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        return f"{target} = {target}.replace({literal(self.mapping)})"

    def label(self) -> str:
        pairs = ", ".join(
            f"{shown(old)} → {shown(new)}" for old, new in list(self.mapping.items())[:3]
        )
        more = f" (+{len(self.mapping) - 3})" if len(self.mapping) > 3 else ""
        return f"Replace in {name(self.column)}: {pairs}{more}"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Text(Operation):
    """Clean the text of ``column``: ``strip``, ``lower``, ``upper`` or ``title``."""

    name = "text"
    summary = "Clean text"

    column: Label
    action: Literal["strip", "lower", "upper", "title"]

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        series = df[self.column]
        if not is_text(series) and not (series.dtype == object and series.isna().all()):
            raise self.error(
                f"column {self.column!r} is {series.dtype}, not text; cast it to str first",
                column=self.column,
            )

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        out[self.column] = getattr(df[self.column].str, self.action)()
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        return f"{target} = {target}.str.{word(self.action, _ACTIONS)}()"

    def label(self) -> str:
        verb = {
            "strip": "Strip spaces in",
            "lower": "Lower-case",
            "upper": "Upper-case",
            "title": "Title-case",
        }[self.action]
        return f"{verb} {name(self.column)}"
