"""Reorder columns: some first, in a given order; the others keep theirs."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param


@register
@dataclasses.dataclass(frozen=True, repr=False)
class ReorderColumns(Operation):
    """Move ``columns`` to the front, in this order; every other column keeps its order.

    Examples
    --------
    >>> ReorderColumns(columns=["id", "name"]).code()
    "df = df[['id', 'name'] + df.columns.drop(['id', 'name']).tolist()]"
    """

    name = "reorder_columns"
    summary = "Move columns to the front"
    short_form = ShortForm(example="reorder_columns id name email")

    columns: list[Label] = field(
        metadata=param("the columns to put first, in this order", columns="any")
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.columns:
            raise self.error("columns= names no column")
        super().validate(df)
        twice = [c for i, c in enumerate(self.columns) if c in self.columns[:i]]
        if twice:
            raise self.error(f"column {short_repr(twice[0])} is named twice", column=twice[0])

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        # The same order as the code's ``columns.drop(...)``, without building an Index.
        first = set(self.columns)
        return df[self.columns + [c for c in df.columns if c not in first]]

    def code(self, var: str = "df") -> str:
        first = literal(self.columns)
        return f"{var} = {var}[{first} + {var}.columns.drop({first}).tolist()]"

    def label(self) -> str:
        return "Put first: " + ", ".join(map(name, self.columns))
