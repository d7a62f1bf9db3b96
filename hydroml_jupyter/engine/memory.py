"""Measure the memory a set of frames really holds, counting shared buffers once.

With copy-on-write, a snapshot that changed one column shares every other
column's buffers with its parent. Identifying buffers by address lets the
history charge each snapshot only for what it added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_buffers", "unique_bytes"]

Buffers = dict[tuple[int, int], int]


def frame_buffers(df: pd.DataFrame) -> Buffers:
    """Return ``{(address, size): nbytes}`` for every memory buffer behind ``df``."""
    found: Buffers = {}
    for _, series in df.items():
        for key, nbytes in _array_buffers(series.array):
            found[key] = nbytes
    for key, nbytes in _index_buffers(df.index):
        found[key] = nbytes
    return found


def unique_bytes(buffer_sets: Iterable[Buffers]) -> int:
    """Return the bytes held by the union of several frames' buffers."""
    union: Buffers = {}
    for buffers in buffer_sets:
        union.update(buffers)
    return sum(union.values())


def _index_buffers(index: pd.Index) -> Iterator[tuple[tuple[int, int], int]]:
    if isinstance(index, pd.RangeIndex):
        return iter(())
    return _array_buffers(index.array)


def _array_buffers(arr: Any) -> Iterator[tuple[tuple[int, int], int]]:
    if isinstance(arr, np.ndarray):
        yield from _ndarray_buffers(arr)
        return
    pa_array = getattr(arr, "_pa_array", None)
    if pa_array is not None:
        for chunk in pa_array.chunks:
            for buf in chunk.buffers():
                if buf is not None:
                    yield (buf.address, buf.size), buf.size
        return
    if isinstance(arr, pd.Categorical):
        yield from _ndarray_buffers(arr.codes)
        yield from _array_buffers(arr.categories.array)
        return
    for attr in ("_data", "_mask"):  # nullable (masked) arrays
        part = getattr(arr, attr, None)
        if isinstance(part, np.ndarray):
            yield from _ndarray_buffers(part)
    if hasattr(arr, "_mask"):
        return
    inner = getattr(arr, "_ndarray", None)  # numpy, datetime and timedelta arrays
    if isinstance(inner, np.ndarray):
        yield from _ndarray_buffers(inner)
        return
    yield (id(arr), 0), int(getattr(arr, "nbytes", 0))


def _ndarray_buffers(arr: np.ndarray) -> Iterator[tuple[tuple[int, int], int]]:
    address = arr.__array_interface__["data"][0]
    nbytes = arr.nbytes
    if arr.dtype == object:
        # The pointers are counted here; the objects they point to are estimated once.
        nbytes += int(pd.Series(arr, copy=False).memory_usage(deep=True, index=False)) - arr.nbytes
    yield (address, arr.nbytes), nbytes
