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
target_leakage         a feature alone (or the difference of two numeric     high
                       features on one scale) predicts the target on
                       held-out rows: ROC AUC >= 0.98 (two classes), 95 %
                       of the majority class's errors avoided (more
                       classes), rank R² >= 0.95 or abs(Pearson) >= 0.98
                       (numeric target); see ``_leakage``
=====================  ====================================================  ================

Every column at least 5 % missing gets its missing alert, whatever else it gets (a constant
column too). Values and column names in messages are quoted for display, one line, clipped.
"""

from __future__ import annotations

import pandas as pd

from hydroml_jupyter.analysis.profile import _leakage as lk
from hydroml_jupyter.analysis.profile import _shown as shown
from hydroml_jupyter.analysis.profile._columns import PARSE_SHARE
from hydroml_jupyter.analysis.profile._dataset import Coded
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
    "leakage_auc": 0.98,
    "leakage_accuracy": 0.95,
    "leakage_r2": 0.95,
    "leakage_correlation": 0.98,
    "leakage_min_rows": 10,
}
_SEVERITY = {"high": 0, "medium": 1, "low": 2}


def _name(c: Label) -> str:
    return shown.label(c)


def column_alerts(col: ColumnProfile) -> list[Alert]:
    """Alerts about one column on its own."""
    t, s, name = THRESHOLDS, col.summary, _name(col.name)
    out: list[Alert] = []

    def add(kind: str, severity: str, figure: float | int, message: str) -> None:
        out.append(Alert(kind, (col.name,), severity, figure, message))

    if col.semantic == "constant":
        what = "no values" if not s.count else f"one value ({shown.value(s.top[0][0])})"
        add("constant", "medium", s.distinct or 0, f"{name} is constant: {what}")
    if s.null_share >= t["missing"]:
        share = s.null_share
        sev = (
            "high"
            if share >= t["missing_high"]
            else ("medium" if share >= t["missing_medium"] else "low")
        )
        add("missing", sev, round(share, 4), f"{name} is {share:.1%} missing")
    if col.semantic == "identifier":
        if s.distinct == s.count:
            add("identifier", "low", s.distinct or 0, f"{name} has a distinct value in every row")
        else:
            example = f" (e.g. {shown.value(s.top[0][0])})" if s.top else ""
            add(
                "identifier",
                "low",
                s.distinct or 0,
                f"{name} looks like an identifier: {s.distinct:,} distinct values in "
                f"{s.count:,} rows, all shaped alike{example}",
            )
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
            low, high = num.clip_low, num.clip_high
            where = f"outside [{low!r}, {high!r}]"
            if s.min is not None and low <= s.min:
                where = f"above {high!r}"
            elif s.max is not None and high >= s.max:
                where = f"below {low!r}"
            add(
                "outliers",
                sev,
                num.outliers,
                f"{name} has {num.outliers:,} outliers ({num.outliers_share:.1%}) {where}",
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
                f"(e.g. {shown.value(old)} for {shown.value(new)})",
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


def _leak_alert(features: tuple[Label, ...], target: Label, found: lk.Score, alone: str) -> Alert:
    what = " minus ".join(_name(f) for f in features)
    if found.metric == "accuracy":
        figure = f"accuracy {found.value:.1%} (majority class: {found.baseline:.1%})"
    else:
        figure = f"{found.metric} {found.value:.3f}"
    return Alert(
        "target_leakage",
        (*features, target),
        "high",
        round(found.value, 4),
        f"{what}{alone} predicts {_name(target)} with {figure} on held-out rows",
    )


def _leaks(found: lk.Score) -> bool:
    limit = {"ROC AUC": "leakage_auc", "accuracy": "leakage_accuracy", "rank R²": "leakage_r2"}
    if found.metric == "ROC AUC":
        return found.value >= THRESHOLDS[limit[found.metric]]
    return lk.strength(found) >= THRESHOLDS[limit[found.metric]]


def leakage_alerts(
    df: pd.DataFrame,
    columns: dict[Label, ColumnProfile],
    target: Label,
    kind: str,
    flagged: set[Label],
    *,
    coded: Coded | None = None,
) -> tuple[list[Alert], dict[str, str]]:
    """Features (or differences of two) that alone predict ``target`` on held-out rows.

    ``coded`` may hold columns' codes already (:func:`association` keeps them).
    """
    made = lk.make_task(df[target], kind, (coded or {}).get(target))
    if made is None:
        return [], {}
    task, rows = made
    if len(task.test) < THRESHOLDS["leakage_min_rows"]:
        return [], {}
    scores, sampled = lk.feature_scores(df, columns, target, task, rows, coded=coded or {})
    out: list[Alert] = []
    for name, found in scores.items():
        if name not in flagged and _leaks(found):
            out.append(_leak_alert((name,), target, found, " alone"))
            flagged.add(name)
    for (a, b), found in lk.difference_scores(sampled, task, flagged).items():
        if _leaks(found):
            each = ", ".join(f"{scores[c].value:.2f}" if c in scores else "-" for c in (a, b))
            out.append(_leak_alert((a, b), target, found, f" (each alone: {each})"))
    note = {}
    # rows lacking a target are left out, not sampled: only a cut to SAMPLE rows is a sample
    if len(rows) == lk.SAMPLE and int(df[target].notna().sum()) > lk.SAMPLE:
        note["target_leakage"] = (
            f"one-feature models fitted on {len(task.fit):,} and scored on {len(task.test):,} "
            f"other rows of {len(rows):,} sampled (fixed seed)"
        )
    return out, note


def target_alerts(
    df: pd.DataFrame,
    columns: dict[Label, ColumnProfile],
    dataset: DatasetProfile,
    target: Label,
    *,
    coded: Coded | None = None,
) -> tuple[list[Alert], dict[str, str]]:
    """Imbalanced-target and target-leakage alerts for ``target``, and what was sampled."""
    tcol = columns[target]
    out: list[Alert] = []
    classification = tcol.semantic in ("boolean", "categorical") or (
        tcol.semantic == "numeric" and (tcol.summary.distinct or 0) <= 10
    )
    tname = _name(target)
    flagged: set[Label] = set()
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
    elif target in dataset.correlation_columns:
        ti = dataset.correlation_columns.index(target)
        for j, other in enumerate(dataset.correlation_columns):
            r = dataset.correlation[ti][j]
            if other != target and r is not None and abs(r) >= THRESHOLDS["leakage_correlation"]:
                flagged.add(other)
                out.append(
                    Alert(
                        "target_leakage",
                        (other, target),
                        "high",
                        r,
                        f"{_name(other)} almost determines {tname} (correlation {r:.3f})",
                    )
                )
    if not classification and tcol.summary.kind != "numeric":
        return out, {}  # text, dates: no target a model could predict as it is
    kind = "classification" if classification else "regression"
    leaks, note = leakage_alerts(df, columns, target, kind, flagged, coded=coded)
    return out + leaks, note


def sort_alerts(alerts: list[Alert]) -> list[Alert]:
    """Most severe first; ties keep their order."""
    return sorted(alerts, key=lambda a: _SEVERITY[a.severity])
