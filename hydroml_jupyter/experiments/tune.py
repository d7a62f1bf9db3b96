# ruff: noqa: PLR0917 - the public signature mirrors train()'s positional arguments
"""``tune``: an Optuna study in a background thread, each trial an MLflow child run.

See :mod:`hydroml_jupyter.experiments.tuner` for storage and pruning.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from hydroml_jupyter.experiments import running
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.handle import TuningRun
from hydroml_jupyter.experiments.options import TrainOptions, check_job, takes_train_options
from hydroml_jupyter.experiments.spaces import search_space as search_space_of
from hydroml_jupyter.experiments.train import plan_steps, snapshot
from hydroml_jupyter.experiments.tuner import Tuner
from hydroml_jupyter.labels import Label

__all__ = ["tune"]


@takes_train_options
def tune(
    session: Any,
    target: Label,
    model: str = "xgboost",
    n_trials: int | None = 50,
    timeout: float | None = None,
    search_space: dict[str, dict[str, Any]] | None = None,
    metric: str | None = None,
    storage: Any = None,
    study_name: str | None = None,
    *,
    pruner: Any = "median",
    **kwargs: Any,
) -> TuningRun:
    """Start tuning ``model``'s hyperparameters with Optuna and return the handle at once.

    Parameters
    ----------
    session, target, model
        As for :func:`~hydroml_jupyter.experiments.train`.
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
    pruner
        ``"median"`` (default), ``"none"`` or an Optuna pruner.
    **kwargs
        The :class:`~hydroml_jupyter.experiments.TrainOptions`, by keyword: ``params``
        and ``preset`` are fixed under the searched parameters; the parent run is
        named ``run_name``.

    Returns
    -------
    TuningRun
        ``.result()`` is the best trial's fitted pipeline.
    """
    options = TrainOptions.of("tune", (), kwargs)
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1
    ):
        raise ExperimentError(f"n_trials must be a positive integer or None, not {n_trials!r}")
    if n_trials is None and timeout is None:
        raise ExperimentError("give n_trials or timeout, or tuning never ends")
    if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
        raise ExperimentError(f"timeout must be a positive number of seconds, not {timeout!r}")
    df, lineage = snapshot(session)
    named = dataclasses.replace(options, run_name=options.run_name or f"tune-{model}-{target}")
    job = check_job(df, target, model, named)
    search_space_of(job.model, search_space)  # a bad space is refused before the run starts
    name = study_name or f"hydroml-{job.model}-{target}-{uuid.uuid4().hex[:8]}"
    handle = TuningRun(f"tuning {job.model} on {target!r}", job.model, job.task, target)
    handle.run_name = job.run_name
    plan_steps(handle, job)
    handle.total, handle.unit = n_trials, "trials"
    settings = {
        "n_trials": n_trials,
        "timeout": timeout,
        "metric": metric,
        "search_space": search_space,
        "storage": storage,
        "study_name": name,
        "pruner": pruner,
    }
    running.start(
        handle, lambda writer, tracked: Tuner(writer, tracked, job, settings).run(df, lineage)
    )
    return handle
