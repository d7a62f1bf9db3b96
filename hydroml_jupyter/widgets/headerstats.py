"""The grid header's figures, over the rows the view keeps: missing values, histogram, top values.

A header shows, per column, its missing count and a small chart: a histogram for numeric and
datetime columns, the most frequent values and the distinct count for the others. With a
filter in the view they describe the rows the filters keep. They are computed for a grid's
``header_stats`` request in the background, each column once: over every row they are kept
with the history's step (an undo finds them), over filtered rows per (version, filters).
Only the figures a header needs are computed, each kind of column in one pass or two, so
they cost at most what pandas and NumPy take for the same figures (``bench/grid.py``).
Each figure equals the one :func:`~hydroml_jupyter.analysis.column_info` gives for the same
rows.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from hydroml_jupyter import analysis
from hydroml_jupyter.analysis._core import (
    Prepared,
    jsonable,
    py_scalar,
    text_order,
    top_positions,
)
from hydroml_jupyter.analysis.results import Histogram
from hydroml_jupyter.analysis.stats import prepared_histogram, text_counts
from hydroml_jupyter.labels import Label
from hydroml_jupyter.widgets.protocol import ColumnNames, Reply, list_field, reply
from hydroml_jupyter.widgets.viewspec import Filter, parse_filters

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.grid import DataGrid
    from hydroml_jupyter.widgets.view import GridView

__all__ = ["HeaderStats", "Snapshot", "header_stats", "request", "snapshot"]

BINS = 20
TOP = 10
_KEEP = 4  # (version, filters) pairs cached per view


@dataclasses.dataclass(frozen=True)
class HeaderStats:
    """One column's header figures over ``rows`` rows.

    ``distinct`` and ``top_values`` are given for columns without a histogram (text,
    category, boolean...); ``histogram`` for numeric and datetime columns.
    """

    rows: int
    nulls: int
    distinct: int | None
    histogram: Histogram | None
    top_values: list[tuple[Any, int]]

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol shape ``HeaderStats``, JSON-friendly."""
        return {
            "rows": self.rows,
            "nulls": self.nulls,
            "distinct": self.distinct,
            "histogram": None if self.histogram is None else self.histogram.to_dict(),
            "top_values": [[jsonable(v), int(c)] for v, c in self.top_values],
        }


# -- one column ------------------------------------------------------------------------------
def header_stats(
    series: pd.Series, keep: np.ndarray | None = None, *, bins: int = BINS, top: int = TOP
) -> HeaderStats:
    """Compute the header figures of ``series``, over the rows ``keep`` marks (all: ``None``).

    Parameters
    ----------
    series
        The column.
    keep
        One bool per row: the rows to describe.
    bins, top
        Histogram bins; how many most frequent values to keep.

    Examples
    --------
    >>> s = pd.Series(["a", "b", "a", None])
    >>> st = header_stats(s, np.array([True, True, True, False]))
    >>> st.rows, st.nulls, st.distinct, st.top_values
    (3, 0, 2, [('a', 2), ('b', 1)])
    """
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f":
            return _floats(_kept(series.to_numpy(), keep), bins)
        if dtype.kind in "iu":
            return _integers(_kept(series.to_numpy(), keep), 0, bins)
        if dtype.kind == "b":
            return _booleans(_kept(series.to_numpy(), keep))
        if dtype.kind == "M":
            return _datetimes(series, keep, bins)
    elif isinstance(dtype, pd.CategoricalDtype):
        return _categories(series, keep, top)
    elif isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return _arrow_text(pa.array(series.array), keep, top)
    elif isinstance(dtype, pd.Int8Dtype | pd.Int16Dtype | pd.Int32Dtype | pd.Int64Dtype):
        array = series.array
        missing = _kept(np.asarray(array.isna(), dtype=bool), keep)
        values = _kept(array.to_numpy(dtype=np.int64, na_value=0), keep)
        nulls = int(np.count_nonzero(missing))
        return _integers(values[~missing] if nulls else values, nulls, bins)
    return _generic(series if keep is None else series[keep], bins, top)


def _kept(values: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    return values if keep is None else values[keep]


def _stats(rows: int, nulls: int, histogram: Histogram | None) -> HeaderStats:
    # A numeric or datetime column without a histogram has no values at all.
    return HeaderStats(rows, nulls, 0 if histogram is None else None, histogram, [])


def _floats(values: np.ndarray, bins: int) -> HeaderStats:
    rows = len(values)
    nulls = int(np.count_nonzero(np.isnan(values)))
    if nulls == rows:
        return _stats(rows, nulls, None)
    # fmin/fmax skip NaN without copying; np.histogram with a range drops NaN per block.
    lo, hi = np.fmin.reduce(values), np.fmax.reduce(values)
    if not np.isfinite(lo) or not np.isfinite(hi) or not np.isfinite(hi - lo):
        present = values[~np.isnan(values)] if nulls else values
        return _stats(rows, nulls, _histogram(present, "numeric", bins))
    if lo == hi:
        same = Histogram([float(lo), float(lo)], [rows - nulls], [f"{lo:.6g}"] * 2)
        return _stats(rows, nulls, same)
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return _stats(rows, nulls, _numeric(counts, edges))


def _numeric(counts: np.ndarray, edges: np.ndarray) -> Histogram:
    return Histogram(
        edges.tolist(), counts.astype(np.int64).tolist(), [f"{x:.6g}" for x in edges.tolist()]
    )


def _integers(values: np.ndarray, nulls: int, bins: int) -> HeaderStats:
    rows = len(values) + nulls
    if not len(values):
        return _stats(rows, nulls, None)
    lo, hi = int(values.min()), int(values.max())
    if hi - lo >= bins and abs(lo) < 2**53 and abs(hi) < 2**53:
        weights = None
        if hi - lo <= len(values) // 8:
            # Count each integer once, then bin the distinct values weighted by their counts:
            # the same bins as binning every row, at a fraction of the cost.
            tally = np.bincount((values - lo).astype(np.intp, copy=False))
            present = np.flatnonzero(tally)
            values, weights = present + lo, tally[present]
        counts, edges = np.histogram(
            values, bins=bins, range=(float(lo), float(hi)), weights=weights
        )
        return _stats(rows, nulls, _numeric(counts, edges))
    return _stats(rows, nulls, _histogram(values, "numeric", bins))


def _booleans(values: np.ndarray) -> HeaderStats:
    trues = int(np.count_nonzero(values))
    pairs = sorted(((True, trues), (False, len(values) - trues)), key=lambda p: (-p[1], p[0]))
    top = [p for p in pairs if p[1]]
    return HeaderStats(len(values), 0, len(top), None, top)


def _datetimes(series: pd.Series, keep: np.ndarray | None, bins: int) -> HeaderStats:
    raw = series.to_numpy()
    ints = _kept(raw.view(np.int64), keep)
    missing = ints == np.iinfo(np.int64).min
    nulls = int(np.count_nonzero(missing))
    present = ints[~missing] if nulls else ints
    unit = np.datetime_data(raw.dtype)[0]
    return _stats(len(ints), nulls, _histogram(present, "datetime", bins, unit))


def _histogram(values: np.ndarray, kind: str, bins: int, unit: Any = None) -> Histogram | None:
    """Return the analysis layer's histogram of non-null ``values`` (exact; rare cases)."""
    prep = Prepared(pd.Series([], dtype=object), kind, np.zeros(0, dtype=bool), values, unit)
    return prepared_histogram(prep, bins)


def _categories(series: pd.Series, keep: np.ndarray | None, top: int) -> HeaderStats:
    codes = _kept(np.asarray(series.cat.codes.to_numpy()), keep).astype(np.intp, copy=False)
    categories = series.cat.categories
    # Code -1 (missing) lands in slot 0.
    counts = np.bincount(codes + 1, minlength=len(categories) + 1)
    present = np.flatnonzero(counts[1:])
    tallies = counts[1:][present]
    chosen = top_positions(tallies, top)
    values = [(py_scalar(categories[present[i]]), int(tallies[i])) for i in chosen]
    return HeaderStats(len(codes), int(counts[0]), len(present), None, values)


def _arrow_text(array: pa.Array, keep: np.ndarray | None, top: int) -> HeaderStats:
    if keep is not None:
        array = array.filter(pa.array(keep))
    values, counts = text_counts(array)

    chosen = top_positions(counts, top, text_order(values))
    found = [(values[int(i)].as_py(), int(counts[i])) for i in chosen]
    return HeaderStats(len(array), array.null_count, len(values), None, found)


def _generic(series: pd.Series, bins: int, top: int) -> HeaderStats:
    info = analysis.column_info(series, bins=bins, top=top)
    s = info.summary
    if info.histogram is not None:
        return _stats(s.count + s.nulls, s.nulls, info.histogram)
    return HeaderStats(s.count + s.nulls, s.nulls, s.distinct, None, list(info.top_values))


# -- a view's rows, and the figures cached for them ------------------------------------------
@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a view showed when a request came: the frame, its names and the filters."""

    version: int
    frame: pd.DataFrame
    names: ColumnNames
    filters: tuple[Filter, ...]

    @property
    def filter_dicts(self) -> list[dict[str, Any]]:
        """The filters in the protocol's shape."""
        return [f.to_dict() for f in self.filters]


def snapshot(view: GridView) -> Snapshot:
    """Read the view's version, frame and filters together."""
    with view.lock:
        view.sync()
        names = view.names
        filters = parse_filters(view.filters, names)
        return Snapshot(view.version, view.frame, names, filters)


def stale(view: GridView, snap: Snapshot) -> bool:
    """Whether the view shows another version or other filters than ``snap`` describes."""
    if view.session.version != snap.version:
        return True
    with view.lock:
        return view.filters != snap.filter_dicts


class _Entry:
    """The masks and figures computed for one (version, filters) of a view."""

    def __init__(self) -> None:
        self.masks: dict[tuple[Any, ...], np.ndarray | None] = {}
        self.stats: dict[Label, HeaderStats] = {}
        self.values: dict[tuple[Any, ...], Any] = {}


class _Cache:
    """Per view, the entries of the last few (version, filters) pairs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()

    def entry(self, snap: Snapshot) -> _Entry:
        key = (snap.version, tuple(f.key for f in snap.filters))
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                found = self.entries[key] = _Entry()
                while len(self.entries) > _KEEP:
                    self.entries.popitem(last=False)
            self.entries.move_to_end(key)
            return found


_caches: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cached(view: GridView, snap: Snapshot) -> _Entry:
    """Return the cache entry of ``snap`` for ``view`` (made on first use)."""
    with _caches_lock:
        cache = _caches.get(view)
        if cache is None:
            cache = _caches[view] = _Cache()
    return cache.entry(snap)


def rows_kept(snap: Snapshot, entry: _Entry, leave_out: Label | None = None) -> np.ndarray | None:
    """Return the rows the filters keep (those on ``leave_out`` ignored); ``None``: all."""
    filters = tuple(f for f in snap.filters if leave_out is None or f.label != leave_out)
    key = tuple(f.key for f in filters)
    if key in entry.masks:
        return entry.masks[key]
    keep: np.ndarray | None = None
    for item in filters:
        mask = item.operation().mask(snap.frame)
        keep = mask if keep is None else keep & mask
    entry.masks[key] = keep
    return keep


def _computed(view: GridView, snap: Snapshot, entry: _Entry, label: Label) -> HeaderStats:
    if snap.filters:
        return header_stats(snap.frame[label], rows_kept(snap, entry))
    # Over every row, the figures are kept with the history's step, as the session keeps
    # its other statistics: an undo or a redo finds them there.
    return view.session.cached(("header_stats", label), lambda frame: header_stats(frame[label]))


def request(grid: DataGrid, content: dict[str, Any]) -> None:
    """Answer ``header_stats`` in the background: each asked column's figures over the view."""
    view = grid.grid_view
    snap = snapshot(view)
    wanted = list_field(content, "columns", "header_stats")
    labels = [(name, snap.names.label(name, "header_stats")) for name in wanted]

    def work() -> Reply:
        entry = cached(view, snap)
        out: dict[str, Any] = {}
        for name, label in labels:
            stats = entry.stats.get(label)
            if stats is None:
                # The view moved on (new filters, a new version): the front end drops this
                # reply, so stop computing figures nobody will see.
                if stale(view, snap):
                    break
                stats = entry.stats[label] = _computed(view, snap, entry, label)
            out[name] = stats.to_dict()
        body = reply(
            "header_stats",
            content["request"],
            version=snap.version,
            filters=snap.filter_dicts,
            stats=out,
        )
        return body, None

    grid._in_background(content, work)
