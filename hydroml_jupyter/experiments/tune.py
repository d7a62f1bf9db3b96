# ruff: noqa: PLR0917 - the public signature mirrors train()'s positional arguments
"""``tune``: an Optuna study in a background thread, each trial an MLflow child run.

See :mod:`hydroml_jupyter.experiments.tuner` for storage and pruning.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pandas as pd

from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.fitting import EarlyStopError
from hydroml_jupyter.experiments.handle import RunCancelledError, TuningRun
from hydroml_jupyter.experiments.spaces import search_space as search_space_of
from hydroml_jupyter.experiments.train import check_job, end_reason, plan_steps, snapshot
from hydroml_jupyter.experiments.tuner import Tuner

__all__ = ["tune"]


def _work(tuner: Tuner, df: pd.DataFrame, lineage: tracking.Lineage) -> None:
    handle = tuner.handle
    handle._begin()
    status, error, result = "failed", None, None
    try:
        result, status = tuner.run(df, lineage), "completed"
    except (RunCancelledError, EarlyStopError):
        status = "cancelled"
        handle._log("cancelled")
    except BaseException as exc:
        error = exc
    finally:
        if tuner.client is not None and handle.run_id is not None:
            try:
                reason = end_reason(handle, status, error)
                tracking.end_run(tuner.client, handle.run_id, status, reason)
            except Exception as exc:
                handle._log(f"could not end the MLflow run: {exc}")
        handle._finish(status, error=error, result=result)


def tune(
    session: Any,
    target: str,
    model: str = "xgboost",
    n_trials: int | None = 50,
    timeout: float | None = None,
    search_space: dict[str, dict[str, Any]] | None = None,
    metric: str | None = None,
    storage: Any = None,
    study_name: str | None = None,
    *,
    task: str = "auto",
    params: dict[str, Any] | None = None,
    preset: str | None = None,
    features: Sequence[str] | None = None,
    test_size: float = 0.2,
    cv: int | None = None,
    experiment: str | None = None,
    seed: int = 0,
    tracking_uri: str | None = None,
    pruner: Any = "median",
    track: bool = True,
    run_name: str | None = None,
) -> TuningRun:
    """Start tuning ``model``'s hyperparameters with Optuna and return the handle at once.

    Parameters
    ----------
    session, target, model, task, features, test_size, cv, experiment, seed, tracking_uri
        As for :func:`train`.
    n_trials
        Trials to run in this call (``None``: until ``timeout``).
    timeout
        Stop starting trials after this many seconds.
    search_space
        ``{param: {"type": ...}}`` (see :mod:`~hydroml_jupyter.experiments.catalog`);
        default :data:`SEARCH_SPACES[model] <hydroml_jupyter.experiments.catalog.SEARCH_SPACES>`.
    metric
        The metric to optimise (default ``f1`` for classification, ``rmse`` for regression).
    storage
        Where the study lives (see the module documentation); default in memory.
    study_name
        Join (or create) this study in ``storage``.
    params, preset
        Fixed parameters under the searched ones.
    pruner
        ``"median"`` (default), ``"none"`` or an Optuna pruner.
    track, run_name
        As for :func:`train`; the parent run is named ``run_name``.

    Returns
    -------
    TuningRun
        ``.result()`` is the best trial's fitted pipeline.
    """
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1
    ):
        raise ExperimentError(f"n_trials must be a positive integer or None, not {n_trials!r}")
    if n_trials is None and timeout is None:
        raise ExperimentError("give n_trials or timeout, or tuning never ends")
    if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
        raise ExperimentError(f"timeout must be a positive number of seconds, not {timeout!r}")
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
        run_name=run_name or f"tune-{model}-{target}",
    )
    search_space_of(job.model, search_space)  # a bad space is refused before the run starts
    name = study_name or f"hydroml-{job.model}-{target}-{uuid.uuid4().hex[:8]}"
    handle = TuningRun(f"tuning {job.model} on {target!r}", job.model, job.task, target)
    handle.run_name = job.run_name
    plan_steps(handle, job)
    handle.total, handle.unit = n_trials, "trials"
    tuner = Tuner(
        handle,
        job,
        {
            "n_trials": n_trials,
            "timeout": timeout,
            "metric": metric,
            "search_space": search_space,
            "storage": storage,
            "study_name": name,
            "pruner": pruner,
        },
    )
    handle._start(lambda: _work(tuner, df, lineage))
    return handle
