"""Estimates of how big a formula's value will be, made before it is built.

Only a few operations can make data grow past the frame's size: joining text (``+``),
repeating it (``*`` by a whole number), formatting it (``'%0999d' % 1``), and whole
numbers that grow without bound (``9 ** 9 ** 9``). Each estimate is an upper bound in
bytes, computed from the operands' sizes alone: a column's text lengths, a count's
values row by row. Object columns (Python values of any type) are measured value by
value; typed columns with numpy and Arrow. Numbers in typed columns never grow.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hydroml_jupyter.engine.formula._limits import max_digits

__all__ = [
    "FormatsColumnError",
    "TooManyDigitsError",
    "binary_estimate",
    "broadcast",
    "case_estimate",
    "copy_estimate",
    "footprint",
    "is_sequence_like",
    "replace_estimate",
    "scalar_size",
    "total",
]

#: Bytes per row a column of text needs besides its characters (Arrow's offsets).
ROW_OVERHEAD = 8
_LOG10_2 = math.log10(2)
_DIGIT_RUNS = re.compile(r"\d+")
_LONG_STRING = 2**20
_GROWING = ("+", "-", "*", "**", "%")


class TooManyDigitsError(Exception):
    """A whole number would have more digits than Python can print."""

    def __init__(self, digits: float) -> None:
        super().__init__(digits)
        self.digits = digits


class FormatsColumnError(Exception):
    """Text formatted with ``%`` by a whole column (which formats the column's printout)."""


# -- one value ---------------------------------------------------------------------------
def is_count(value: Any) -> bool:
    """Whether ``value`` repeats a sequence in Python: an int, bool or numpy integer."""
    return isinstance(value, numbers.Integral | np.bool_)


def _count(value: Any) -> float:
    return float(max(int(value), 0)) if is_count(value) else 0.0


def text_bytes(value: str) -> float:
    """Return the UTF-8 size of ``value`` (an upper bound for long non-ASCII text)."""
    if value.isascii():
        return float(len(value))
    if len(value) > _LONG_STRING:
        return 4.0 * len(value)
    return float(len(value.encode("utf-8", "surrogatepass")))


def scalar_size(value: Any) -> float:
    """Return the bytes of ``value`` that repetition and joining multiply."""
    if isinstance(value, str):
        return text_bytes(value)
    if isinstance(value, bytes | bytearray):
        return float(len(value))
    if isinstance(value, list | tuple):
        return 8.0 * len(value)
    return 0.0


def _is_sequence(value: Any) -> bool:
    return isinstance(value, str | bytes | bytearray | list | tuple)


def _bits(value: Any) -> float:
    return float(abs(int(value)).bit_length()) if is_count(value) else 0.0


def _whole_number(bits: float) -> float:
    digits = bits * _LOG10_2
    if digits > max_digits():
        raise TooManyDigitsError(digits)
    return bits / 8


def _format_size(fmt: str | bytes, arg: Any) -> float:
    """Return an upper bound of the size of ``fmt % arg``."""
    text = fmt if isinstance(fmt, str) else fmt.decode("latin-1")
    runs = _DIGIT_RUNS.findall(text)
    if any(len(run) > 15 for run in runs):
        return math.inf
    widths = float(sum(int(run) for run in runs))
    items = arg if isinstance(arg, tuple) else (arg,)
    for item in items:
        if is_count(item):  # '%*d' % (width, x) takes a width from the arguments
            widths += abs(int(item)) if _bits(item) < 60 else math.inf
    if isinstance(arg, str | bytes | bytearray):
        shown = 10.0 * scalar_size(arg) + 2  # %r escapes a character in up to 10
    elif isinstance(arg, numbers.Number | type(None)):
        shown = float(max_digits() + 400)
    else:
        try:
            shown = 10.0 * len(repr(arg)) + 2
        except Exception:
            shown = math.inf
    return float(len(text)) + widths + text.count("%") * shown


def scalar_estimate(op: str, a: Any, b: Any) -> float | None:
    """Return the bytes ``a <op> b`` builds, or None when it cannot grow.

    Raises
    ------
    TooManyDigitsError
        When the result is a whole number Python could not print.
    """
    if op == "+" and (_is_sequence(a) or _is_sequence(b)):
        return scalar_size(a) + scalar_size(b)
    if op == "*" and (_is_sequence(a) or _is_sequence(b)):
        return scalar_size(a) * _count(b) + scalar_size(b) * _count(a)
    if op == "%" and isinstance(a, str | bytes):
        return _format_size(a, b)
    if not (is_count(a) and is_count(b)):
        return None
    if op in ("+", "-"):
        return _whole_number(max(_bits(a), _bits(b)) + 1)
    if op == "*":
        return _whole_number(_bits(a) + _bits(b))
    if op == "**" and int(b) > 0 and abs(int(a)) > 1:
        if _bits(b) > 64:
            raise TooManyDigitsError(math.inf)
        return _whole_number(float(b) * math.log2(abs(int(a))) + 1)
    return None


# -- columns -----------------------------------------------------------------------------
def _arrow_text(series: pd.Series) -> pa.ChunkedArray | None:
    data = getattr(series.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray) and (
        pa.types.is_string(data.type)
        or pa.types.is_large_string(data.type)
        or pa.types.is_binary(data.type)
        or pa.types.is_large_binary(data.type)
    ):
        return data
    return None


def _is_object(series: pd.Series) -> bool:
    return series.dtype == object or (
        isinstance(series.dtype, pd.StringDtype) and _arrow_text(series) is None
    )


def _arrow_total(data: pa.ChunkedArray) -> float:
    """Return the bytes of text in ``data``, read from its offsets (no pass over the rows)."""
    wide = pa.types.is_large_string(data.type) or pa.types.is_large_binary(data.type)
    size = 0
    for chunk in data.chunks:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if wide else np.int32)
            size += int(offsets[chunk.offset + len(chunk)]) - int(offsets[chunk.offset])
    return float(size)


def total(value: Any) -> float:
    """Return the bytes repetition and joining multiply in ``value``, summed over its rows."""
    if not isinstance(value, pd.Series):
        return scalar_size(value)
    text = _arrow_text(value)
    if text is not None:
        return _arrow_total(text)
    if _is_object(value):
        return float(sum(scalar_size(v) for v in value.to_numpy(dtype=object)))
    return 0.0


def _counts(value: Any) -> Any:
    """Return the repetition counts of ``value``: a float, or an array for a column."""
    if not isinstance(value, pd.Series):
        return _count(value)
    dtype = value.dtype
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return np.clip(value.to_numpy(dtype=float, na_value=0.0), 0.0, None)
    return np.zeros(len(value))


def _lengths(value: pd.Series) -> Any:
    """Return the bytes of text of each row of a text column (0 where missing)."""
    text = _arrow_text(value)
    if text is None:
        return np.fromiter((scalar_size(v) for v in value.to_numpy(dtype=object)), dtype=float)
    lengths = pc.binary_length(text).to_numpy(zero_copy_only=False)
    return np.nan_to_num(lengths.astype(float), nan=0.0)


def is_sequence_like(value: Any) -> bool:
    """Whether ``value`` holds text or other sequences (a scalar, or a text/object column)."""
    if isinstance(value, pd.Series):
        return _is_object(value) or _arrow_text(value) is not None
    return _is_sequence(value)


def broadcast(value: Any, rows: int) -> float:
    """Return the bytes of ``value`` as a column of ``rows`` rows."""
    if isinstance(value, pd.Series):
        return total(value) + ROW_OVERHEAD * rows
    return (scalar_size(value) + ROW_OVERHEAD) * rows if _is_sequence(value) else 0.0


def _rowwise(op: str, left: Any, right: Any, rows: int) -> float | None:
    """Apply :func:`scalar_estimate` row by row (for object columns)."""

    def items(value: Any) -> Any:
        if isinstance(value, pd.Series):
            return value.to_numpy(dtype=object)
        return [value] * rows

    size, grows = 0.0, False
    for a, b in zip(items(left), items(right), strict=True):
        part = scalar_estimate(op, a, b)
        if part is not None:
            size, grows = size + part, True
    return size + ROW_OVERHEAD * rows if grows else None


def binary_estimate(op: str, left: Any, right: Any, rows: int) -> float | None:
    """Return the bytes ``left <op> right`` builds, or None when it cannot grow.

    Raises
    ------
    TooManyDigitsError
        For a whole number Python could not print.
    FormatsColumnError
        For text formatted with ``%`` by a column.
    """
    if op not in _GROWING:
        return None
    columns = [v for v in (left, right) if isinstance(v, pd.Series)]
    if not columns:
        return scalar_estimate(op, left, right)
    if op == "%" and isinstance(left, str | bytes):
        raise FormatsColumnError
    if op == "+":
        # Whole numbers in an object column grow by one bit at most: only sequences count.
        if not (is_sequence_like(left) or is_sequence_like(right)):
            return None
        return _joined(left, right) + ROW_OVERHEAD * rows
    if op != "-" and any(_is_object(column) for column in columns):
        return _rowwise(op, left, right, rows)
    if op != "*" or not (is_sequence_like(left) or is_sequence_like(right)):
        return None
    return _repeated(left, right) + ROW_OVERHEAD * rows


def _joined(left: Any, right: Any) -> float:
    """Estimate ``left + right`` where one of them is a column."""
    # A constant joins the rows where the column is not missing.
    if not isinstance(left, pd.Series):
        return scalar_size(left) * int(right.count()) + total(right)
    if not isinstance(right, pd.Series):
        return total(left) + scalar_size(right) * int(left.count())
    return total(left) + total(right)


def _repeated(left: Any, right: Any) -> float:
    """Estimate ``left * right`` of a text column or constant and a typed column or count."""
    text, count = (left, right) if is_sequence_like(left) else (right, left)
    if not isinstance(count, pd.Series):
        return total(text) * _count(count)
    counts = _counts(count)
    if not isinstance(text, pd.Series):
        return scalar_size(text) * float(np.sum(counts))
    return float(np.dot(_lengths(text), counts))


def case_estimate(value: Any) -> float | None:
    """Return the bytes ``lower``/``upper`` of the column ``value`` builds.

    Changing case keeps ASCII text's size; other text can grow up to three times
    (``'ΐ'.upper()`` is three characters).
    """
    if not isinstance(value, pd.Series) or not is_sequence_like(value):
        return None
    text = _arrow_text(value)
    ascii_only = (
        text is not None
        and not pa.types.is_binary(text.type)
        and not pa.types.is_large_binary(text.type)
        and bool(pc.all(pc.string_is_ascii(text)).as_py())
    )
    return total(value) * (1 if ascii_only else 3) + ROW_OVERHEAD * len(value)


def copy_estimate(value: Any) -> float | None:
    """Return the bytes ``strip``/``slice`` of the column ``value`` build: at most a copy."""
    if not isinstance(value, pd.Series) or not is_sequence_like(value):
        return None
    return total(value) + ROW_OVERHEAD * len(value)


def replace_estimate(value: Any, old: str, new: str) -> float | None:
    """Return the bytes ``replace(value, old, new)`` builds (``old`` is not empty).

    A text of ``n`` characters holds ``old`` at most ``n / len(old)`` times, and each
    occurrence grows the text by the difference of their UTF-8 sizes.
    """
    if not isinstance(value, pd.Series) or not is_sequence_like(value):
        return None
    size = total(value)
    growth = max(text_bytes(new) - text_bytes(old), 0.0)
    return size + size / max(len(old), 1) * growth + ROW_OVERHEAD * len(value)


def footprint(value: Any) -> float:
    """Return the bytes ``value`` holds (a cheap measure; text columns count their buffers)."""
    if isinstance(value, pd.Series):
        if value.dtype == object:  # pointers, Python objects' headers, their contents
            return 64.0 * len(value) + total(value)
        return float(value.memory_usage(index=False, deep=False))
    if isinstance(value, str | bytes | int | float):
        return float(sys.getsizeof(value))
    return 0.0
