"""A frame as separately stored parts: its index and each of its columns.

Each part is stored once, as a signed Arrow payload named by a *column id*: a random
token given to that part's content the first time it is encoded. :class:`ColumnIds`
remembers which live memory buffers hold which column id, so a step that changed one
column of a frame shares every other column's id with the frame before it (with
pandas copy-on-write they are the very same buffers) and only the changed column is
encoded and written.

A part is recognised by the objects that own its memory (numpy base arrays, Arrow
chunked arrays), held by weak reference, together with the address, shape, strides
and dtype of the view into them. While an owner is alive no other array can take its
address. Identities are only used for a session's own snapshots (frames that carry an
engine frame id): the history holds them privately and nothing writes into them (a
write through ``s.df`` copies first, by pandas copy-on-write), so one identity never
names two different contents. A frame a caller still holds could be changed in place,
so frames without an engine id are written whole at every save, as is a part whose
memory cannot be traced.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.store import codec

__all__ = ["ColumnIds", "Part", "column_part", "frame_parts", "index_part", "part_key"]

#: One part of a frame to store: (identity key or None, the frame to encode).
Part = tuple[tuple[Any, ...] | None, pd.DataFrame]


def _root(arr: np.ndarray) -> np.ndarray:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _ndarray_key(arr: np.ndarray, owners: list[Any]) -> tuple[Any, ...]:
    root = _root(arr)
    owners.append(root)
    address = arr.__array_interface__["data"][0]
    return ("np", id(root), address, arr.shape, arr.strides, arr.dtype.str)


def _array_key(arr: Any, owners: list[Any]) -> tuple[Any, ...] | None:
    """Return the identity of an array's memory (and collect its owners), or None."""
    if isinstance(arr, np.ndarray):
        return _ndarray_key(arr, owners)
    chunked = getattr(arr, "_pa_array", None)
    if chunked is not None:
        owners.append(chunked)
        return ("arrow", id(chunked), str(chunked.type))
    if isinstance(arr, pd.Categorical):
        categories = _array_key(arr.categories.array, owners)
        if categories is None:
            return None
        return ("cat", _ndarray_key(arr.codes, owners), categories, arr.ordered)
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):
        return ("masked", _ndarray_key(data, owners), _ndarray_key(mask, owners))
    inner = getattr(arr, "_ndarray", None)
    if isinstance(inner, np.ndarray):
        return ("nd", _ndarray_key(inner, owners))
    return None


def part_key(values: Any, *extra: Any) -> tuple[tuple[Any, ...] | None, list[Any]]:
    """Return the identity of ``values`` (a Series or an Index) and the objects owning it.

    The key is None when the memory cannot be traced (the part is then never reused).
    """
    owners: list[Any] = []
    try:
        key = _array_key(values.array, owners)
    except (AttributeError, TypeError, ValueError):
        return None, []
    if key is None:
        return None, []
    return (codec.dtype_spec(values.dtype), len(values), key, *extra), owners


def index_part(df: pd.DataFrame) -> tuple[tuple[Any, ...] | None, list[Any], pd.DataFrame]:
    """Return the identity, owners and the frame to encode for ``df``'s index."""
    index = df.index
    names = tuple((type(n).__name__, n) for n in index.names)
    frame = pd.DataFrame(index=index)
    if isinstance(index, pd.RangeIndex):
        return ("range", index.start, index.stop, index.step, names), [], frame
    if isinstance(index, pd.MultiIndex):
        return None, [], frame
    key, owners = part_key(index, "index", names, getattr(index, "freqstr", None))
    return key, owners, frame


def column_part(df: pd.DataFrame, i: int) -> tuple[tuple[Any, ...] | None, list[Any], pd.DataFrame]:
    """Return the identity, owners and the one-column frame to encode for column ``i``."""
    series = df.iloc[:, i]
    key, owners = part_key(series)
    frame = series.to_frame(name="c")
    frame.index = pd.RangeIndex(len(frame))
    return key, owners, frame


def frame_parts(
    df: pd.DataFrame,
) -> Iterator[tuple[tuple[Any, ...] | None, list[Any], pd.DataFrame]]:
    """Yield the index part, then every column part, of ``df``."""
    yield index_part(df)
    for i in range(df.shape[1]):
        yield column_part(df, i)


class ColumnIds:
    """Remember the column id of each live part a store holds, per session (thread-safe).

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ColumnIds()
    >>> df = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    >>> key, owners, _ = column_part(df, 0)
    >>> ids.get("s", key, owners) is None
    True
    >>> ids.remember("s", {"c0": [(key, owners)]})
    >>> ids.get("s", key, owners), ids.get("s", column_part(df, 1)[0], [])
    ('c0', None)
    >>> ids.get("s", column_part(df.assign(b=0), 0)[0], owners)  # shares column a
    'c0'
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, dict[tuple[Any, ...], tuple[list[weakref.ref], str]]] = {}

    @staticmethod
    def new_id() -> str:
        """Return a fresh column id."""
        return secrets.token_hex(10)

    def get(self, name: str, key: tuple[Any, ...] | None, owners: list[Any]) -> str | None:
        """Return the column id of the part ``key`` (its owners alive and the same), or None."""
        if key is None:
            return None
        with self._lock:
            found = self._known.get(name, {}).get(key)
        if found is None:
            return None
        refs, cid = found
        if len(refs) != len(owners) or any(r() is not o for r, o in zip(refs, owners, strict=True)):
            return None
        return cid

    def remember(
        self,
        name: str,
        parts: dict[str, list[tuple[tuple[Any, ...] | None, list[Any]]]],
        keep: set[str] | None = None,
    ) -> None:
        """Record the parts (column id -> identities) a save or load of ``name`` stored.

        Earlier entries of ``name`` whose column id is in ``keep`` stay; the rest go.
        """
        fresh: dict[tuple[Any, ...], tuple[list[weakref.ref], str]] = {}
        for cid, identities in parts.items():
            for key, owners in identities:
                if key is None:
                    continue
                try:
                    fresh[key] = ([weakref.ref(o) for o in owners], cid)
                except TypeError:
                    continue  # an owner that cannot be weakly referenced: never reused
        with self._lock:
            old = self._known.get(name, {})
            kept = {
                k: v
                for k, v in old.items()
                if keep is not None and v[1] in keep and all(r() is not None for r in v[0])
            }
            self._known[name] = {**kept, **fresh}

    def forget(self, name: str) -> None:
        """Forget every part of session ``name``."""
        with self._lock:
            self._known.pop(name, None)
