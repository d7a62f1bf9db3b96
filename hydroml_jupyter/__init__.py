"""hydroml-jupyter: clean data and run ML experiments without leaving the notebook.

Examples
--------
>>> import hydroml_jupyter as hj
>>> s = hj.open("notebooks/data/customers.csv")  # doctest: +SKIP
>>> s.apply("cast", column="age", dtype="Int64", errors="coerce")  # doctest: +SKIP
>>> print(s.code())  # doctest: +SKIP
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hydroml_jupyter.engine import (
    Operation,
    Recipe,
    Session,
    catalog,
    sessions,
)
from hydroml_jupyter.errors import HydroMLError, OperationError, SourceError
from hydroml_jupyter.experiments import compare, presets, runs, save_preset
from hydroml_jupyter.store.persist import open_session as open
from hydroml_jupyter.store.persist import session, stored_sessions

try:
    __version__ = version("hydroml-jupyter")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# The widgets import anywidget and ipywidgets: they load on first use only.
_WIDGETS = ("DataGrid", "ExperimentPanel", "ExperimentView", "Sidebar", "Studio", "studio")

__all__ = [
    "DataGrid",
    "ExperimentPanel",
    "ExperimentView",
    "HydroMLError",
    "Operation",
    "OperationError",
    "Recipe",
    "Session",
    "Sidebar",
    "SourceError",
    "Studio",
    "__version__",
    "catalog",
    "compare",
    "open",
    "presets",
    "runs",
    "save_preset",
    "session",
    "sessions",
    "stored_sessions",
    "studio",
]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        value = getattr(import_module("hydroml_jupyter.widgets"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_WIDGETS})


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%hydroml`` magics: ``%load_ext hydroml_jupyter``."""
    import_module("hydroml_jupyter.magics").load_ipython_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%hydroml`` magics (live sessions are kept)."""
    import_module("hydroml_jupyter.magics").unload_ipython_extension(ipython)
