"""How a boosting fit's loss curves are scored: which rows, which rounds, which figures.

The train loss is scored on at most :data:`TRAIN_CURVE_ROWS` evenly spaced training
rows. With early stopping, the losses are recorded every round; without it, at
about :data:`CURVE_POINTS` evenly spaced rounds and the last (:func:`curve_stride`):
scoring an xgboost round costs about a third of training it on a small frame, and
every recorded round is a row in the tracking store.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "CURVE_POINTS",
    "TRAIN_CURVE_ROWS",
    "curve_stride",
    "last_scores",
    "parse_scores",
    "raw_score",
]

#: The most training rows a boosting run's per-round train loss is scored on.
TRAIN_CURVE_ROWS = 2_000


#: Without early stopping, a boosting run's loss curves are scored at about this many rounds.
CURVE_POINTS = 50


def curve_stride(rounds: int) -> int:
    """Return every how many rounds the loss curves of a ``rounds``-round fit are scored.

    Examples
    --------
    >>> curve_stride(40), curve_stride(200), curve_stride(800)
    (1, 4, 16)
    """
    return max(1, -(-rounds // CURVE_POINTS))


def last_scores(evals_log: dict[str, Any]) -> dict[str, float]:
    """Return ``{"train_logloss": ..., "val_logloss": ...}`` of xgboost's latest evaluation."""
    names = {"validation_0": "train", "validation_1": "val"}
    return {
        f"{names.get(data, data)}_{name.removeprefix('m')}": float(series[-1])
        for data, scores in evals_log.items()
        for name, series in scores.items()
    }


def parse_scores(text: str) -> dict[str, float]:
    r"""Read ``Booster.eval_set``'s ``"[3]\ttrain-logloss:0.52\tval-logloss:0.61"``.

    Examples
    --------
    >>> parse_scores("[3]\ttrain-mlogloss:0.5\tval-mlogloss:0.75")
    {'train_logloss': 0.5, 'val_logloss': 0.75}
    """
    out = {}
    for item in text.split("\t")[1:]:
        key, value = item.rsplit(":", 1)
        data, name = key.split("-", 1)
        out[f"{data}_{name.removeprefix('m')}"] = float(value)
    return out


def raw_score(gb: Any, task: str, raw: np.ndarray, y: np.ndarray) -> tuple[str, float] | None:
    """Return a gradient boosting model's loss name and value for its raw predictions ``raw``.

    ``("rmse", ...)`` for regression, ``("logloss", ...)`` for a ``log_loss`` classifier,
    None for other losses.
    """
    if task == "regression":
        return "rmse", float(np.sqrt(np.mean((raw[:, 0] - y) ** 2)))
    if gb.loss != "log_loss":
        return None
    from scipy.special import expit, softmax

    if raw.shape[1] == 1:
        p1 = expit(raw[:, 0])
        proba = np.column_stack([1 - p1, p1])
    else:
        proba = softmax(raw, axis=1)
    codes = np.searchsorted(gb.classes_, y)
    n = len(gb.classes_)
    inside = (codes < n) & (gb.classes_[np.minimum(codes, n - 1)] == y)
    picked = np.clip(proba[np.flatnonzero(inside), codes[inside]], 1e-15, 1.0)
    return "logloss", float(-np.mean(np.log(picked))) if len(picked) else math.nan
