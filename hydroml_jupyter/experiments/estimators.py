# ruff: noqa: N803, N806 - X/y are scikit-learn's names; fit steps take many arrays
"""Estimator wrappers that are saved inside fitted pipelines."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["LabelEncodedClassifier", "fit_linear"]


def fit_linear(estimator: Any, X: Any, y: Any) -> Any:
    """Fit a ``LinearRegression`` as its own ``fit`` does, solving with NumPy; return it.

    SciPy's least squares (what ``LinearRegression.fit`` calls) holds the GIL for
    the whole solve, which freezes the kernel and every other thread for seconds on
    a large frame; ``numpy.linalg.lstsq`` (the same LAPACK driver, ``gelsd``) lets
    them run, so the run stays cancellable. The estimator is first fitted on two rows
    so scikit-learn sets its own bookkeeping attributes, then the solution is set.
    Options this path does not cover (``positive``, sparse input, 2-D targets) use
    ``estimator.fit``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if estimator.positive or y.ndim != 1 or X.ndim != 2 or X.dtype.kind not in "fiub":
        return estimator.fit(X, y)
    X = X.astype(np.float64, copy=False)
    y = y.astype(np.float64, copy=False)
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("Input contains infinity or NaN.")
    estimator.fit(X[:2], y[:2])
    if estimator.fit_intercept:
        x_offset, y_offset = X.mean(axis=0), float(y.mean())
        coef, _, rank, singular = np.linalg.lstsq(X - x_offset, y - y_offset, rcond=estimator.tol)
        estimator.intercept_ = y_offset - x_offset @ coef
    else:
        coef, _, rank, singular = np.linalg.lstsq(X, y, rcond=estimator.tol)
        estimator.intercept_ = 0.0
    estimator.coef_, estimator.rank_, estimator.singular_ = coef, int(rank), singular
    return estimator


class LabelEncodedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier trained on codes ``0..k-1``, predicting the original labels.

    XGBoost needs integer class codes; this wrapper keeps the label mapping
    inside the saved pipeline so ``predict`` returns the user's labels.

    Parameters
    ----------
    estimator
        A classifier fitted on ``LabelEncoder`` codes.
    classes
        The original labels, in code order.
    """

    def __init__(self, estimator: Any = None, classes: Any = None) -> None:
        self.estimator = estimator
        self.classes = classes

    @property
    def classes_(self) -> np.ndarray:
        """The original labels, in the order of ``predict_proba``'s columns."""
        return np.asarray(self.classes)

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LabelEncodedClassifier:
        """Encode ``y``, fit the wrapped estimator and return ``self``."""
        from sklearn.preprocessing import LabelEncoder

        encoder = LabelEncoder().fit(y)
        self.classes = encoder.classes_
        self.estimator.fit(X, encoder.transform(y), **fit_params)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict the original labels."""
        codes = np.asarray(self.estimator.predict(X)).astype(int)
        return self.classes_[codes]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`."""
        return np.asarray(self.estimator.predict_proba(X))

    def predict_with_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return ``predict(X)`` and ``predict_proba(X)`` from one pass over the model.

        The label is the most probable class, as xgboost's ``predict`` picks it (with
        two classes: the second when its probability is above 0.5).
        """
        proba = self.predict_proba(X)
        if proba.shape[1] == 2:
            codes = (proba[:, 1] > 0.5).astype(np.int64)
        else:
            codes = np.argmax(proba, axis=1)
        return self.classes_[codes], proba

    @property
    def feature_importances_(self) -> np.ndarray:
        """The wrapped estimator's importance per feature."""
        return np.asarray(self.estimator.feature_importances_)

    def __sklearn_is_fitted__(self) -> bool:
        return self.classes is not None
