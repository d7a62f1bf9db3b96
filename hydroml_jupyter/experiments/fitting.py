# ruff: noqa: N803, N806, PLR0917 - X/y are scikit-learn's names; fit steps take many arrays
"""Fit one pipeline step by step, so a run streams metrics and can stop between steps.

- ``xgboost``: an ``xgboost.callback.TrainingCallback`` records train and
  validation loss and returns ``True`` to stop;
- ``gradient_boosting``: the ``monitor`` callable of ``fit`` does the same
  (validation loss kept up to date incrementally, one tree at a time);

Which rows and rounds the loss curves are scored on: :mod:`~hydroml_jupyter.experiments.curves`.

Early stopping (see :func:`best_round`) uses the run's own validation split:
xgboost's ``early_stopping_rounds`` (its ``EarlyStopping`` callback watches the
validation loss; ``predict`` then uses the best round), and, for
``gradient_boosting``, ``n_iter_no_change`` applied by the ``monitor`` on the same
validation loss instead of scikit-learn's own inner split; the model keeps the
trees up to the best round. A fit with no validation rows (the refit of a
cross-validated run) trains every round for xgboost, and leaves
``n_iter_no_change`` to scikit-learn (its ``validation_fraction`` split);
- ``random_forest``: ``warm_start`` grows the forest in chunks of about 0.3 s
  (the chunk size follows the measured time per tree), the validation score kept
  up to date from the new trees only;
- other models: one ``fit`` call, checked before and after (the run's worker
  abandons it on cancel: see :mod:`~hydroml_jupyter.experiments.interrupt`);
  ``linear`` solves with NumPy, which does not hold the GIL
  (:func:`~hydroml_jupyter.experiments.estimators.fit_linear`).

A fit's final metrics: :func:`~hydroml_jupyter.experiments.metrics.evaluate`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.catalog import get_spec, make_estimator
from hydroml_jupyter.experiments.curves import (
    TRAIN_CURVE_ROWS,
    curve_stride,
    last_scores,
    parse_scores,
    raw_score,
)
from hydroml_jupyter.experiments.preprocess import build_preprocessor

__all__ = ["TRAIN_CURVE_ROWS", "EarlyStopError", "Hooks", "best_round", "codes", "fit_pipeline"]

#: A forest grows in chunks of about this many seconds: it checks for a cancel that often.
_CHUNK_SECONDS = 0.3


class EarlyStopError(Exception):
    """Training stopped early; ``reason`` is ``"cancel"`` or ``"prune"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Hooks:
    """What a fit reports to, and asks, its run.

    Parameters
    ----------
    should_stop
        Returns ``None`` to go on, or the reason to stop (``"cancel"``, ``"prune"``).
    on_step
        Called with ``(step, {metric: value})`` after each round or chunk.
    on_progress
        Called with the fraction of this fit done.
    log
        Receives log lines.
    """

    should_stop: Callable[[], str | None] = lambda: None
    on_step: Callable[[int, dict[str, float]], None] = lambda step, values: None
    on_progress: Callable[[float], None] = lambda fraction: None
    log: Callable[[str], None] = lambda line: None
    logged: set[str] = field(default_factory=set)
    #: The validation rows as the model sees them (through the preprocessing), set by
    #: :func:`fit_pipeline` so the held-out predictions need not transform them again.
    validation: Any = None

    def log_once(self, line: str) -> None:
        """Log ``line`` unless it was already logged (e.g. by an earlier fold)."""
        if line not in self.logged:
            self.logged.add(line)
            self.log(line)


def fit_pipeline(
    model: str,
    task: str,
    params: dict[str, Any],
    seed: int,
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    X_val: pd.DataFrame | None,
    y_val: np.ndarray | None,
    hooks: Hooks,
) -> Any:
    """Fit preprocessing and model on the training rows; return the fitted ``Pipeline``.

    Raises
    ------
    EarlyStopError
        When ``hooks.should_stop`` asked to stop.
    """
    from sklearn.pipeline import Pipeline

    spec = get_spec(model)
    _stop_if(hooks)
    pre, lines = build_preprocessor(X_train, spec.scale)
    for line in lines:
        hooks.log_once(line)
    Xt = pre.fit_transform(X_train)
    Xv = pre.transform(X_val) if X_val is not None and len(X_val) else None
    yv = y_val if Xv is not None else None
    hooks.validation = Xv
    estimator = make_estimator(model, task, params, seed)
    if model == "xgboost":
        fitted = _fit_xgboost(estimator, task, Xt, y_train, Xv, yv, hooks)
    elif spec.stepwise == "boosting":
        fitted = _fit_sklearn_boosting(estimator, task, Xt, y_train, Xv, yv, hooks)
    elif spec.stepwise == "forest":
        fitted = _fit_forest(estimator, task, Xt, y_train, Xv, yv, hooks)
    elif model == "linear":
        from hydroml_jupyter.experiments.estimators import fit_linear

        fitted = fit_linear(estimator, Xt, y_train)
        _stop_if(hooks)
    else:
        fitted = estimator.fit(Xt, y_train)
        _stop_if(hooks)
    hooks.on_progress(1.0)
    return Pipeline([("preprocess", pre), ("model", fitted)])


def codes(y: Any, classes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``y`` as codes into the sorted ``classes`` (its own when None; -1: not a class).

    By hashing, in one pass: ``np.unique`` and ``LabelEncoder`` sort the labels, which
    holds the GIL for 100 ms on 200,000 text labels and freezes the kernel meanwhile.

    Examples
    --------
    >>> codes(np.array(["b", "a", "b"], dtype=object))
    (array([1, 0, 1]), array(['a', 'b'], dtype=object))
    >>> codes(np.array(["b", "z"], dtype=object), np.array(["a", "b"], dtype=object))[0]
    array([ 1, -1])
    """
    if classes is None:
        found, classes = pd.factorize(np.asarray(y), sort=True)
    else:
        classes = np.asarray(classes)
        # object labels looked up as an object Index: pandas would otherwise infer
        # (and convert to) a string dtype for each side first
        kind = object if classes.dtype == object else None
        found = pd.Index(classes, dtype=kind).get_indexer(pd.Index(np.asarray(y), dtype=kind))
    return np.asarray(found, dtype=np.int64), np.asarray(classes)


def _stop_if(hooks: Hooks) -> None:
    reason = hooks.should_stop()
    if reason:
        raise EarlyStopError(reason)


def _fit_xgboost(
    est: Any, task: str, Xt: np.ndarray, yt: np.ndarray, Xv: Any, yv: Any, hooks: Hooks
) -> Any:
    from xgboost.callback import TrainingCallback

    from hydroml_jupyter.experiments.estimators import LabelEncodedClassifier

    classes = None
    if task == "classification":
        yt, classes = codes(yt)
        if Xv is not None:
            yv = codes(yv, classes)[0]
            known = yv >= 0
            Xv, yv = Xv[known], yv[known]
        metric = "logloss" if len(classes) == 2 else "mlogloss"
    else:
        metric = "rmse"
    rounds = int(est.n_estimators or 100)
    # The train curve is scored on evenly spaced training rows, at most TRAIN_CURVE_ROWS:
    # scoring every training row each round cost more than a third of the fit.
    step = max(1, -(-len(yt) // TRAIN_CURVE_ROWS))
    sets = {"train": (Xt[::step], yt[::step])}
    if Xv is not None and len(Xv):
        sets["val"] = (Xv, yv)
    else:  # nothing to stop on: every round is trained
        est.set_params(early_stopping_rounds=None)
    stopping = bool(est.early_stopping_rounds)
    # Early stopping needs the validation loss of every round: xgboost scores its
    # eval_set each round. Otherwise the curves are scored every `every` rounds
    # (one scoring call costs about a third of a boosting round on a small frame).
    every = 1 if stopping else curve_stride(rounds)
    scored: list[tuple[Any, str]] = []
    if not stopping:
        from xgboost import DMatrix

        scored = [
            (DMatrix(X, y, missing=est.missing, nthread=est.n_jobs), k)
            for k, (X, y) in sets.items()
        ]
    stopped: list[str] = []

    class _Rounds(TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            done = epoch + 1
            if stopping:
                hooks.on_step(done, last_scores(evals_log))
            elif done % every == 0 or done == rounds:
                hooks.on_step(done, parse_scores(model.eval_set(scored, epoch)))
            hooks.on_progress(done / rounds)
            reason = hooks.should_stop()
            if reason:
                stopped.append(reason)
            return bool(reason)

    eval_set = list(sets.values()) if stopping else None
    est.set_params(eval_metric=metric, callbacks=[_Rounds()])
    try:
        est.fit(Xt, yt, eval_set=eval_set, verbose=False)
    finally:
        est.set_params(callbacks=None)
    if stopped:
        raise EarlyStopError(stopped[0])
    if classes is not None:
        return LabelEncodedClassifier(est, classes)
    return est


def _fit_sklearn_boosting(
    est: Any, task: str, Xt: np.ndarray, yt: np.ndarray, Xv: Any, yv: Any, hooks: Hooks
) -> Any:
    rounds = int(est.n_estimators)
    step = max(1, -(-len(yt) // TRAIN_CURVE_ROWS))  # the train curve's rows, as for xgboost
    sets = {"train": (np.asarray(Xt[::step], dtype=np.float32), np.asarray(yt)[::step])}
    if Xv is not None:
        sets["val"] = (np.asarray(Xv, dtype=np.float32), yv)
    raw: dict[str, np.ndarray] = {}
    stopped: list[str] = []
    patience = est.n_iter_no_change if Xv is not None else None
    # with nothing to stop on (here or in scikit-learn's own split), the curves are
    # reported at about CURVE_POINTS rounds
    every = 1 if est.n_iter_no_change else curve_stride(rounds)
    best = {"loss": math.inf, "round": 0}

    def monitor(i: int, gb: Any, _locals: dict[str, Any]) -> bool:
        values: dict[str, float] = {}
        for name, (X, y) in sets.items():
            if i == 0:
                raw[name] = gb._raw_predict_init(X)
            for k, tree in enumerate(gb.estimators_[i]):
                raw[name][:, k] += gb.learning_rate * tree.predict(X)
            score = raw_score(gb, task, raw[name], y)
            if score is not None:
                values[f"{name}_{score[0]}"] = score[1]
        if (i + 1) % every == 0 or i + 1 == rounds:
            hooks.on_step(i + 1, values)
        hooks.on_progress((i + 1) / rounds)
        reason = hooks.should_stop()
        if reason:
            stopped.append(reason)
            return True
        loss = next((v for k, v in values.items() if k.startswith("val_")), math.nan)
        if loss < best["loss"]:
            best.update(loss=loss, round=i + 1)
        # no validation loss (a loss _raw_score cannot compute): nothing to stop on
        return bool(patience and best["round"] and i + 1 - best["round"] >= patience)

    if patience is not None:  # stopped by the monitor on the run's split, not sklearn's own
        est.set_params(n_iter_no_change=None)
    try:
        est.fit(Xt, yt, monitor=monitor)
    finally:
        if patience is not None:
            est.set_params(n_iter_no_change=patience)
    if stopped:
        raise EarlyStopError(stopped[0])
    if patience and best["round"]:
        if best["round"] < est.n_estimators_:
            _keep_rounds(est, int(best["round"]))
        est.best_round_ = best["round"]
    return est


def _keep_rounds(gb: Any, n: int) -> None:
    """Cut a fitted scikit-learn gradient boosting model back to its first ``n`` rounds."""
    gb.estimators_ = gb.estimators_[:n]
    gb.train_score_ = gb.train_score_[:n]
    if hasattr(gb, "oob_improvement_"):
        gb.oob_improvement_ = gb.oob_improvement_[:n]
        gb.oob_scores_ = gb.oob_scores_[:n]
        gb.oob_score_ = gb.oob_scores_[-1]
    gb.n_estimators_ = n


def best_round(pipeline: Any) -> int | None:
    """Return the best round (counted from 1) of a boosting fit that stopped early, else None.

    That is the round the model predicts with: xgboost's ``best_iteration + 1``, or
    the number of rounds a ``gradient_boosting`` model was cut back to.
    """
    model = getattr(pipeline, "named_steps", {}).get("model", pipeline)
    model = getattr(model, "estimator", model)  # a LabelEncodedClassifier's xgboost model
    if getattr(model, "early_stopping_rounds", None):
        try:
            return int(model.best_iteration) + 1
        except AttributeError:  # trained with no validation rows: no best round
            return None
    found = getattr(model, "best_round_", None)
    return int(found) if found is not None else None


def _fit_forest(
    est: Any, task: str, Xt: np.ndarray, yt: np.ndarray, Xv: Any, yv: Any, hooks: Hooks
) -> Any:
    total = int(est.n_estimators)
    Xt = np.asarray(Xt, dtype=np.float32)  # what the trees use: converted once, not per chunk
    Xv = None if Xv is None else np.ascontiguousarray(Xv, dtype=np.float32)
    est.set_params(warm_start=True)
    grown, chunk = 0, 1
    votes: np.ndarray | None = None
    while grown < total:
        started = time.perf_counter()
        size = min(chunk, total - grown)
        est.set_params(n_estimators=grown + size)
        est.fit(Xt, yt)
        values: dict[str, float] = {}
        if Xv is not None:
            votes = _add_votes(votes, est.estimators_[grown : grown + size], Xv, task)
            if task == "classification":
                pred = np.asarray(est.classes_)[np.argmax(votes, axis=1)]
                values["val_accuracy"] = float(np.mean(pred == yv))
            else:
                error = votes / (grown + size) - yv
                values["val_rmse"] = float(np.sqrt(np.mean(error**2)))
        grown += size
        took = time.perf_counter() - started
        # the next chunk takes about _CHUNK_SECONDS; it at most quadruples, as a first
        # chunk's time is mostly fixed costs
        chunk = max(1, min(4 * size, round(size * _CHUNK_SECONDS / max(took, 1e-3))))
        hooks.on_step(grown, values)
        hooks.on_progress(grown / total)
        if grown < total:
            _stop_if(hooks)
    est.set_params(warm_start=False)
    return est


def _add_votes(votes: np.ndarray | None, trees: list[Any], X: np.ndarray, task: str) -> np.ndarray:
    """Add the new trees' predictions to the running sum (a forest predicts their mean)."""
    for tree in trees:
        if task == "classification":
            part = tree.predict_proba(X, check_input=False)
        else:
            part = tree.predict(X, check_input=False)
        votes = part if votes is None else votes + part
    assert votes is not None
    return votes
