"""What a scoring server needs to know about a model before it starts: that it exists and serves.

:func:`inspect_model` reads only the model's ``MLmodel`` file (and its saved
serving example), in the kernel, in well under a second once MLflow is
imported: a wrong URI, a missing alias or a model without the
``python_function`` flavour is refused at once, instead of after the seconds
a server process takes to start and die. Nothing is loaded or unpickled.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.messages import first_line

__all__ = ["ModelCard", "inspect_model", "request_body"]

#: A saved serving example larger than this is not read (the curl line shows the columns only).
_EXAMPLE_BYTES = 1_000_000
#: Rows of the saved example that the ready-to-copy curl line carries.
_EXAMPLE_ROWS = 2


@dataclass(frozen=True)
class ModelCard:
    """A model's flavours, input columns and serving example, read from its ``MLmodel``.

    Attributes
    ----------
    uri
        The model URI as given (``models:/...``, ``runs:/...`` or a folder, made absolute).
    flavors
        The flavour names, e.g. ``("python_function", "sklearn")``.
    columns
        The signature's input column names (empty without a signature).
    example
        The saved serving example, trimmed to a few rows (``None`` when there is none).
    """

    uri: str
    flavors: tuple[str, ...]
    columns: tuple[str, ...] = ()
    example: dict[str, Any] | None = field(default=None, compare=False)


def _location(client: Any, uri: str) -> str:
    """Return where the model's files are (the URI itself unless the store must say)."""
    if uri.startswith("runs:/"):
        run_id, _, path = uri[len("runs:/") :].strip("/").partition("/")
        return f"{str(client.get_run(run_id).info.artifact_uri).rstrip('/')}/{path}"
    if not uri.startswith("models:/"):
        return uri
    rest = uri[len("models:/") :].strip("/")
    name, at, alias = rest.partition("@")
    if at:
        version = client.get_model_version_by_alias(name, alias).version
        return _location(client, str(client.get_model_version_download_uri(name, version)))
    name, slash, version = rest.partition("/")
    if slash and version.isdigit():
        return _location(client, str(client.get_model_version_download_uri(name, version)))
    if not slash:
        return str(client.get_logged_model(rest).artifact_location)
    return uri


def _local_folder(location: str) -> str | None:
    """Return the local folder a ``file:`` or plain-path location names, else ``None``."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(location)
    if parsed.scheme == "file" and parsed.netloc in {"", "localhost"}:
        return unquote(parsed.path)
    if not parsed.scheme and os.path.isabs(location):
        return location
    return None


def _trim(example: Any) -> dict[str, Any] | None:
    if not isinstance(example, dict):
        return None
    split = example.get("dataframe_split")
    if isinstance(split, dict) and isinstance(split.get("data"), list):
        kept = {k: v for k, v in split.items() if k != "index"}
        return {"dataframe_split": {**kept, "data": split["data"][:_EXAMPLE_ROWS]}}
    records = example.get("dataframe_records")
    if isinstance(records, list):
        return {"dataframe_records": records[:_EXAMPLE_ROWS]}
    return None


def inspect_model(uri: str, tracking_uri: str) -> ModelCard:
    """Read a model's ``MLmodel`` and serving example; refuse one that cannot be served.

    Parameters
    ----------
    uri
        ``models:/<model_id>``, ``models:/<name>/<version>``, ``models:/<name>@<alias>``,
        ``runs:/<run_id>/<path>``, or a model folder.
    tracking_uri
        The store the URI is resolved in (also the registry, unless
        ``$MLFLOW_REGISTRY_URI`` says otherwise).

    Raises
    ------
    ExperimentError
        ``cannot serve '<uri>': <why>`` when the model is not found or has no
        ``python_function`` flavour.
    """
    import mlflow.artifacts
    from mlflow.models import Model

    from hydroml_jupyter.experiments import tracking

    if "://" not in uri and ":/" not in uri:
        uri = os.path.abspath(uri)
    registry_uri = os.environ.get("MLFLOW_REGISTRY_URI") or tracking_uri
    folder = tempfile.mkdtemp(prefix="hydroml-model-")
    try:
        location = _location(tracking.get_client(tracking_uri), uri).rstrip("/")
        local = _local_folder(location)

        def fetch(name: str) -> str:
            if local is not None:
                path = os.path.join(local, name)
                if not os.path.isfile(path):
                    raise ExperimentError(f"no {name} file in {local}")
                return path
            return mlflow.artifacts.download_artifacts(
                artifact_uri=f"{location}/{name}",
                dst_path=folder,
                tracking_uri=tracking_uri,
                registry_uri=registry_uri,
            )

        meta = Model.load(fetch("MLmodel"))
        flavors = tuple(meta.flavors)
        if "python_function" not in flavors:
            have = ", ".join(flavors) or "none"
            raise ExperimentError(f"it has no python_function flavour (it has: {have})")
        columns: tuple[str, ...] = ()
        if meta.signature is not None and meta.signature.inputs is not None:
            columns = tuple(str(c) for c in meta.signature.inputs.input_names())
        example = None
        serving_file = (meta.saved_input_example_info or {}).get("serving_input_path")
        if isinstance(serving_file, str) and "/" not in serving_file:
            path = fetch(serving_file)
            if os.path.getsize(path) <= _EXAMPLE_BYTES:
                with open(path, encoding="utf-8") as f:
                    example = _trim(json.load(f))
    except Exception as e:
        raise ExperimentError(f"cannot serve {uri!r}: {first_line(e)}") from e
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ModelCard(uri, flavors, columns, example)


def request_body(card: ModelCard) -> dict[str, Any]:
    """Return a JSON body for ``/invocations``: the saved example, else one empty row."""
    if card.example is not None:
        return card.example
    return {
        "dataframe_split": {"columns": list(card.columns), "data": [[None] * len(card.columns)]}
    }
