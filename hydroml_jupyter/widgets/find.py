"""Find values across a grid's view: every matching cell, in the view's order and filter.

A search reads every column of the session's current frame once (text by case-insensitive
substring, numbers and booleans by value, times by their ISO text) and keeps one boolean
mask per column; moving from match to match is then a binary search in the view's rows
that match. The search runs in the background, one column chunk at a time: a newer search
of the same grid stops an older one between chunks, and so does a time limit.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hydroml_jupyter.widgets.protocol import ProtocolError, Reply, int_field, reply

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.grid import DataGrid
    from hydroml_jupyter.widgets.view import GridView

__all__ = ["CHUNK", "TIME_LIMIT", "Matches", "find", "search"]

#: Rows of one column searched between two checks for a newer search or the time limit.
CHUNK = 1_000_000
#: Seconds a search may take before it stops with an error reply.
TIME_LIMIT = 20.0
_MAX_TEXT = 1_000
#: What the text of a time is made of: other text cannot match one.
_TIME_CHARACTERS = frozenset("0123456789-: ")


@dataclasses.dataclass(frozen=True)
class Matches:
    """The matching cells of one search over one view.

    Attributes
    ----------
    cells
        Which columns match in each of ``hits``: shape ``(columns, len(hits))``.
    hits
        The view rows with at least one match, increasing.
    before
        For each of ``hits``, the matches in the view rows before it.
    total
        Every matching cell of the view.
    """

    version: int
    view: int
    text: str
    names: tuple[str, ...]
    cells: np.ndarray
    hits: np.ndarray
    before: np.ndarray
    total: int

    def columns_of(self, hit: int) -> np.ndarray:
        """Return the matching column indexes of view row ``hits[hit]``."""
        return np.flatnonzero(self.cells[:, hit])

    def step(self, row: int, column: int, step: int) -> tuple[int, int, int] | None:
        """Return ``(view row, column, ordinal from 1)`` of the match a step from a cell.

        ``step`` 1: the match after cell ``(row, column)`` (row-major, wrapping around);
        -1: the one before; 0: the first at or after it. ``None`` when nothing matches.
        """
        if not self.total:
            return None
        hits = self.hits
        j = int(np.searchsorted(hits, row))
        if j < len(hits) and hits[j] == row:
            cols = self.columns_of(j)
            pick = cols[cols > column] if step > 0 else cols[cols < column]
            if step == 0:
                pick = cols[cols >= column]
            if len(pick):
                chosen = int(pick[0] if step >= 0 else pick[-1])
                return row, chosen, self._ordinal(j, cols, chosen)
            j = j + 1 if step >= 0 else j - 1
        elif step < 0:
            j -= 1
        j %= len(hits)
        target = int(hits[j])
        cols = self.columns_of(j)
        chosen = int(cols[0] if step >= 0 else cols[-1])
        return target, chosen, self._ordinal(j, cols, chosen)

    def _ordinal(self, j: int, cols: np.ndarray, chosen: int) -> int:
        return int(self.before[j]) + int(np.searchsorted(cols, chosen)) + 1


class _Searches:
    """The last search of one view, and the counter that tells an older search to stop."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latest = 0
        self.matches: Matches | None = None


_SEARCHES: weakref.WeakKeyDictionary[GridView, _Searches] = weakref.WeakKeyDictionary()
_SEARCHES_LOCK = threading.Lock()


def _searches(view: GridView) -> _Searches:
    with _SEARCHES_LOCK:
        found = _SEARCHES.get(view)
        if found is None:
            found = _SEARCHES[view] = _Searches()
        return found


def search(view: GridView, text: str, stop: Any = None) -> Matches:
    """Find ``text`` in every cell of ``view``; ``stop()`` true ends the search early.

    Raises
    ------
    ProtocolError
        When ``stop()`` became true (a newer search, or the time limit).
    """
    version, shown, frame, index = view.full_index()
    names = tuple(view.names.names)
    query = text.lower()  # as Arrow's utf8_lower lowers the values
    cells = np.zeros((frame.shape[1], len(frame)), dtype=bool)
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        for start in range(0, len(frame), CHUNK):
            if stop is not None and stop():
                raise ProtocolError(f"find: the search for {text!r} was stopped")
            part = series.iloc[start : start + CHUNK]
            cells[i, start : start + len(part)] = _match(part, text, query)
    rows: np.ndarray = np.asarray(cells.any(axis=0))
    hits = np.flatnonzero(rows if index is None else rows[index])
    # Only the rows that match are kept, in view order: a few of them, not columns x rows.
    cells = cells[:, hits if index is None else index[hits]]
    per = cells.sum(axis=0, dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(per)[:-1]]).astype(np.int64) if len(per) else per
    total = int(per.sum())
    return Matches(version, shown, text, names, cells, hits, before, total)


def _match(series: pd.Series, text: str, query: str) -> np.ndarray:
    """Which cells of ``series`` match: text by substring (any case), others by value."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _match(pd.Series(dtype.categories), text, query)
        codes = np.asarray(series.cat.codes)
        return (codes >= 0) & np.append(categories, False)[codes]
    kind = getattr(dtype, "kind", "O")
    if kind in "iuf" and not isinstance(dtype, pd.StringDtype):
        number = _number(text)
        if number is None:
            return np.zeros(len(series), dtype=bool)
        return series.eq(number).to_numpy(dtype=bool, na_value=False)
    if kind == "b" and not isinstance(dtype, pd.StringDtype):
        word = query.strip()
        if word not in ("true", "false"):
            return np.zeros(len(series), dtype=bool)
        return series.eq(word == "true").to_numpy(dtype=bool, na_value=False)
    if kind == "m" or (kind == "M" and not set(text) <= _TIME_CHARACTERS):
        return np.zeros(len(series), dtype=bool)
    values = _time_text(series) if kind == "M" else pc.utf8_lower(_as_text(series))
    found = pc.match_substring(values, query)
    return np.asarray(pc.fill_null(found, False), dtype=bool)


def _time_text(series: pd.Series) -> pa.Array:
    """Return times as the grid shows them: ``2024-01-31 08:05:00`` (local to their time zone)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)  # the wall time where they were
    # A cast to text is ten times quicker than strftime; its fraction of a second is cut off.
    text = pc.cast(pa.array(series), pa.string())
    return pc.utf8_slice_codeunits(text, 0, 19)


def _as_text(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    array = series.array
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return array._pa_array
    values = [
        None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in array
    ]
    return pa.array(values, type=pa.string())


def _number(text: str) -> float | None:
    if "_" in text:  # float() reads "1_0" as 10
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def find(grid: DataGrid, content: dict[str, Any]) -> None:
    """Answer ``find`` in the background: the match after, before or at a cell of the view.

    A search for the same text on the same view is reused; a newer ``find`` of the grid
    stops an older one still running (its reply is then an error).
    """
    text = content.get("text")
    if not isinstance(text, str) or not text or len(text) > _MAX_TEXT:
        raise ProtocolError(f"find: text must have 1 to {_MAX_TEXT:,} characters")
    row = None if content.get("row") is None else int_field(content, "row", "find")
    step = content.get("step", 1)
    if step not in (-1, 0, 1) or isinstance(step, bool):
        raise ProtocolError(f"find: step must be -1, 0 or 1, not {step!r}")
    name = content.get("column")
    view = grid.grid_view
    names = view.names
    column = -1
    if name is not None:
        names.label(name, "find")
        column = names.names.index(name)
    searches = _searches(view)
    with searches.lock:
        searches.latest += 1
        token = searches.latest
    request = content["request"]
    started = time.monotonic()

    def stop() -> bool:
        return searches.latest != token or time.monotonic() - started > TIME_LIMIT

    def work() -> Reply:
        matches = searches.matches
        if matches is None or (matches.version, matches.view, matches.text) != (
            view.version,
            view.view,
            text,
        ):
            matches = search(view, text, stop)
            searches.matches = matches
        at = matches.step(-1 if row is None else row, column, 0 if row is None else step)
        found: dict[str, Any] = {"row": None, "column": None, "index": 0}
        if at is not None:
            found = {"row": at[0], "column": matches.names[at[1]], "index": at[2]}
        body = reply(
            "find",
            request,
            version=matches.version,
            view=matches.view,
            total=matches.total,
            **found,
        )
        return body, None

    grid._in_background(content, work)
