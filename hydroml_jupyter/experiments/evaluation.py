# ruff: noqa: N803, N806 - X/y are scikit-learn's names
"""What a run keeps of its held-out rows, so the end-of-run charts can be drawn later.

A :class:`Holdout` holds the true targets, the predictions and (for classifiers with
``predict_proba``) the class probabilities of the rows the model did not train on: the
validation split, or the out-of-fold predictions of a cross-validated run. It is small
(at most :data:`MAX_ROWS` rows, sampled evenly and said so) and holds arrays only, never
the model or the frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MAX_ROWS", "PERMUTATION_COLUMNS", "PERMUTATION_ROWS", "Holdout", "holdout", "merge"]

#: The most held-out rows a run keeps for its charts.
MAX_ROWS = 20_000
#: The most held-out rows permutation importance is measured on.
PERMUTATION_ROWS = 2_000
#: Frames wider than this get no permutation importance (it costs a prediction per column).
PERMUTATION_COLUMNS = 60


@dataclasses.dataclass(frozen=True)
class Holdout:
    """Held-out targets and predictions of one run.

    Attributes
    ----------
    task
        ``"classification"`` or ``"regression"``.
    y_true, y_pred
        Targets and predictions, one per kept row.
    proba
        Class probabilities (rows x classes) or ``None``.
    classes
        The classifier's classes, in ``proba``'s column order (empty for regression).
    source
        ``"validation split"`` or ``"out-of-fold (K folds)"``.
    rows
        Held-out rows before sampling; ``len(y_true) < rows`` means a sample was kept.
    """

    task: str
    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray | None
    classes: np.ndarray
    source: str
    rows: int
    #: Permutation importance per frame column, for models with no importances of their own.
    importance: dict[str, float] | None = None
    #: Held-out rows the permutation importance was measured on.
    importance_rows: int = 0

    @property
    def sampled(self) -> bool:
        """Whether only an even sample of the held-out rows was kept."""
        return len(self.y_true) < self.rows

    @property
    def note(self) -> str:
        """Where the rows come from, e.g. ``"validation split, 80 rows"``."""
        if self.sampled:
            return f"{self.source}, {len(self.y_true):,} of {self.rows:,} rows"
        return f"{self.source}, {self.rows:,} rows"


def holdout(
    pipeline: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    task: str,
    source: str,
    *,
    permute: bool = False,
    seed: int = 0,
    features: Any = None,
) -> Holdout:
    """Predict the held-out rows ``(X, y)`` with a fitted pipeline and keep what the charts need.

    With ``permute``, a model that has no importances of its own (k-NN, kernel SVM) is
    measured by permutation importance on at most :data:`PERMUTATION_ROWS` of the rows.
    ``features``, when given, are ``X`` through the pipeline's preprocessing (the fit
    already transformed them), so they are not transformed again.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> X = pd.DataFrame({"a": [1, 2, 3, 4]})
    >>> y = np.array([0, 1, 1, 1])
    >>> h = holdout(DummyClassifier().fit(X, y), X, y, "classification", "validation split")
    >>> h.y_pred.tolist(), h.proba.shape, h.note
    ([1, 1, 1, 1], (4, 2), 'validation split, 4 rows')
    """
    rows = len(y)
    if rows > MAX_ROWS:
        keep = np.linspace(0, rows - 1, MAX_ROWS).astype(np.int64)
        X, y = X.iloc[keep], np.asarray(y)[keep]
        features = None if features is None else features[keep]
    if features is None:
        model, features = _final_step(pipeline, X)
    else:
        model = pipeline[-1]
    proba = None
    classes = np.asarray([])
    if task == "classification":
        classes = np.asarray(pipeline.classes_)
    if task == "classification" and hasattr(model, "predict_with_proba"):
        pred, proba = model.predict_with_proba(features)
        proba = np.asarray(proba, dtype=np.float64)
    else:
        pred = np.asarray(model.predict(features))
        if task == "classification" and hasattr(pipeline, "predict_proba"):
            proba = np.asarray(model.predict_proba(features), dtype=np.float64)
    importance, measured = None, 0
    if permute and _lacks_importance(pipeline) and X.shape[1] <= PERMUTATION_COLUMNS:
        measured = min(len(y), PERMUTATION_ROWS)
        importance = _permutation(pipeline, X.iloc[:measured], np.asarray(y)[:measured], seed)
    return Holdout(task, np.asarray(y), pred, proba, classes, source, rows, importance, measured)


def _final_step(pipeline: Any, X: pd.DataFrame) -> tuple[Any, Any]:
    """Return a pipeline's model and ``X`` through its preprocessing, transformed once.

    A pipeline's ``predict`` and ``predict_proba`` would each transform ``X`` again.
    """
    from sklearn.pipeline import Pipeline

    if isinstance(pipeline, Pipeline) and len(pipeline) > 1:
        return pipeline[-1], pipeline[:-1].transform(X)
    return pipeline, X


def _lacks_importance(pipeline: Any) -> bool:
    from hydroml_jupyter.experiments.charts import feature_importance

    return feature_importance(pipeline) is None


def _permutation(pipeline: Any, X: pd.DataFrame, y: np.ndarray, seed: int) -> dict[str, float]:
    """Mean drop in the pipeline's score when each frame column is shuffled, largest first."""
    from sklearn.inspection import permutation_importance

    found = permutation_importance(pipeline, X, y, n_repeats=3, random_state=seed)
    values = {str(c): float(v) for c, v in zip(X.columns, found.importances_mean, strict=True)}
    return dict(sorted(values.items(), key=lambda kv: -kv[1]))


def merge(parts: Sequence[Holdout], source: str) -> Holdout:
    """Join the held-out parts of several folds (at least one) into one."""
    if not parts:
        raise ValueError("merge: no held-out parts to join")
    first = parts[0]
    same = all(np.array_equal(p.classes, first.classes) for p in parts)
    probas = [p.proba for p in parts if p.proba is not None]
    proba = np.concatenate(probas) if same and len(probas) == len(parts) else None
    return Holdout(
        first.task,
        np.concatenate([p.y_true for p in parts]),
        np.concatenate([p.y_pred for p in parts]),
        proba,
        first.classes,
        source,
        sum(p.rows for p in parts),
    )
