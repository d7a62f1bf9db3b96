# ruff: noqa: PLR0917 - X/y are scikit-learn's names; fit steps take many arrays
"""MLflow tracking through ``MlflowClient`` and explicit run ids (never the fluent active run).

Model serialization
-------------------
Each run logs one MLflow *logged model* linked to it (``models:/<model_id>``,
:attr:`TrainingRun.model_uri`; ``runs:/<run_id>/model`` loads it too): a pyfunc model
that takes rows shaped like the session's source and replays the recipe before the
pipeline (:mod:`~hydroml_jupyter.experiments.model_file` describes the folder). The
pipeline is written in the **skops** format; the types it holds must come from numpy,
scipy, scikit-learn, xgboost or ``hydroml_jupyter.experiments`` (checked when it is
written and again when it is read). No pickle or cloudpickle is written.
``mlflow.sklearn.load_model`` on the same URI gives the bare pipeline, which takes the
cleaned frame (MLflow asks for ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true`` there, even
for skops); ``mlflow.pyfunc.load_model`` needs no such setting.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.experiments.lane import MetricBuffer
from hydroml_jupyter.experiments.slices import row_slices

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.predict import Scorer

__all__ = [
    "END_REASON",
    "MLFLOW_STATUS",
    "Lineage",
    "MetricBuffer",
    "end_run",
    "get_client",
    "get_experiment_id",
    "log_lineage",
    "log_model",
    "log_params",
    "start_run",
]

MLFLOW_STATUS = {"completed": "FINISHED", "failed": "FAILED", "cancelled": "KILLED"}
DEFAULT_EXPERIMENT = "hydroml"
#: The tag that says why a run ended (cancelled, failed, its process exited or is gone).
END_REASON = "hydroml.end_reason"
_LOCK = threading.Lock()
_CLIENTS: dict[str, Any] = {}
_ENDED: set[str] = set()
_ENDED_LOCK = threading.Lock()


@dataclass(frozen=True)
class Lineage:
    """Where the training frame came from, captured when the run was started."""

    session: str | None
    version: int | None
    recipe_json: str | None
    code: str | None
    source: str | None
    steps: int


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Hold the named loggers at WARNING: a new store's table creation is not news."""
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def get_client(uri: str) -> Any:
    """Return a ``MlflowClient`` for ``uri``, its store created once (thread-safe)."""
    with _LOCK:
        if uri not in _CLIENTS:
            from mlflow import MlflowClient

            with _quiet("mlflow.store.db.utils", "alembic.runtime.migration"):
                client = MlflowClient(uri)
                client.search_experiments(max_results=1)  # creates the tables of a new store
            _CLIENTS[uri] = client
        return _CLIENTS[uri]


def get_experiment_id(client: Any, name: str | None, uri: str) -> str:
    """Return the id of experiment ``name`` (default ``hydroml``), creating it if needed."""
    name = name or DEFAULT_EXPERIMENT
    with _LOCK:
        found = client.get_experiment_by_name(name)
        if found is not None:
            if found.lifecycle_stage == "deleted":
                client.restore_experiment(found.experiment_id)
            return str(found.experiment_id)
        location = None
        if uri.startswith("sqlite:///") and not uri.endswith(":memory:"):
            from pathlib import Path

            root = Path(uri[len("sqlite:///") :]).parent / "mlruns"
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
            location = (root / safe).as_uri()
        return str(client.create_experiment(name, artifact_location=location))


def start_run(client: Any, experiment_id: str, name: str, tags: dict[str, str]) -> str:
    """Create a run owned by this process (see :mod:`~hydroml_jupyter.experiments.owner`).

    Returns
    -------
    str
        The new run's id.
    """
    from hydroml_jupyter.experiments.owner import owner_tags

    tags = {**owner_tags(), **{k: str(v) for k, v in tags.items()}}
    run = client.create_run(experiment_id, run_name=name, tags=tags)
    return str(run.info.run_id)


def end_run(client: Any, run_id: str, status: str, reason: str | None = None) -> bool:
    """Mark a run ``FINISHED``, ``FAILED`` or ``KILLED`` from a handle status, once.

    Parameters
    ----------
    client, run_id
        The run.
    status
        ``completed``, ``failed`` or ``cancelled``.
    reason
        Why it ended, kept as the tag ``hydroml.end_reason`` (at most 5000 characters).

    Returns
    -------
    bool
        ``False`` when this process had already ended the run (the worker and the exit
        hook may both try: the first one wins).
    """
    with _ENDED_LOCK:
        if run_id in _ENDED:
            return False
        _ENDED.add(run_id)
    if reason:
        client.set_tag(run_id, END_REASON, reason[:5000])
    client.set_terminated(run_id, MLFLOW_STATUS.get(status, "FAILED"))
    return True


def log_params(client: Any, run_id: str, params: dict[str, Any]) -> None:
    """Log parameters in batches of 100 (values as text, at most 6000 characters)."""
    from mlflow.entities import Param

    items = [Param(str(k)[:250], _text(v)[:6000]) for k, v in params.items()]
    for i in range(0, len(items), 100):
        client.log_batch(run_id, params=items[i : i + 100])


def _text(value: Any) -> str:
    return "None" if value is None else str(value)


def frame_hash(df: pd.DataFrame) -> str:
    """Return the SHA-256 of ``pd.util.hash_pandas_object(df, index=True)`` and column names."""
    import hashlib

    digest = hashlib.sha256()
    # a row's hash depends on that row alone: hashed slice by slice, the digest is the same
    for rows in row_slices(len(df)):
        digest.update(pd.util.hash_pandas_object(df.iloc[rows], index=True).to_numpy().tobytes())
    digest.update("\x1f".join(map(str, df.columns)).encode())
    return digest.hexdigest()


def log_lineage(client: Any, run_id: str, lineage: Lineage, frame: pd.DataFrame) -> dict[str, str]:
    """Log the recipe, its code and the training frame's hash, shape and dtypes; return tags.

    The tags go in one ``log_batch`` and the files in one ``log_artifacts``
    (``lineage/data.json``, ``recipe.json``, ``code.py``): each store call is a
    transaction or a copy of its own.
    """
    import json
    import tempfile
    from pathlib import Path

    from mlflow.entities import RunTag

    tags = {
        "hydroml.data_sha256": frame_hash(frame),
        "hydroml.data_shape": f"{frame.shape[0]}x{frame.shape[1]}",
        "hydroml.recipe_steps": str(lineage.steps),
    }
    if lineage.session:
        tags["hydroml.session"] = lineage.session
    if lineage.source:
        tags["hydroml.source"] = lineage.source[:5000]
    client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
    data = {
        "sha256": tags["hydroml.data_sha256"],
        "rows": frame.shape[0],
        "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
        "source": lineage.source,
        "session": lineage.session,
        "session_version": lineage.version,
    }
    files = {"data.json": json.dumps(data, indent=2)}
    if lineage.recipe_json is not None:
        files["recipe.json"] = lineage.recipe_json
    if lineage.code is not None:
        files["code.py"] = lineage.code
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        client.log_artifacts(run_id, tmp, "lineage")
    return tags


@functools.cache
def _requirements(model: str) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    names = ["mlflow", "scikit-learn", "skops", "pandas", "numpy", "scipy", "pyarrow"]
    if model == "xgboost":
        names.append("xgboost-cpu")
    out = []
    for name in names:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(name)
    # the pyfunc flavour's loader lives in hydroml-jupyter: it must install with the model
    try:
        out.append(f"hydroml-jupyter=={version('hydroml-jupyter')}")
    except PackageNotFoundError:
        out.append("hydroml-jupyter")
    return out


def log_model(
    client: Any,
    run_id: str,
    experiment_id: str,
    scorer: Scorer,
    model: str,
    raw: pd.DataFrame | None = None,
) -> str:
    """Log ``scorer`` as the run's one MLflow logged model; return ``models:/<id>``.

    The model is a pyfunc model that takes raw rows (see
    :mod:`~hydroml_jupyter.experiments.model_file`); its ``sklearn`` flavour loads the
    bare pipeline. ``raw`` (a few rows of the source) gives the signature and the
    input example.
    """
    import tempfile
    from pathlib import Path

    from mlflow.entities import LoggedModelOutput, LoggedModelStatus

    from hydroml_jupyter.experiments import model_file

    data, trusted = model_file.dump_pipeline(scorer.pipeline)
    signature = example = None
    if raw is not None and len(raw):
        example = model_file.example(raw, scorer.spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = scorer.predict(raw)
        signature = model_file.signature(raw, scorer.spec, predicted)
    logged = client.create_logged_model(
        experiment_id, name="model", source_run_id=run_id, tags={"hydroml.model": model}
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            meta = {
                "artifact_path": logged.artifact_location,
                "run_id": run_id,
                "model_id": logged.model_id,
                "model_uuid": logged.model_id,
            }
            path = model_file.save_model(
                Path(tmp),
                scorer.spec,
                pipeline_bytes=data,
                trusted=trusted,
                meta=meta,
                signature=signature,
                example=example,
                requirements=list(_requirements(model)),
            )
            client.log_model_artifacts(logged.model_id, str(path))
    except BaseException:
        client.finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
        raise
    client.log_outputs(run_id, [LoggedModelOutput(logged.model_id, step=0)])
    client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
    return f"models:/{logged.model_id}"
