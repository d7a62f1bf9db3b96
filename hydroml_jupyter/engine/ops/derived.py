"""Formula columns: a new or replaced column computed from a whitelisted expression."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import col, name
from hydroml_jupyter.engine.formula import parse
from hydroml_jupyter.engine.ops.base import Label, Operation, register
from hydroml_jupyter.engine.ops.shortform import Assign, ShortForm
from hydroml_jupyter.engine.ops.spec import param


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Formula(Operation):
    """Set ``column`` to the value of ``expr``.

    ``expr`` is parsed by hydroml's own parser, never by ``eval``: columns
    (backticks for names with spaces), numbers, strings, ``+ - * / // % **``,
    comparisons, ``& | ~`` and the functions abs, round, log, exp, sqrt, clip,
    where, if_else, isnull, fillna, coalesce, lower, upper, strip, replace,
    contains, startswith, endswith, slice, len, year, month, day and
    days_between (see :mod:`hydroml_jupyter.engine.formula`).

    Examples
    --------
    >>> Formula(column="ratio", expr="a / `unit price`").code()
    "df['ratio'] = (df['a'] / df['unit price'])"
    """

    name = "formula"
    summary = "Add or replace a column from an expression"
    short_form = ShortForm(
        parts=(Assign("column", "expr"),), example="formula annual = monthly_spend * 12"
    )

    column: Label = field(
        metadata=param("the column to set: a new name or an existing column", columns="new")
    )
    expr: str = field(metadata=param("the expression, e.g. price * quantity", widget="expression"))

    def validate(self, df: pd.DataFrame) -> None:
        if isinstance(self.column, str) and not self.column.strip():
            raise self.error("the new column needs a name", column=self.column)
        parse(self.expr).check(list(df.columns))

    def columns_used(self) -> list[Label]:
        return list(parse(self.expr).columns)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        value = parse(self.expr).evaluate(df)
        out = df.copy(deep=False)
        out[self.column] = value
        return out

    def code(self, var: str = "df") -> str:
        return f"{col(var, self.column)} = {parse(self.expr).code(var)}"

    def label(self) -> str:
        return f"{name(self.column)} = {self.expr}"
