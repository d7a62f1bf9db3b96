"""The grid's view of a session: a sort and filters over its current frame, as row positions.

The view never copies, sorts or filters the frame. It keeps the positions of the rows it
shows (``int64``), computed from the sort order and the filter masks, and caches each of them
for the session's current version: changing a filter does not sort again, and going back to
an earlier sort or filter reuses it.

On a large frame a new sort answers first with its first page only, while the full order is
computed in a background thread (:mod:`~hydroml_jupyter.widgets.pages`); a window past that
page waits for it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from hydroml_jupyter.engine.ops.base import Operation, make_operation
from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import first_line
from hydroml_jupyter.widgets.arrow import FrameEncoder
from hydroml_jupyter.widgets.pages import FirstPages, NotYetError, Page
from hydroml_jupyter.widgets.protocol import ColumnNames, ProtocolError
from hydroml_jupyter.widgets.sorting import sort_positions
from hydroml_jupyter.widgets.viewspec import (
    Filter,
    SortKey,
    parse_filters,
    parse_sort,
    window_bounds,
)

__all__ = ["GridView", "Window"]

_KEEP_ORDERS = 2
_KEEP_MASKS = 16
_KEEP_INDEXES = 4
_NOTHING = pd.DataFrame()


@dataclasses.dataclass(frozen=True)
class Window:
    """Rows ``start..stop`` of a view, for the session version and view they were read at."""

    start: int
    stop: int
    version: int
    view: int
    positions: np.ndarray
    ipc: pa.Buffer


class GridView:
    """A sort and filters over a session's current frame.

    Parameters
    ----------
    session
        The session whose frame is viewed.
    sort, filters
        The starting view, in the protocol's shapes (see :meth:`set`).

    Examples
    --------
    >>> s = Session(pd.DataFrame({"a": [3, 1, 2], "b": ["x", "y", "z"]}))
    >>> view = GridView(s, sort=[{"column": "a", "descending": False}],
    ...                 filters=[{"column": "a", "op": ">", "value": 1}])
    >>> view.row_count, view.positions(0, 10).tolist()
    (2, [2, 0])
    """

    def __init__(
        self,
        session: Session,
        *,
        sort: Sequence[dict[str, Any]] | None = None,
        filters: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        self._session = session
        self._lock = threading.RLock()
        self._version = -1
        self._view = 0
        self._sort: tuple[SortKey, ...] = ()
        self._filters: tuple[Filter, ...] = ()
        self._problems: list[str] = []
        self.sync()
        if sort or filters:
            self.set(sort=sort, filters=filters)

    # -- state -------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session viewed."""
        return self._session

    @property
    def lock(self) -> threading.RLock:
        """The lock every method holds; hold it to read several properties consistently."""
        return self._lock

    @property
    def version(self) -> int:
        """The session version the view was last brought to."""
        return self._version

    @property
    def view(self) -> int:
        """A counter bumped whenever the rows of the view change."""
        with self._lock:
            self.sync()
            return self._view

    @property
    def sort(self) -> list[dict[str, Any]]:
        """The sort keys, primary first, as ``{"column", "descending"}``."""
        with self._lock:
            self.sync()
            return [k.to_dict() for k in self._sort]

    @property
    def filters(self) -> list[dict[str, Any]]:
        """The filters, all of which must hold, as ``{"column", "op", "value"}``."""
        with self._lock:
            self.sync()
            return [f.to_dict() for f in self._filters]

    @property
    def names(self) -> ColumnNames:
        """The protocol names of the current frame's columns."""
        with self._lock:
            self.sync()
            return self._names

    @property
    def frame(self) -> pd.DataFrame:
        """The session's current frame (a shallow copy; the view's rows are not applied)."""
        with self._lock:
            self.sync()
            return self._frame

    @property
    def total_rows(self) -> int:
        """Rows in the session's frame."""
        return len(self.frame)

    @property
    def row_count(self) -> int:
        """Rows in the view."""
        with self._lock:
            self.sync()
            index = self._current_index()
            if isinstance(index, Page):
                return index.count
            return len(self._frame) if index is None else len(index)

    def release(self) -> None:
        """Drop the frame and every cached order, mask and window encoder.

        The view stays usable: the next call reads the session again.
        """
        with self._lock:
            self._load(-1, _NOTHING)

    def take_problems(self) -> list[str]:
        """Return, and forget, why parts of the view were dropped when the frame changed."""
        with self._lock:
            problems, self._problems = self._problems, []
            return problems

    # -- following the session --------------------------------------------------------------
    def sync(self) -> bool:
        """Bring the view to the session's current version; return whether it moved.

        Sort keys and filters that no longer apply to the new frame (a column dropped or
        renamed, a type changed) are removed; :meth:`take_problems` says which and why.
        """
        with self._lock:
            version = self._session.version
            if version == self._version:
                return False
            self._load(version, self._session.df)
            sort, filters, problems = self._revalidate()
            self._sort, self._filters = sort, filters
            self._problems += problems
            self._view += 1
            return True

    def _load(self, version: int, frame: pd.DataFrame) -> None:
        self._version = version
        self._frame = frame
        self._names = ColumnNames(frame.columns)
        self._encoder: FrameEncoder | None = None
        self._orders: OrderedDict[tuple[tuple[Label, bool], ...], np.ndarray] = OrderedDict()
        self._masks: OrderedDict[tuple[Label, str, str], np.ndarray] = OrderedDict()
        self._indexes: OrderedDict[tuple[Any, ...], np.ndarray | None] = OrderedDict()
        old = getattr(self, "_pages", None)
        if old is not None:
            old.close()
        self._pages = FirstPages(self._lock, self._store_order)

    def _revalidate(self) -> tuple[tuple[SortKey, ...], tuple[Filter, ...], list[str]]:
        problems: list[str] = []
        filters: list[Filter] = []
        for old in self._filters:
            try:
                (new,) = parse_filters([old.to_dict()], self._names)
                self._mask(new)
            except (ProtocolError, OperationError) as exc:
                problems.append(
                    f"the filter on {old.name!r} was removed: {first_line(exc, limit=None)}"
                )
            else:
                filters.append(new)
        keys: list[SortKey] = []
        for old_key in self._sort:
            try:
                keys += parse_sort([old_key.to_dict()], self._names)
            except ProtocolError as exc:
                problems.append(
                    f"the sort by {old_key.name!r} was removed: {first_line(exc, limit=None)}"
                )
        sort = tuple(keys)
        if sort:
            try:
                self._index(sort, ())
            except ProtocolError as exc:
                sort = ()
                problems.append(f"the sort was removed: {first_line(exc, limit=None)}")
        return sort, tuple(filters), problems

    # -- changing the view ----------------------------------------------------------------------
    def set(
        self,
        *,
        sort: Sequence[dict[str, Any]] | None = None,
        filters: Sequence[dict[str, Any]] | None = None,
    ) -> bool:
        """Replace the sort and/or the filters (``None`` keeps the current ones).

        Everything is checked against the current frame, and the new row positions are
        computed, before anything changes. Returns whether the rows of the view changed.

        Raises
        ------
        ProtocolError, OperationError
            When a key or filter does not apply; the message names the column and value.
        """
        with self._lock:
            self.sync()
            new_sort = self._sort if sort is None else parse_sort(sort, self._names)
            new_filters = self._filters if filters is None else parse_filters(filters, self._names)
            self._index(new_sort, new_filters)
            if _identity(new_sort, new_filters) == _identity(self._sort, self._filters):
                return False
            self._sort, self._filters = new_sort, new_filters
            self._view += 1
            return True

    def clear(self) -> bool:
        """Remove the sort and the filters; return whether the rows changed."""
        return self.set(sort=[], filters=[])

    # -- positions ----------------------------------------------------------------------------
    def _order(self, sort: tuple[SortKey, ...]) -> np.ndarray:
        key = tuple((k.label, k.descending) for k in sort)
        if key in self._orders:
            self._orders.move_to_end(key)
            return self._orders[key]
        columns = [self._frame[k.label] for k in sort]
        ascending = [not k.descending for k in sort]
        try:
            order = sort_positions(columns, ascending)
        except (TypeError, ValueError) as exc:
            raise _sort_error(sort, columns, exc) from exc
        _remember(self._orders, key, order, _KEEP_ORDERS)
        return order

    def _store_order(self, key: Any, order: np.ndarray) -> None:
        _remember(self._orders, key, order, _KEEP_ORDERS)

    def _first_page(
        self, sort: tuple[SortKey, ...], filters: tuple[Any, ...], mask: np.ndarray | None
    ) -> Page | None:
        """Return the first page of a sort not known in full yet (starting its full order)."""
        key = tuple((k.label, k.descending) for k in sort)
        if key in self._orders:
            return None
        columns = [self._frame[k.label] for k in sort]
        try:
            return self._pages.page(key, columns, [not k.descending for k in sort], filters, mask)
        except (TypeError, ValueError) as exc:
            raise _sort_error(sort, columns, exc) from exc

    def wait_sorted(self, timeout: float | None = None) -> bool:
        """Wait until every order being computed in the background is known; return whether."""
        return self._pages.wait(timeout)

    def _mask(self, item: Filter) -> np.ndarray:
        key = item.key
        if key in self._masks:
            self._masks.move_to_end(key)
            return self._masks[key]
        mask = item.operation().mask(self._frame)
        _remember(self._masks, key, mask, _KEEP_MASKS)
        return mask

    def _index(
        self, sort: tuple[SortKey, ...], filters: tuple[Filter, ...]
    ) -> np.ndarray | Page | None:
        key = (tuple((k.label, k.descending) for k in sort), tuple(f.key for f in filters))
        if key in self._indexes:
            self._indexes.move_to_end(key)
            return self._indexes[key]
        mask: np.ndarray | None = None
        for item in filters:
            mask = self._mask(item) if mask is None else mask & self._mask(item)
        if sort:
            page = self._first_page(sort, key[1], mask)
            if page is not None:
                return page
        order = self._order(sort) if sort else None
        if order is None:
            index = None if mask is None else np.flatnonzero(mask).astype(np.int64, copy=False)
        else:
            index = order if mask is None else order[mask[order]]
        _remember(self._indexes, key, index, _KEEP_INDEXES)
        return index

    def _current_index(self) -> np.ndarray | Page | None:
        return self._index(self._sort, self._filters)

    def positions(self, start: int, stop: int) -> np.ndarray:
        """Return the frame positions of view rows ``start..stop`` (clipped to the view).

        Past the first page of a sort still being computed, this waits for it.
        """
        while True:
            with self._lock:
                self.sync()
                try:
                    return self._positions(start, stop)[2]
                except NotYetError as wait:
                    done = wait.done
            done.wait()

    def ready(self, start: int, stop: int) -> bool:
        """Whether view rows ``start..stop`` can be read without waiting for a sort."""
        with self._lock:
            self.sync()
            try:
                self._positions(start, stop)
            except NotYetError:
                return False
            return True

    def full_index(self) -> tuple[int, int, pd.DataFrame, np.ndarray | None]:
        """Return ``(version, view, frame, positions)`` of the whole view, waiting for its sort.

        ``positions`` is ``None`` for the frame's own order, unfiltered.
        """
        while True:
            with self._lock:
                self.sync()
                index = self._current_index()
                if not isinstance(index, Page):
                    return self._version, self._view, self._frame, index
                done = index.done
            done.wait()

    def _positions(self, start: int, stop: int) -> tuple[int, int, np.ndarray]:
        index = self._current_index()
        if isinstance(index, Page):
            count = index.count
        else:
            count = len(self._frame) if index is None else len(index)
        stop = min(stop, count)
        start = min(start, stop)
        if index is None:
            return start, stop, np.arange(start, stop, dtype=np.int64)
        if isinstance(index, Page):
            if stop > len(index.positions):
                raise NotYetError(index.done)
            return start, stop, index.positions[start:stop]
        return start, stop, index[start:stop]

    def rows(self, start: int, stop: int) -> Window:
        """Return view rows ``start..stop`` as Arrow IPC, with the version and view read.

        ``stop`` is clipped to :attr:`row_count` (and ``start`` to ``stop``).

        Raises
        ------
        ProtocolError
            As :func:`window_bounds`.
        """
        start, stop = window_bounds(start, stop)
        while True:
            with self._lock:
                self.sync()
                try:
                    first, last, positions = self._positions(start, stop)
                except NotYetError as wait:
                    done = wait.done
                else:
                    if self._encoder is None:
                        self._encoder = FrameEncoder(self._frame, self._names.names)
                    ipc = self._encoder.encode(positions)
                    return Window(first, last, self._version, self._view, positions, ipc)
            done.wait()

    def window(self, start: int, stop: int) -> tuple[pa.Buffer, np.ndarray]:
        """Return view rows ``start..stop`` as ``(Arrow IPC stream, frame positions)``."""
        window = self.rows(start, stop)
        return window.ipc, window.positions

    # -- as steps ----------------------------------------------------------------------------
    def to_steps(self) -> list[Operation]:
        """Return the operations that make the session's frame equal the view.

        One ``filter_rows`` per filter, then one ``sort_rows``; ``[]`` for an empty view.
        """
        with self._lock:
            self.sync()
            steps: list[Operation] = [f.operation() for f in self._filters]
            if self._sort:
                ascending = [not k.descending for k in self._sort]
                steps.append(
                    make_operation(
                        "sort_rows",
                        {
                            "by": [k.label for k in self._sort],
                            "ascending": ascending[0] if len(set(ascending)) == 1 else ascending,
                        },
                    )
                )
            return steps


def _identity(sort: tuple[SortKey, ...], filters: tuple[Filter, ...]) -> tuple[Any, ...]:
    return tuple(k.to_dict().items() for k in sort), tuple(f.key for f in filters)


def _sort_error(
    sort: tuple[SortKey, ...], columns: list[pd.Series], exc: Exception
) -> ProtocolError:
    culprit = _unsortable(sort, columns)
    return ProtocolError(f"sort: cannot sort by {culprit!r}: {first_line(exc, limit=None)}")


def _unsortable(sort: tuple[SortKey, ...], columns: list[pd.Series]) -> str:
    for key, column in zip(sort, columns, strict=True):
        try:
            sort_positions([column], [not key.descending])
        except (TypeError, ValueError):
            return key.name
    return ", ".join(k.name for k in sort)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, keep: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > keep:
        cache.popitem(last=False)
