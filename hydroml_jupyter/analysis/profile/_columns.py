"""Per-column profiling: semantic type, numeric shape figures and text checks.

Text checks run on the distinct values of a column (one hash pass), never in a Python loop
over rows: :func:`pandas.to_numeric` and :func:`pandas.to_datetime` convert the distinct values,
and each value's count weighs its result, so the shares are exact.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from hydroml_jupyter.analysis._core import prepare, sorted_counts
from hydroml_jupyter.analysis.profile._model import ColumnProfile, NumericExtras, TextExtras
from hydroml_jupyter.analysis.stats import ColumnSummary, arrow_text_counts, column_parts
from hydroml_jupyter.labels import Label

#: A text column is numbers (or dates) stored as text when at least this share converts.
PARSE_SHARE = 0.9
#: Text columns with at most this many distinct values (or this share of rows) are categorical.
CATEGORICAL_MAX_DISTINCT = 50
CATEGORICAL_MAX_SHARE = 0.05
#: Unique columns need at least this many values to count as identifiers.
IDENTIFIER_MIN_ROWS = 20
#: A text column that is not unique is an identifier when at least this share of its values
#: is distinct (ids repeat where rows are duplicated) and its values share one shape.
IDENTIFIER_MIN_DISTINCT = 0.98
#: Share of (sampled) distinct values that must have the most common shape, and contain a digit.
IDENTIFIER_SHAPE_SHARE = 0.95
_SHAPE_SAMPLE = 2000
_DECIMALS_SAMPLE = 1000
_MAX_DECIMALS = 6
#: Spelling variants are looked for when at most this share of the values is distinct.
VARIANTS_MAX_DISTINCT = 0.5
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
#: :func:`pandas.to_numeric` turns text into a finite number only when it starts like this
#: (ASCII spaces, a sign, a point, a digit): other values are not converted at all.
_NUMBER_START = r"^[ \t\n\r\f\x0b]*[+-]?\.?[0-9]"


def looks_like_id(name: Label) -> bool:
    """Return True when a column name reads like an identifier (``id``, ``user_id``, ``uuid``)."""
    return bool(ID_NAME.search(str(name)))


Distinct = tuple[pd.Series, np.ndarray]


@dataclass(frozen=True)
class Repeats:
    """The values of a column that occur more than once, and whether missing values do."""

    values: Any
    nulls: bool

    def rows(self, series: pd.Series) -> np.ndarray | None:
        """Boolean mask of the rows whose value repeats (``None`` when not known)."""
        if self.values is None:
            return None
        if isinstance(self.values, pa.Array):
            found = pc.is_in(pa.array(series.array), value_set=self.values)
            mask = np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False))
        else:
            prep = prepare(series)
            if prep.values is None:
                return None
            mask = np.zeros(len(series), dtype=bool)
            mask[~prep.mask] = np.isin(prep.values, self.values)
        if self.nulls:
            mask |= np.asarray(series.isna().to_numpy(), dtype=bool)
        return mask


def distinct_text(series: pd.Series, counted: dict[str, Any] | None = None) -> Distinct:
    """Distinct non-null values of a text or object column (as ``str``) and their counts.

    ``counted`` may hold them already, as :func:`column_parts` keeps them.
    """
    if counted is not None and "text_values" in counted:
        values, counts = counted["text_values"], counted["text_counts"]
    elif ptypes.is_object_dtype(series.dtype):
        vc = series.value_counts(dropna=True, sort=False)
        return pd.Series(vc.index.astype(str), dtype="str"), vc.to_numpy().astype(np.int64)
    else:
        values, counts = arrow_text_counts(series.astype("str"))
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string()))).astype(
        "str"
    ), counts


def _date_share(values: pd.Series, counts: np.ndarray, total: int) -> tuple[float, str | None]:
    """Best date format for the distinct ``values`` and the share of rows it converts."""
    if total == 0:
        return 0.0, None
    sample = values.iloc[:: max(1, len(values) // _FORMAT_SAMPLE)]
    # Cheap rejection: dates hold at least two groups of digits.
    if not bool(sample.str.contains(r"\d\D+\d", regex=True).mean() >= PARSE_SHARE):
        return 0.0, None
    candidates = list(DATE_FORMATS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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
    """Map spellings that differ only in spaces or case to their group's clean form.

    A group's clean form is the stripped spelling with the most rows (every spelling that
    strips to it counts), so ``' USA'`` (100 rows) and ``'usa'`` (10) become ``'USA'``.
    """
    arr = pa.array(values.array)
    stripped = pc.utf8_trim_whitespace(arr)
    key = pc.utf8_lower(stripped)
    if pc.count_distinct(key).as_py() == len(values):
        return {}, True
    codes, uniques = pd.factorize(pd.Series(key.to_numpy(zero_copy_only=False)))
    forms, form_of = np.unique(stripped.to_numpy(zero_copy_only=False), return_inverse=True)
    rows = np.bincount(form_of, weights=counts, minlength=len(forms))
    group_of_form = np.empty(len(forms), dtype=np.intp)
    group_of_form[form_of] = codes
    # Per group: the form with most rows (ties: the first form in sorted order).
    order = np.lexsort((np.arange(len(forms)), -rows, group_of_form))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group_of_form[order][1:] != group_of_form[order][:-1]
    best = np.empty(len(uniques), dtype=np.intp)
    best[group_of_form[order][first]] = order[first]
    canon = forms[best[codes]]
    raw = values.to_numpy(dtype=object)
    moved = np.flatnonzero(raw != canon)
    mapping = {str(raw[i]): str(canon[i]) for i in moved}
    ws_only = all(forms[form_of[i]] == canon[i] for i in moved)
    return mapping, ws_only


def _numbers(values: pd.Series) -> np.ndarray:
    """Each distinct text value as a float (NaN where it is not a number)."""
    out = np.full(len(values), np.nan)
    maybe = pc.match_substring_regex(pa.array(values.array), _NUMBER_START)
    where = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    if len(where):
        converted = pd.to_numeric(values.iloc[where], errors="coerce")
        out[where] = converted.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def shaped_alike(values: pd.Series) -> bool:
    """Tell whether (a sample of) the distinct text ``values`` share one shape, as ids do.

    A value's shape keeps its punctuation and length and writes every letter or digit as
    ``x``: ``'FL000123'`` and ``'FL004567'`` share ``'xxxxxxxx'``; most values must have the
    commonest shape, contain a digit and no space (ordinary text varies in length and words).
    """
    if len(values) == 0:
        return False
    sample = pa.array(values.iloc[:: max(1, len(values) // _SHAPE_SAMPLE)].array)
    if pc.any(pc.match_substring_regex(sample, r"\s")).as_py():
        return False
    digits = pc.mean(pc.cast(pc.match_substring_regex(sample, r"[0-9]"), pa.int8())).as_py()
    if digits is None or digits < IDENTIFIER_SHAPE_SHARE:
        return False
    shapes = pc.replace_substring_regex(sample, r"[\pL\pN]", "x")
    top = pc.value_counts(shapes).field("counts").to_numpy().max()
    return bool(top >= IDENTIFIER_SHAPE_SHARE * len(sample))


def text_extras(
    series: pd.Series, summary: ColumnSummary, distinct: Distinct | None = None
) -> TextExtras:
    """Measure how the values of a text (or object) column parse, and find spelling variants.

    ``distinct`` may give the column's distinct values and counts (:func:`distinct_text`).
    """
    python_types: tuple[str, ...] = ()
    if ptypes.is_object_dtype(series.dtype):
        inferred = ptypes.infer_dtype(series, skipna=True)
        if inferred.startswith("mixed") and inferred != "mixed-integer-float":
            kinds = series.dropna().map(lambda v: type(v).__name__).unique()
            python_types = tuple(sorted(str(k) for k in kinds))
    values, counts = distinct_text(series) if distinct is None else distinct
    total = int(counts.sum())
    if total == 0:
        return TextExtras(0.0, False, 0.0, None, python_types=python_types)
    nums = _numbers(values)
    ok = np.isfinite(nums)
    numeric_share = float(counts[ok].sum()) / total
    whole = bool(ok.any()) and bool(np.all(nums[ok] == np.round(nums[ok])))
    whole = whole and bool(np.all(np.abs(nums[ok]) < 2**53))
    date_share, date_format = 0.0, None
    if numeric_share < PARSE_SHARE:
        date_share, date_format = _date_share(values, counts, total)
    variants: dict[str, str] = {}
    ws_only = True
    # Spelling variants are a matter of categories: mostly-unique text is not checked.
    categories = len(values) <= VARIANTS_MAX_DISTINCT * total
    if numeric_share < PARSE_SHARE and date_share < PARSE_SHARE and categories:
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


def decimals(x: np.ndarray) -> int | None:
    """Fewest decimals (at most 6) that write every finite value of ``x`` exactly."""
    if x.dtype.kind in "iub" or len(x) == 0:
        return 0
    sample = x[:: max(1, len(x) // _DECIMALS_SAMPLE)]
    for d in range(_MAX_DECIMALS + 1):
        for part in (sample, x):
            tol = 1e-9 * np.maximum(1.0, np.abs(part))
            if not bool(np.all(np.abs(np.round(part, d) - part) <= tol)):
                break
        else:
            return d
    return None


def _inward(lo: float, hi: float, d: int | None, integer: bool) -> tuple[float | int, float | int]:
    """Round the fences inward to ``d`` decimals: they then clip exactly the same values."""
    if integer:
        return math.ceil(lo), math.floor(hi)
    if d is None:
        return lo, hi
    scale = 10.0**d
    low = round(math.ceil(lo * scale - 1e-9) / scale, d)
    high = round(math.floor(hi * scale + 1e-9) / scale, d)
    return low, high


def _quantiles(uniq: np.ndarray, cum: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Linear-interpolation quantiles (as :func:`numpy.quantile`) of counted sorted values."""
    n = int(cum[-1])
    out = []
    for q in qs:
        h = n * q + (1 + q * -1) - 1  # numpy's virtual index for the linear method
        below = math.floor(h)
        t = h - below
        a = float(uniq[np.searchsorted(cum, below, side="right")])
        b = float(uniq[np.searchsorted(cum, min(below + 1, n - 1), side="right")])
        diff = b - a
        out.append(b - diff * (1 - t) if t >= 0.5 else a + diff * t)
    return out


def numeric_extras(values: np.ndarray, counts: np.ndarray | None = None) -> NumericExtras | None:
    """Exact skew, zero count and IQR outlier count of non-null numeric values.

    With ``counts``, ``values`` are the column's sorted distinct values and ``counts`` how
    often each occurs (as :func:`column_parts` keeps them): every figure is then computed on
    the distinct values, weighted.
    """
    if counts is None:
        values, counts = sorted_counts(values)
    integer = values.dtype.kind in "iu"
    x = values.astype(np.float64, copy=False)
    finite = np.isfinite(x)
    if not finite.all():
        x, counts = x[finite], counts[finite]
    if len(x) == 0:
        return None
    w = counts.astype(np.float64)
    cum = np.cumsum(counts)
    n = int(cum[-1])
    zeros = int(counts[x == 0].sum())
    q1, median, q3 = _quantiles(x, cum, (0.25, 0.5, 0.75))
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    outliers = int(counts[(x < lo) | (x > hi)].sum())
    places = decimals(x)
    clip_low, clip_high = _inward(lo, hi, places, integer=integer)
    skew: float | None = None
    if n > 2:
        d = x - float(np.dot(x, w)) / n
        m2 = float(np.dot(d * d, w)) / n
        if m2 > 0 and np.isfinite(m2):
            m3 = float(np.dot(d * d * d, w)) / n
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
        all_positive=bool(x[0] > 0),
        decimals=places,
        clip_low=0 if clip_low < 0 <= x[0] else clip_low,
        clip_high=clip_high,
    )


def _semantic(
    series: pd.Series, summ: ColumnSummary, text: TextExtras | None, counted: Distinct | None
) -> str:
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
        and distinct is not None
        and count >= IDENTIFIER_MIN_ROWS
        and (text is None or (text.mean_length or 0) < TEXT_MIN_LENGTH)
    ):
        if distinct == count:
            return "identifier"
        if distinct >= IDENTIFIER_MIN_DISTINCT * count and kind == "text":
            values, _ = distinct_text(series) if counted is None else counted
            if shaped_alike(values):
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
    return profile_column_parts(series, bins)[0]


def profile_column_parts(series: pd.Series, bins: int = 30) -> tuple[ColumnProfile, Repeats]:
    """Profile one column, and return which of its values repeat (for finding duplicate rows).

    The repeats are the distinct values seen more than once (text as an Arrow array, other
    kinds as a NumPy array, ``None`` when not counted) and whether missing values repeat.
    """
    info, prep, counted = column_parts(series, bins=bins, top=10)
    summ = info.summary
    text = None
    distinct = None
    if summ.kind in ("text", "other") and summ.distinct is not None:
        distinct = distinct_text(series, counted)
        text = text_extras(series, summ, distinct)
    semantic = _semantic(series, summ, text, distinct)
    numeric = None
    if summ.kind == "numeric" and semantic in ("numeric", "identifier") and "uniq" in counted:
        numeric = numeric_extras(counted["uniq"], counted["counts"])
    repeated: Any = None
    if "uniq" in counted and prep.kind in ("numeric", "datetime", "timedelta"):
        repeated = counted["uniq"][counted["counts"] > 1]
    elif "text_values" in counted:
        repeated = counted["text_values"].filter(pa.array(counted["text_counts"] > 1))
    column = ColumnProfile(
        name=cast("Label", series.name),
        semantic=semantic,
        summary=summ,
        histogram=info.histogram,
        numeric=numeric,
        text=text,
    )
    return column, Repeats(repeated, prep.nulls > 1)
