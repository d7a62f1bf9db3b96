# ruff: noqa: N803, N806 - X/y are scikit-learn's names
"""``train``: fit a model on a session's frame in a background thread, tracked in MLflow."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import comment
from hydroml_jupyter.experiments import reference, running, tracking
from hydroml_jupyter.experiments.catalog import infer_task, validate_params
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.fitting import best_round
from hydroml_jupyter.experiments.handle import RunHandle, TrainingRun
from hydroml_jupyter.experiments.interrupt import abandonable
from hydroml_jupyter.experiments.options import Job, TrainOptions, check_job, takes_train_options
from hydroml_jupyter.experiments.predict import scorer_for
from hydroml_jupyter.experiments.preprocess import prepare_target
from hydroml_jupyter.experiments.scoring import fit_and_score
from hydroml_jupyter.experiments.slices import series_of
from hydroml_jupyter.experiments.writer import RunWriter
from hydroml_jupyter.labels import Label

__all__ = ["keep_model", "plan_steps", "prepare", "run_params", "snapshot", "train"]


def snapshot(session: Any) -> tuple[pd.DataFrame, tracking.Lineage]:
    """Take the session's current frame and its lineage, consistently with each other."""
    if isinstance(session, pd.DataFrame):
        return session.copy(deep=False), tracking.Lineage(None, None, None, None, None, 0)
    for _ in range(5):
        version = session.version
        df, recipe = session.df, session.recipe()
        if session.version == version:
            break
    try:
        code = session.code()
    except Exception as exc:
        code = comment(f"the code could not be generated: {exc}") + "\n"
    source = getattr(session, "source", None)
    return df, tracking.Lineage(
        session=getattr(session, "name", None),
        version=version,
        recipe_json=recipe.to_json(),
        code=code,
        source=source.describe() if source is not None else None,
        steps=len(recipe.steps),
    )


#: Models whose history has one entry per boosting round, or per chunk of trees.
_STEP_UNITS = {"xgboost": "rounds", "gradient_boosting": "rounds", "random_forest": "trees"}


def plan_steps(handle: RunHandle, job: Job) -> None:
    """Tell ``handle`` how many steps its history will reach, and their unit, when known."""
    handle.experiment = (job.experiment or tracking.DEFAULT_EXPERIMENT) if job.track else None
    if job.cv:
        handle.total, handle.unit = job.cv, "folds"
    elif job.model in _STEP_UNITS:
        n = job.params.get("n_estimators")
        handle.total = int(n) if isinstance(n, int) and not isinstance(n, bool) else None
        handle.unit = _STEP_UNITS[job.model]


def prepare(
    df: pd.DataFrame, job: Job, log: Callable[[str], None]
) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Return features, target array and task, rows with a missing target dropped."""
    y_col = df[job.target]
    keep = y_col.notna()
    if not keep.all():
        log(f"dropped {int((~keep).sum())} rows with a missing target {job.target!r}")
        df, y_col = df[keep], y_col[keep]
    if len(df) < 5:
        raise ExperimentError(f"only {len(df)} rows have a target: need at least 5 to train")
    task = infer_task(y_col) if job.task == "auto" else job.task
    if job.task == "auto":
        log(f"task inferred from {job.target!r}: {task}")
    features = (
        list(job.features)
        if job.features is not None
        else [c for c in df.columns if c != job.target]
    )
    X = df[features]
    if not all(isinstance(c, str) for c in X.columns):
        X = X.set_axis([str(c) for c in X.columns], axis=1)
        log("column names were turned into strings for scikit-learn")
    if X.columns.duplicated().any():
        raise ExperimentError("the feature columns have duplicate names")
    return X, prepare_target(y_col, task), task


def run_params(job: Job, task: str, X: pd.DataFrame) -> dict[str, Any]:
    """Return the parameters logged on a run."""
    return {
        **job.params,
        "model": job.model,
        "preset": job.preset,
        "task": task,
        "target": job.target,
        "test_size": None if job.cv else job.test_size,
        "cv": job.cv,
        "seed": job.seed,
        "n_rows": len(X),
        "n_features": X.shape[1],
    }


def _fit(
    writer: RunWriter,
    tracked: running.Tracked,
    job: Job,
    df: pd.DataFrame,
    lineage: tracking.Lineage,
) -> Any:
    """Do a training run's work: prepare, open the MLflow run, fit, score, log the model."""
    handle = writer.handle
    X, y, task = prepare(df, job, writer.log)
    # features and target, as the lineage hashes them and the drift reference describes
    # them: built once, on the tracking lane, when the lineage is sent
    training = functools.cache(lambda: _frame(X, y, job))
    handle.task = task
    validate_params(job.model, job.params, task)
    writer.check_cancel()
    run: tuple[str, str] | None = None  # the MLflow run's experiment id and run id
    if job.track:
        handle.tracking_uri = job.tracking_uri
        client = tracked.client = tracking.get_client(job.tracking_uri)
        experiment_id = tracking.get_experiment_id(client, job.experiment, job.tracking_uri)
        handle.experiment_id = experiment_id
        run_id = handle.run_id = tracking.start_run(
            client,
            experiment_id,
            job.run_name,
            {
                "hydroml.kind": "train",
                "hydroml.model": job.model,
                "hydroml.task": task,
                "hydroml.target": str(job.target),
            },
        )
        run = (experiment_id, run_id)
        lane = tracked.buffer = tracking.MetricBuffer(client, run_id)
        # sent while the model fits, from its first round (the flush before the model
        # is logged waits for them): splitting and preprocessing hold the GIL much
        params = run_params(job, task, X)
        lane.submit(lambda: tracking.log_params(client, run_id, params), later=True)
        lane.submit(lambda: tracking.log_lineage(client, run_id, lineage, training()), later=True)
    buffer = tracked.buffer
    pipe, metrics, handle.holdout = abandonable(
        lambda: fit_and_score(writer, job, X, y, task, buffer),
        lambda: "cancel" if handle.cancel_requested else None,
        on_thread=lambda thread: setattr(handle, "fit_thread", thread),
    )
    writer.check_cancel()
    handle.best_round = best_round(pipe)
    if handle.best_round is not None:
        writer.log(_best_line(handle.best_round, handle))
    writer.set_metrics(metrics)
    writer.log("metrics: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()))
    if run is not None and buffer is not None:
        best = {} if handle.best_round is None else {"best_round": handle.best_round}
        buffer.add({**metrics, **best}, 0)
        buffer.flush()
    keep_model(
        writer,
        job,
        (df, lineage),
        (X, y, task),
        pipe=pipe,
        metrics=metrics,
        client=tracked.client,
        run=run,
        lane=buffer,
        training=training,
    )
    return pipe


def keep_model(
    writer: RunWriter,
    job: Job,
    source: tuple[pd.DataFrame, tracking.Lineage],
    data: tuple[pd.DataFrame, np.ndarray, str],
    *,
    pipe: Any,
    metrics: dict[str, float],
    client: Any,
    run: tuple[str, str] | None,
    lane: tracking.MetricBuffer | None = None,
    training: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """Give the run's handle its scorer; on a tracked run, log the reference and the model.

    ``source`` is the frame the run trained on and its lineage, ``data`` the features,
    target and task, ``run`` the MLflow experiment and run ids (None when untracked).
    With the run's tracking ``lane``, the reference is logged on it while the model is
    logged here (the run's end flushes the lane before the MLflow run ends).
    ``training`` gives the frame of features and target when the caller has it.
    """
    handle = writer.handle
    (df, lineage), (X, y, task) = source, data
    handle.scorer, raw = scorer_for(lineage, df, job.target, task, X, pipe)
    if run is not None and client is not None:
        experiment_id, run_id = run
        frame = training() if training is not None else _frame(X, y, job)
        args = (client, run_id, frame, job.target, task, metrics, writer.log)
        if lane is not None:
            lane.submit(lambda: reference.log_reference(*args))
        else:
            reference.log_reference(*args)
        handle.model_uri = tracking.log_model(
            client, run_id, experiment_id, handle.scorer, job.model, raw
        )


def _frame(X: pd.DataFrame, y: np.ndarray, job: Job) -> pd.DataFrame:
    """Return the training frame whose hash the lineage keeps: features and target."""
    return X.assign(**{str(job.target): series_of(y, X.index)}) if job.target not in X else X


def _best_line(best: int, handle: RunHandle) -> str:
    """E.g. ``"best round 50 of 800 (stopped early after round 100)"``."""
    steps = [h["step"] for h in handle.history if "step" in h]
    line = f"best round {best} of {handle.total}" if handle.total else f"best round {best}"
    if steps and handle.total and steps[-1] < handle.total:
        line += f" (stopped early after round {steps[-1]})"
    return line


@takes_train_options
def train(
    session: Any, target: Label, model: str = "xgboost", *args: Any, **kwargs: Any
) -> TrainingRun:
    """Start training ``model`` to predict ``target`` and return its handle at once.

    The run trains in a daemon thread on a snapshot of ``session.df`` taken now
    (copy-on-write: later cleaning does not change it) and is tracked in MLflow.

    Parameters
    ----------
    session
        A :class:`hydroml_jupyter.Session` (or a plain DataFrame, with no lineage).
    target
        The column to predict. Rows where it is missing are dropped (logged).
    model
        A name from :data:`hydroml_jupyter.experiments.MODELS`.
    *args, **kwargs
        The :class:`~hydroml_jupyter.experiments.TrainOptions`, in their order:
        ``task``, ``params``, ``preset``, ``features``, ``test_size``, ``cv``,
        ``experiment``, ``seed``, ``tracking_uri``; ``track``, ``run_name`` and
        ``early_stopping`` by keyword only.

    Returns
    -------
    TrainingRun
        The handle; ``.result()`` waits for the fitted pipeline.

    Raises
    ------
    ExperimentError
        At once, for an unknown model, task, preset or column, or bad arguments.
    """
    options = TrainOptions.of("train", args, kwargs)
    df, lineage = snapshot(session)
    job = check_job(df, target, model, options)
    handle = TrainingRun(f"{job.model} on {target!r}", job.model, job.task, target)
    handle.run_name = job.run_name
    plan_steps(handle, job)
    running.start(handle, lambda writer, tracked: _fit(writer, tracked, job, df, lineage))
    return handle
