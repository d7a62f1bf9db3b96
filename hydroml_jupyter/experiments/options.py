"""The options of a run, listed once: :class:`TrainOptions`, and a run's arguments checked.

:func:`~hydroml_jupyter.experiments.train` and :func:`~hydroml_jupyter.experiments.tune`
(and ``s.train``/``s.tune``, which are the same functions) take these options; each
is declared once, here, and :func:`takes_train_options` shows them in the functions'
signatures.

Examples
--------
>>> import inspect
>>> from hydroml_jupyter.experiments import train
>>> list(inspect.signature(train).parameters)[:5]
['session', 'target', 'model', 'task', 'params']
>>> options = TrainOptions.of("train", ("regression",), {"cv": 5})
>>> options.task, options.cv, options.track
('regression', 5, True)
>>> TrainOptions.of("train", (), {"folds": 5})
Traceback (most recent call last):
TypeError: train() got an unexpected keyword argument 'folds'
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import pandas as pd

from hydroml_jupyter.experiments.catalog import TASKS, get_spec, validate_params
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.presets import (
    preset_params,
    resolve_tracking_uri,
    with_early_stopping,
)
from hydroml_jupyter.labels import Label

__all__ = ["Job", "TrainOptions", "check_job", "takes_train_options"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class TrainOptions:
    """How a model is trained: the options that :func:`train` and :func:`tune` share.

    ``train(session, target, model, ...)`` takes them next, in this order (``track`` and
    ``run_name`` by keyword only); ``tune`` by keyword only.

    Parameters
    ----------
    task
        ``"classification"``, ``"regression"`` or ``"auto"`` (see
        :func:`~hydroml_jupyter.experiments.infer_task`).
    params
        Estimator parameters; they override the preset's.
    preset
        A built-in (``fast``, ``balanced``, ``thorough``) or saved preset; default
        ``balanced``.
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
        MLflow tracking URI (default ``$MLFLOW_TRACKING_URI``, else
        ``sqlite:///mlflow.db``).
    track
        ``False`` trains without MLflow (``run_id`` stays ``None``).
    run_name
        The MLflow run name (default ``"<model>-<target>"``; for tuning, the parent
        run's, default ``"tune-<model>-<target>"``).
    early_stopping
        For ``xgboost`` and ``gradient_boosting``: stop after this many rounds with no
        better validation loss, and predict with the best round (kept as the run's
        ``best_round``, counted from 1, and as the MLflow metric ``best_round``).
        ``None`` (default): the preset's patience (fast 20, balanced 50, thorough 100
        rounds); ``False``: train every round; ``True``: on, with the preset's patience
        or 50. It sets the estimator parameter ``early_stopping_rounds`` (xgboost) or
        ``n_iter_no_change`` (gradient boosting), watched on the run's own validation
        split.
    """

    task: str = "auto"
    params: dict[str, Any] | None = None
    preset: str | None = None
    features: Sequence[Label] | None = None
    test_size: float = 0.2
    cv: int | None = None
    experiment: str | None = None
    seed: int = 0
    tracking_uri: str | None = None
    _: dataclasses.KW_ONLY
    track: bool = True
    run_name: str | None = None
    early_stopping: int | bool | None = None

    @classmethod
    def of(cls, caller: str, args: Sequence[Any], kwargs: dict[str, Any]) -> TrainOptions:
        """Bind the option arguments of a call to ``caller``.

        Raises
        ------
        TypeError
            For an unknown option, or one given twice, naming ``caller`` as Python does.
        """
        try:
            return cls(*args, **kwargs)
        except TypeError as exc:
            message = str(exc).replace(f"{cls.__name__}.__init__()", f"{caller}()")
            raise TypeError(message) from None


def takes_train_options(function: F) -> F:
    """Show the :class:`TrainOptions` in ``function``'s signature, where it takes ``**kwargs``.

    They come after its own parameters: positional too when ``function`` takes
    ``*args``, else by keyword only.
    """
    kinds = inspect.Parameter
    own = inspect.signature(function)
    values = list(own.parameters.values())
    positional = any(p.kind is kinds.VAR_POSITIONAL for p in values)
    options = [
        p if positional and p.kind is not kinds.KEYWORD_ONLY else p.replace(kind=kinds.KEYWORD_ONLY)
        for p in inspect.signature(TrainOptions).parameters.values()
    ]
    kept = [p for p in values if p.kind not in (kinds.VAR_POSITIONAL, kinds.VAR_KEYWORD)]
    ordered = sorted([*kept, *options], key=lambda p: p.kind is kinds.KEYWORD_ONLY)
    # inspect reads __signature__ when set; typeshed does not declare it on callables.
    function.__signature__ = own.replace(parameters=ordered)  # type: ignore[attr-defined]
    return function


@dataclasses.dataclass(frozen=True)
class Job:
    """The arguments of one run, checked."""

    model: str
    task: str
    target: Label
    features: tuple[Label, ...] | None
    params: dict[str, Any]
    preset: str | None
    test_size: float
    cv: int | None
    seed: int
    tracking_uri: str
    experiment: str | None
    track: bool
    run_name: str


def check_job(df: pd.DataFrame, target: Label, model: str, options: TrainOptions) -> Job:
    """Check the arguments that need no import and no data pass; raise :class:`ExperimentError`."""
    spec = get_spec(model)
    task = options.task
    if task != "auto" and task not in TASKS:
        raise ExperimentError(
            f"task must be 'auto', 'classification' or 'regression', not {task!r}"
        )
    if task != "auto" and (spec.classifier if task == "classification" else spec.regressor) is None:
        raise ExperimentError(f"model {spec.name!r} cannot do {task}")
    if not isinstance(target, Hashable) or target not in df.columns:
        raise ExperimentError(f"target {target!r} is not a column of the frame")
    features = options.features
    if features is not None:
        if isinstance(features, str) or not isinstance(features, Sequence):
            raise ExperimentError("features must be a list of column names")
        missing = [f for f in features if f not in df.columns]
        if missing:
            raise ExperimentError(f"feature columns not in the frame: {missing!r}")
        features = tuple(f for f in features if f != target)
    test_size, cv, seed = options.test_size, options.cv, options.seed
    if not isinstance(test_size, int | float) or not 0 < test_size < 1:
        raise ExperimentError(f"test_size must be between 0 and 1, not {test_size!r}")
    if cv is not None and (isinstance(cv, bool) or not isinstance(cv, int) or cv < 2):
        raise ExperimentError(f"cv must be None or an integer >= 2, not {cv!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ExperimentError(f"seed must be an integer, not {seed!r}")
    params = options.params
    if params is not None and not isinstance(params, dict):
        raise ExperimentError(f"params must be a dict, not {type(params).__name__}")
    uri = resolve_tracking_uri(options.tracking_uri)
    merged = {**preset_params(spec.name, options.preset, uri), **(params or {})}
    merged = with_early_stopping(spec.name, merged, options.early_stopping)
    # refused here, before a run starts; the worker checks again once the task is known
    validate_params(spec.name, merged, None if task == "auto" else task)
    return Job(
        spec.name,
        task,
        target,
        features,
        merged,
        options.preset or "balanced",
        float(test_size),
        cv,
        seed,
        uri,
        options.experiment,
        bool(options.track),
        options.run_name or f"{spec.name}-{target}",
    )
