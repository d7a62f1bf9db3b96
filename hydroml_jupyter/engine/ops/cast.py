"""Change a column's type, reporting exactly which values cannot be converted."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from hydroml_jupyter.engine.codegen import col, literal, name
from hydroml_jupyter.engine.ops.base import (
    Failure,
    Label,
    Operation,
    is_text,
    kind_of,
    register,
    short_repr,
)
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.engine.ops.timezone import (
    DatetimeDtype,
    datetime_dtype,
    times,
    zone_problem,
)

INT_TYPES = ("int8", "int16", "int32", "int64", "Int8", "Int16", "Int32", "Int64")
NULLABLE_INT_TYPES = ("Int8", "Int16", "Int32", "Int64")
FLOAT_TYPES = ("float32", "float64", "Float32", "Float64")
DATETIME_TYPES = ("datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]")
TEXT_TYPES = ("str", "string", "category")
BOOL_TYPES = ("bool", "boolean")
#: Aware dtypes offered by name; any ``datetime64[<unit>, <IANA zone>]`` is accepted.
AWARE_TYPES = ("datetime64[ns, UTC]",)
DTYPES = INT_TYPES + FLOAT_TYPES + TEXT_TYPES + BOOL_TYPES + DATETIME_TYPES + AWARE_TYPES
_COMMON = ("Int64", "int64", "float64", "str", "string", "category", "bool", "boolean")
#: The dtypes in the order a form offers them: the common ones first.
SUGGESTED_DTYPES = (*_COMMON, *(d for d in DTYPES if d not in _COMMON))
Errors = Literal["raise", "coerce"]

#: Words read as booleans by ``cast(..., dtype="bool"/"boolean")``, after strip and lower.
BOOL_WORDS: dict[str, bool] = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "1.0": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
    "0.0": False,
}

_MAX_LISTED = 5
#: Text that ends with a zone: ``Z`` or an offset such as ``+01:00`` (for preview notes).
_OFFSET = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
#: Floats at or past this size may not hold a whole number exactly.
_EXACT_FLOAT = 2**53


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Cast(Operation):
    """Convert ``column`` to ``dtype``.

    With ``errors="raise"`` any value that cannot be converted stops the cast and
    the error lists up to five of them with their row labels; with ``"coerce"`` they
    become missing. ``format`` is a :func:`pandas.to_datetime` format for dates.

    Dates and time zones: ``datetime64[ns, UTC]`` or ``datetime64[ns, <IANA zone>]``
    (any unit of ns, us, ms, s) gives a column with a time zone; times written with
    an offset or ``Z`` are converted to it, times without one are read as UTC. A
    dtype without a zone converts times with an offset (and a column with a zone)
    to UTC first, then drops the zone; a ``format`` without ``%z`` or ``%Z`` reads
    no zone at all, so its times stay as written.
    """

    name = "cast"
    summary = "Change a column's type"
    short_form = ShortForm(example="cast age Int64 --errors coerce")

    column: Label = field(metadata=param("the column to convert", columns="any"))
    dtype: str = field(
        metadata=param(
            "the type to convert to; datetime64[ns, <IANA zone>] for a time zone",
            choices=SUGGESTED_DTYPES,
            widget="dtype",
        )
    )
    errors: Errors = field(
        default="raise",
        metadata=param("raise: stop at a value that does not convert; coerce: make it missing"),
    )
    format: str | None = field(
        default=None, metadata=param("a date format for pandas.to_datetime, e.g. %d/%m/%Y")
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    # -- what the dtype asks for -------------------------------------------------------
    @property
    def _date(self) -> DatetimeDtype | None:
        """The target as a datetime dtype, or None when it is not one."""
        return datetime_dtype(self.dtype)

    @property
    def _target(self) -> str:
        """The dtype as pandas spells it (``datetime64[ns,UTC]`` → ``datetime64[ns, UTC]``)."""
        date = self._date
        return self.dtype if date is None else date.text

    @property
    def _via_utc(self) -> bool:
        """Whether dates are parsed with ``utc=True``: the result may hold zoned times.

        Not when the target has no zone and the format has no ``%z``/``%Z``: such text
        has no zone to convert, and the code stays plain ``pd.to_datetime``.
        """
        date = self._date
        if date is None:
            return False
        return date.tz is not None or self.format is None or _reads_zone(self.format)

    # -- checks ----------------------------------------------------------------------
    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        date = self._date
        if self.dtype not in DTYPES and (date is None or date.tz is None):
            raise self.error(
                f"unknown dtype {self.dtype!r}; use one of {', '.join(DTYPES)}, "
                "or datetime64[ns, <IANA time zone>]",
                value=self.dtype,
            )
        if date is not None and date.tz is not None:
            problem = zone_problem(date.tz)
            if problem:
                raise self.error(f"{problem} in dtype {self.dtype!r}", value=self.dtype)
        if self.format is not None and date is None:
            raise self.error("format= only applies to datetime dtypes", value=self.format)
        source = df[self.column]
        kind = kind_of(source.dtype)
        if self.dtype in INT_TYPES + FLOAT_TYPES and kind in "mM":
            raise self.error(
                f"column {self.column!r} is {source.dtype}; it cannot become {self.dtype}",
                column=self.column,
            )
        if self.format is not None and getattr(source.dtype, "tz", None) is not None:
            raise self.error(
                f"column {self.column!r} is {source.dtype} already: format= reads text, "
                "leave it out",
                column=self.column,
                value=self.format,
            )

    def failures(self, df: pd.DataFrame) -> list[Failure]:
        """Return every value of the column that cannot be converted."""
        source = df[self.column]
        return self._failures(source, self._convert(source, "coerce"))

    def _failures(self, source: pd.Series, converted: pd.Series) -> list[Failure]:
        mask = converted.isna().to_numpy(dtype=bool) & source.notna().to_numpy(dtype=bool)
        if not mask.any():
            return []
        return [Failure(row, self.column, value) for row, value in source[mask].items()]

    def _failure_error(self, failures: list[Failure], source: pd.Series) -> Exception:
        fmt = f" in format {self.format!r}" if self.format else ""
        if self._date is not None:
            one, many = f"a date{fmt}", f"dates{fmt}"
        elif self.dtype in BOOL_TYPES:
            one, many = "a true/false word", "true/false words"
        else:
            one, many = "a number", "numbers"
        listed = ", ".join(f.describe() for f in failures[:_MAX_LISTED])
        more = f" and {len(failures) - _MAX_LISTED} more" if len(failures) > _MAX_LISTED else ""
        head = (
            f"1 value in {self.column!r} is not {one}"
            if len(failures) == 1
            else f"{len(failures)} values in {self.column!r} are not {many}"
        )
        return self.error(
            f"{head}: {listed}{more}; use errors='coerce' to make them missing",
            column=self.column,
            value=failures[0].value,
        )

    def _check_result(self, converted: pd.Series, source: pd.Series) -> None:
        """Reject what pandas would do silently: truncating, wrapping or NaN in int columns."""
        if self.dtype in INT_TYPES:
            values = converted.dropna()
            if kind_of(values.dtype) == "f":
                fractional = values[(values % 1) != 0]
                if len(fractional):
                    row = fractional.index[:1].tolist()[0]  # a plain label, shown as such
                    raise self.error(
                        f"{len(fractional)} value(s) in {self.column!r} are not whole numbers, "
                        f"e.g. {short_repr(source[row])} (row {row!r}); cast to float64 or round "
                        "first",
                        column=self.column,
                        value=source[row],
                    )
            self._check_range(converted, source)
        if self.dtype[0].islower() and self.dtype in (*INT_TYPES, "bool"):
            nulls = converted.isna()
            if nulls.any():
                count = int(nulls.sum())
                rows = ", ".join(repr(r) for r in converted.index[nulls][:_MAX_LISTED])
                nullable = "Int64" if self.dtype in INT_TYPES else "boolean"
                raise self.error(
                    f"{self.dtype} cannot hold missing values and {self.column!r} has {count} "
                    f"(row{'s' if count > 1 else ''} {rows}); use {nullable} or fill them first",
                    column=self.column,
                )

    def _check_range(self, converted: pd.Series, source: pd.Series) -> None:
        """Refuse the first value that does not fit the integer type, or would lose digits.

        ``to_numeric`` gives text back when a value is past every integer type, and
        floats when other values are not whole: their range is checked on the exact
        value written, not on a float that may be one off.
        """
        info = np.iinfo(self.dtype.lower())
        present = converted.notna().to_numpy(dtype=bool)
        kind = kind_of(converted.dtype)
        if kind in "iub":
            bad = present & ((converted < info.min) | (converted > info.max)).to_numpy(
                dtype=bool, na_value=False
            )
            self._refuse_at(bad, source, "does not fit in")
            return
        if kind == "f":
            outside = (converted < info.min) | (converted > info.max)
            unsure = outside | (converted.abs() >= _EXACT_FLOAT)
            candidates = present & unsure.to_numpy(dtype=bool, na_value=False)
        else:
            candidates = present
        positions = np.flatnonzero(candidates)
        exact = {int(at): _whole(source.iloc[at]) for at in positions}
        for at, number in exact.items():
            if number is None or not info.min <= number <= info.max:
                self._refuse_at(at, source, "does not fit in")
        for at, number in exact.items():
            if kind == "f" and number != int(converted.iloc[at]):
                self._refuse_at(at, source, "would lose digits through float64 in")

    def _refuse_at(self, where: Any, source: pd.Series, problem: str) -> None:
        """Raise naming the first value ``where`` marks (a mask, or one position)."""
        if isinstance(where, np.ndarray):
            if not where.any():
                return
            where = int(np.flatnonzero(where)[0])
        row: Hashable = source.index[where : where + 1].tolist()[0]  # a plain label
        value = source.iloc[where]
        raise self.error(
            f"{short_repr(value)} (row {row!r}) in {self.column!r} {problem} {self.dtype}",
            column=self.column,
            value=value,
        )

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        """Say which times a date cast moved to UTC, or read as UTC."""
        date = self._date
        if date is None or not self._via_utc:
            return []
        source = before[self.column]
        zone = getattr(source.dtype, "tz", None)
        if kind_of(source.dtype) == "M":
            zoned = int(source.notna().sum()) if zone is not None else 0
            plain = 0 if zone is not None else int(source.notna().sum())
        elif is_text(source):
            text = source.dropna().astype("str").str.strip()
            zoned = int(text.str.contains(_OFFSET, regex=True).sum())
            plain = len(text) - zoned
        else:
            return []
        column = name(self.column)
        if date.tz is None and zoned:
            where = f" (in {zone})" if zone is not None else " with a zone"
            return [f"{times(zoned)} of {column}{where} converted to UTC, their zone dropped"]
        if date.tz is not None and plain and not _reads_zone(self.format):
            return [f"{times(plain)} of {column} without a zone read as UTC"]
        return []

    # -- conversion, written twice: as pandas calls and as code ------------------------
    def _convert(self, s: pd.Series, errors: Errors) -> pd.Series:
        if self.dtype in NULLABLE_INT_TYPES:
            # Nullable integers parse straight to Int64: through float64 (what to_numeric
            # does when a value is missing) whole numbers past 2**53 would lose digits.
            return pd.to_numeric(s, errors=errors, dtype_backend="numpy_nullable")
        if self.dtype in INT_TYPES + FLOAT_TYPES:
            return pd.to_numeric(s, errors=errors)
        date = self._date
        if date is not None:
            if not self._via_utc:
                return pd.to_datetime(s, errors=errors, format=self.format)
            # utc=True: offsets may differ from row to row; astype converts to the zone.
            parsed = pd.to_datetime(s, errors=errors, format=self.format, utc=True)
            return parsed.dt.tz_convert(None) if date.tz is None else parsed
        if self.dtype in BOOL_TYPES:
            return s.astype("str").str.strip().str.lower().map(BOOL_WORDS)
        return s

    def _convert_code(self, expr: str, errors: Errors) -> str:
        err = "" if errors == "raise" else ", errors='coerce'"
        if self.dtype in NULLABLE_INT_TYPES:
            return f"pd.to_numeric({expr}{err}, dtype_backend='numpy_nullable')"
        if self.dtype in INT_TYPES + FLOAT_TYPES:
            return f"pd.to_numeric({expr}{err})"
        date = self._date
        if date is not None:
            fmt = "" if self.format is None else f", format={literal(self.format)}"
            if not self._via_utc:
                return f"pd.to_datetime({expr}{err}{fmt})"
            parsed = f"pd.to_datetime({expr}{err}{fmt}, utc=True)"
            return f"{parsed}.dt.tz_convert(None)" if date.tz is None else parsed
        if self.dtype in BOOL_TYPES:
            return f"{expr}.astype('str').str.strip().str.lower().map({literal(BOOL_WORDS)})"
        return expr

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        # The successful path converts once, with the very call the exported code makes;
        # only a failing strict cast pays for a second, coercing pass to list the culprits.
        source = df[self.column]
        try:
            converted = self._convert(source, self.errors)
        except (TypeError, ValueError) as exc:
            failures = self.failures(df) if self.errors == "raise" else []
            if failures:
                raise self._failure_error(failures, source) from exc
            raise
        failures = self._failures(source, converted)
        if failures and self.errors == "raise":
            raise self._failure_error(failures, source)
        self._check_result(converted, source)
        out = df.copy(deep=False)
        out[self.column] = converted.astype(pandas_dtype(self._target))
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        converted = self._convert_code(target, self.errors)
        return f"{target} = {converted}.astype({literal(self._target)})"

    def label(self) -> str:
        notes = ["coerce"] if self.errors == "coerce" else []
        date = self._date
        if date is not None and date.tz is None and self._via_utc:
            notes.append("times with a zone converted to UTC")
        elif date is not None and date.tz is not None and not _reads_zone(self.format):
            notes.append("times without a zone read as UTC")
        shown = f" ({'; '.join(notes)})" if notes else ""
        return f"Cast {name(self.column)} to {name(self.dtype)}{shown}"


def _reads_zone(fmt: str | None) -> bool:
    """Return whether a date format reads a zone or an offset (``%z``, ``%Z``)."""
    return fmt is not None and ("%z" in fmt or "%Z" in fmt)


def _whole(value: Any) -> int | None:
    """Return the whole number ``value`` is or writes, exactly; None when it is not one."""
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    # A written exponent past any integer type's range need not be expanded to know it.
    if not number.is_finite() or number.adjusted() > 40 or number != number.to_integral_value():
        return None
    return int(number)
