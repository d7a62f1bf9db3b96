"""Suggestions: one engine operation per alert, with a confidence and a rationale.

Each rule is a small function ``(alert, profile, df) -> Suggestion | None`` registered in
:data:`RULES` under the alert kind it answers. Applying a suggestion (``op`` with ``params``,
e.g. ``Session.apply(s.op, **s.params)``) clears the alert it answers.

==================  ===========================================================  ===========
alert kind          suggestion                                                   confidence
==================  ===========================================================  ===========
constant            ``drop_columns``                                             0.95
identifier          ``drop_columns``                                             0.85 when the
                                                                                 name reads as
                                                                                 an id, else 0.5
missing >= 60 %     ``drop_columns``                                             0.8 - 0.9
missing, numeric    ``fill_missing`` median (abs(skew) >= 1) or mean; integer    0.8 below 30 %
                    columns whose mean/median is not whole take the mode         missing, else 0.6
missing, category   ``fill_missing`` mode (categorical and boolean columns)      0.7 / 0.5
numbers_as_text     ``cast`` to Int64 (whole numbers) or float64, coerce         share that
                                                                                 converts
dates_as_text       ``cast`` to datetime64[ns] with the detected ``format``,     share that
                    coerce (``datetime64[ns, UTC]`` when the format has an       converts
                    offset or ``Z``: ``%z``)
mixed_types         ``cast`` to float64 (coerce) when most values are numbers,   0.5
                    else to str
category_variants   ``replace`` each variant by its group's clean form (the      0.9
                    stripped spelling with most rows); ``text`` strip / lower    0.85 / 0.6
                    above 500 variants
duplicate_rows      ``dedupe``                                                   0.9
outliers            ``formula`` clipping the column to its IQR fences, rounded   0.4
                    to the data's decimals (lower fence 0 when none is < 0)
high_correlation    ``drop_columns`` the second column of the pair               0.35
target_leakage      ``drop_columns`` the feature (of a pair: the first)          0.6 (0.4)
==================  ===========================================================  ===========

No rule (deliberately): ``skewed`` (the engine has no reversible transform that keeps the
column's meaning; a log column would not clear the alert, and missing values in skewed columns
get the median instead), ``many_zeros`` (zeros are usually real values), ``high_cardinality``
(no grouping operation) and ``imbalanced_target`` (no resampling operation).

The target column is never dropped or changed. A column that a suggestion drops gets no less
confident suggestion. Suggestions are computed from one profile: applying one can change other
figures (dropping a column can create duplicate rows), so profile again after applying.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pandas.api import types as ptypes

from hydroml_jupyter.analysis._core import jsonable
from hydroml_jupyter.analysis.profile import _shown as shown
from hydroml_jupyter.analysis.profile._alerts import THRESHOLDS
from hydroml_jupyter.analysis.profile._columns import looks_like_id
from hydroml_jupyter.analysis.profile._model import Alert, Profile
from hydroml_jupyter.labels import Label

_MAX_MAPPING = 500


@dataclass(frozen=True)
class Suggestion:
    """A proposed cleaning step: an engine operation answering one alert."""

    op: str
    params: dict[str, Any]
    alert: Alert
    confidence: float
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        """Return the suggestion with JSON-friendly values."""
        return {
            "op": self.op,
            "params": jsonable(self.params),
            "alert": self.alert.to_dict(),
            "confidence": self.confidence,
            "rationale": self.rationale,
        }


Rule = Callable[[Alert, Profile, pd.DataFrame], "Suggestion | None"]


def _drop(alert: Alert, column: Label, confidence: float, why: str) -> Suggestion:
    return Suggestion("drop_columns", {"columns": [column]}, alert, confidence, why)


def rule_constant(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop a constant column: it carries no information."""
    (c,) = alert.columns
    return _drop(alert, c, 0.95, f"{alert.message}, so it carries no information: drop it")


def rule_identifier(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop an identifier column; surer when its name reads as an id."""
    (c,) = alert.columns
    named = looks_like_id(c)
    return _drop(
        alert,
        c,
        0.85 if named else 0.5,
        f"{alert.message}{' and its name reads as an id' if named else ''}: drop it "
        "before modelling",
    )


def rule_missing(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop mostly-missing columns; fill the others by median, mean or mode."""
    (c,) = alert.columns
    col = p.columns[c]
    share = float(alert.figure)
    if share >= THRESHOLDS["missing_high"]:
        conf = round(0.8 + 0.1 * (share - 0.6) / 0.4, 3)
        return _drop(alert, c, conf, f"{alert.message}: too little is left to fill; drop it")
    sure = share < 0.3
    if col.semantic == "numeric" and col.summary.kind == "numeric":
        skew = col.numeric.skew if col.numeric is not None else None
        strategy = "median" if skew is not None and abs(skew) >= THRESHOLDS["skewed"] else "mean"
        s = df[c]
        if ptypes.is_integer_dtype(s.dtype):
            value = getattr(s, strategy)()
            if float(value) != int(value):
                strategy = "median" if float(s.median()).is_integer() else "mode"
        shape = f" and skewed ({skew:.1f})" if strategy == "median" and skew is not None else ""
        return Suggestion(
            "fill_missing",
            {"column": c, "strategy": strategy},
            alert,
            0.8 if sure else 0.6,
            f"{alert.message}{shape}: fill with the {strategy}",
        )
    if col.semantic in ("categorical", "boolean"):
        return Suggestion(
            "fill_missing",
            {"column": c, "strategy": "mode"},
            alert,
            0.7 if sure else 0.5,
            f"{alert.message}: fill with the most frequent value",
        )
    return None


def rule_numbers_as_text(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Cast numbers stored as text to Int64 or float64; unconvertible values become missing."""
    (c,) = alert.columns
    text = p.columns[c].text
    assert text is not None
    dtype = "Int64" if text.whole_numbers else "float64"
    return Suggestion(
        "cast",
        {"column": c, "dtype": dtype, "errors": "coerce"},
        alert,
        round(float(alert.figure), 3),
        f"{alert.message}: cast to {dtype}, the rest become missing",
    )


def rule_dates_as_text(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Cast dates stored as text with the detected format (to UTC when they carry offsets)."""
    (c,) = alert.columns
    text = p.columns[c].text
    assert text is not None
    fmt = text.date_format or ""
    aware = "%z" in fmt or "%Z" in fmt
    dtype = "datetime64[ns, UTC]" if aware else "datetime64[ns]"
    return Suggestion(
        "cast",
        {"column": c, "dtype": dtype, "errors": "coerce", "format": text.date_format},
        alert,
        round(float(alert.figure), 3),
        f"{alert.message}: cast to {dtype}"
        + (" (the text has time-zone offsets)" if aware else "")
        + ", the rest become missing",
    )


def rule_mixed_types(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Make a mixed column one type: numbers when most values are numbers, else text."""
    (c,) = alert.columns
    text = p.columns[c].text
    assert text is not None
    if text.numeric_share >= THRESHOLDS["mixed_numbers"]:
        params: dict[str, Any] = {"column": c, "dtype": "float64", "errors": "coerce"}
        why = f"{alert.message}: cast to float64, the text values become missing"
    else:
        params = {"column": c, "dtype": "str"}
        why = f"{alert.message}: cast everything to text"
    return Suggestion("cast", params, alert, 0.5, why)


def rule_category_variants(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Replace spellings that differ only in spaces or case by the most frequent one."""
    (c,) = alert.columns
    text = p.columns[c].text
    assert text is not None
    if len(text.variants) <= _MAX_MAPPING:
        return Suggestion(
            "replace",
            {"column": c, "mapping": dict(text.variants)},
            alert,
            0.9,
            f"{alert.message}: replace each by its clean spelling",
        )
    if text.whitespace_only:
        return Suggestion(
            "text", {"column": c, "action": "strip"}, alert, 0.85, f"{alert.message}: strip spaces"
        )
    return Suggestion(
        "text", {"column": c, "action": "lower"}, alert, 0.6, f"{alert.message}: lower-case it"
    )


def rule_duplicate_rows(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop duplicate rows, keeping the first copy."""
    return Suggestion(
        "dedupe", {"keep": "first"}, alert, 0.9, f"{alert.message}: drop them, keep the first"
    )


def rule_outliers(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Clip a column to its IQR fences (in place, with a formula)."""
    (c,) = alert.columns
    num = p.columns[c].numeric
    if num is None or not isinstance(c, str) or "`" in c:
        return None
    lo, hi = num.clip_low, num.clip_high
    return Suggestion(
        "formula",
        {"column": c, "expr": f"clip(`{c}`, {lo!r}, {hi!r})"},
        alert,
        0.4,
        f"{alert.message}: clip to the fences (check they are errors first)",
    )


def rule_high_correlation(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop the second column of a highly correlated pair."""
    a, b = alert.columns
    return _drop(alert, b, 0.35, f"{alert.message}: {b} adds little beside {a}; drop it")


def rule_target_leakage(alert: Alert, p: Profile, df: pd.DataFrame) -> Suggestion | None:
    """Drop a feature that alone predicts the target (it may be known only afterwards).

    For a pair whose difference predicts it, drop the first: one of the two is likely known
    only after the outcome (an arrival time beside the scheduled one); the rationale says so.
    """
    *features, _target = alert.columns
    if len(features) == 1:
        return _drop(
            alert,
            features[0],
            0.6,
            f"{alert.message}: it may only be known after the outcome; drop it",
        )
    first, second = features
    return _drop(
        alert,
        first,
        0.4,
        f"{alert.message}: one of them may only be known after the outcome; drop "
        f"{shown.label(first)} (or {shown.label(second)}, whichever comes later)",
    )


RULES: tuple[tuple[str, Rule], ...] = (
    ("constant", rule_constant),
    ("identifier", rule_identifier),
    ("missing", rule_missing),
    ("numbers_as_text", rule_numbers_as_text),
    ("dates_as_text", rule_dates_as_text),
    ("mixed_types", rule_mixed_types),
    ("category_variants", rule_category_variants),
    ("duplicate_rows", rule_duplicate_rows),
    ("outliers", rule_outliers),
    ("high_correlation", rule_high_correlation),
    ("target_leakage", rule_target_leakage),
)


def _changed_columns(s: Suggestion) -> list[Label]:
    if s.op == "drop_columns":
        return list(s.params["columns"])
    return [s.params["column"]] if "column" in s.params else []


def suggest(profile: Profile, df: pd.DataFrame, target: Label | None = None) -> list[Suggestion]:
    """Propose cleaning steps answering the profile's alerts, most confident first.

    Parameters
    ----------
    profile
        The profile of ``df``.
    df
        The frame that was profiled.
    target
        The prediction target (never dropped or changed); defaults to ``profile.target``.

    Returns
    -------
    list of Suggestion
        Sorted by confidence, highest first.
    """
    target = profile.target if target is None else target
    rules = dict(RULES)
    made: list[Suggestion] = []
    for alert in profile.alerts:
        rule = rules.get(alert.kind)
        sugg = rule(alert, profile, df) if rule is not None else None
        if sugg is None or (target is not None and target in _changed_columns(sugg)):
            continue
        made.append(sugg)
    made.sort(key=lambda s: -s.confidence)
    dropped: set[Label] = set()
    out: list[Suggestion] = []
    for sugg in made:
        cols = _changed_columns(sugg)
        if any(c in dropped for c in cols):
            continue
        if sugg.op == "drop_columns":
            dropped.update(cols)
        out.append(sugg)
    return out
