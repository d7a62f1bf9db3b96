"""Operations on the set of columns: rename and drop."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, register
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Rename(Operation):
    """Rename columns: ``columns={old: new}``."""

    name = "rename"
    summary = "Rename columns"
    short_form = ShortForm(example='rename "Customer ID" -> id, Age -> age')

    columns: dict[Label, Label] = field(
        metadata=param("each column to rename, with its new name", columns="any")
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if not self.columns:
            raise self.error("no columns to rename")
        for old, new in self.columns.items():
            if isinstance(new, str) and not new.strip():
                raise self.error(f"the new name of {old!r} is empty", column=old)
        final = [self.columns.get(c, c) for c in df.columns]
        seen: set[Label] = set()
        for label in final:
            if label in seen:
                raise self.error(
                    f"renaming would give two columns named {label!r}", column=label, value=label
                )
            seen.add(label)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return df.rename(columns=self.columns)

    def code(self, var: str = "df") -> str:
        return f"{var} = {var}.rename(columns={literal(self.columns)})"

    def label(self) -> str:
        return "Rename " + ", ".join(
            f"{name(old)} → {name(new)}" for old, new in self.columns.items()
        )


@register
@dataclasses.dataclass(frozen=True, repr=False)
class DropColumns(Operation):
    """Drop columns: ``columns=[...]``."""

    name = "drop_columns"
    summary = "Drop columns"
    short_form = ShortForm(example="drop_columns notes internal_id")

    columns: list[Label] = field(metadata=param("the columns to drop", columns="any"))

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.columns:
            raise self.error("no columns to drop")
        super().validate(df)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return df.drop(columns=self.columns)

    def code(self, var: str = "df") -> str:
        return f"{var} = {var}.drop(columns={literal(self.columns)})"

    def label(self) -> str:
        return "Drop " + ", ".join(map(name, self.columns))
