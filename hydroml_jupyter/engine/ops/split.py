"""Split a text column into new columns at a separator.

The helpers at the bottom are shared with :mod:`~hydroml_jupyter.engine.ops.extract`:
both add text columns named ``into`` right after the column they read, and both
compile a user's regular expression the same way.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import field
from typing import Final

import pandas as pd
import pyarrow.compute as pc

from hydroml_jupyter.engine.codegen import col, literal, name, shown
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.placement import place_after, place_code
from hydroml_jupyter.engine.ops.shortform import Column, Keyword, ShortForm, Values, Word
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.messages import first_line

#: The longest separator or pattern accepted, in characters.
MAX_PATTERN = 1_000
#: The dtype of every new column: pandas 3's default text dtype.
TEXT: Final = "str"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Split(Operation):
    """Split the text of ``column`` at ``sep`` into new columns named ``into``.

    The text is cut at most ``len(into) - 1`` times, from the left, so the last new
    column takes the rest: ``'Ada King Lovelace'`` split at ``' '`` into ``first,
    last`` gives ``'Ada'`` and ``'King Lovelace'``. A value with fewer parts leaves
    the later columns missing; a missing value leaves them all missing. The new
    columns are text (``str``) and come right after ``column``, which stays.

    With ``regex=True``, ``sep`` is a regular expression run by Python's ``re``
    (at most 1,000 characters; a pattern that backtracks badly can still be slow).
    It may not capture groups: write ``(?:...)`` to group.

    Refused: an empty ``sep``, fewer than two names, a name given twice or that is
    already a column (the source column too: it stays; rename or drop it first), a
    pattern that does not compile.

    Examples
    --------
    >>> print(Split(column="name", sep=" ", into=["first", "last"]).code())
    df[['first', 'last']] = df['name'].str.split(' ', n=1, expand=True, regex=False)\
.reindex(columns=[0, 1]).astype('str')
    df = df[np.insert(df.columns.drop(['first', 'last']).astype('object'), \
df.columns.drop(['first', 'last']).get_loc('name') + 1, ['first', 'last'])]
    """

    name = "split"
    summary = "Split text into columns"
    short_form = ShortForm(
        parts=(
            Column("column"),
            Word("sep", meta="SEP"),
            Keyword("->"),
            Values("into", meta="NEW [NEW ...]"),
        ),
        example='split name " " -> first last',
    )

    column: Label = field(
        metadata=param("the text column to split", columns="text", placeholder="e.g. name")
    )
    sep: str = field(
        metadata=param(
            "the text to cut at (a regular expression with regex)",
            # A value input keeps a quoted space (' '); a text input trims it away.
            widget="value",
            placeholder="e.g. ' ' or ,",
        )
    )
    into: list[Label] = field(
        metadata=param(
            "the new columns' names, in order; the last takes the rest",
            placeholder="e.g. ['first', 'last']",
        )
    )
    regex: bool = field(
        default=False, metadata=param("read sep as a regular expression", advanced=True)
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if not self.sep:
            raise self.error(f"sep is empty: give the text to cut {short_repr(self.column)} at")
        if len(self.into) < 2:
            raise self.error(
                f"into needs two names or more (the text is cut len(into) - 1 times), "
                f"not {short_repr(self.into)}",
                value=self.into,
            )
        check_names(self, df, self.into)
        if self.regex:
            pattern = compiled(self, "sep", self.sep)
            if pattern.groups:
                raise self.error(
                    f"sep {short_repr(self.sep)} captures {pattern.groups} group(s), which "
                    "would become parts of their own; write (?:...) to group",
                    value=self.sep,
                )
        elif len(self.sep) > MAX_PATTERN:
            raise self.error(f"sep is longer than {MAX_PATTERN:,} characters ({len(self.sep):,})")

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return placed(df, self.column, self.into, self._parts(df[self.column]))

    def _parts(self, series: pd.Series) -> pd.DataFrame:
        count = len(self.into)
        if not self.regex and _is_arrow_text(series):
            # Arrow cuts the text as Python's str.split does, 20 times faster than the
            # per-value loop of pandas' accessor (the exported code's result is the same).
            cut = pc.split_pattern(series.array._pa_array, pattern=self.sep, max_splits=count - 1)
            padded = pc.list_slice(cut, 0, count, return_fixed_size_list=True)
            return pd.DataFrame(
                {
                    i: pd.Series(
                        pd.arrays.ArrowStringArray(  # type: ignore[call-arg]
                            pc.list_element(padded, i), dtype=series.dtype
                        ),
                        index=series.index,
                        copy=False,
                    )
                    for i in range(count)
                }
            )
        parts = series.str.split(self.sep, n=count - 1, expand=True, regex=self.regex)
        return parts.reindex(columns=list(range(count))).astype(TEXT)

    def code(self, var: str = "df") -> str:
        count = len(self.into)
        parts = (
            f"{col(var, self.column)}.str.split({literal(self.sep)}, n={count - 1}, "
            f"expand=True, regex={literal(self.regex)})"
            f".reindex(columns={literal(list(range(count)))}).astype({literal(TEXT)})"
        )
        return set_code(var, self.column, self.into, parts)

    def label(self) -> str:
        how = " (regex)" if self.regex else ""
        return f"Split {name(self.column)} at {shown(self.sep)}{how} into {names(self.into)}"


# -- shared with extract --------------------------------------------------------------------
def check_names(op: Operation, df: pd.DataFrame, into: list[Label]) -> None:
    """Refuse new column names that are empty, given twice or already columns of ``df``."""
    for at, label in enumerate(into):
        if isinstance(label, str) and not label.strip():
            raise op.error(f"name {at + 1} of into is empty", value=label)
        if label in into[:at]:
            raise op.error(f"{short_repr(label)} is named twice in into", value=label)
        if label in df.columns:
            raise op.error(
                f"column {short_repr(label)} already exists; give into a new name "
                "(or rename or drop that column first)",
                column=label,
            )


def compiled(op: Operation, what: str, pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` (the parameter ``what``) with Python's ``re``, or refuse it."""
    if len(pattern) > MAX_PATTERN:
        raise op.error(
            f"{what} is longer than {MAX_PATTERN:,} characters ({len(pattern):,})", value=pattern
        )
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise op.error(
            f"{what} {short_repr(pattern)} is not a valid regular expression: {first_line(exc)}",
            value=pattern,
        ) from exc


def placed(df: pd.DataFrame, column: Label, into: list[Label], parts: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the columns of ``parts`` named ``into``, right after ``column``."""
    out = df.copy(deep=False)
    out[into] = parts
    return place_after(out, column, into)


def set_code(var: str, column: Label, into: list[Label], parts: str) -> str:
    """Return the code of :func:`placed`, ``parts`` being the code of the new columns."""
    return f"{var}[{literal(into)}] = {parts}\n{place_code(var, column, into)}"


def names(labels: list[Label]) -> str:
    """Return column names for a label: ``first, last``."""
    return ", ".join(map(name, labels))


def _is_arrow_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        isinstance(dtype, pd.StringDtype)
        and dtype.storage == "pyarrow"
        and dtype.na_value is not pd.NA
        and isinstance(series.array, pd.arrays.ArrowStringArray)
    )
