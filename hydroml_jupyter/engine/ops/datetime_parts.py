"""Parts of dates as columns: year, month, weekday ... of a datetime column."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Literal, get_args

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, word
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.placement import place_after, place_code
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, Values
from hydroml_jupyter.engine.ops.spec import param

__all__ = ["PARTS", "DatetimeParts"]

Part = Literal[
    "year", "quarter", "month", "day", "weekday", "hour", "minute", "dayofyear", "week", "date"
]
PARTS: tuple[str, ...] = get_args(Part)

#: The pandas attribute behind each numeric part (``week``: ISO week, ``date``: midnight).
_ATTRIBUTES = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "day": "day",
    "weekday": "day_of_week",
    "hour": "hour",
    "minute": "minute",
    "dayofyear": "day_of_year",
}
#: Every numeric part is a nullable integer, missing where the date is missing: what
#: pandas gives (int32, or float64 when a date is missing) depends on the data.
PART_DTYPE = "Int32"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class DatetimeParts(Operation):
    """Add a column per part of the dates in ``column``, named ``<column>_<part>``.

    The new columns follow ``column``, in the order the parts are given. Numbers are
    Int32 (missing where the date is missing): ``weekday`` counts from Monday = 0,
    ``week`` is the ISO week (1-53); ``date`` is the date at midnight, of the
    column's own type. A column with a time zone gives its local parts.

    Examples
    --------
    >>> DatetimeParts(column="t", parts=["year"]).code().splitlines()[0]
    "df['t_year'] = df['t'].dt.year.astype('Int32')"
    """

    name = "datetime_parts"
    summary = "Add year, month, weekday ... columns from a date"
    short_form = ShortForm(
        parts=(Column("column"), Values("parts", meta="PART [PART ...]")),
        example="datetime_parts time_hour year month weekday",
    )

    column: Label = field(metadata=param("the datetime column", columns="datetime"))
    parts: list[Part] = field(
        metadata=param(
            "the parts to add, each as a new column <column>_<part>",
            choices=PARTS,
            widget="value",
            placeholder="e.g. ['year', 'month', 'weekday']",
        )
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def new_columns(self) -> list[str]:
        """Return the names of the columns added, in order."""
        return [f"{name(self.column)}_{part}" for part in self.parts]

    def validate(self, df: pd.DataFrame) -> None:
        if not self.parts:
            raise self.error(f"no parts to add; choose from {', '.join(PARTS)}")
        for at, part in enumerate(self.parts):
            if part in self.parts[:at]:
                raise self.error(f"the part {part!r} is given twice", value=part)
        super().validate(df)
        for new in self.new_columns():
            if new in df.columns:
                raise self.error(
                    f"a column named {short_repr(new)} exists already; rename it first",
                    column=new,
                )

    def _part(self, s: pd.Series, part: str) -> pd.Series:
        out: pd.Series
        if part == "date":
            out = s.dt.normalize()
        elif part == "week":
            out = s.dt.isocalendar().week.astype(PART_DTYPE)
        else:
            out = getattr(s.dt, _ATTRIBUTES[part]).astype(PART_DTYPE)
        return out

    def _part_code(self, expr: str, part: str) -> str:
        if part == "date":
            return f"{expr}.dt.normalize()"
        if part == "week":
            return f"{expr}.dt.isocalendar().week.astype({literal(PART_DTYPE)})"
        attribute = word(_ATTRIBUTES[part], _ATTRIBUTES.values())
        return f"{expr}.dt.{attribute}.astype({literal(PART_DTYPE)})"

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        source = df[self.column]
        out = df.copy(deep=False)
        new = self.new_columns()
        for column, part in zip(new, self.parts, strict=True):
            out[column] = self._part(source, part)
        return place_after(out, self.column, new)

    def code(self, var: str = "df") -> str:
        source = col(var, self.column)
        new = self.new_columns()
        lines = [
            f"{col(var, n)} = {self._part_code(source, p)}"
            for n, p in zip(new, self.parts, strict=True)
        ]
        lines.append(place_code(var, self.column, new))
        return "\n".join(lines)

    def label(self) -> str:
        return f"Add {', '.join(self.parts)} of {name(self.column)}"
