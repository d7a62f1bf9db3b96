"""Exact per-column statistics: summaries, histograms and frame-wide summary tables.

Each column is read a bounded number of times: one pass for the null mask, one conversion to
NumPy, one exact counting step (``bincount``, hashing or sorting, whichever is cheapest for the
data) that yields the distinct count, the top values and min/max together, plus one pass each
for mean and standard deviation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hydroml_jupyter.analysis._core import (
    Prepared,
    index_value_order,
    prepare,
    py_scalar,
    sorted_counts,
    text_order,
    top_positions,
)
from hydroml_jupyter.analysis.results import (
    ColumnInfo,
    ColumnSummary,
    Histogram,
)
from hydroml_jupyter.labels import Label

__all__ = [
    "ColumnInfo",
    "ColumnSummary",
    "Histogram",
    "column_info",
    "column_summary",
    "histogram",
    "prepared_histogram",
    "summary",
    "text_counts",
]

_LOOKUP_ERRORS = (TypeError, ValueError, NotImplementedError, pa.ArrowException)


def _converter(prep: Prepared) -> Callable[[Any], Any]:
    if prep.kind == "datetime":
        unit, tz = prep.unit, prep.tz
        assert unit is not None

        def to_ts(v: Any) -> pd.Timestamp:
            ts = pd.Timestamp(np.datetime64(int(v), unit))
            return ts.tz_localize("UTC").tz_convert(tz) if tz is not None else ts

        return to_ts
    if prep.kind == "timedelta":
        duration_unit = prep.unit
        assert duration_unit is not None
        return lambda v: pd.Timedelta(np.timedelta64(int(v), duration_unit))
    if prep.kind == "boolean":
        return bool
    return py_scalar


def _none_if_nan(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _moments(prep: Prepared, lo: Any, conv: Callable[[Any], Any]) -> tuple[Any, Any]:
    vals = prep.values
    assert vals is not None
    n = len(vals)
    if n == 0:
        return None, None
    if prep.kind == "boolean":
        return np.count_nonzero(vals) / n, None
    with np.errstate(invalid="ignore", over="ignore"):
        if prep.kind == "numeric":
            mean = _none_if_nan(np.mean(vals, dtype=np.float64))
            std = _none_if_nan(np.std(vals, ddof=1, dtype=np.float64)) if n > 1 else None
            return mean, std
        # Offsets from the minimum as uint64 are exact even when the int64 range overflows.
        offs = vals.view(np.uint64) - np.array(lo, dtype=np.int64).view(np.uint64)
        mean = conv(int(lo) + round(float(np.mean(offs, dtype=np.float64))))
        if prep.kind == "datetime" or n < 2:
            return mean, None
        return mean, conv(round(float(np.std(offs, ddof=1, dtype=np.float64))))


def _summarize(
    prep: Prepared, dtype: str, top: int, keep: dict[str, Any] | None = None
) -> ColumnSummary:
    """Summarise; ``keep`` receives the distinct values and counts the summary counted."""
    s = prep.series
    keep = {} if keep is None else keep
    n, nulls = len(prep.mask), prep.nulls
    stats: dict[str, Any] = {"distinct": 0, "top": []}
    if prep.values is not None:
        conv = _converter(prep)
        uniq, counts = sorted_counts(prep.values)
        keep["uniq"], keep["counts"] = uniq, counts
        stats["distinct"] = len(uniq)
        stats["top"] = [(conv(uniq[i]), int(counts[i])) for i in top_positions(counts, top)]
        if len(uniq):
            stats["min"], stats["max"] = conv(uniq[0]), conv(uniq[-1])
            stats["mean"], stats["std"] = _moments(prep, uniq[0], conv)
    elif prep.kind == "category":
        cats = s.cat.categories
        codes = np.asarray(s.cat.codes.to_numpy())
        present_counts = np.bincount(codes[codes >= 0].astype(np.intp), minlength=len(cats))
        present = np.flatnonzero(present_counts)
        counts = present_counts[present]
        stats["distinct"] = len(present)
        stats["top"] = [
            (py_scalar(cats[present[i]]), int(counts[i])) for i in top_positions(counts, top)
        ]
        if s.cat.ordered and len(present):
            stats["min"], stats["max"] = py_scalar(cats[present[0]]), py_scalar(cats[present[-1]])
    elif prep.kind == "text" and not isinstance(s.dtype, np.dtype):
        stats.update(_arrow_text_stats(s, top, keep))
    else:
        stats.update(_generic_stats(s, top))
    return ColumnSummary(
        name=cast("Label | None", s.name),
        dtype=dtype,
        kind=prep.kind,
        count=n - nulls,
        nulls=nulls,
        null_share=nulls / n if n else 0.0,
        **stats,
    )


def arrow_text_counts(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Distinct non-null values of an Arrow-backed text column and their counts (one pass)."""
    return text_counts(pa.array(s.array))


#: Values looked at to tell mostly distinct text.
_PROBE = 4096


def text_counts(array: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Return a text array's distinct non-null values (first seen first) and their counts.

    Both ways hash each value once. ``value_counts`` is the cheaper for repeated values;
    for nearly all distinct ones (ids, timestamps as text), dictionary encoding and counting
    the codes with ``bincount`` saves a sixth: a sample tells which.

    Examples
    --------
    >>> values, counts = text_counts(pa.array(["b", None, "a", "b"]))
    >>> values.to_pylist(), counts.tolist()
    (['b', 'a'], [2, 1])
    """
    # A spread sample with almost no repeats (one in a hundred) means ~a million distinct.
    probe = array.take(np.linspace(0, len(array) - 1, min(_PROBE, len(array)), dtype=np.int64))
    if len(probe) and pc.count_distinct(probe).as_py() > 0.99 * len(probe):
        encoded = array.dictionary_encode()
        codes = encoded.indices
        if codes.null_count:
            codes = codes.drop_null()
        tally = np.bincount(codes.to_numpy(), minlength=len(encoded.dictionary))
        return encoded.dictionary, tally.astype(np.int64, copy=False)
    counted = pc.value_counts(array)
    present = counted.field("values").is_valid()
    values = counted.field("values").filter(present)
    return values, counted.field("counts").filter(present).to_numpy().astype(np.int64)


def _arrow_text_stats(s: pd.Series, top: int, keep: dict[str, Any]) -> dict[str, Any]:
    values, counts = arrow_text_counts(s)
    keep["text_values"], keep["text_counts"] = values, counts

    pos = top_positions(counts, top, text_order(values))
    out: dict[str, Any] = {
        "distinct": len(values),
        "top": [(values[int(i)].as_py(), int(counts[i])) for i in pos],
    }
    if len(values):
        mm = pc.min_max(values)
        out["min"], out["max"] = mm["min"].as_py(), mm["max"].as_py()
    return out


def _generic_stats(s: pd.Series, top: int) -> dict[str, Any]:
    try:
        vc = s.value_counts(sort=False, dropna=True)
    except _LOOKUP_ERRORS:
        return {"distinct": None, "top": []}
    idx = vc.index
    counts = vc.to_numpy().astype(np.int64)
    pos = top_positions(counts, top, index_value_order(idx))
    out: dict[str, Any] = {
        "distinct": len(idx),
        "top": [(py_scalar(idx[i]), int(counts[i])) for i in pos],
    }
    if len(idx):
        with contextlib.suppress(*_LOOKUP_ERRORS):
            out["min"], out["max"] = py_scalar(idx.min()), py_scalar(idx.max())
    return out


def _histogram(
    prep: Prepared, bins: int, counted: tuple[np.ndarray, np.ndarray] | None = None
) -> Histogram | None:
    """Histogram of the column; from its distinct values and counts when ``counted`` has them."""
    if bins < 1:
        raise ValueError(f"histogram: bins must be at least 1, got {bins}")
    vals = prep.values
    if prep.kind not in ("numeric", "datetime") or vals is None or len(vals) == 0:
        return None
    weights: np.ndarray | None = None
    if counted is not None:
        vals, weights = counted

    def hist(data: np.ndarray, rng: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        counts, edges = np.histogram(data, bins=bins, range=rng, weights=weights)
        return counts.astype(np.int64), edges

    total = len(vals) if weights is None else int(weights.sum())
    if prep.kind == "datetime":
        conv = _converter(prep)
        lo, hi = int(vals.min()), int(vals.max())
        if lo == hi:
            return Histogram(
                [float(lo), float(lo)],
                [total],
                [conv(lo).isoformat()] * 2,
                kind="datetime",
                unit=prep.unit,
            )
        offs = vals.view(np.uint64) - np.array(lo, dtype=np.int64).view(np.uint64)
        counts, e = hist(offs.astype(np.float64), (0.0, float(hi - lo)))
        ints = [lo + round(x) for x in e]
        return Histogram(
            [float(i) for i in ints],
            counts.tolist(),
            [conv(i).isoformat() for i in ints],
            kind="datetime",
            unit=prep.unit,
        )
    ignored = 0
    if vals.dtype.kind == "f":
        finite = np.isfinite(vals)
        if not finite.all():
            ignored = (
                len(vals) - int(np.count_nonzero(finite))
                if weights is None
                else int(weights[~finite].sum())
            )
            vals = vals[finite]
            weights = None if weights is None else weights[finite]
        if len(vals) == 0:
            return Histogram([], [], [], ignored=ignored)
    lo, hi = vals.min(), vals.max()
    if lo == hi:
        edges = np.array([lo, lo], dtype=np.float64)
        counts = np.array([len(vals) if weights is None else int(weights.sum())])
    elif vals.dtype.kind in "iu" and int(hi) - int(lo) < bins:
        counts = np.bincount(
            (vals - lo).astype(np.intp, copy=False), weights=weights, minlength=int(hi - lo) + 1
        ).astype(np.int64)
        edges = float(lo) - 0.5 + np.arange(len(counts) + 1, dtype=np.float64)
    else:
        data, scale = vals.astype(np.float64, copy=False), 1.0
        if not np.isfinite(float(hi) - float(lo)):
            data, scale = data * 0.5, 2.0
        counts, edges = hist(data, (data.min(), data.max()))
        edges = edges * scale
    return Histogram(edges.tolist(), counts.tolist(), [f"{x:.6g}" for x in edges], ignored=ignored)


def column_summary(series: pd.Series, top: int = 5) -> ColumnSummary:
    """Compute exact summary statistics of one column.

    Parameters
    ----------
    series
        The column.
    top
        How many most frequent values to keep in ``top``.

    Returns
    -------
    ColumnSummary

    Examples
    --------
    >>> s = column_summary(pd.Series([1, 2, 2, None], name="x"))
    >>> s.kind, s.count, s.nulls, s.distinct, s.top[0]
    ('numeric', 3, 1, 2, (2.0, 2))
    """
    return _summarize(prepare(series), str(series.dtype), top)


def histogram(series: pd.Series, bins: int = 20) -> Histogram | None:
    """Compute an exact histogram of a numeric (not boolean) or datetime column.

    Parameters
    ----------
    series
        The column.
    bins
        Number of equal-width bins between the smallest and largest finite value.

    Returns
    -------
    Histogram or None
        ``None`` for other kinds and for columns without non-null values. A column whose
        values are all infinite gives an empty histogram with ``ignored`` set.

    Examples
    --------
    >>> histogram(pd.Series([0.0, 1.0, 2.0, np.inf]), bins=2).counts
    [1, 2]
    """
    return _histogram(prepare(series), bins)


def prepared_histogram(prep: Prepared, bins: int = 20) -> Histogram | None:
    """Compute :func:`histogram` from a column already prepared: its kind and non-null values.

    Only ``prep.kind``, ``prep.values`` and, for datetimes, ``prep.unit`` and ``prep.tz``
    are read, so a caller holding the non-null values of some rows skips the null pass.
    """
    return _histogram(prep, bins)


def column_info(series: pd.Series, bins: int = 20, top: int = 10) -> ColumnInfo:
    """Compute summary, histogram and top values of one column, sharing the passes.

    Parameters
    ----------
    series
        The column.
    bins
        Number of histogram bins.
    top
        How many most frequent values to keep.

    Returns
    -------
    ColumnInfo

    Examples
    --------
    >>> info = column_info(pd.Series(["a", "b", "a"], name="c"))
    >>> info.top_values, info.histogram is None
    ([('a', 2), ('b', 1)], True)
    """
    return column_parts(series, bins, top)[0]


def column_parts(
    series: pd.Series, bins: int = 20, top: int = 10
) -> tuple[ColumnInfo, Prepared, dict[str, Any]]:
    """Compute :func:`column_info`, and keep what it counted for further figures.

    Returns the info, the prepared column and the counts: ``uniq`` and ``counts`` (sorted
    distinct values of array kinds) or ``text_values`` and ``text_counts`` (Arrow text).
    """
    prep = prepare(series)
    keep: dict[str, Any] = {}
    summ = _summarize(prep, str(series.dtype), top, keep)
    counted = (keep["uniq"], keep["counts"]) if "uniq" in keep else None
    info = ColumnInfo(
        summary=summ, histogram=_histogram(prep, bins, counted), top_values=list(summ.top)
    )
    return info, prep, keep


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Summarise every column of a frame, one row per column, from :func:`column_summary`.

    Parameters
    ----------
    df
        The frame.

    Returns
    -------
    pandas.DataFrame
        Indexed by the column labels in order, with columns ``dtype, count, nulls,
        null_share, distinct, min, max, mean, std, top`` (``top`` is the most frequent value).

    Examples
    --------
    >>> table = summary(pd.DataFrame({"a": [1, 1, None]}))
    >>> int(table.loc["a", "count"]), int(table.loc["a", "nulls"]), table.loc["a", "top"]
    (2, 1, 1.0)
    """
    rows = [column_summary(df.iloc[:, i], top=1) for i in range(df.shape[1])]
    data: dict[str, Any] = {
        "dtype": pd.Series([r.dtype for r in rows], dtype=object),
        "count": pd.Series([r.count for r in rows], dtype=np.int64),
        "nulls": pd.Series([r.nulls for r in rows], dtype=np.int64),
        "null_share": pd.Series([r.null_share for r in rows], dtype=np.float64),
        "distinct": pd.Series([r.distinct for r in rows], dtype="Int64"),
    }
    for col in ("min", "max", "mean", "std"):
        data[col] = pd.Series([getattr(r, col) for r in rows], dtype=object)
    data["top"] = pd.Series([r.top[0][0] if r.top else None for r in rows], dtype=object)
    out = pd.DataFrame(data)
    out.index = df.columns.copy()
    return out
