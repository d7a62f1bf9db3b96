"""Per-column profiling: semantic type, numeric shape figures and text checks.

Text checks run on the distinct values of a column (one hash pass), never in a Python loop
over rows: :func:`pandas.to_numeric` and :func:`pandas.to_datetime` convert the distinct values,
and each value's count weighs its result, so the shares are exact.
"""

from __future__ import annotations

import re
import warnings
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from hydroml_jupyter.analysis._core import prepare
from hydroml_jupyter.analysis.profile._model import ColumnProfile, NumericExtras, TextExtras
from hydroml_jupyter.analysis.stats import ColumnSummary, column_info
from hydroml_jupyter.labels import Label

#: A text column is numbers (or dates) stored as text when at least this share converts.
PARSE_SHARE = 0.9
#: Text columns with at most this many distinct values (or this share of rows) are categorical.
CATEGORICAL_MAX_DISTINCT = 50
CATEGORICAL_MAX_SHARE = 0.05
#: Unique columns need at least this many values to count as identifiers.
IDENTIFIER_MIN_ROWS = 20
#: Free text: mean length of at least this many characters.
TEXT_MIN_LENGTH = 30

ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|key|pk)$|^(id|uuid|guid)[_\s-]|Id$|ID$", re.I)

#: Date formats tried (with the one :func:`pandas.tseries.api.guess_datetime_format` guesses).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d %b %Y",
    "%b %d, %Y",
)
_FORMAT_SAMPLE = 500


def looks_like_id(name: Label) -> bool:
    """Return True when a column name reads like an identifier (``id``, ``user_id``, ``uuid``)."""
    return bool(ID_NAME.search(str(name)))


def distinct_text(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Distinct non-null values of a text or object column (as ``str``) and their counts."""
    if ptypes.is_object_dtype(series.dtype):
        vc = series.value_counts(dropna=True, sort=False)
        return pd.Series(vc.index.astype(str), dtype="str"), vc.to_numpy().astype(np.int64)
    arr = pa.array(series.astype("str").array)
    vc = pc.value_counts(arr)
    values = vc.field("values")
    valid = values.is_valid()
    values = values.filter(valid)
    counts = vc.field("counts").filter(valid).to_numpy().astype(np.int64)
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string()))).astype(
        "str"
    ), counts


def _date_share(values: pd.Series, counts: np.ndarray, total: int) -> tuple[float, str | None]:
    """Best date format for the distinct ``values`` and the share of rows it converts."""
    if total == 0:
        return 0.0, None
    sample = values.iloc[:: max(1, len(values) // _FORMAT_SAMPLE)]
    # Cheap rejection: dates contain digits and are short.
    if not bool(sample.str.contains(r"\d", regex=True).mean() >= PARSE_SHARE):
        return 0.0, None
    candidates = list(DATE_FORMATS)
    guessed = pd.tseries.api.guess_datetime_format(str(sample.iloc[0]))
    if guessed is not None and guessed not in candidates:
        candidates.insert(0, guessed)
    best, best_share = None, 0.0
    for fmt in candidates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ok = pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean()
        if ok > best_share:
            best, best_share = fmt, float(ok)
    if best is None or best_share < PARSE_SHARE:
        return 0.0, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(values, format=best, errors="coerce").notna().to_numpy()
    return float(counts[parsed].sum()) / total, best


def _variants(values: pd.Series, counts: np.ndarray) -> tuple[dict[str, str], bool]:
    """Map spellings that differ only in spaces or case to their group's most frequent one."""
    arr = pa.array(values.array)
    key = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    codes, uniques = pd.factorize(pd.Series(key.to_numpy(zero_copy_only=False)))
    if len(uniques) == len(values):
        return {}, True
    order = np.lexsort((np.arange(len(counts)), -counts, codes))  # group, then most frequent
    first = np.ones(len(order), dtype=bool)
    first[1:] = codes[order][1:] != codes[order][:-1]
    head = np.empty(len(uniques), dtype=np.intp)
    head[codes[order][first]] = order[first]
    canon = head[codes]
    moved = np.flatnonzero(canon != np.arange(len(values)))
    raw = values.to_numpy(dtype=object)
    mapping = {str(raw[i]): str(raw[canon[i]]) for i in moved}
    trimmed = pc.utf8_trim_whitespace(arr).to_numpy(zero_copy_only=False)
    ws_only = all(trimmed[i] == trimmed[canon[i]] for i in moved)
    return mapping, ws_only


def text_extras(series: pd.Series, summary: ColumnSummary) -> TextExtras:
    """Measure how the values of a text (or object) column parse, and find spelling variants."""
    python_types: tuple[str, ...] = ()
    if ptypes.is_object_dtype(series.dtype):
        inferred = ptypes.infer_dtype(series, skipna=True)
        if inferred.startswith("mixed") and inferred != "mixed-integer-float":
            kinds = series.dropna().map(lambda v: type(v).__name__).unique()
            python_types = tuple(sorted(str(k) for k in kinds))
    values, counts = distinct_text(series)
    total = int(counts.sum())
    if total == 0:
        return TextExtras(0.0, False, 0.0, None, python_types=python_types)
    nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(nums)
    numeric_share = float(counts[ok].sum()) / total
    whole = bool(ok.any()) and bool(np.all(nums[ok] == np.round(nums[ok])))
    whole = whole and bool(np.all(np.abs(nums[ok]) < 2**53))
    date_share, date_format = 0.0, None
    if numeric_share < PARSE_SHARE:
        date_share, date_format = _date_share(values, counts, total)
    variants: dict[str, str] = {}
    ws_only = True
    if numeric_share < PARSE_SHARE and date_share < PARSE_SHARE:
        variants, ws_only = _variants(values, counts)
    lengths = pc.utf8_length(pa.array(values.array)).to_numpy(zero_copy_only=False)
    mean_length = float(np.dot(lengths, counts) / total)
    return TextExtras(
        numeric_share=numeric_share,
        whole_numbers=whole,
        date_share=date_share,
        date_format=date_format,
        variants=variants,
        whitespace_only=ws_only,
        python_types=python_types,
        mean_length=mean_length,
    )


def numeric_extras(values: np.ndarray) -> NumericExtras | None:
    """Exact skew, zero count and IQR outlier count of non-null numeric values."""
    x = values.astype(np.float64, copy=False)
    finite = np.isfinite(x)
    if not finite.all():
        x = x[finite]
    n = len(x)
    if n == 0:
        return None
    zeros = int(np.count_nonzero(x == 0))
    q1, median, q3 = (float(q) for q in np.quantile(x, [0.25, 0.5, 0.75]))
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    outliers = int(np.count_nonzero((x < lo) | (x > hi)))
    skew: float | None = None
    if n > 2:
        d = x - x.mean()
        m2 = float(np.dot(d, d)) / n
        if m2 > 0 and np.isfinite(m2):
            m3 = float(np.sum(d * d * d)) / n
            skew = float(np.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5)
    return NumericExtras(
        skew=skew,
        zeros=zeros,
        zeros_share=zeros / n,
        q1=q1,
        median=median,
        q3=q3,
        low_fence=lo,
        high_fence=hi,
        outliers=outliers,
        outliers_share=outliers / n,
        all_positive=bool(x.min() > 0),
    )


def _semantic(series: pd.Series, summ: ColumnSummary, text: TextExtras | None) -> str:
    distinct = summ.distinct
    kind = summ.kind
    if distinct is not None and distinct <= 1:
        return "constant"
    if kind == "boolean":
        return "boolean"
    if kind == "datetime":
        return "datetime"
    if kind in ("numeric", "timedelta"):
        low, high = summ.min, summ.max
        if distinct == 2 and low == 0 and high == 1:
            return "boolean"
        dtype = series.dtype
        is_int = ptypes.is_integer_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
        if is_int and distinct == summ.count and summ.count >= IDENTIFIER_MIN_ROWS:
            contiguous = int(high) - int(low) + 1 == summ.count
            if contiguous or looks_like_id(cast("Label", series.name)):
                return "identifier"
        return "numeric"
    if text is not None:
        if text.numeric_share >= PARSE_SHARE:
            return "numbers_as_text"
        if text.date_share >= PARSE_SHARE:
            return "dates_as_text"
    count = summ.count
    if (
        kind in ("text", "other")
        and distinct == count
        and count >= IDENTIFIER_MIN_ROWS
        and (text is None or (text.mean_length or 0) < TEXT_MIN_LENGTH)
    ):
        return "identifier"
    if kind == "category" or (distinct is not None and distinct <= CATEGORICAL_MAX_DISTINCT):
        return "categorical"
    if distinct is not None and count and distinct <= CATEGORICAL_MAX_SHARE * count:
        return "categorical"
    if text is not None and (text.mean_length or 0) < TEXT_MIN_LENGTH:
        return "categorical"
    return "text"


def profile_column(series: pd.Series, bins: int = 30) -> ColumnProfile:
    """Profile one column: exact summary and histogram, semantic type and its extras."""
    info = column_info(series, bins=bins, top=10)
    summ = info.summary
    text = None
    if summ.kind in ("text", "other") and summ.distinct is not None:
        text = text_extras(series, summ)
    semantic = _semantic(series, summ, text)
    numeric = None
    if summ.kind == "numeric" and semantic in ("numeric", "identifier"):
        prep = prepare(series)
        if prep.values is not None:
            numeric = numeric_extras(prep.values)
    return ColumnProfile(
        name=cast("Label", series.name),
        semantic=semantic,
        summary=summ,
        histogram=info.histogram,
        numeric=numeric,
        text=text,
    )
