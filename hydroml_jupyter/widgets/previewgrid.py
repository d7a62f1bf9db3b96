"""The frame a previewed operation would give, kept while the grid shows it, served in windows.

A ``preview`` request with ``grid`` true keeps one :class:`PreviewFrame` on the grid (the
next preview replaces it); ``preview_rows`` reads windows of it as ``rows`` reads the view,
and ``preview_end``, an apply or any other change of the session drops it. The browser holds
only the windows in view, as for the session's own frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.preview import preview_frames
from hydroml_jupyter.engine.transaction import operation_of
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import first_line
from hydroml_jupyter.widgets.arrow import FrameEncoder
from hydroml_jupyter.widgets.protocol import (
    ColumnNames,
    ProtocolError,
    Reply,
    int_field,
    preview_dict,
    reply,
    schema_of,
)
from hydroml_jupyter.widgets.sorting import sort_positions
from hydroml_jupyter.widgets.viewspec import parse_filters, parse_sort, window_bounds

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.base import SessionWidget
    from hydroml_jupyter.widgets.grid import DataGrid

__all__ = ["PreviewFrame", "build", "drop_stale", "preview", "preview_end", "preview_rows"]

_ATTEMPTS = 3
_ids = itertools.count(1)
#: The attribute of a grid that holds its kept preview.
_KEPT = "_kept_preview"


class PreviewFrame:
    """What a grid shows while an operation is previewed.

    The columns are those of the result, with each removed column put back where it was
    (its old values, when rows align). When every result row is a row of the current frame
    (same index, or a subset of a unique one) the rows *align*: each column then has a
    mask of the cells whose value differs from the current frame's.

    Parameters
    ----------
    before, after
        The session's current frame and the frame the operation gives.
    version
        The session version ``before`` belongs to.
    counts
        Changed values per column, as the engine's preview counts them when the index is
        kept (``Preview.changed``); ``None`` when not counted. A column with none is not
        compared again; without counts, a column is ``changed`` when its dtype is.

    Examples
    --------
    >>> before = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", "y", "z"]})
    >>> kept = PreviewFrame(before, before.fillna({"a": 0.0}).drop(columns="b"), 4, {"a": 1})
    >>> [(f["name"], f["change"]) for f in kept.schema], kept.changed_in(0, 3)
    ([('a', 'changed'), ('b', 'removed')], {'a': [1]})
    """

    def __init__(
        self,
        before: pd.DataFrame,
        after: pd.DataFrame,
        version: int,
        counts: Mapping[Any, int] | None = None,
    ) -> None:
        self.id = next(_ids)
        self.version = version
        source = _alignment(before, after)
        self.aligned = source is not None
        # An aligned result's rows are distinct rows of the current frame (a unique index).
        self.rows_removed = max(0, len(before) - len(after))
        columns, changes = _columns(before, after, source, counts)
        self.frame = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame()
        fields = schema_of(self.frame) if columns else []
        names = ColumnNames([cast("Label", c.name) for c in columns]).names
        self.names = names
        self._source = source
        self._after = after
        #: The previewed frame's rows in the grid's sort and filters (``None``: frame order).
        self._index: np.ndarray | None = None
        self._compare: dict[str, tuple[pd.Series, pd.Series]] = {}
        self.schema: list[dict[str, Any]] = []
        for name, field, (change, pair) in zip(names, fields, changes, strict=True):
            self.schema.append({**field, "name": name, "change": change})
            if pair is not None:
                self._compare[name] = pair
        self._encoder = FrameEncoder(self.frame, names)

    @property
    def row_count(self) -> int:
        """Rows shown: the previewed frame's, under the grid's filters."""
        return len(self.frame) if self._index is None else len(self._index)

    def follow(self, sort: list[dict[str, Any]], filters: list[dict[str, Any]]) -> list[str]:
        """Show the rows as the grid does: its filters and sort, where they still apply.

        Returns why any were left out (a column the operation removes, a type it changes).
        """
        names = ColumnNames(self._after.columns)
        notes: list[str] = []
        mask: np.ndarray | None = None
        for item in filters:
            try:
                (parsed,) = parse_filters([item], names)
                hit = parsed.operation().mask(self._after)
            except (ProtocolError, OperationError) as exc:
                notes.append(
                    f"the grid's filter on {item.get('column')!r} is left out of the preview: "
                    f"{first_line(exc, limit=None)}"
                )
                continue
            mask = hit if mask is None else mask & hit
        order: np.ndarray | None = None
        try:
            keys = parse_sort(sort, names)
            if keys:
                columns = [self._after[k.label] for k in keys]
                order = sort_positions(columns, [not k.descending for k in keys])
        except (ProtocolError, TypeError, ValueError) as exc:
            notes.append(
                f"the grid's sort is left out of the preview: {first_line(exc, limit=None)}"
            )
        if order is None:
            self._index = None if mask is None else np.flatnonzero(mask).astype(np.int64)
        else:
            self._index = order if mask is None else order[mask[order]]
        return notes

    def positions(self, start: int, stop: int) -> np.ndarray:
        """Return the previewed frame's positions of shown rows ``start..stop``."""
        if self._index is None:
            return np.arange(start, stop, dtype=np.int64)
        return self._index[start:stop]

    def describe(self) -> dict[str, Any]:
        """Return the protocol's ``PreviewGrid`` of this preview."""
        return {
            "id": self.id,
            "version": self.version,
            "row_count": self.row_count,
            "schema": self.schema,
            "aligned": self.aligned,
            "rows_removed": self.rows_removed,
        }

    def changed_in(self, start: int, stop: int) -> dict[str, list[int]]:
        """Return, per column with changed cells in rows ``start..stop``, their offsets.

        Only the window's cells are compared: the cost is the window's, whatever the frame's.
        """
        out: dict[str, list[int]] = {}
        if self._source is None:
            return out
        rows = self.positions(start, stop)
        source = self._source[rows]
        for name, (old, new) in self._compare.items():
            hits = np.flatnonzero(_differs(old.iloc[source], new.iloc[rows]))
            if len(hits):
                out[name] = hits.tolist()
        return out

    def window(self, start: object, stop: object) -> tuple[int, int, np.ndarray, Any]:
        """Return ``(start, stop, positions, Arrow IPC)`` of rows ``start..stop`` (clipped)."""
        start, stop = window_bounds(start, stop)
        stop = min(stop, self.row_count)
        start = min(start, stop)
        positions = self.positions(start, stop)
        return start, stop, positions, self._encoder.encode(positions)


def _alignment(before: pd.DataFrame, after: pd.DataFrame) -> np.ndarray | None:
    """Return the position in ``before`` of each row of ``after``, or None when they differ."""
    if before.index.equals(after.index):
        return np.arange(len(after), dtype=np.int64)
    if not (before.index.is_unique and after.index.is_unique):
        return None
    source = before.index.get_indexer(after.index)
    return None if (source < 0).any() else source.astype(np.int64, copy=False)


Compared = tuple[pd.Series, pd.Series]


def _columns(
    before: pd.DataFrame,
    after: pd.DataFrame,
    source: np.ndarray | None,
    counts: Mapping[Any, int] | None,
) -> tuple[list[pd.Series], list[tuple[str, Compared | None]]]:
    """Return the shown columns (removed ones back in place) and each one's change.

    A column whose cells may differ comes with its old and new values, compared window by
    window.
    """
    kept = set(after.columns)
    removed_after: dict[Any, list[Any]] = {}
    previous: Any = None
    first: list[Any] = []
    for label in before.columns:
        if label in kept:
            previous = label
        elif previous is None:
            first.append(label)
        else:
            removed_after.setdefault(previous, []).append(label)
    series: list[pd.Series] = []
    changes: list[tuple[str, Compared | None]] = []

    def add_removed(label: Any) -> None:
        old = before[label]
        if source is None:
            values = pd.Series([None] * len(after), dtype=object, name=label)
        else:
            values = old.iloc[source].reset_index(drop=True).rename(label)
        series.append(values)
        changes.append(("removed", None))

    for label in first:
        add_removed(label)
    for i, label in enumerate(after.columns):
        new = after.iloc[:, i].reset_index(drop=True)
        series.append(new)
        if label not in before.columns or not before.columns.is_unique:
            changes.append(("added" if label not in before.columns else "same", None))
        else:
            old = before[label]
            # Counted columns with no change are not compared; the others window by window.
            moved = counts is not None and bool(counts.get(label))
            same = source is None or (counts is not None and not moved)
            pair = None if same else (old, after.iloc[:, i])
            changes.append(("changed" if moved or old.dtype != new.dtype else "same", pair))
        for gone in removed_after.get(label, ()):
            add_removed(gone)
    return series, changes


def _differs(was: pd.Series, now: pd.Series) -> np.ndarray:
    """Return which cells differ, position by position (missing on both sides is no change)."""
    was = was.reset_index(drop=True)
    now = now.reset_index(drop=True)
    both_missing = was.isna().to_numpy(dtype=bool) & now.isna().to_numpy(dtype=bool)
    try:
        equal = (was == now).fillna(False).to_numpy(dtype=bool)
    except Exception:
        # Values that do not compare (lists, mixed types): compare their text.
        equal = (was.astype(str) == now.astype(str)).to_numpy(dtype=bool)
    return ~(equal | both_missing)


# -- on a grid -------------------------------------------------------------------------------
def kept(grid: SessionWidget) -> PreviewFrame | None:
    """Return the preview ``grid`` keeps, if any."""
    return getattr(grid, _KEPT, None)


def drop_stale(grid: SessionWidget) -> None:
    """Drop the kept preview once the session has moved past the version it was made for."""
    frame = kept(grid)
    if frame is not None and frame.version != grid.session.version:
        setattr(grid, _KEPT, None)


def build(
    widget: SessionWidget,
    op: str,
    params: dict[str, Any],
    view: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], []),
) -> tuple[Any, PreviewFrame | None, list[str]]:
    """Preview ``op`` on the session's current frame, its rows in ``view`` (sort, filters).

    Returns the preview, the frame to keep and why parts of the view were left out.
    """
    session = widget.session
    operation = operation_of(op, params)
    for _ in range(_ATTEMPTS):
        version = session.version
        frame = session.df
        if session.version == version:
            break
    result, after = preview_frames(operation, frame)
    if after is None:
        return result, None, []
    # The engine counts changed values per column only when the index is kept.
    counted = frame.index.equals(after.index) and frame.columns.is_unique
    kept = PreviewFrame(frame, after, version, result.changed if counted else None)
    return result, kept, kept.follow(*view)


def preview(
    widget: SessionWidget, content: dict[str, Any], op: str, params: dict[str, Any]
) -> None:
    """Answer ``preview`` with ``grid`` in the background, keeping the frame on the grid."""
    request = content["request"]
    setattr(widget, _KEPT, None)
    shown = getattr(widget, "grid_view", None)
    view = ([], []) if shown is None else (shown.sort, shown.filters)

    def work() -> tuple[Any, PreviewFrame | None, list[str]]:
        return build(widget, op, params, view)

    def then(result: tuple[Any, PreviewFrame | None, list[str]]) -> Reply:
        found, frame, notes = result
        version = frame.version if frame is not None else widget.session.version
        described = preview_dict(found)
        described["notes"] = [*described.get("notes", []), *notes]
        body = reply("preview", request, version=version, preview=described)
        if frame is not None and frame.version == widget.session.version:
            setattr(widget, _KEPT, frame)
            body["grid"] = frame.describe()
        return body, None

    widget._in_background(content, work, then)


def preview_rows(grid: DataGrid, content: dict[str, Any]) -> Reply:
    """Answer ``preview_rows``: one window of the kept preview, as an Arrow IPC buffer."""
    wanted = int_field(content, "preview", "preview_rows")
    drop_stale(grid)
    frame = kept(grid)
    if frame is None or frame.id != wanted:
        raise ProtocolError(f"preview_rows: preview {wanted} has ended")
    start, stop, positions, ipc = frame.window(content.get("start"), content.get("stop"))
    body = reply(
        "preview_rows",
        content["request"],
        preview=frame.id,
        start=start,
        stop=stop,
        rows=positions.tolist(),
        changed=frame.changed_in(start, stop),
    )
    return body, [memoryview(ipc)]


def preview_end(grid: DataGrid, content: dict[str, Any]) -> Reply:
    """Answer ``preview_end``: drop the kept preview (the one named, when one is)."""
    wanted = content.get("preview")
    if wanted is not None:
        wanted = int_field(content, "preview", "preview_end")
    frame = kept(grid)
    if frame is not None and (wanted is None or frame.id == wanted):
        setattr(grid, _KEPT, None)
    return reply("done", content["request"], version=grid.session.version), None
