# ruff: noqa: N806, PLR0917 - X/y are scikit-learn's names; the hook takes a run's parts
"""A run's training reference, stored with it in MLflow, and drift checks against it.

When a tracked run completes, the frame it trained on (features and target, rows
with a missing target dropped) is summarised by
:func:`~hydroml_jupyter.analysis.drift.build_reference` and logged as the JSON
artifact ``drift/reference.json``, with the run's task, target and validation
metrics. :func:`drift` reads it back by run id, so a new kernel can check new rows
against a run it never saw train. Nothing is unpickled: the reference is JSON, and
the model is used only when a live run hands over its fitted pipeline.

Examples
--------
>>> import hydroml_jupyter as hj
>>> report = hj.drift("3f2a...", new_df)  # doctest: +SKIP
>>> report.verdict, report.to_frame()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from hydroml_jupyter.analysis.drift import (
    DriftReport,
    Reference,
    ReferenceError,
    build_reference,
    compare,
    performance_alert,
)
from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.catalog import MAIN_METRIC, lower_is_better
from hydroml_jupyter.experiments.errors import ExperimentError, one_line
from hydroml_jupyter.experiments.presets import resolve_tracking_uri
from hydroml_jupyter.labels import Label

__all__ = ["ARTIFACT", "drift", "load_reference", "log_reference", "run_drift"]

#: Where the reference is stored among a run's artifacts.
ARTIFACT = "drift/reference.json"
_ENV_LOCK = threading.Lock()


def log_reference(
    client: Any,
    run_id: str,
    frame: pd.DataFrame,
    target: Label,
    task: str,
    metrics: dict[str, float],
    log: Callable[[str], None],
) -> None:
    """Store the reference of the training ``frame`` (features and ``target``) with ``run_id``.

    A failure is logged on the run (``log``) and does not fail it: the model is
    already stored, only later drift checks lack their reference.
    """
    try:
        ref = build_reference(frame, target=str(target), task=task, metrics=metrics)
        client.log_text(run_id, ref.to_json(), ARTIFACT)
    except Exception as exc:
        log(f"could not store the drift reference: {one_line(exc)}")


@contextlib.contextmanager
def _no_progress_bar() -> Iterator[None]:
    """Hide MLflow's download bar for one small file (a notebook would show a widget).

    MLflow reads the switch from the environment at each download, so it is set for
    the call and put back; a download in another thread meanwhile shows no bar either.
    """
    key = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    with _ENV_LOCK:
        before = os.environ.get(key)
        os.environ[key] = "false"
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = before


def load_reference(run_id: str, tracking_uri: str | None = None) -> Reference:
    """Read run ``run_id``'s training reference from its tracking store.

    Raises
    ------
    ExperimentError
        When the run is unknown, has no reference (it was not tracked, or did not
        complete), or its reference is not valid.
    """
    client = tracking.get_client(resolve_tracking_uri(tracking_uri))
    with tempfile.TemporaryDirectory() as tmp, _no_progress_bar():
        try:
            path = client.download_artifacts(run_id, ARTIFACT, tmp)
        except Exception as exc:
            raise ExperimentError(
                f"run {run_id!r} has no drift reference ({ARTIFACT}): {one_line(exc)}"
            ) from None
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            text = f.read(min(size, 64 * 1024 * 1024 + 1))
    try:
        return Reference.from_json(text)
    except ReferenceError as exc:
        raise ExperimentError(f"run {run_id!r}: {exc}") from None


def _frame(new: Any) -> pd.DataFrame:
    frame = new if isinstance(new, pd.DataFrame) else getattr(new, "df", None)
    if not isinstance(frame, pd.DataFrame):
        raise ExperimentError(f"drift needs a DataFrame or a Session, got {type(new).__name__}")
    return frame


def _performance(report: DriftReport, ref: Reference, new: pd.DataFrame, model: Any) -> None:
    """Score ``model`` on the rows of ``new`` that carry the target; alert when it is worse."""
    from hydroml_jupyter.experiments.metrics import evaluate
    from hydroml_jupyter.experiments.preprocess import prepare_target

    target, task = ref.target, ref.task
    names = {str(c): c for c in new.columns}
    if target is None or task is None or target not in names:
        return
    labelled = new[new[names[target]].notna()]
    if len(labelled) < 2:
        report.notes.append(f"only {len(labelled)} new rows carry the target {target!r}")
        return
    features = [c for c in ref.names if c != target]
    absent = [c for c in features if c not in names]
    if absent:
        report.notes.append(f"the model was not scored: column {absent[0]!r} is absent")
        return
    X = labelled[[names[c] for c in features]].set_axis(features, axis=1)
    try:
        y = prepare_target(labelled[names[target]], task)
        report.metrics = evaluate(model, X, y, task)
    except Exception as exc:
        report.notes.append(f"the model was not scored: {one_line(exc)}")
        return
    metric = MAIN_METRIC[task]
    if metric in report.metrics and metric in ref.metrics:
        value, before = report.metrics[metric], ref.metrics[metric]
        alert = performance_alert(metric, before, value, lower_is_better(metric))
        if alert is not None:
            report.performance.append(alert)
    report.notes.append(f"the model was scored on {len(labelled):,} new rows with the target")


def drift(
    run_id: str, new: Any, *, model: Any = None, tracking_uri: str | None = None
) -> DriftReport:
    """Compare ``new`` rows with the rows run ``run_id`` trained on (its stored reference).

    Parameters
    ----------
    run_id
        An MLflow run of this package (training or tuning) that completed.
    new
        A DataFrame or Session whose columns are the run's features (and, once labels
        arrive, its target): shaped like the training frame, not the raw source.
    model
        The run's fitted pipeline, to score it on new rows that carry the target (a
        live run passes its own; without it the model is not scored).
    tracking_uri
        The tracking store (default: ``$MLFLOW_TRACKING_URI`` or ``sqlite:///mlflow.db``).

    Raises
    ------
    ExperimentError
        When the run has no valid reference, or ``new`` is not a frame.
    """
    frame = _frame(new)
    return _check(load_reference(run_id, tracking_uri), frame, model)


def _check(ref: Reference, frame: pd.DataFrame, model: Any) -> DriftReport:
    report = compare(ref, frame)
    if model is not None:
        _performance(report, ref, frame, model)
    return report


def run_drift(handle: Any, new: Any) -> DriftReport:
    """Do the work of :meth:`RunHandle.drift <hydroml_jupyter.experiments.RunHandle.drift>`.

    A frame shaped like the session's source (see :func:`_is_raw`) is cleaned first:
    when the run holds a scorer (``run.predict``), its recipe is replayed on it, and the
    target, if present, is kept beside the cleaned features.
    """
    if handle.status != "completed":
        raise ExperimentError(f"{handle.name} is {handle.status}: drift needs a completed run")
    if handle.run_id is None or handle.tracking_uri is None:
        raise ExperimentError(f"{handle.name} was not tracked: it has no drift reference")
    frame = _frame(new)
    ref = load_reference(handle.run_id, handle.tracking_uri)
    features = [c for c in ref.names if c != ref.target]
    scorer = getattr(handle, "scorer", None)
    if scorer is not None and _is_raw(frame, ref, features, scorer.spec.raw):
        cleaned = scorer.features(frame)
        if ref.target is not None and ref.target in frame.columns:
            cleaned = cleaned.assign(**{ref.target: frame[ref.target].reindex(cleaned.index)})
        frame = cleaned
    return _check(ref, frame, handle.result())


def _is_raw(
    frame: pd.DataFrame, ref: Reference, features: list[str], raw: dict[str, str] | None
) -> bool:
    """Return whether ``frame`` is shaped like the source rather than the training frame.

    A frame without the run's features is raw. One that has both the features and the
    source's columns (a recipe that casts and adds, but drops nothing) is told by its
    dtypes: raw when more of them are the source's than the training frame's.
    """
    names = {str(c) for c in frame.columns}
    if not set(features) <= names:
        return True
    if not raw or not set(raw) - {ref.target} <= names:
        return False
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
    as_source = sum(dtypes[c] == t for c, t in raw.items() if c in dtypes)
    as_trained = sum(dtypes[c.name] == c.dtype for c in ref.columns if c.name in dtypes)
    return as_source > as_trained
