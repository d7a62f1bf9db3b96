"""A sort's first page, shown while its full order is computed in a background thread.

On a frame of :data:`FIRST_PAGE_FROM` rows or more, a new sort of a grid's view gives first the
:data:`FIRST_PAGE` rows the full stable sort puts first
(:func:`~hydroml_jupyter.widgets.sorting.first_positions`, linear in the rows), and starts
the full order (:func:`~hydroml_jupyter.widgets.sorting.sort_positions`) in a thread: NumPy
and Arrow sort without holding the GIL, so the kernel keeps answering meanwhile.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.widgets.sorting import first_positions, sort_positions

__all__ = ["FIRST_PAGE", "FIRST_PAGE_FROM", "FirstPages", "NotYetError", "Page"]

#: Frames with at least this many rows show a new sort's first page before the full order.
FIRST_PAGE_FROM = 200_000
#: The rows of that first page: a few screens.
FIRST_PAGE = 2_000


class _Sorting:
    """A full order being computed, and the first pages (one per filter) known meanwhile."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.failed = False
        self.pages: dict[Hashable, np.ndarray] = {}


@dataclasses.dataclass(frozen=True)
class Page:
    """The first positions of a view whose full order is not known yet.

    Attributes
    ----------
    positions
        Frame positions of the view's first rows, in view order.
    count
        Rows in the whole view.
    done
        Set once the full order is known (or failed).
    """

    positions: np.ndarray
    count: int
    done: threading.Event


class NotYetError(Exception):
    """Rows past a first page were asked for: wait for ``done``, then ask again."""

    def __init__(self, done: threading.Event) -> None:
        super().__init__("the full order is not known yet")
        self.done = done


class FirstPages:
    """The sorts of one frame being computed in the background, and their first pages.

    Parameters
    ----------
    lock
        The view's lock: held by the callers, and by the thread when it stores an order.
    store
        Called (under ``lock``) with the sort's key and its full order, once known.
    """

    def __init__(self, lock: threading.RLock, store: Callable[[Hashable, np.ndarray], None]):
        self._lock = lock
        self._store = store
        self._sorting: dict[Hashable, _Sorting] = {}
        self._closed = False

    def close(self) -> None:
        """Forget every sort; orders still being computed are then dropped."""
        with self._lock:
            self._closed = True
            self._sorting.clear()

    def page(
        self,
        key: Hashable,
        columns: Sequence[pd.Series],
        ascending: Sequence[bool],
        filters: Hashable,
        mask: np.ndarray | None,
    ) -> Page | None:
        """Return the first page of sort ``key`` under ``filters``, starting the full order.

        ``None`` when the frame is small, a key's type has no selection, or the full order
        failed in the background (sorting in full again says why).

        Raises
        ------
        TypeError, ValueError
            As :func:`~hydroml_jupyter.widgets.sorting.sort_positions`.
        """
        size = len(columns[0])
        if size < FIRST_PAGE_FROM:
            return None
        sorting = self._sorting.get(key)
        if sorting is not None and sorting.failed:
            return None
        count = size if mask is None else int(np.count_nonzero(mask))
        page = None if sorting is None else sorting.pages.get(filters)
        if page is None:
            rows = None if mask is None else np.flatnonzero(mask)
            page = first_positions(columns, ascending, FIRST_PAGE, rows)
            if page is None:
                return None
            if sorting is None:
                sorting = self._start(key, list(columns), list(ascending))
            sorting.pages[filters] = page
        assert sorting is not None  # a kept page always has its sorting
        return Page(page, count, sorting.done)

    def _start(self, key: Hashable, columns: list[pd.Series], ascending: list[bool]) -> _Sorting:
        sorting = self._sorting[key] = _Sorting()

        def run() -> None:
            order: Any
            try:
                order = sort_positions(columns, ascending)
            except Exception:
                order = None
            with self._lock:
                if not self._closed and self._sorting.get(key) is sorting:
                    if order is None:
                        sorting.failed = True
                    else:
                        self._store(key, order)
                        del self._sorting[key]
            sorting.done.set()

        threading.Thread(target=run, name="hydroml-sort", daemon=True).start()
        return sorting

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every order being computed is known; return whether they all are."""
        with self._lock:
            pending = [s.done for s in self._sorting.values()]
        return all(done.wait(timeout) for done in pending)
