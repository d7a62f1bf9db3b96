"""Change a column's type, reporting exactly which values cannot be converted."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from hydroml_jupyter.engine.codegen import col, literal, name
from hydroml_jupyter.engine.ops.base import (
    Failure,
    Label,
    Operation,
    kind_of,
    register,
    short_repr,
)
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

INT_TYPES = ("int8", "int16", "int32", "int64", "Int8", "Int16", "Int32", "Int64")
NULLABLE_INT_TYPES = ("Int8", "Int16", "Int32", "Int64")
FLOAT_TYPES = ("float32", "float64", "Float32", "Float64")
DATETIME_TYPES = ("datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]")
TEXT_TYPES = ("str", "string", "category")
BOOL_TYPES = ("bool", "boolean")
DTYPES = INT_TYPES + FLOAT_TYPES + TEXT_TYPES + BOOL_TYPES + DATETIME_TYPES
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


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Cast(Operation):
    """Convert ``column`` to ``dtype``.

    With ``errors="raise"`` any value that cannot be converted stops the cast and
    the error lists up to five of them with their row labels; with ``"coerce"`` they
    become missing. ``format`` is a :func:`pandas.to_datetime` format for dates.
    """

    name = "cast"
    summary = "Change a column's type"
    short_form = ShortForm(example="cast age Int64 --errors coerce")

    column: Label = field(metadata=param("the column to convert", columns="any"))
    dtype: str = field(
        metadata=param("the type to convert to", choices=SUGGESTED_DTYPES, widget="dtype")
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

    # -- checks ----------------------------------------------------------------------
    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if self.dtype not in DTYPES:
            raise self.error(
                f"unknown dtype {self.dtype!r}; use one of {', '.join(DTYPES)}", value=self.dtype
            )
        if self.format is not None and self.dtype not in DATETIME_TYPES:
            raise self.error("format= only applies to datetime dtypes", value=self.format)
        source = df[self.column]
        kind = kind_of(source.dtype)
        if self.dtype in INT_TYPES + FLOAT_TYPES and kind in "mM":
            raise self.error(
                f"column {self.column!r} is {source.dtype}; it cannot become {self.dtype}",
                column=self.column,
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
        one, many = {
            **dict.fromkeys(INT_TYPES + FLOAT_TYPES, ("a number", "numbers")),
            **dict.fromkeys(DATETIME_TYPES, (f"a date{fmt}", f"dates{fmt}")),
            **dict.fromkeys(BOOL_TYPES, ("a true/false word", "true/false words")),
        }[self.dtype]
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
            info = np.iinfo(self.dtype.lower())
            out_of_range = values[(values < info.min) | (values > info.max)]
            if len(out_of_range):
                row = out_of_range.index[:1].tolist()[0]
                raise self.error(
                    f"{short_repr(source[row])} (row {row!r}) in {self.column!r} does not fit in "
                    f"{self.dtype}",
                    column=self.column,
                    value=source[row],
                )
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

    # -- conversion, written twice: as pandas calls and as code ------------------------
    def _convert(self, s: pd.Series, errors: Errors) -> pd.Series:
        if self.dtype in NULLABLE_INT_TYPES:
            # Nullable integers parse straight to Int64: through float64 (what to_numeric
            # does when a value is missing) whole numbers past 2**53 would lose digits.
            return pd.to_numeric(s, errors=errors, dtype_backend="numpy_nullable")
        if self.dtype in INT_TYPES + FLOAT_TYPES:
            return pd.to_numeric(s, errors=errors)
        if self.dtype in DATETIME_TYPES:
            return pd.to_datetime(s, errors=errors, format=self.format)
        if self.dtype in BOOL_TYPES:
            return s.astype("str").str.strip().str.lower().map(BOOL_WORDS)
        return s

    def _convert_code(self, expr: str, errors: Errors) -> str:
        err = "" if errors == "raise" else ", errors='coerce'"
        if self.dtype in NULLABLE_INT_TYPES:
            return f"pd.to_numeric({expr}{err}, dtype_backend='numpy_nullable')"
        if self.dtype in INT_TYPES + FLOAT_TYPES:
            return f"pd.to_numeric({expr}{err})"
        if self.dtype in DATETIME_TYPES:
            fmt = "" if self.format is None else f", format={literal(self.format)}"
            return f"pd.to_datetime({expr}{err}{fmt})"
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
        out[self.column] = converted.astype(pandas_dtype(self.dtype))
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        converted = self._convert_code(target, self.errors)
        return f"{target} = {converted}.astype({literal(self.dtype)})"

    def label(self) -> str:
        coerce = " (coerce)" if self.errors == "coerce" else ""
        return f"Cast {name(self.column)} to {name(self.dtype)}{coerce}"
