# ruff: noqa: N803 - X/y are scikit-learn's names; fit steps take many arrays
"""Estimator wrappers that are saved inside fitted pipelines."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["LabelEncodedClassifier"]


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

    @property
    def feature_importances_(self) -> np.ndarray:
        """The wrapped estimator's importance per feature."""
        return np.asarray(self.estimator.feature_importances_)

    def __sklearn_is_fitted__(self) -> bool:
        return self.classes is not None
