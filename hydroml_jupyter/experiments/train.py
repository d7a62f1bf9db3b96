# ruff: noqa: N803, N806, PLR0917 - X/y are scikit-learn's names; fit steps take many arrays
"""``train``: fit a model on a session's frame in a background thread, tracked in MLflow."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import comment
from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.catalog import (
    TASKS,
    get_spec,
    infer_task,
    validate_params,
)
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.fitting import EarlyStopError
from hydroml_jupyter.experiments.handle import RunCancelledError, RunHandle, TrainingRun
from hydroml_jupyter.experiments.interrupt import abandonable
from hydroml_jupyter.experiments.preprocess import prepare_target
from hydroml_jupyter.experiments.presets import preset_params, resolve_tracking_uri
from hydroml_jupyter.experiments.scoring import fit_and_score

__all__ = [
    "Job",
    "check_job",
    "end_reason",
    "plan_steps",
    "prepare",
    "run_params",
    "snapshot",
    "train",
]


@dataclass(frozen=True)
class Job:
    """The arguments of one run, checked."""

    model: str
    task: str
    target: str
    features: tuple[str, ...] | None
    params: dict[str, Any]
    preset: str | None
    test_size: float
    cv: int | None
    seed: int
    tracking_uri: str
    experiment: str | None
    track: bool
    run_name: str


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


def check_job(df: pd.DataFrame, **kw: Any) -> Job:
    """Check the arguments that need no import and no data pass; raise :class:`ExperimentError`."""
    spec = get_spec(kw["model"])
    task, target = kw["task"], kw["target"]
    if task != "auto" and task not in TASKS:
        raise ExperimentError(
            f"task must be 'auto', 'classification' or 'regression', not {task!r}"
        )
    if task != "auto" and (spec.classifier if task == "classification" else spec.regressor) is None:
        raise ExperimentError(f"model {spec.name!r} cannot do {task}")
    if not isinstance(target, Hashable) or target not in df.columns:
        raise ExperimentError(f"target {target!r} is not a column of the frame")
    features = kw["features"]
    if features is not None:
        if isinstance(features, str) or not isinstance(features, Sequence):
            raise ExperimentError("features must be a list of column names")
        missing = [f for f in features if f not in df.columns]
        if missing:
            raise ExperimentError(f"feature columns not in the frame: {missing!r}")
        features = tuple(f for f in features if f != target)
    test_size, cv, seed = kw["test_size"], kw["cv"], kw["seed"]
    if not isinstance(test_size, int | float) or not 0 < test_size < 1:
        raise ExperimentError(f"test_size must be between 0 and 1, not {test_size!r}")
    if cv is not None and (isinstance(cv, bool) or not isinstance(cv, int) or cv < 2):
        raise ExperimentError(f"cv must be None or an integer >= 2, not {cv!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ExperimentError(f"seed must be an integer, not {seed!r}")
    params = kw["params"]
    if params is not None and not isinstance(params, dict):
        raise ExperimentError(f"params must be a dict, not {type(params).__name__}")
    uri = resolve_tracking_uri(kw["tracking_uri"])
    merged = {**preset_params(spec.name, kw["preset"], uri), **(params or {})}
    # refused here, before a run starts; the worker checks again once the task is known
    validate_params(spec.name, merged, None if task == "auto" else task)
    return Job(
        spec.name,
        task,
        target,
        features,
        merged,
        kw["preset"] or "balanced",
        float(test_size),
        cv,
        seed,
        uri,
        kw["experiment"],
        bool(kw["track"]),
        kw["run_name"] or f"{spec.name}-{target}",
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


def prepare(df: pd.DataFrame, job: Job, log: Any) -> tuple[pd.DataFrame, np.ndarray, str]:
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


def end_reason(handle: RunHandle, status: str, error: BaseException | None) -> str | None:
    """Return the ``hydroml.end_reason`` of a run that ends with ``status``."""
    from hydroml_jupyter.experiments.errors import one_line

    if status == "cancelled":
        return handle.end_reason or "cancelled"
    return one_line(error) if error is not None else None


def _work(handle: TrainingRun, job: Job, df: pd.DataFrame, lineage: tracking.Lineage) -> None:
    handle._begin()
    status, error, result = "failed", None, None
    client = buffer = None
    try:
        X, y, task = prepare(df, job, handle._log)
        handle.task = task
        validate_params(job.model, job.params, task)
        handle._check_cancel()
        if job.track:
            handle.tracking_uri = job.tracking_uri
            client = tracking.get_client(job.tracking_uri)
            handle.experiment_id = tracking.get_experiment_id(
                client, job.experiment, job.tracking_uri
            )
            handle.run_id = tracking.start_run(
                client,
                handle.experiment_id,
                job.run_name,
                {
                    "hydroml.kind": "train",
                    "hydroml.model": job.model,
                    "hydroml.task": task,
                    "hydroml.target": job.target,
                },
            )
            tracking.log_params(client, handle.run_id, run_params(job, task, X))
            frame = X.assign(**{job.target: y}) if job.target not in X else X
            tracking.log_lineage(client, handle.run_id, lineage, frame)
            buffer = tracking.MetricBuffer(client, handle.run_id)
        pipe, metrics, handle.holdout = abandonable(
            lambda: fit_and_score(handle, job, X, y, task, buffer),
            lambda: "cancel" if handle.cancel_requested else None,
            on_thread=lambda thread: setattr(handle, "fit_thread", thread),
        )
        handle._check_cancel()
        with handle._lock:
            handle._metrics = metrics
        handle._log("metrics: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()))
        if client is not None and buffer is not None:
            buffer.add(metrics, 0)
            buffer.flush()
            handle.model_uri = tracking.log_model(
                client, handle.run_id, handle.experiment_id, pipe, X, job.model
            )
        status, result = "completed", pipe
    except (RunCancelledError, EarlyStopError):
        status = "cancelled"
        handle._log("cancelled")
    except BaseException as exc:
        error = exc
    finally:
        if client is not None and handle.run_id is not None:
            try:
                if buffer is not None:
                    buffer.flush()
                tracking.end_run(client, handle.run_id, status, end_reason(handle, status, error))
            except Exception as exc:
                handle._log(f"could not end the MLflow run: {exc}")
        handle._finish(status, error=error, result=result)


def train(
    session: Any,
    target: str,
    model: str = "xgboost",
    task: str = "auto",
    params: dict[str, Any] | None = None,
    preset: str | None = None,
    features: Sequence[str] | None = None,
    test_size: float = 0.2,
    cv: int | None = None,
    experiment: str | None = None,
    seed: int = 0,
    tracking_uri: str | None = None,
    *,
    track: bool = True,
    run_name: str | None = None,
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
    task
        ``"classification"``, ``"regression"`` or ``"auto"`` (see :func:`infer_task`).
    params
        Estimator parameters; they override the preset's.
    preset
        A built-in (``fast``, ``balanced``, ``thorough``) or saved preset; default ``balanced``.
    features
        The feature columns (default: every other column).
    test_size
        Fraction of rows held out to score the model (ignored with ``cv``).
    cv
        Number of folds: score by cross-validation, then refit on every row.
    experiment
        MLflow experiment name (default ``hydroml``).
    seed
        Seed of the split and of the model.
    tracking_uri
        MLflow tracking URI (default ``$MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db``).
    track
        ``False`` trains without MLflow (``run_id`` stays ``None``).
    run_name
        The MLflow run name (default ``"<model>-<target>"``).

    Returns
    -------
    TrainingRun
        The handle; ``.result()`` waits for the fitted pipeline.

    Raises
    ------
    ExperimentError
        At once, for an unknown model, task, preset or column, or bad arguments.
    """
    df, lineage = snapshot(session)
    job = check_job(
        df,
        model=model,
        task=task,
        target=target,
        features=features,
        params=params,
        preset=preset,
        test_size=test_size,
        cv=cv,
        seed=seed,
        tracking_uri=tracking_uri,
        experiment=experiment,
        track=track,
        run_name=run_name,
    )
    handle = TrainingRun(f"{job.model} on {target!r}", job.model, job.task, target)
    handle.run_name = job.run_name
    plan_steps(handle, job)
    handle._start(lambda: _work(handle, job, df, lineage))
    return handle
