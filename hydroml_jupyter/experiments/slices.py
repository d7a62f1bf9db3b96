"""Row slices for work that holds the GIL, so the kernel answers between them.

Turning 200,000 strings into Python objects, or hashing them, is one C call that
holds the GIL for 10-30 ms; a run's worker does several of those back to back at
its start, and each of the kernel's threads that handle a request waits for the
GIL behind them. Done slice by slice, each call holds it about a millisecond, and
the interpreter can hand it over between slices. The results are the same: the
work is row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SLICE_ROWS", "row_slices", "series_of", "text_values"]

#: Rows per slice: about a millisecond of converting or hashing text.
SLICE_ROWS = 16_384


def row_slices(n: int, size: int = SLICE_ROWS) -> Iterator[slice]:
    """Yield the slices that cover ``range(n)`` in order, ``size`` rows each (the last fewer).

    Examples
    --------
    >>> list(row_slices(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def text_values(col: pd.Series, missing: str | None = None) -> np.ndarray:
    """Return ``col.astype("str")`` (missing values as ``missing`` when given) as objects.

    The same array as ``col.astype("str").fillna(missing).to_numpy(dtype=object)``,
    built slice by slice.
    """
    out = np.empty(len(col), dtype=object)
    for rows in row_slices(len(col)):
        part = col.iloc[rows].astype("str")
        if missing is not None:
            part = part.fillna(missing)
        out[rows] = part.to_numpy(dtype=object)
    return out


def series_of(values: Any, index: pd.Index | None = None) -> pd.Series:
    """Return ``pd.Series(values, index=index)``; text is converted to ``str`` slice by slice.

    An object array of strings becomes pandas' ``str`` dtype either way (one Arrow
    array of several chunks here); anything else is passed to ``pd.Series`` whole.
    """
    if (
        not isinstance(values, np.ndarray)
        or values.dtype != object
        or len(values) <= SLICE_ROWS
        or pd.api.types.infer_dtype(values, skipna=False) != "string"
    ):
        return pd.Series(values, index=index)
    parts = [pd.Series(values[rows], dtype="str") for rows in row_slices(len(values))]
    out = pd.concat(parts, ignore_index=True)
    if index is not None:
        out.index = index
    return out
