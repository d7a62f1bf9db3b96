"""Alerts: the rules that turn profile figures into findings.

=====================  ====================================================  ================
kind                   fires when                                            severity
=====================  ====================================================  ================
constant               at most one distinct value (all-null included)        medium
missing                missing share >= 5 %                                  high >= 60 %,
                                                                             medium >= 20 %
high_cardinality       categorical or text column with > 50 distinct values  low
identifier             every value distinct (see the semantic types)         low
skewed                 numeric, abs(skew) >= 1                               medium >= 2
many_zeros             numeric, zero share >= 30 %                           low
outliers               numeric, share outside the IQR fences > 1 %           medium > 5 %
imbalanced_target      classification target, majority / minority >= 9       high >= 49
duplicate_rows         at least one row equals an earlier row                medium >= 5 %
high_correlation       abs(Pearson) >= 0.95 or Cramér's V >= 0.95            medium
                       (pairs without the target)
mixed_types            object column with several Python types, or text      medium
                       column where 50-90 % of the values are numbers
numbers_as_text        text column, >= 90 % of the values are numbers        medium
dates_as_text          text column, >= 90 % of the values are dates          medium
category_variants      spellings differing only in spaces or letter case    medium
target_leakage         a feature almost determines the target: it predicts   high
                       >= 95 % of what the majority class gets wrong
                       (classification), or abs(Pearson) >= 0.98
                       (regression, numeric features)
=====================  ====================================================  ================

A constant column raises no missing alert (the constant alert covers it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydroml_jupyter.analysis.profile._columns import PARSE_SHARE
from hydroml_jupyter.analysis.profile._dataset import codes_of
from hydroml_jupyter.analysis.profile._model import Alert, ColumnProfile, DatasetProfile
from hydroml_jupyter.labels import Label

THRESHOLDS: dict[str, float] = {
    "missing": 0.05,
    "missing_medium": 0.2,
    "missing_high": 0.6,
    "high_cardinality": 50,
    "skewed": 1.0,
    "skewed_medium": 2.0,
    "many_zeros": 0.3,
    "outliers": 0.01,
    "outliers_medium": 0.05,
    "imbalance_ratio": 9.0,
    "imbalance_ratio_high": 49.0,
    "duplicates_medium": 0.05,
    "correlation": 0.95,
    "mixed_numbers": 0.5,
    "leakage_purity": 0.95,
    "leakage_correlation": 0.98,
    "leakage_min_rows": 20,
}
_LEAK_BINS = 64
# Groups (values or bins) must average this many rows, or small groups look pure by chance.
_LEAK_ROWS_PER_GROUP = 20
_SEVERITY = {"high": 0, "medium": 1, "low": 2}


def _name(c: Label) -> str:
    return str(c)


def column_alerts(col: ColumnProfile) -> list[Alert]:
    """Alerts about one column on its own."""
    t, s, name = THRESHOLDS, col.summary, _name(col.name)
    out: list[Alert] = []

    def add(kind: str, severity: str, figure: float | int, message: str) -> None:
        out.append(Alert(kind, (col.name,), severity, figure, message))

    if col.semantic == "constant":
        what = "no values" if not s.count else f"one value ({s.top[0][0]!r})"
        add("constant", "medium", s.distinct or 0, f"{name} is constant: {what}")
        return out
    if s.null_share >= t["missing"]:
        share = s.null_share
        sev = (
            "high"
            if share >= t["missing_high"]
            else ("medium" if share >= t["missing_medium"] else "low")
        )
        add("missing", sev, round(share, 4), f"{name} is {share:.1%} missing")
    if col.semantic == "identifier":
        add("identifier", "low", s.distinct or 0, f"{name} has a distinct value in every row")
    elif col.semantic in ("categorical", "text") and (s.distinct or 0) > t["high_cardinality"]:
        add(
            "high_cardinality", "low", s.distinct or 0, f"{name} has {s.distinct:,} distinct values"
        )
    num = col.numeric
    if num is not None and col.semantic == "numeric":
        if num.skew is not None and abs(num.skew) >= t["skewed"]:
            sev = "medium" if abs(num.skew) >= t["skewed_medium"] else "low"
            add("skewed", sev, round(num.skew, 4), f"{name} is skewed ({num.skew:.2f})")
        if num.zeros_share >= t["many_zeros"]:
            add("many_zeros", "low", num.zeros, f"{name} is {num.zeros_share:.1%} zeros")
        if num.outliers_share > t["outliers"]:
            sev = "medium" if num.outliers_share > t["outliers_medium"] else "low"
            add(
                "outliers",
                sev,
                num.outliers,
                f"{name} has {num.outliers:,} outliers ({num.outliers_share:.1%}) outside "
                f"[{num.low_fence:.4g}, {num.high_fence:.4g}]",
            )
    text = col.text
    if text is not None:
        if text.python_types:
            add(
                "mixed_types",
                "medium",
                len(text.python_types),
                f"{name} mixes {len(text.python_types)} types: {', '.join(text.python_types)}",
            )
        elif t["mixed_numbers"] <= text.numeric_share < PARSE_SHARE:
            add(
                "mixed_types",
                "medium",
                round(text.numeric_share, 4),
                f"{name} mixes numbers ({text.numeric_share:.1%}) and text",
            )
        if col.semantic == "numbers_as_text":
            add(
                "numbers_as_text",
                "medium",
                round(text.numeric_share, 4),
                f"{name} holds numbers as text ({text.numeric_share:.1%} convert)",
            )
        if col.semantic == "dates_as_text":
            add(
                "dates_as_text",
                "medium",
                round(text.date_share, 4),
                f"{name} holds dates as text ({text.date_share:.1%} convert as {text.date_format})",
            )
        if text.variants:
            old, new = next(iter(text.variants.items()))
            add(
                "category_variants",
                "medium",
                len(text.variants),
                f"{name} has {len(text.variants)} spellings differing only in spaces or case "
                f"(e.g. {old!r} for {new!r})",
            )
    return out


def pair_alerts(dataset: DatasetProfile, target: Label | None) -> list[Alert]:
    """Duplicate rows and highly correlated or associated pairs (target left out)."""
    out: list[Alert] = []
    dup, n = dataset.duplicate_rows, dataset.rows
    if dup:
        sev = "medium" if dup >= THRESHOLDS["duplicates_medium"] * n else "low"
        out.append(
            Alert("duplicate_rows", (), sev, dup, f"{dup:,} rows ({dup / n:.1%}) are duplicates")
        )
    for cols, matrix, what in (
        (dataset.correlation_columns, dataset.correlation, "correlation"),
        (dataset.association_columns, dataset.association, "Cramér's V"),
    ):
        for i, a in enumerate(cols):
            for j in range(i + 1, len(cols)):
                r, b = matrix[i][j], cols[j]
                if r is None or target in (a, b) or abs(r) < THRESHOLDS["correlation"]:
                    continue
                out.append(
                    Alert(
                        "high_correlation",
                        (a, b),
                        "medium",
                        r,
                        f"{_name(a)} and {_name(b)} are highly correlated ({what} {r:.3f})",
                    )
                )
    return out


def _purity(feature: np.ndarray, kf: int, target: np.ndarray, kt: int) -> tuple[float, float, int]:
    """Share of rows the feature's groups classify right, the majority-class share, rows."""
    both = (feature >= 0) & (target >= 0)
    f, y = feature[both], target[both]
    n = len(f)
    if n == 0:
        return 0.0, 1.0, 0
    table = np.bincount(f * kt + y, minlength=kf * kt).reshape(kf, kt)
    return float(table.max(axis=1).sum()) / n, float(table.sum(axis=0).max()) / n, n


def _feature_codes(df: pd.DataFrame, col: ColumnProfile) -> tuple[np.ndarray, int] | None:
    s = df[col.name]
    if col.semantic in ("categorical", "boolean"):
        codes, k = codes_of(s)
        return (codes, k) if k <= len(s) // _LEAK_ROWS_PER_GROUP else None
    if col.semantic == "numeric":
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = np.isfinite(x)
        if not ok.any():
            return None
        bins = min(_LEAK_BINS, int(ok.sum()) // _LEAK_ROWS_PER_GROUP)
        if bins < 2:
            return None
        edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, bins + 1)[1:-1]))
        codes = np.searchsorted(edges, x, side="right").astype(np.int64)
        codes[~ok] = -1
        return codes, len(edges) + 1
    return None


def target_alerts(
    df: pd.DataFrame,
    columns: dict[Label, ColumnProfile],
    dataset: DatasetProfile,
    target: Label,
) -> list[Alert]:
    """Imbalanced-target and target-leakage alerts for ``target``."""
    tcol = columns[target]
    out: list[Alert] = []
    classification = tcol.semantic in ("boolean", "categorical") or (
        tcol.semantic == "numeric" and (tcol.summary.distinct or 0) <= 10
    )
    tname = _name(target)
    if classification:
        counts = [c for _, c in tcol.summary.top]
        if tcol.summary.distinct and tcol.summary.distinct > len(counts):
            vc = df[target].value_counts(dropna=True)
            counts = vc.tolist()
        if len(counts) >= 2 and counts[-1] > 0:
            ratio = max(counts) / min(counts)
            if ratio >= THRESHOLDS["imbalance_ratio"]:
                share = min(counts) / sum(counts)
                sev = "high" if ratio >= THRESHOLDS["imbalance_ratio_high"] else "medium"
                out.append(
                    Alert(
                        "imbalanced_target",
                        (target,),
                        sev,
                        round(share, 4),
                        f"{tname} is imbalanced: its rarest class is {share:.1%} of the rows",
                    )
                )
        tcodes, kt = codes_of(df[target])
        for col in columns.values():
            if col.name == target:
                continue
            coded = _feature_codes(df, col)
            if coded is None:
                continue
            acc, base, n = _purity(coded[0], coded[1], tcodes, kt)
            if n < THRESHOLDS["leakage_min_rows"] or base >= 1:
                continue
            score = (acc - base) / (1 - base)
            if score >= THRESHOLDS["leakage_purity"]:
                out.append(
                    Alert(
                        "target_leakage",
                        (col.name, target),
                        "high",
                        round(acc, 4),
                        f"{_name(col.name)} almost determines {tname}: it predicts it in "
                        f"{acc:.1%} of rows (majority class alone: {base:.1%})",
                    )
                )
        return out
    if target in dataset.correlation_columns:
        ti = dataset.correlation_columns.index(target)
        for j, other in enumerate(dataset.correlation_columns):
            r = dataset.correlation[ti][j]
            if other != target and r is not None and abs(r) >= THRESHOLDS["leakage_correlation"]:
                out.append(
                    Alert(
                        "target_leakage",
                        (other, target),
                        "high",
                        r,
                        f"{_name(other)} almost determines {tname} (correlation {r:.3f})",
                    )
                )
    return out


def sort_alerts(alerts: list[Alert]) -> list[Alert]:
    """Most severe first; ties keep their order."""
    return sorted(alerts, key=lambda a: _SEVERITY[a.severity])
