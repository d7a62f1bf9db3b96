"""Scoring and the stratified split on text labels, coded by hashing rather than sorting.

How long a run's work holds the GIL is measured in ``bench/experiments.py`` (the
kernel's reply times while a model trains), not asserted here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from hydroml_jupyter.experiments.metrics import evaluate
from hydroml_jupyter.experiments.scoring import split

ROWS = 20_000


def labels(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.where(rng.random(n) > 0.5, "up", "down").astype(object)


def test_scoring_and_the_stratified_split_of_text_labels() -> None:
    y = labels(ROWS)
    X = pd.DataFrame(
        {"a": np.where(y == "up", 1.0, -1.0) + np.random.default_rng(1).normal(size=ROWS)}
    )
    pipe = Pipeline([("model", LogisticRegression())]).fit(X.head(1000), y[:1000])
    scores = evaluate(pipe, X, y, "classification")
    assert set(scores) == {"accuracy", "f1", "roc_auc", "log_loss"} and scores["accuracy"] > 0.7
    parts: list[Any] = list(split(X, y, "classification", 0.2, 0, print))
    y_train, y_val = parts[2], parts[3]
    assert abs(np.mean(y_train == "up") - np.mean(y_val == "up")) < 1e-3  # still stratified
