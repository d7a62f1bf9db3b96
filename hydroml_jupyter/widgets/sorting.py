"""Row orders equal to ``DataFrame.sort_values(by, ascending, kind="stable")``, as positions.

The order is computed the way pandas computes it (one key: ``nargsort``; several keys:
``lexsort_indexer``), on the key columns only: no frame is copied or reordered. Missing
values go last whatever the direction, and ties keep frame order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["sort_positions"]

_NUMERIC_KEYS = "fiub"


def sort_positions(columns: Sequence[pd.Series], ascending: Sequence[bool]) -> np.ndarray:
    """Return the positions of the rows in ``sort_values`` order (``int64``).

    Parameters
    ----------
    columns
        The key columns, primary first, all of one frame.
    ascending
        One direction per key.

    Raises
    ------
    TypeError
        When a column's values cannot be compared with each other.

    Examples
    --------
    >>> s = pd.Series([2.0, None, 1.0, 2.0])
    >>> sort_positions([s], [False]).tolist()
    [0, 3, 2, 1]
    """
    if len(columns) != len(ascending) or not columns:
        raise ValueError("sort_positions needs one direction per key, and at least one key")
    if len(columns) == 1:
        order = _one_key(columns[0], bool(ascending[0]))
    else:
        order = _many_keys(columns, [bool(a) for a in ascending])
    return order.astype(np.int64, copy=False)


_MASKED = (
    pd.Int8Dtype,
    pd.Int16Dtype,
    pd.Int32Dtype,
    pd.Int64Dtype,
    pd.UInt8Dtype,
    pd.UInt16Dtype,
    pd.UInt32Dtype,
    pd.UInt64Dtype,
    pd.Float32Dtype,
    pd.Float64Dtype,
    pd.BooleanDtype,
)


def _one_key(series: pd.Series, ascending: bool) -> np.ndarray:
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        values = series.to_numpy()
        if dtype.kind in "Mm":
            return _numpy_order(values.view(np.int64), np.isnat(values), ascending)
        return _numpy_order(values, _missing(values), ascending)
    if isinstance(dtype, _MASKED):
        # What pandas sorts for a masked array: its values, with its mask as missing.
        array = series.array
        fill = np.nan if dtype.kind == "f" else 0
        values = array.to_numpy(dtype=np.dtype(dtype.type), na_value=fill)
        return _numpy_order(values, np.asarray(array.isna(), dtype=bool), ascending)
    # Any other extension array sorts itself, as pandas' nargsort asks it to.
    return np.asarray(series.array.argsort(ascending=ascending, kind="stable", na_position="last"))


def _missing(values: np.ndarray) -> np.ndarray | None:
    kind = values.dtype.kind
    if kind == "f":
        return np.isnan(values)
    if kind in "iub":
        return None
    return np.asarray(pd.isna(values), dtype=bool)


def _numpy_order(values: np.ndarray, missing: np.ndarray | None, ascending: bool) -> np.ndarray:
    """Stable order of a NumPy column with missing values last, as ``nargsort`` makes it."""
    size = len(values)
    if missing is None or not missing.any():
        present, present_at, missing_at = values, None, None
    else:
        keep = ~missing
        present = values[keep]
        present_at = np.flatnonzero(keep)
        missing_at = np.flatnonzero(missing)
    order = _keyed_order(present, present_at, size, ascending)
    if order is None:
        if ascending:
            order = present.argsort(kind="stable")
        else:
            # Sorting the reversed values and reversing the result keeps ties in frame order.
            last = len(present) - 1
            order = (last - present[::-1].argsort(kind="stable"))[::-1]
        if present_at is not None:
            order = present_at[order]
    if missing_at is not None:
        order = np.concatenate([order, missing_at])
    return order


def _keyed_order(
    values: np.ndarray, at: np.ndarray | None, size: int, ascending: bool
) -> np.ndarray | None:
    """Stable order of integers by sorting ``value * size + position`` keys, all distinct.

    Returns ``None`` when the keys would not fit in ``int64`` (or for non-integers).
    """
    if values.dtype.kind not in "iub" or not len(values):
        return None
    if values.dtype.kind == "b":
        values = values.view(np.uint8)
    low, high = values.min(), values.max()
    if (int(high) - int(low) + 1) * size >= 2**63:
        return None
    shifted = (values - low) if ascending else (high - values)
    keys = shifted.astype(np.int64) * size
    keys += np.arange(size, dtype=np.int64) if at is None else at
    keys.sort()
    return keys % size


def _many_keys(columns: Sequence[pd.Series], ascending: list[bool]) -> np.ndarray:
    """Stable order over several keys, as pandas' ``lexsort_indexer`` makes it."""
    labels: list[np.ndarray] = []
    for series, up in zip(reversed(columns), reversed(ascending), strict=True):
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in _NUMERIC_KEYS:
            values = series.to_numpy()
            if not up:
                # NaN stays NaN under negation and np.lexsort puts it last.
                values = -values if dtype.kind == "f" else ~values
            labels.append(values)
            continue
        categorical = pd.Categorical(series.array, ordered=True)
        codes = np.asarray(categorical.codes)
        n = len(categorical.categories)
        missing = codes == -1
        if missing.any():
            codes = np.where(missing, n, codes)
        if not up:
            codes = np.where(missing, codes, n - codes - 1)
        labels.append(codes)
    return np.lexsort(labels)
