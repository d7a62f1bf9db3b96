"""A run's final metrics equal scikit-learn's functions on the same predictions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hydroml_jupyter.experiments.metrics import _sklearn_metrics, classification_metrics


@st.composite
def predictions(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    k = draw(st.integers(2, 4))
    n = draw(st.integers(1, 60))
    low = draw(st.sampled_from([0, 0, -1]))  # -1: a label the model does not know
    y = np.asarray(draw(st.lists(st.integers(low, k - 1), min_size=n, max_size=n)))
    pred = np.asarray(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    # coarse probabilities: many ties, rows that need renormalising, exact zeros and ones
    cells = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])
    raw = np.asarray(draw(st.lists(cells, min_size=n * k, max_size=n * k))).reshape(n, k)
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    proba = (raw / raw.sum(axis=1, keepdims=True)).astype(
        draw(st.sampled_from([np.float32, np.float64]))
    )
    return y, pred, proba, k


@settings(max_examples=300, deadline=None)
@given(predictions())
def test_the_numpy_metrics_equal_scikit_learns(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, int],
) -> None:
    y, pred, proba, k = case
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _sklearn_metrics(y, pred, proba, k)
    got = classification_metrics(y, pred, proba, k)
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


def test_labels_the_model_does_not_know_are_scored_by_scikit_learn() -> None:
    y = np.array([0, 1, -1, 1])
    pred = np.array([0, 1, 1, 1])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7]])
    got = classification_metrics(y, pred, proba, 2)
    assert got == {"accuracy": 0.75, "f1": 0.8, "roc_auc": 1.0}  # no log loss: scikit-learn refuses
