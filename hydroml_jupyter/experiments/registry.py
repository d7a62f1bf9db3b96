"""The MLflow model registry: register a run's model, list registered models, load one.

Everything goes through ``MlflowClient`` on the run's tracking URI (the sqlite store
keeps the registry too).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.messages import first_line

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle
    from hydroml_jupyter.experiments.predict import Scorer

__all__ = ["load_scorer", "models", "register"]


def _model_id(uri: str | None) -> str:
    if not uri or not uri.startswith("models:/") or "/" in uri[len("models:/") :]:
        raise ExperimentError(f"not a logged model's URI: {uri!r}")
    return uri[len("models:/") :]


def register(run: RunHandle, name: str, alias: str | None = None) -> int:
    """Register ``run``'s pyfunc model as a new version of ``name``; return the version.

    Parameters
    ----------
    run
        A completed, tracked run.
    name
        The registered model's name (created on first use).
    alias
        An alias the new version takes (e.g. ``"champion"``), moved from any older one.

    Raises
    ------
    ExperimentError
        When the run has no logged model, or MLflow refuses the name or alias.
    """
    if run.model_uri is None or run.tracking_uri is None:
        raise ExperimentError(f"{run.name} has no logged model to register (status {run.status})")
    from mlflow.exceptions import MlflowException

    client = tracking.get_client(run.tracking_uri)
    model_id = _model_id(run.model_uri)
    try:
        logged = client.get_logged_model(model_id)
        try:
            client.get_registered_model(name)
        except MlflowException:
            client.create_registered_model(name)
        version = client.create_model_version(
            name,
            source=logged.artifact_location,
            run_id=run.run_id,
            model_id=model_id,
            await_creation_for=0,
        )
        if alias is not None:
            client.set_registered_model_alias(name, alias, version.version)
    except MlflowException as exc:
        raise ExperimentError(f"could not register {name!r}: {first_line(exc)}") from exc
    return int(version.version)


def models(tracking_uri: str | None = None) -> pd.DataFrame:
    """Return the registered models' versions: name, version, aliases, run, metrics.

    One row per version, newest first within a name; the source run's metrics follow
    as columns.
    """
    from hydroml_jupyter.experiments.presets import resolve_tracking_uri

    client = tracking.get_client(resolve_tracking_uri(tracking_uri))
    aliases: dict[tuple[str, str], list[str]] = {}
    for model in client.search_registered_models(max_results=1000):
        for alias, version in (model.aliases or {}).items():
            aliases.setdefault((model.name, str(version)), []).append(alias)
    runs: dict[str, dict[str, float]] = {}  # a run registered as several versions is read once
    rows = []
    for v in client.search_model_versions(max_results=10_000):
        if v.run_id and v.run_id not in runs:
            try:
                runs[v.run_id] = dict(client.get_run(v.run_id).data.metrics)
            except Exception:
                runs[v.run_id] = {}
        rows.append(
            {
                "name": v.name,
                "version": int(v.version),
                "aliases": ", ".join(sorted(aliases.get((v.name, str(v.version)), []))),
                "run_id": v.run_id,
                "created": pd.Timestamp(v.creation_timestamp, unit="ms"),
                **runs.get(v.run_id or "", {}),
            }
        )
    columns = ["name", "version", "aliases", "run_id", "created"]
    frame = pd.DataFrame(
        rows, columns=[*columns, *sorted({k for r in rows for k in r} - set(columns))]
    )
    if frame.empty:
        return frame
    return frame.sort_values(["name", "version"], ascending=[True, False], ignore_index=True)


def load_scorer(key: str, tracking_uri: str | None = None) -> Scorer:
    """Return the scorer that ``key`` names: a run of this kernel, an MLflow run id, or a URI.

    ``key`` is what ``%hydroml cancel`` takes (a run's number, run id or name), else an
    MLflow run id of the tracking store, or a model URI (``models:/<model_id>``,
    ``models:/NAME/VERSION``, ``models:/NAME@ALIAS``).

    Raises
    ------
    ExperimentError
        When nothing matches, or the run has no model.
    """
    from hydroml_jupyter.experiments import active

    try:
        handle = active.find(key)
    except ExperimentError as missing:
        return _stored(key, tracking_uri, missing)
    return handle.scorer_or_raise()


def _stored(key: str, tracking_uri: str | None, missing: ExperimentError) -> Scorer:
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    from hydroml_jupyter.experiments.model_file import FOLDER, load_scorer
    from hydroml_jupyter.experiments.presets import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    client = tracking.get_client(uri)
    try:
        if key.startswith("models:/"):
            source = key
        else:
            outputs = client.get_run(key).outputs
            found = [o.model_id for o in (outputs.model_outputs if outputs else [])]
            if not found:
                raise ExperimentError(f"run {key!r} has no logged model")
            source = client.get_logged_model(found[-1]).artifact_location
        with tempfile.TemporaryDirectory() as tmp:
            local = mlflow.artifacts.download_artifacts(
                artifact_uri=source, dst_path=tmp, tracking_uri=uri
            )
            return load_scorer(Path(local) / "data" / FOLDER)
    except MlflowException:
        raise ExperimentError(f"{missing}; no MLflow run or model {key!r} either") from None
