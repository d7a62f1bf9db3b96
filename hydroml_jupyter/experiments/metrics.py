# ruff: noqa: N803 - X is scikit-learn's name
"""A fitted model's final metrics on held-out rows.

Classification gives ``accuracy``, ``f1`` (macro for multiclass), ``roc_auc``
(one-vs-rest for multiclass) and ``log_loss`` when the model has ``predict_proba``;
regression gives ``rmse``, ``mae``, ``r2``. They are scikit-learn's definitions.
All but the ROC AUC of three or more classes are computed here with NumPy:
scikit-learn's metric functions spend most of their time checking their inputs
(about 15 ms a run, on arrays this module built itself); the figures are the same
to the last few bits (a property test compares them).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.evaluation import Holdout
from hydroml_jupyter.experiments.fitting import codes

__all__ = ["classification_metrics", "evaluate"]


def evaluate(
    pipeline: Any, X: pd.DataFrame, y: np.ndarray, task: str, held: Holdout | None = None
) -> dict[str, float]:
    """Return the final metrics of a fitted pipeline on ``(X, y)``.

    A metric that cannot be computed (e.g. ROC AUC when the rows hold one
    class) is left out. ``held``, the :func:`~hydroml_jupyter.experiments.evaluation.holdout`
    of the same rows, gives the predictions when it kept every row (no second pass).
    """
    from sklearn import metrics as m

    kept = held is not None and not held.sampled and len(held.y_true) == len(y)
    pred = held.y_pred if held is not None and kept else pipeline.predict(X)
    if task == "regression":
        return {
            "rmse": float(np.sqrt(m.mean_squared_error(y, pred))),
            "mae": float(m.mean_absolute_error(y, pred)),
            "r2": float(m.r2_score(y, pred)) if len(y) > 1 else math.nan,
        }
    classes = np.asarray(pipeline.classes_)
    proba = None
    if hasattr(pipeline, "predict_proba"):
        proba = held.proba if held is not None and kept else None
        proba = pipeline.predict_proba(X) if proba is None else proba
    # scored on codes: scikit-learn sorts text labels for each metric (see codes)
    y, pred = codes(y, classes)[0], codes(pred, classes)[0]
    return classification_metrics(y, pred, proba, len(classes))


def classification_metrics(
    y: np.ndarray, pred: np.ndarray, proba: Any, n_classes: int
) -> dict[str, float]:
    """Return accuracy, F1, ROC AUC and log loss of class codes ``pred`` against ``y``.

    Codes index ``n_classes`` classes; -1 marks a label that is not one of them.
    ``proba`` (rows x classes, or None) gives the ROC AUC and the log loss.

    Examples
    --------
    >>> y, pred = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])
    >>> proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1]])
    >>> {k: round(v, 4) for k, v in classification_metrics(y, pred, proba, 2).items()}
    {'accuracy': 0.75, 'f1': 0.6667, 'roc_auc': 1.0, 'log_loss': 0.4004}
    """
    binary = n_classes == 2
    out = {"accuracy": float(np.mean(y == pred)) if len(y) else math.nan}
    known = y >= 0
    tp = np.bincount(y[known & (y == pred)], minlength=n_classes).astype(np.float64)
    both = np.bincount(y[known], minlength=n_classes) + np.bincount(pred, minlength=n_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(both > 0, 2 * tp / both, 0.0)  # 2tp / (2tp + fp + fn), 0 when undefined
    out["f1"] = float(f1[1]) if binary else float(np.mean(f1))
    if proba is None:
        return out
    if binary:
        auc = _binary_auc(y == 1, np.asarray(proba)[:, 1])
        if auc is not None:
            out["roc_auc"] = auc
    else:
        out.update(_sklearn_metrics(y, pred, proba, n_classes, only="roc_auc"))
    # xgboost's probabilities are float32: their rows sum to 1 only within float32's
    # precision; they are scored renormalised, as scikit-learn's log_loss would warn.
    wide = np.asarray(proba, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        wide = wide / wide.sum(axis=1, keepdims=True)
    # scikit-learn refuses labels outside the classes, and probabilities below 0
    if len(y) and known.all() and np.isfinite(wide).all() and (wide >= 0).all():
        eps = np.finfo(np.float64).eps
        picked = np.clip(wide, eps, 1 - eps)[np.arange(len(y)), y]
        out["log_loss"] = float(-np.mean(np.log(picked)))
    return {k: v for k, v in out.items() if not math.isnan(v)}


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float | None:
    """Return the area under the ROC curve (Mann-Whitney U, ties count half), None for one class."""
    from scipy.stats import rankdata

    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _sklearn_metrics(
    y: np.ndarray, pred: np.ndarray, proba: Any, n_classes: int, only: str | None = None
) -> dict[str, float]:
    """Compute the metrics with scikit-learn's functions (the AUC of 3+ classes; tests)."""
    from sklearn import metrics as m

    labels = np.arange(n_classes)
    out: dict[str, float] = {}
    if only is None:
        out["accuracy"] = float(m.accuracy_score(y, pred))
        if n_classes == 2:  # the F1 of class 1 (labels=[1]: a label outside counts as not 1)
            out["f1"] = float(m.f1_score(y, pred, labels=[1], average="macro"))
        else:
            out["f1"] = float(m.f1_score(y, pred, average="macro", labels=labels))
    if proba is None:
        return out
    with contextlib.suppress(ValueError):
        if n_classes == 2:
            out["roc_auc"] = float(m.roc_auc_score(y == 1, proba[:, 1]))
        else:
            out["roc_auc"] = float(m.roc_auc_score(y, proba, multi_class="ovr", labels=labels))
    if only is None:
        wide = np.asarray(proba, dtype=np.float64)
        with contextlib.suppress(ValueError), np.errstate(invalid="ignore", divide="ignore"):
            wide = wide / wide.sum(axis=1, keepdims=True)
            out["log_loss"] = float(m.log_loss(y, wide, labels=labels))
    return {k: v for k, v in out.items() if not math.isnan(v)}
