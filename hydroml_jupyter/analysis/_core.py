"""Shared machinery of the statistics layer: column kinds, exact counting, JSON and HTML helpers.

Everything here works on one column at a time and makes a bounded number of passes over it,
so the data grid can compute header statistics lazily, one column at a time.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

KINDS = ("numeric", "boolean", "datetime", "timedelta", "text", "category", "other")
#: The unit of a pandas datetime or timedelta column's NumPy values.
TimeUnit = Literal["s", "ms", "us", "ns"]

# Above this share of distinct values in a sample, sorting beats hashing for counting.
_SORT_SHARE = 0.2
_SAMPLE = 20_000
_BINCOUNT_SPAN = 1 << 20


def _arrow_type(dtype: Any) -> pa.DataType | None:
    return dtype.pyarrow_dtype if isinstance(dtype, pd.ArrowDtype) else None


def _numpy_dtype(dtype: Any) -> np.dtype | None:
    """Return the NumPy dtype that holds the non-null values of a numeric or boolean dtype."""
    if isinstance(dtype, np.dtype):
        return dtype
    np_dtype = getattr(dtype, "numpy_dtype", None)
    return np_dtype if isinstance(np_dtype, np.dtype) else None


def column_kind(series: pd.Series) -> str:
    """Classify a column into one of :data:`KINDS`."""
    dtype = series.dtype
    atype = _arrow_type(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if ptypes.is_bool_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return "boolean"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_timedelta64_dtype(dtype) or (atype is not None and pa.types.is_duration(atype)):
        return "timedelta"
    if ptypes.is_numeric_dtype(dtype):
        np_dtype = _numpy_dtype(dtype)
        return "numeric" if np_dtype is not None and np_dtype.kind in "iuf" else "other"
    if isinstance(dtype, pd.StringDtype) or (
        atype is not None and (pa.types.is_string(atype) or pa.types.is_large_string(atype))
    ):
        return "text"
    if ptypes.is_object_dtype(dtype) and ptypes.infer_dtype(series, skipna=True) == "string":
        return "text"
    return "other"


@dataclass
class Prepared:
    """One column with its null mask and, for array kinds, its non-null values as NumPy."""

    series: pd.Series
    kind: str
    mask: np.ndarray
    values: np.ndarray | None = None
    unit: TimeUnit | None = None
    tz: Any = None

    @property
    def nulls(self) -> int:
        return int(self.mask.sum())

    @property
    def count(self) -> int:
        return len(self.mask) - self.nulls


def prepare(series: pd.Series) -> Prepared:
    """Compute the null mask and the NumPy view of the non-null values (one pass each)."""
    atype = _arrow_type(series.dtype)
    if atype is not None and (pa.types.is_timestamp(atype) or pa.types.is_duration(atype)):
        series = series.astype(atype.to_pandas_dtype())
    kind = column_kind(series)
    mask = np.asarray(series.isna().to_numpy(), dtype=bool)
    prep = Prepared(series, kind, mask)
    if kind in ("numeric", "boolean"):
        np_dtype = _numpy_dtype(series.dtype)
        assert np_dtype is not None
        if isinstance(series.dtype, np.dtype):
            arr = series.to_numpy()
        else:
            fill: Any = np.nan if np_dtype.kind == "f" else (False if kind == "boolean" else 0)
            arr = series.to_numpy(dtype=np_dtype, na_value=fill)
        prep.values = arr[~mask] if prep.nulls else arr
    elif kind in ("datetime", "timedelta"):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            prep.tz = series.dtype.tz
            series = series.dt.tz_convert(None)
        arr = series.to_numpy()
        prep.unit = _time_unit(arr.dtype)
        ints = arr.view(np.int64)
        prep.values = ints[~mask] if prep.nulls else ints
    return prep


def _time_unit(dtype: np.dtype) -> TimeUnit:
    match np.datetime_data(dtype)[0]:
        case "s" | "ms" | "us" | "ns" as unit:
            return unit
        case other:
            raise TypeError(f"time unit {other!r}: pandas columns hold s, ms, us or ns")


def sorted_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact distinct values (ascending) and their counts for a 1-d NumPy array without NaN.

    Small integer ranges use ``bincount``; low-cardinality data uses a hash table; the rest sorts.
    """
    n = len(values)
    if n == 0:
        return values[:0], np.zeros(0, dtype=np.int64)
    if values.dtype.kind == "b":
        trues = int(np.count_nonzero(values))
        pairs = [(v, c) for v, c in ((False, n - trues), (True, trues)) if c]
        return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs], dtype=np.int64)
    if values.dtype.kind in "iu":
        lo, hi = values.min(), values.max()
        span = int(hi) - int(lo)
        if span < max(_BINCOUNT_SPAN, n):
            counts = np.bincount((values - lo).astype(np.intp, copy=False), minlength=span + 1)
            present = np.flatnonzero(counts)
            return (present + lo).astype(values.dtype), counts[present].astype(np.int64)
    step = max(1, n // _SAMPLE)
    sample = values[::step]
    if len(np.unique(sample)) <= _SORT_SHARE * len(sample):
        vc = pd.Series(values, copy=False).value_counts(sort=False)
        uniq = vc.index.to_numpy()
        order = np.argsort(uniq, kind="stable")
        return uniq[order], vc.to_numpy()[order].astype(np.int64)
    ordered = np.sort(values)
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    first = np.flatnonzero(starts)
    counts = np.empty(len(first), dtype=np.int64)
    np.subtract(first[1:], first[:-1], out=counts[:-1])
    counts[-1] = n - first[-1]
    return ordered[first], counts


def text_order(values: pa.Array) -> Any:
    """Return the ``value_order`` of :func:`top_positions` for distinct Arrow text ``values``.

    Returns a callable ``(positions, m) -> positions``: the ``m`` value-smallest of
    ``positions`` in ascending value order, selected by Arrow in linear time.

    Examples
    --------
    >>> order = text_order(pa.array(["b", "c", "a"]))
    >>> order(np.array([0, 1, 2]), 2).tolist()
    [2, 0]
    """

    def order(positions: np.ndarray, m: int) -> np.ndarray:
        if m <= 0 or len(positions) == 0:
            return positions[:0]
        sub = values.take(pa.array(positions))
        local = np.asarray(pc.select_k_unstable(sub, m, [("v", "ascending")]), dtype=np.intp)
        keys = [sub[int(i)].as_py() for i in local]
        return positions[local[sorted(range(len(keys)), key=keys.__getitem__)]]

    return order


def top_positions(counts: np.ndarray, k: int, value_order: Any = None) -> np.ndarray:
    """Positions of the ``k`` largest counts, ties broken by value order.

    Parameters
    ----------
    counts
        Count per distinct value.
    k
        How many positions to return.
    value_order
        ``None`` when the distinct values are already in ascending value order; otherwise a
        callable ``(positions, m) -> positions`` returning the ``m`` value-smallest of
        ``positions`` in ascending value order.
    """
    n = len(counts)
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.intp)
    if n <= k:
        cand = np.arange(n)
    else:
        # k-th largest count from a histogram of the counts: linear, unlike partitioning
        # arrays with many equal counts.
        at_least = np.cumsum(np.bincount(counts)[::-1])[::-1]
        thr = int(np.flatnonzero(at_least >= k)[-1])
        above = np.flatnonzero(counts > thr)
        ties = np.flatnonzero(counts == thr)
        need = k - len(above)
        ties = ties[:need] if value_order is None else value_order(ties, need)
        cand = np.concatenate([above, ties])
    cand = np.sort(cand) if value_order is None else value_order(cand, len(cand))
    return cand[np.argsort(-counts[cand], kind="stable")]


def index_value_order(index: pd.Index) -> Any:
    """Build a ``value_order`` callable for :func:`top_positions` over an arbitrary Index."""

    def order(positions: np.ndarray, m: int) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.intp)
        if m <= 0 or len(positions) == 0:
            return positions[:0]
        sub = index[positions]
        key: np.ndarray | None = None
        if isinstance(sub, pd.CategoricalIndex):
            key = np.asarray(sub.codes)
        elif isinstance(sub, pd.DatetimeIndex | pd.TimedeltaIndex):
            key = sub.asi8
        elif ptypes.is_numeric_dtype(sub.dtype) and not ptypes.is_bool_dtype(sub.dtype):
            np_dtype = _numpy_dtype(sub.dtype)
            if np_dtype is not None and np_dtype.kind in "iuf":
                key = sub.to_numpy(dtype=np_dtype)
        if key is not None:
            if m < len(key):
                part = np.argpartition(key, m - 1)[:m]
                return positions[part[np.argsort(key[part], kind="stable")]]
            return positions[np.argsort(key, kind="stable")]
        try:
            arr = pa.array(sub.array if isinstance(sub.dtype, pd.StringDtype) else list(sub))
            local = pc.select_k_unstable(arr, m, [("v", "ascending")]).to_numpy()
            picked = np.asarray(local, dtype=np.intp)
            vals = [arr[int(i)].as_py() for i in picked]
            return positions[picked[sorted(range(len(vals)), key=vals.__getitem__)]]
        except (pa.ArrowException, TypeError, ValueError):
            pass
        items = list(sub)
        rng = range(len(items))
        try:
            local = sorted(rng, key=lambda i: (type(items[i]).__name__, items[i]))
        except TypeError:
            local = sorted(rng, key=lambda i: (type(items[i]).__name__, repr(items[i])))
        return positions[np.asarray(local[:m], dtype=np.intp)]

    return order


def py_scalar(value: Any) -> Any:
    """Turn NumPy scalars into Python scalars and missing markers into ``None``."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64 | np.timedelta64):
        return pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
    if isinstance(value, np.generic):
        value = value.item()
    if not ptypes.is_scalar(value):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def jsonable(value: Any) -> Any:
    """Convert a statistic into a value ``json.dumps(..., allow_nan=False)`` accepts.

    Timestamps become ISO strings, timedeltas ISO 8601 durations, NaN ``None`` and
    infinities the strings ``"inf"`` / ``"-inf"``.
    """
    value = py_scalar(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def fmt(value: Any) -> str:
    """Format a value for HTML display, escaped."""
    value = py_scalar(value)
    if value is None:
        text = "—"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    return html.escape(text)


def html_table(rows: list[tuple[Any, ...]], header: tuple[str, ...] | None = None) -> str:
    """Render rows of values as a small HTML table; every cell is escaped."""
    parts = ["<table class='hydroml-stats'>"]
    if header:
        parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)
