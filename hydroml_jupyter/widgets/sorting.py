"""Row orders equal to ``DataFrame.sort_values(by, ascending, kind="stable")``, as positions.

The order is computed the way pandas computes it (one key: ``nargsort``; several keys:
``lexsort_indexer``), on the key columns only: no frame is copied or reordered. Missing
values go last whatever the direction, and ties keep frame order.

:func:`first_positions` finds the first rows of that order without sorting the rest: the
value at rank ``k`` is selected in linear time, the few rows before it are sorted, and the
rows tied with it are ordered by the remaining keys (then frame order) the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["first_positions", "sort_positions"]

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


def first_positions(
    columns: Sequence[pd.Series],
    ascending: Sequence[bool],
    k: int,
    rows: np.ndarray | None = None,
) -> np.ndarray | None:
    """Return the first ``k`` positions of :func:`sort_positions` order, in that order.

    Linear in the rows plus the sort of about ``k`` of them. Exactly the rows the full
    stable sort puts first, ties and missing values included.

    Parameters
    ----------
    columns, ascending
        As :func:`sort_positions`.
    k
        How many rows.
    rows
        Only these frame positions (increasing ``int64``), as a filter leaves them; the
        result is then the first ``k`` of ``sort_positions`` order restricted to them.

    Returns
    -------
    numpy.ndarray or None
        ``int64`` frame positions; ``None`` when a key's type has no selection here
        (categoricals, objects, timezone-aware times...): sort in full instead.

    Examples
    --------
    >>> s = pd.Series([2.0, None, 1.0, 2.0, 0.5])
    >>> first_positions([s], [False], 2).tolist()
    [0, 3]
    """
    if len(columns) != len(ascending) or not columns:
        raise ValueError("first_positions needs one direction per key, and at least one key")
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    split = _split(columns[0], bool(ascending[0]), k, rows)
    if split is None:
        return None
    before, ties = split
    head = _sorted_subset(columns, ascending, before)
    need = k - len(head)
    if need <= 0 or not len(ties):
        return head[:k]
    if len(columns) == 1:
        tail: np.ndarray | None = ties[:need]
    else:
        tail = first_positions(columns[1:], ascending[1:], need, ties)
        if tail is None:
            return None
    return np.concatenate([head, tail]).astype(np.int64, copy=False)


def _sorted_subset(
    columns: Sequence[pd.Series], ascending: Sequence[bool], at: np.ndarray
) -> np.ndarray:
    if not len(at):
        return at.astype(np.int64, copy=False)
    subset = [column.iloc[at] for column in columns]
    return at[sort_positions(subset, ascending)]


def _split(
    series: pd.Series, ascending: bool, k: int, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Frame positions before the value at rank ``k``, and those equal to it (frame order).

    Fewer than ``k`` present values: all of them, and the missing ones as the ties.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return _split_arrow(series, ascending, k, rows)
    if isinstance(dtype, np.dtype) and dtype.kind in "fiubMm":
        values = series.to_numpy()
        if dtype.kind in "Mm":
            missing: np.ndarray | None = np.isnat(values)
            values = values.view(np.int64)
        else:
            missing = _missing(values)
        if dtype.kind == "b":
            values = values.view(np.uint8)
    elif isinstance(dtype, _MASKED):
        array = series.array
        values = array.to_numpy(
            dtype=np.dtype(dtype.type), na_value=np.nan if dtype.kind == "f" else 0
        )
        missing = np.asarray(array.isna(), dtype=bool)
        if dtype.kind == "b":
            values = values.view(np.uint8)
    else:
        return None
    if rows is not None:
        values = values[rows]
        missing = None if missing is None else missing[rows]
    at = np.arange(len(values), dtype=np.int64) if rows is None else rows
    present = values if missing is None else values[~missing]
    if len(present) < k:
        if missing is None:
            return at, at[:0]
        return at[~missing], at[missing]
    rank = k - 1 if ascending else len(present) - k
    value = np.partition(present, rank)[rank]
    if values.dtype.kind == "f" and np.isnan(value):
        # NaN held as a value (a masked float's) sorts after numbers: no cut to make.
        return None
    before = values < value if ascending else values > value
    ties = values == value
    if missing is not None:
        before &= ~missing
        ties &= ~missing
    return at[before], at[ties]


def _split_arrow(
    series: pd.Series, ascending: bool, k: int, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    values = pa.chunked_array(series.array._pa_array)
    if rows is not None:
        values = values.take(pa.array(rows))
    at = np.arange(len(values), dtype=np.int64) if rows is None else rows
    if len(values) - values.null_count < k:
        missing = np.asarray(values.is_null(), dtype=bool)
        return at[~missing], at[missing]
    order = "ascending" if ascending else "descending"
    chosen = pc.drop_null(values.take(pc.select_k_unstable(values, k, sort_keys=[("", order)])))
    if len(chosen) < k:
        return None
    value = pc.max(chosen) if ascending else pc.min(chosen)
    before = (pc.less if ascending else pc.greater)(values, value)
    ties = pc.equal(values, value)
    return (
        at[np.asarray(pc.fill_null(before, False), dtype=bool)],
        at[np.asarray(pc.fill_null(ties, False), dtype=bool)],
    )
