"""Extract the groups a regular expression matches in a text column into new columns."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import Column, Keyword, ShortForm, Values, Word
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.engine.ops.split import TEXT, check_names, compiled, names, placed, set_code


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Extract(Operation):
    """Put what each group of ``pattern`` matches in ``column`` into new columns ``into``.

    ``pattern`` is a regular expression run by Python's ``re`` (``re.search``: the
    first match anywhere in the text), with one capturing group per name in ``into``;
    named groups count as any other. At most 1,000 characters; a pattern that
    backtracks badly can still be slow. A value the pattern does not match, a group
    that takes no part in the match and a missing value give missing values. The new
    columns are text (``str``) and come right after ``column``, which stays.

    Refused: a pattern that does not compile, one whose group count is not the number
    of names, and a name given twice or that is already a column.

    Examples
    --------
    >>> op = Extract(column="code", pattern="([A-Z]+)-([0-9]+)", into=["letters", "number"])
    >>> print(op.code())
    df[['letters', 'number']] = df['code'].str.extract('([A-Z]+)-([0-9]+)', expand=True)\
.astype('str')
    df = df[np.insert(df.columns.drop(['letters', 'number']).astype('object'), \
df.columns.drop(['letters', 'number']).get_loc('code') + 1, ['letters', 'number'])]
    """

    name = "extract"
    summary = "Extract text into columns"
    short_form = ShortForm(
        parts=(
            Column("column"),
            Word("pattern", meta="PATTERN"),
            Keyword("->"),
            Values("into", meta="NEW [NEW ...]"),
        ),
        example=r'extract code "([A-Z]+)-(\d+)" -> letters number',
    )

    column: Label = field(
        metadata=param("the text column to search", columns="text", placeholder="e.g. code")
    )
    pattern: str = field(
        metadata=param(
            "a regular expression with one group per new column", placeholder=r"e.g. (\w+)@(\w+)"
        )
    )
    into: list[Label] = field(
        metadata=param(
            "the new columns' names, one per group, in order",
            placeholder="e.g. ['user', 'domain']",
        )
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        groups = compiled(self, "pattern", self.pattern).groups
        if groups != len(self.into):
            raise self.error(
                f"pattern {short_repr(self.pattern)} has {groups} group(s) but into names "
                f"{len(self.into)} column(s); give one name per group",
                value=self.pattern,
            )
        check_names(self, df, self.into)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        parts = df[self.column].str.extract(self.pattern, expand=True).astype(TEXT)
        return placed(df, self.column, self.into, parts)

    def code(self, var: str = "df") -> str:
        parts = (
            f"{col(var, self.column)}.str.extract({literal(self.pattern)}, expand=True)"
            f".astype({literal(TEXT)})"
        )
        return set_code(var, self.column, self.into, parts)

    def label(self) -> str:
        return f"Extract {names(self.into)} from {name(self.column)} with {shown(self.pattern)}"
