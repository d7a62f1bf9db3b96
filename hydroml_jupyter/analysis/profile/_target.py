"""Target detection: rank the columns that may be the prediction target.

Each column earns points for its name, its position and its type and cardinality:

==========================  ======  =====================================================
signal                      points  when
==========================  ======  =====================================================
name is a target word       0.45    ``target``, ``label``, ``class``, ``y``, ``churned``, ...
name contains a target word 0.30    ``is_fraud``, ``sale_price``, ``churn_flag``, ...
last column                 0.20
first column                -0.10   first columns are usually keys
2 to 20 classes             0.25    boolean, categorical or integer: classification
continuous numeric          0.15    regression
many missing values         -0.20   more than 20 % missing
==========================  ======  =====================================================

Identifiers, constants, free text, dates and text-encoded numbers or dates are never
candidates. The confidence is the points clipped to ``[0, 1]``; candidates with none are left
out.
"""

from __future__ import annotations

import re

import pandas as pd

from hydroml_jupyter.analysis.profile._columns import profile_column
from hydroml_jupyter.analysis.profile._model import ColumnProfile, TargetCandidate
from hydroml_jupyter.labels import Label

TARGET_WORDS = (
    "target",
    "label",
    "labels",
    "class",
    "y",
    "outcome",
    "response",
    "churn",
    "churned",
    "survived",
    "species",
    "price",
    "default",
    "fraud",
    "is_fraud",
    "diagnosis",
    "income",
    "salary",
    "sales",
    "revenue",
    "quality",
    "converted",
    "clicked",
    "approved",
    "result",
    "rating",
    "sentiment",
    "medv",
)
_TARGET_PART = re.compile(
    r"(^|[_\s-])(target|label|class|churn\w*|price|fraud|default|outcome|survived|"
    r"income|salary|revenue|converted|approved)($|[_\s-])",
    re.I,
)
_MAX_CLASSES = 20
_EXCLUDED = ("identifier", "constant", "text", "datetime", "numbers_as_text", "dates_as_text")


def score_column(col: ColumnProfile, position: int, ncols: int) -> TargetCandidate | None:
    """Score one column as a target candidate; ``None`` when it cannot be one."""
    if col.semantic in _EXCLUDED:
        return None
    summ = col.summary
    name = str(col.name).strip()
    points = 0.0
    reasons: list[str] = []
    if name.lower() in TARGET_WORDS:
        points += 0.45
        reasons.append(f"its name {name!r} is a usual target name")
    elif _TARGET_PART.search(name):
        points += 0.30
        reasons.append(f"its name {name!r} contains a usual target word")
    if position == ncols - 1 and ncols > 1:
        points += 0.20
        reasons.append("it is the last column")
    elif position == 0 and ncols > 1:
        points -= 0.10
    distinct = summ.distinct or 0
    integer = col.semantic == "numeric" and summ.dtype.lower().startswith(("int", "uint"))
    if col.semantic in ("boolean", "categorical") or (integer and distinct <= 10):
        task = "classification"
        if 2 <= distinct <= _MAX_CLASSES:
            points += 0.25
            reasons.append(f"it has {distinct} classes")
    else:
        task = "regression"
        points += 0.15
        reasons.append("it is a continuous number")
    if summ.null_share > 0.2:
        points -= 0.20
        reasons.append(f"but {summ.null_share:.0%} of it is missing")
    confidence = round(min(1.0, max(0.0, points)), 3)
    if confidence <= 0:
        return None
    return TargetCandidate(col.name, confidence, "; ".join(reasons), task)


def rank_targets(columns: dict[Label, ColumnProfile], limit: int = 5) -> list[TargetCandidate]:
    """Rank profiled columns as target candidates, most likely first (ties: later column)."""
    ncols = len(columns)
    found = [
        (cand, i)
        for i, col in enumerate(columns.values())
        if (cand := score_column(col, i, ncols)) is not None
    ]
    found.sort(key=lambda ci: (-ci[0].confidence, -ci[1]))
    return [c for c, _ in found[:limit]]


def detect_target(df: pd.DataFrame, limit: int = 5) -> list[TargetCandidate]:
    """Rank the columns of ``df`` that may be the prediction target.

    Parameters
    ----------
    df
        The frame.
    limit
        How many candidates to return at most.

    Returns
    -------
    list of TargetCandidate
        Most likely first, each with a confidence in ``[0, 1]``, the reason and the task
        (``"classification"`` or ``"regression"``).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.5, 2.5, 3.5] * 10, "churned": [True, False, True] * 10})
    >>> [(c.name, c.task) for c in detect_target(df)][:1]
    [('churned', 'classification')]
    """
    cols: dict[Label, ColumnProfile] = {c: profile_column(df[c]) for c in df.columns}
    return rank_targets(cols, limit)
