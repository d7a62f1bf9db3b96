"""Target leakage: features that alone predict the target almost perfectly on held-out rows.

Each feature becomes a one-feature model, fitted on half of a sample of rows and scored on
the other half, so a feature that merely has many values (an id, a timestamp) scores no
better than chance, while one that is only known after the outcome stands out:

* the feature is cut into groups: its values (categorical and boolean columns) or up to 64
  quantile bins of the fitting half (numbers, dates, durations); missing values are a group;
* each group predicts what it held in the fitting half: the positive rate (a two-class
  target, scored by ROC AUC), the most frequent class (more classes, scored by accuracy, as
  the share of the majority class's errors it avoids) or the mean rank (a numeric target,
  scored by R² on the target's ranks, so extreme values do not decide); a group unseen in
  the fitting half predicts the overall rate, class or mean rank.

Pairs of numeric features on the same scale (their 5-95 % ranges overlap and their widths
differ less than fourfold) are tried as their difference too: an arrival time minus the
scheduled arrival is the delay, though neither says much alone.

Everything runs on at most :data:`SAMPLE` rows drawn with a fixed seed, so the figures are
reproducible and the cost does not grow with the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hydroml_jupyter.analysis.profile._dataset import Coded, codes_of
from hydroml_jupyter.analysis.profile._model import ColumnProfile
from hydroml_jupyter.labels import Label

#: Rows the leakage check fits and scores on at most (half each).
SAMPLE = 10_000
#: Quantile bins of a numeric feature.
BINS = 64
#: A group needs this many fitting rows on average, or small groups look pure by chance.
ROWS_PER_GROUP = 10
#: Numeric pairs tried as differences, at most.
MAX_PAIRS = 200
_CODED = ("categorical", "boolean")
_NUMBERS = ("numeric",)
_KINDS = ("numeric", "datetime", "timedelta")


@dataclass(frozen=True)
class Score:
    """A one-feature model's held-out score: the figure, its name and the baseline."""

    value: float
    metric: str
    baseline: float


@dataclass(frozen=True)
class Task:
    """The target on the sampled rows, split into a fitting half and a scoring half."""

    kind: str  # "binary", "classes" or "regression"
    y: np.ndarray  # codes (classification) or floats (regression), sampled rows
    fit: np.ndarray  # positions in the sample of the fitting half
    test: np.ndarray
    classes: int


def sample_rows(n: int, present: np.ndarray) -> np.ndarray:
    """Positions of at most :data:`SAMPLE` rows where the target is present, fixed seed."""
    rows = np.flatnonzero(present)
    if len(rows) > SAMPLE:
        rows = np.sort(np.random.default_rng(0).choice(rows, SAMPLE, replace=False))
    return rows


def make_task(
    target: pd.Series, kind: str, coded: tuple[np.ndarray, int] | None = None
) -> tuple[Task, np.ndarray] | None:
    """Sample and split the rows for ``target``; ``None`` when too few rows or one class.

    ``coded`` may give the target's codes (:func:`codes_of`) when already computed.
    """
    if kind == "regression":
        y_all = target.to_numpy(dtype=np.float64, na_value=np.nan)
        rows = sample_rows(len(y_all), np.isfinite(y_all))
        # Ranks, so that a few extreme values do not decide the score.
        y, classes = pd.Series(y_all[rows]).rank(pct=True).to_numpy(), 0
    else:
        codes, classes = codes_of(target) if coded is None else coded
        rows = sample_rows(len(codes), codes >= 0)
        y = codes[rows]
        kind = "binary" if classes == 2 else "classes"
    if len(rows) < 2 * ROWS_PER_GROUP:
        return None
    order = np.random.default_rng(1).permutation(len(rows))
    fit, test = np.sort(order[: len(rows) // 2]), np.sort(order[len(rows) // 2 :])
    if kind != "regression" and len(np.unique(y[test])) < 2:
        return None
    return Task(kind, y, fit, test, classes), rows


def numbers(series: pd.Series) -> np.ndarray | None:
    """Return a numeric, datetime or timedelta column as float64 (NaN: missing), or ``None``."""
    ints = getattr(series.array, "asi8", None)  # datetimes (tz-aware too) and durations
    if ints is not None:
        return np.where(series.isna().to_numpy(), np.nan, ints.astype(np.float64))
    try:
        out = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        return None
    return np.where(np.isfinite(out), out, np.nan)


def binned(x: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Quantile-bin codes of ``x`` with edges from the fitting rows; missing is the last bin."""
    ok = ~np.isnan(x[fit])
    bins = min(BINS, int(ok.sum()) // ROWS_PER_GROUP)
    if bins < 2:
        return None
    edges = np.unique(np.quantile(x[fit][ok], np.linspace(0, 1, bins + 1)[1:-1]))
    codes = np.searchsorted(edges, x, side="right")
    k = len(edges) + 1
    codes[np.isnan(x)] = k
    return codes, k + 1


def score(codes: np.ndarray, k: int, task: Task) -> Score | None:
    """Fit a per-group model on the fitting half, score it on the other half."""
    fit_c, test_c = codes[task.fit], codes[task.test]
    y_fit, y_test = task.y[task.fit], task.y[task.test]
    seen = np.bincount(fit_c, minlength=k)
    if task.kind == "regression":
        total = np.bincount(fit_c, weights=y_fit, minlength=k)
        pred = np.where(seen > 0, total / np.maximum(seen, 1), y_fit.mean())[test_c]
        sst = float(np.sum((y_test - y_test.mean()) ** 2))
        if sst <= 0:
            return None
        return Score(1.0 - float(np.sum((y_test - pred) ** 2)) / sst, "rank R²", 0.0)
    if task.kind == "binary":
        pos = np.bincount(fit_c, weights=(y_fit == 1).astype(np.float64), minlength=k)
        rate = np.where(seen > 0, pos / np.maximum(seen, 1), float(np.mean(y_fit == 1)))
        levels, level_of_group = np.unique(rate, return_inverse=True)
        return Score(auc(level_of_group[test_c], len(levels), y_test == 1), "ROC AUC", 0.5)
    table = np.bincount(fit_c * task.classes + y_fit, minlength=k * task.classes)
    table = table.reshape(k, task.classes)
    overall = int(np.bincount(y_fit, minlength=task.classes).argmax())
    best = np.where(seen > 0, table.argmax(axis=1), overall)
    accuracy = float(np.mean(best[test_c] == y_test))
    base = float(np.mean(y_test == overall))
    return Score(accuracy, "accuracy", base)


def auc(level: np.ndarray, levels: int, positive: np.ndarray) -> float:
    """ROC AUC of scores given as ranked ``level`` codes, for boolean labels (ties: a half)."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    pos = np.bincount(level, weights=positive.astype(np.float64), minlength=levels)
    neg = np.bincount(level, weights=(~positive).astype(np.float64), minlength=levels)
    below = np.cumsum(neg) - neg
    return float(np.sum(pos * (below + 0.5 * neg)) / (n_pos * n_neg))


def strength(s: Score) -> float:
    """How far the score goes from its baseline toward perfect (1 is perfect)."""
    if s.metric == "ROC AUC":
        return 2.0 * (s.value - 0.5)
    if s.baseline >= 1:
        return 0.0
    return (s.value - s.baseline) / (1.0 - s.baseline)


def feature_scores(
    df: pd.DataFrame,
    columns: dict[Label, ColumnProfile],
    target: Label,
    task: Task,
    rows: np.ndarray,
    *,
    coded: Coded,
) -> tuple[dict[Label, Score], dict[Label, np.ndarray]]:
    """Held-out scores of every usable feature alone, and the sampled numbers of numeric ones.

    Codes of categorical columns are taken from ``coded`` when there.
    """
    scores: dict[Label, Score] = {}
    sampled: dict[Label, np.ndarray] = {}
    for col in columns.values():
        usable = col.semantic in ("numeric", "datetime") and col.summary.kind in _KINDS
        if col.name == target or not (usable or col.semantic in _CODED):
            continue
        groups: tuple[np.ndarray, int] | None = None
        if col.semantic in _CODED:
            if (col.summary.distinct or 0) > len(task.fit) // ROWS_PER_GROUP:
                continue
            if col.name in coded:
                all_codes, k = coded[col.name]
                codes = all_codes[rows]
            else:
                codes, k = codes_of(df[col.name].iloc[rows])
            groups = np.where(codes < 0, k, codes), k + 1
        else:
            x = numbers(df[col.name].iloc[rows])
            if x is not None:
                groups = binned(x, task.fit)
                if col.semantic in _NUMBERS and col.summary.kind == "numeric":
                    sampled[col.name] = x
        if groups is not None:
            found = score(groups[0], groups[1], task)
            if found is not None:
                scores[col.name] = found
    return scores, sampled


def pairs(sampled: dict[Label, np.ndarray], fit: np.ndarray) -> list[tuple[Label, Label]]:
    """Numeric pairs on the same scale, whose difference may mean something."""
    spans: dict[Label, tuple[float, float]] = {}
    for name, x in sampled.items():
        ok = x[fit][~np.isnan(x[fit])]
        if len(ok):
            lo, hi = (float(q) for q in np.quantile(ok, [0.05, 0.95]))
            if hi > lo:
                spans[name] = (lo, hi)
    names = list(spans)
    out: list[tuple[Label, Label]] = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (alo, ahi), (blo, bhi) = spans[a], spans[b]
            wa, wb = ahi - alo, bhi - blo
            if min(ahi, bhi) > max(alo, blo) and max(wa, wb) < 4 * min(wa, wb):
                out.append((a, b))
    return out[:MAX_PAIRS]


def difference_scores(
    sampled: dict[Label, np.ndarray], task: Task, skip: set[Label]
) -> dict[tuple[Label, Label], Score]:
    """Held-out scores of the differences of numeric pairs (pairs with a leaker left out)."""
    out: dict[tuple[Label, Label], Score] = {}
    for a, b in pairs(sampled, task.fit):
        if a in skip or b in skip:
            continue
        coded = binned(sampled[a] - sampled[b], task.fit)
        if coded is not None:
            found = score(coded[0], coded[1], task)
            if found is not None:
                out[(a, b)] = found
    return out
