"""``%config HydroML``: the defaults of the ``%hydroml`` magics.

Examples
--------
In a notebook, after ``%load_ext hydroml_jupyter``::

    %config HydroML                              # list the options and their values
    %config HydroML.memory_budget = 2**30        # 1 GiB of snapshots per session
    %config HydroML.autodisplay = False          # `open` prints a line, no studio
    %config HydroML.store = '/data/sessions'     # sessions are saved in that folder
    %config HydroML.mlflow_uri = 'sqlite:///runs.db'
    %config HydroML.formula_limit = '2GiB'       # memory a formula may build at once

The same options can be set in ``ipython_config.py``
(``c.HydroML.code_cell = False``).

``formula_limit`` acts on the whole kernel (it is
:func:`hydroml_jupyter.engine.formula.set_memory_limit`); ``''`` is automatic.

``store`` and ``mlflow_uri`` act on the whole kernel, not only on the magics: ``store``
becomes the default store (:func:`hydroml_jupyter.store.set_default_store`), so
``hydroml_jupyter.open`` and ``hydroml_jupyter.session`` save there too; ``mlflow_uri``
becomes ``$MLFLOW_TRACKING_URI``, which experiments started from Python
(``session.train``, ``hydroml_jupyter.runs``) follow too. Setting either back to ``''``
restores what was there before. A value that cannot work is refused with a
:class:`~traitlets.TraitError` naming the option, and the option keeps its previous value
(``%config`` prints the error).
"""

from __future__ import annotations

import os
import re
from importlib.metadata import entry_points
from typing import Any, Final

from traitlets import Bool, Int, TraitError, Unicode, observe, validate
from traitlets.config import Configurable

from hydroml_jupyter.engine.formula import parse_limit, set_memory_limit
from hydroml_jupyter.engine.history import DEFAULT_MEMORY_BUDGET
from hydroml_jupyter.errors import HydroMLError

__all__ = [
    "TRACKING_ENV",
    "HydroML",
    "apply_store",
    "apply_tracking_uri",
    "check_store",
    "check_tracking_uri",
    "mlflow_uri",
    "store_spec",
]

#: The environment variable experiments read their MLflow tracking URI from.
TRACKING_ENV: Final = "MLFLOW_TRACKING_URI"
#: URI schemes MLflow tracks to without a plugin (``postgresql+psycopg2`` counts as postgresql).
TRACKING_SCHEMES: Final = frozenset(
    {"file", "sqlite", "postgresql", "mysql", "mssql", "http", "https", "databricks"}
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_UNSET: Final = object()
# $MLFLOW_TRACKING_URI as it was before HydroML.mlflow_uri first set it (_UNSET: not set by us).
_tracking_before: dict[str, object] = {"value": _UNSET}


# -- store ---------------------------------------------------------------------------------
def check_store(spec: str) -> None:
    """Raise :class:`TraitError` if ``spec`` cannot name a store.

    ``spec`` is what :func:`~hydroml_jupyter.store.open_store` takes, or ``off``/``none``.
    A folder is refused when it exists as a file; a Redis URL with a malformed port is
    refused. Nothing is connected to or created.
    """
    from urllib.parse import urlsplit

    from hydroml_jupyter.store.config import store_for
    from hydroml_jupyter.store.disk import DiskStore
    from hydroml_jupyter.store.factory import OFF

    if spec.lower() in OFF:
        return
    try:
        if spec.lower().startswith(("redis://", "rediss://")):
            urlsplit(spec).port  # noqa: B018 (raises ValueError for a malformed port)
        store = store_for(spec)
    except (HydroMLError, ValueError) as exc:
        raise TraitError(f"HydroML.store: {exc}") from None
    if isinstance(store, DiskStore) and store.root.exists() and not store.root.is_dir():
        raise TraitError(f"HydroML.store: {store.root} is a file, not a folder")


def apply_store(spec: str) -> None:
    """Make ``spec`` the kernel's default store; ``''``: follow ``$HYDROML_STORE`` again."""
    from hydroml_jupyter.store.config import reset_default_store, set_default_store

    if spec:
        set_default_store(spec)
    else:
        reset_default_store()


# -- MLflow --------------------------------------------------------------------------------
def _plugin_schemes() -> set[str]:
    try:
        return {ep.name for ep in entry_points(group="mlflow.tracking_store")}
    except Exception:  # a broken distribution must not break %config
        return set()


def check_tracking_uri(uri: str) -> None:
    """Raise :class:`TraitError` if ``uri`` cannot be an MLflow tracking URI.

    A folder, or a URL whose scheme MLflow tracks to (file, sqlite, postgresql, mysql,
    mssql, http, https, databricks, or one an installed MLflow plugin adds). An SQLite
    URI must name a file: ``sqlite:///path.db``.
    """
    if any(ch.isspace() or not ch.isprintable() for ch in uri):
        raise TraitError(f"HydroML.mlflow_uri: {uri!r} holds spaces or control characters")
    match = _SCHEME.match(uri)
    if match is None or len(match.group(1)) == 1:  # a path (or a Windows drive letter)
        return
    scheme = match.group(1).lower()
    known = TRACKING_SCHEMES | _plugin_schemes()
    if scheme not in known and scheme.split("+", 1)[0] not in known:
        raise TraitError(
            f"HydroML.mlflow_uri: unknown scheme {scheme!r} in {uri!r}: use a folder, "
            "file://, sqlite:///path.db, http(s)://, postgresql://, mysql://, mssql:// "
            "or databricks"
        )
    if scheme == "sqlite" and not uri.lower().startswith("sqlite:///"):
        raise TraitError(f"HydroML.mlflow_uri: {uri!r}: an SQLite URI is sqlite:///path.db")


def apply_tracking_uri(uri: str) -> None:
    """Make ``uri`` the kernel's ``$MLFLOW_TRACKING_URI``; ``''``: put back the earlier value."""
    if uri:
        if _tracking_before["value"] is _UNSET:
            _tracking_before["value"] = os.environ.get(TRACKING_ENV)
        os.environ[TRACKING_ENV] = uri
        return
    before = _tracking_before["value"]
    if before is _UNSET:
        return
    _tracking_before["value"] = _UNSET
    if before is None:
        os.environ.pop(TRACKING_ENV, None)
    else:
        os.environ[TRACKING_ENV] = str(before)


# -- the options ---------------------------------------------------------------------------
class HydroML(Configurable):
    """Defaults of the ``%hydroml`` magics."""

    memory_budget = Int(
        DEFAULT_MEMORY_BUDGET,
        help=(
            "Bytes the history snapshots of each session opened or restored by the magics "
            "may hold; beyond it, the snapshots farthest from the current step are dropped "
            "and rebuilt on demand by replaying steps. A change applies to those sessions "
            "at once."
        ),
    ).tag(config=True)

    autodisplay = Bool(
        True,
        help="Show the Data Studio of a session right after `%hydroml open` or `restore`.",
    ).tag(config=True)

    code_cell = Bool(
        True,
        help=(
            "`%hydroml code` puts the session's script into a new cell below the current "
            "one (when a notebook front end is attached); False prints it instead."
        ),
    ).tag(config=True)

    store = Unicode(
        "",
        help=(
            "Where sessions are saved after every change, for the whole kernel: 'disk' "
            "(.hydroml in the working folder), a folder, 'memory:', a redis:// URL, or "
            "'off'. Empty: $HYDROML_STORE, else disk. Sessions saved already keep their store."
        ),
    ).tag(config=True)

    mlflow_uri = Unicode(
        "",
        help=(
            "MLflow tracking URI of the kernel's experiments (`%hydroml train`, `tune`, "
            "`runs`, `compare`, and session.train or hydroml_jupyter.runs in Python); it is "
            "set as $MLFLOW_TRACKING_URI. Empty: the earlier $MLFLOW_TRACKING_URI, else "
            "sqlite:///mlflow.db in the working folder."
        ),
    ).tag(config=True)

    formula_limit = Unicode(
        "",
        help=(
            "Bytes a formula may build at once in this kernel, e.g. 536870912 or '2GiB'; a "
            "formula that would build more is refused before it starts. Empty: "
            "$HYDROML_FORMULA_LIMIT, else 4 times the frame's memory plus 64 MiB, at most 1 GiB."
        ),
    ).tag(config=True)

    @validate("formula_limit")
    def _check_formula_limit(self, proposal: dict[str, Any]) -> str:
        text = str(proposal["value"]).strip()
        try:
            parse_limit(text, source="HydroML.formula_limit")
        except HydroMLError as exc:
            raise TraitError(str(exc).removeprefix("formula: ")) from None
        return text

    @observe("formula_limit")
    def _formula_limit_changed(self, change: dict[str, Any]) -> None:
        set_memory_limit(change["new"] or None)

    @validate("memory_budget")
    def _check_memory_budget(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"HydroML.memory_budget: {value} is negative; give bytes >= 0")
        return value

    @validate("store")
    def _check_store(self, proposal: dict[str, Any]) -> str:
        spec = str(proposal["value"]).strip()
        if spec:
            check_store(spec)
        return spec

    @validate("mlflow_uri")
    def _check_mlflow_uri(self, proposal: dict[str, Any]) -> str:
        uri = str(proposal["value"]).strip()
        if uri:
            check_tracking_uri(uri)
        return uri

    @observe("store")
    def _store_changed(self, change: dict[str, Any]) -> None:
        apply_store(change["new"])

    @observe("mlflow_uri")
    def _mlflow_uri_changed(self, change: dict[str, Any]) -> None:
        apply_tracking_uri(change["new"])

    def release(self) -> None:
        """Undo what ``store``, ``mlflow_uri`` and ``formula_limit`` set for the kernel."""
        if self.store:
            apply_store("")
        if self.mlflow_uri:
            apply_tracking_uri("")
        if self.formula_limit:
            set_memory_limit(None)


def store_spec(config: HydroML) -> str | None:
    """Return the store the magics use: ``HydroML.store``, or ``None`` for the default."""
    return config.store.strip() or None


def mlflow_uri(config: HydroML) -> str | None:
    """Return the MLflow tracking URI the magics use: ``HydroML.mlflow_uri``, or ``None``."""
    return config.mlflow_uri.strip() or None
