"""Operations on the values of one column: replace and text clean-up."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal, get_args

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown, word
from hydroml_jupyter.engine.ops.base import Label, Operation, register
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

Action = Literal["strip", "lower", "upper", "title"]
_ACTIONS: tuple[str, ...] = get_args(Action)


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Replace(Operation):
    """Replace values of ``column``: ``mapping={old: new}`` (exact matches)."""

    name = "replace"
    summary = "Replace values"
    short_form = ShortForm(example='replace city NYC -> "New York"')

    column: Label = field(metadata=param("the column whose values change", columns="any"))
    mapping: dict[Any, Any] = field(metadata=param("each value to replace, with its replacement"))

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if not self.mapping:
            raise self.error(
                f"mapping= is empty: nothing to replace in {self.column!r}", column=self.column
            )

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
    short_form = ShortForm(example="text country strip")

    column: Label = field(metadata=param("the text column", columns="text"))
    action: Action = field(metadata=param("strip the spaces around the text, or change its case"))

    def columns_used(self) -> list[Label]:
        return [self.column]

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
