"""Named hyperparameter presets: built-in ``fast``, ``balanced``, ``thorough``, and your own.

User presets are stored as JSON (never code) beside the MLflow store:
``<folder of mlflow.db>/hydroml-presets.json`` for a ``sqlite:///`` or file
tracking URI, else ``$XDG_CONFIG_HOME/hydroml/presets.json`` (by default
``~/.config/hydroml/presets.json``). The file holds
``{"version": 1, "presets": {model: {name: params}}}``; entries that fail
validation when read are skipped with a warning.

Boosting models stop early on the run's validation split: every preset of
``xgboost`` sets ``early_stopping_rounds`` and every preset of
``gradient_boosting`` sets ``n_iter_no_change`` (:data:`EARLY_STOPPING_ROUNDS`;
a user preset that does not set it gets the ``balanced`` value). The train option
``early_stopping`` overrides it (see :func:`with_early_stopping`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from hydroml_jupyter.experiments.catalog import MODELS, PRESET_NAMES, get_spec, validate_params
from hydroml_jupyter.experiments.errors import ExperimentError

__all__ = [
    "EARLY_STOPPING_PARAM",
    "EARLY_STOPPING_ROUNDS",
    "delete_preset",
    "preset_params",
    "presets",
    "presets_path",
    "resolve_tracking_uri",
    "save_preset",
    "with_early_stopping",
]

log = logging.getLogger("hydroml_jupyter.experiments")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_LOCK = threading.Lock()
DEFAULT_PRESET = "balanced"
#: The estimator parameter that sets a boosting model's early stopping patience (rounds).
EARLY_STOPPING_PARAM = {"xgboost": "early_stopping_rounds", "gradient_boosting": "n_iter_no_change"}
#: Rounds with no better validation loss before a boosting model stops, per built-in preset.
EARLY_STOPPING_ROUNDS = {"fast": 20, "balanced": 50, "thorough": 100}


def _with_patience(model: str, preset: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the early stopping patience of ``preset`` unless it sets one."""
    key = EARLY_STOPPING_PARAM.get(model)
    if key is None or key in params:
        return dict(params)
    rounds = EARLY_STOPPING_ROUNDS.get(preset, EARLY_STOPPING_ROUNDS[DEFAULT_PRESET])
    return {**params, key: rounds}


def with_early_stopping(model: str, params: dict[str, Any], option: Any) -> dict[str, Any]:
    """Apply the train option ``early_stopping`` to a run's merged ``params``.

    ``None`` keeps what the preset and ``params`` say; ``False`` turns early stopping
    off; ``True`` keeps it on (the ``balanced`` patience if nothing sets one); an
    integer ``n >= 1`` stops after ``n`` rounds with no better validation loss.

    Raises
    ------
    ExperimentError
        For another value, or a number of rounds for a model that does not boost.

    Examples
    --------
    >>> with_early_stopping("xgboost", {"n_estimators": 800}, 10)
    {'n_estimators': 800, 'early_stopping_rounds': 10}
    >>> with_early_stopping("xgboost", {"early_stopping_rounds": 10}, False)
    {'early_stopping_rounds': None}
    """
    if option is None:
        return dict(params)
    if not (isinstance(option, bool) or (isinstance(option, int) and option >= 1)):
        raise ExperimentError(
            f"early_stopping must be None, True, False or a number of rounds >= 1, not {option!r}"
        )
    key = EARLY_STOPPING_PARAM.get(model)
    if key is None:
        if option is False:
            return dict(params)
        raise ExperimentError(
            f"early_stopping applies to {' and '.join(EARLY_STOPPING_PARAM)}, not {model}"
        )
    if option is True:
        kept = {k: v for k, v in params.items() if k != key or v is not None}
        return _with_patience(model, DEFAULT_PRESET, kept)
    return {**params, key: None if option is False else option}


def resolve_tracking_uri(uri: str | None = None) -> str:
    """Return the tracking URI to use: ``uri``, ``$MLFLOW_TRACKING_URI`` or ``sqlite:///mlflow.db``.

    A relative SQLite path is made absolute against the current folder, so a
    run started here keeps writing here even if the folder changes later.
    """
    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or "sqlite:///mlflow.db"
    if uri.startswith("sqlite:///"):
        path = uri[len("sqlite:///") :]
        if path and not path.startswith("/") and path != ":memory:":
            uri = "sqlite:///" + os.path.abspath(path)
    return uri


def presets_path(tracking_uri: str | None = None) -> Path:
    """Return the JSON file that holds user presets for ``tracking_uri``."""
    uri = resolve_tracking_uri(tracking_uri)
    if uri.startswith("sqlite:///") and not uri.endswith(":memory:"):
        return Path(uri[len("sqlite:///") :]).parent / "hydroml-presets.json"
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path)) / "hydroml-presets.json"
    if not parts.scheme or len(parts.scheme) == 1:  # a plain path (or a Windows drive)
        return Path(uri) / "hydroml-presets.json"
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "hydroml" / "presets.json"


def _read(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Read and validate user presets; skip (and warn about) anything invalid."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring presets file %s: %s", path, exc)
        return {}
    table = data.get("presets") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        log.warning("ignoring presets file %s: no 'presets' object", path)
        return {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for model, entries in table.items():
        if model not in MODELS or not isinstance(entries, dict):
            log.warning("ignoring presets for unknown model %r in %s", model, path)
            continue
        for name, params in entries.items():
            try:
                _check_name(name)
                out.setdefault(model, {})[name] = validate_params(model, params)
            except ExperimentError as exc:
                log.warning("ignoring preset %r of %s in %s: %s", name, model, path, exc)
    return out


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ExperimentError(
            f"bad preset name {name!r}: use a letter then letters, digits, '_', '.' or '-' "
            "(at most 64)"
        )
    if name in PRESET_NAMES:
        raise ExperimentError(f"preset name {name!r} is built in: choose another name")


def presets(model: str | None = None, tracking_uri: str | None = None) -> pd.DataFrame:
    """List presets: one row per (model, preset) with its source and parameters.

    Parameters
    ----------
    model
        Only this model's presets.
    tracking_uri
        The tracking URI whose presets file holds the user presets.

    Examples
    --------
    >>> table = presets("ridge", tracking_uri="sqlite:////nonexistent/mlflow.db")
    >>> table["preset"].tolist()
    ['fast', 'balanced', 'thorough']
    """
    models = [get_spec(model).name] if model is not None else list(MODELS)
    user = _read(presets_path(tracking_uri))
    rows = []
    for m in models:
        for source, table in (
            ("built-in", MODELS[m].presets),
            ("user", dict(sorted(user.get(m, {}).items()))),
        ):
            for name, params in table.items():
                full = _with_patience(m, name, params)
                rows.append({"model": m, "preset": name, "source": source, "params": full})
    return pd.DataFrame(rows, columns=["model", "preset", "source", "params"])


def preset_params(
    model: str, preset: str | None, tracking_uri: str | None = None
) -> dict[str, Any]:
    """Return the parameters of ``preset`` for ``model`` (``None``: the ``balanced`` one).

    Raises
    ------
    ExperimentError
        When the preset does not exist for this model.
    """
    spec = get_spec(model)
    name = DEFAULT_PRESET if preset is None else preset
    if name in spec.presets:
        return _with_patience(model, name, spec.presets[name])
    user = _read(presets_path(tracking_uri)).get(model, {})
    if isinstance(name, str) and name in user:
        return _with_patience(model, name, user[name])
    known = ", ".join([*spec.presets, *sorted(user)])
    raise ExperimentError(f"no preset {name!r} for {model}: choose one of {known}")


def _write(path: Path, table: dict[str, dict[str, dict[str, Any]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "presets": table}, indent=2, sort_keys=True, allow_nan=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".presets-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_preset(
    name: str, model: str, params: dict[str, Any], tracking_uri: str | None = None
) -> Path:
    """Save (or replace) a user preset and return the JSON file it went to.

    Raises
    ------
    ExperimentError
        For a bad or built-in name, an unknown model, an unknown parameter or a
        value that is not a plain JSON value.

    Examples
    --------
    >>> save_preset("fast", "ridge", {"alpha": 2.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hydroml_jupyter.experiments.errors.ExperimentError: preset name 'fast' is built in: ...
    """
    _check_name(name)
    clean = validate_params(model, params)
    try:
        json.dumps(clean, allow_nan=False)
    except ValueError as exc:
        raise ExperimentError(f"preset {name!r}: parameters must be finite JSON values") from exc
    path = presets_path(tracking_uri)
    with _LOCK:
        table = _read(path)
        table.setdefault(model, {})[name] = clean
        _write(path, table)
    return path


def delete_preset(name: str, model: str, tracking_uri: str | None = None) -> bool:
    """Delete a user preset; return whether it existed."""
    get_spec(model)
    path = presets_path(tracking_uri)
    with _LOCK:
        table = _read(path)
        if name not in table.get(model, {}):
            return False
        del table[model][name]
        _write(path, table)
    return True
