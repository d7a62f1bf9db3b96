# ruff: noqa: N803, PLR0917 - X/y are scikit-learn's names; fit steps take many arrays
"""MLflow tracking through ``MlflowClient`` and explicit run ids (never the fluent active run).

Model serialization
-------------------
The fitted pipeline is saved with ``mlflow.sklearn.save_model`` in the
**skops** format, with an explicit ``skops_trusted_types`` list. The list is
computed for each model (``skops.io.get_untrusted_types`` on the dumped
bytes) and every entry must come from numpy, scipy, scikit-learn, xgboost or
``hydroml_jupyter.experiments``; anything else refuses to log. No pickle or
cloudpickle is written. Loading stays MLflow's contract on the user's explicit
request: MLflow 3 asks for ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true`` even for
skops models, and hydroml itself never loads a model from a store.

The model is an MLflow 3 *logged model* linked to its run, so both
``models:/<model_id>`` (:attr:`TrainingRun.model_uri`) and
``runs:/<run_id>/model`` load it. ``mlflow.sklearn.load_model`` takes the
frame as trained; the pyfunc flavour enforces its signature with plain dtypes:
give category columns as strings and integer columns as floats (MLflow cannot
convert pandas' nullable ``Int64``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hydroml_jupyter.experiments.errors import ExperimentError

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
_TRUSTED_PREFIXES = (
    "numpy.",
    "scipy.",
    "sklearn.",
    "xgboost.",
    "hydroml_jupyter.experiments.",
    "builtins.",
    "collections.",
)
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


class MetricBuffer:
    """Collect metrics and send them with ``log_batch`` every ``interval`` s or ``size`` metrics.

    Thread-safe: a fit thread adds while the run's worker may flush.

    Parameters
    ----------
    client
        The ``MlflowClient``.
    run_id
        The run the metrics belong to.
    """

    def __init__(self, client: Any, run_id: str, interval: float = 0.5, size: int = 50) -> None:
        self.client = client
        self.run_id = run_id
        self.interval = interval
        self.size = size
        self._pending: list[Any] = []
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def add(self, values: dict[str, float], step: int = 0) -> None:
        """Queue ``values`` at ``step``; flush when the batch is due."""
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        with self._lock:
            self._pending += [Metric(k, float(v), now, int(step)) for k, v in values.items()]
            due = len(self._pending) >= self.size or time.monotonic() - self._last >= self.interval
        if due:
            self.flush()

    def flush(self) -> None:
        """Send every queued metric."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._last = time.monotonic()
        for i in range(0, len(pending), 1000):
            self.client.log_batch(self.run_id, metrics=pending[i : i + 1000])


def frame_hash(df: pd.DataFrame) -> str:
    """Return the SHA-256 of ``pd.util.hash_pandas_object(df, index=True)`` and column names."""
    import hashlib

    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    digest.update("\x1f".join(map(str, df.columns)).encode())
    return digest.hexdigest()


def log_lineage(client: Any, run_id: str, lineage: Lineage, frame: pd.DataFrame) -> dict[str, str]:
    """Log the recipe, its code and the training frame's hash, shape and dtypes; return tags."""
    import json

    tags = {
        "hydroml.data_sha256": frame_hash(frame),
        "hydroml.data_shape": f"{frame.shape[0]}x{frame.shape[1]}",
        "hydroml.recipe_steps": str(lineage.steps),
    }
    if lineage.session:
        tags["hydroml.session"] = lineage.session
    if lineage.source:
        tags["hydroml.source"] = lineage.source[:5000]
    for key, value in tags.items():
        client.set_tag(run_id, key, value)
    data = {
        "sha256": tags["hydroml.data_sha256"],
        "rows": frame.shape[0],
        "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
        "source": lineage.source,
        "session": lineage.session,
        "session_version": lineage.version,
    }
    client.log_text(run_id, json.dumps(data, indent=2), "lineage/data.json")
    if lineage.recipe_json is not None:
        client.log_text(run_id, lineage.recipe_json, "lineage/recipe.json")
    if lineage.code is not None:
        client.log_text(run_id, lineage.code, "lineage/code.py")
    return tags


def trusted_types(pipeline: Any) -> list[str]:
    """Return the skops types to trust for ``pipeline``; refuse any outside the allow-list."""
    import skops.io

    found = skops.io.get_untrusted_types(data=skops.io.dumps(pipeline))
    bad = [t for t in found if not t.startswith(_TRUSTED_PREFIXES)]
    if bad:
        raise ExperimentError(f"the model holds types outside the trusted list: {', '.join(bad)}")
    return sorted(found)


def _requirements(model: str) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    names = ["mlflow", "scikit-learn", "skops", "pandas", "numpy", "scipy", "hydroml-jupyter"]
    if model == "xgboost":
        names.append("xgboost-cpu")
    out = []
    for name in names:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(name)
    return out


def log_model(
    client: Any, run_id: str, experiment_id: str, pipeline: Any, X: pd.DataFrame, model: str
) -> str:
    """Save ``pipeline`` as an MLflow logged model of ``run_id``; return ``models:/<id>``."""
    import tempfile

    import mlflow.sklearn
    from mlflow.entities import LoggedModelOutput, LoggedModelStatus
    from mlflow.models import Model, infer_signature

    trusted = trusted_types(pipeline)
    sample = X.head(5)
    # integer columns are declared as doubles, so rows with missing values still load
    ints = [c for c, t in sample.dtypes.items() if pd.api.types.is_integer_dtype(t)]
    typed = sample.astype(dict.fromkeys(ints, "float64")) if ints else sample
    signature = infer_signature(typed, pipeline.predict(sample))
    logged = client.create_logged_model(
        experiment_id, name="model", source_run_id=run_id, tags={"hydroml.model": model}
    )
    for example in (sample, None):
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/model"
            meta = Model(
                artifact_path=logged.artifact_location,
                run_id=run_id,
                model_id=logged.model_id,
                model_uuid=logged.model_id,
            )
            try:
                mlflow.sklearn.save_model(
                    pipeline,
                    path,
                    mlflow_model=meta,
                    signature=signature,
                    input_example=example,
                    serialization_format="skops",
                    skops_trusted_types=trusted,
                    pip_requirements=_requirements(model),
                )
            except Exception:
                if example is None:
                    client.finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
                    raise
                continue
            client.log_model_artifacts(logged.model_id, path)
            break
    client.log_outputs(run_id, [LoggedModelOutput(logged.model_id, step=0)])
    client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
    return f"models:/{logged.model_id}"
