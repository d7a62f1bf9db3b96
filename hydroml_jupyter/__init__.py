"""hydroml-jupyter: clean data and run ML experiments without leaving the notebook.

Examples
--------
>>> import hydroml_jupyter as hj
>>> s = hj.open("notebooks/data/customers.csv")  # doctest: +SKIP
>>> s.apply("cast", column="age", dtype="Int64", errors="coerce")  # doctest: +SKIP
>>> print(s.code())  # doctest: +SKIP
"""

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hydroml_jupyter import extensions
from hydroml_jupyter.engine import (
    Operation,
    Recipe,
    Session,
    catalog,
    sessions,
)
from hydroml_jupyter.errors import HydroMLError, OperationError, SourceError

try:
    __version__ = version("hydroml-jupyter")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# What the layers above the engine give the package, each loaded on first use, so
# ``import hydroml_jupyter.engine`` loads nothing of the store, experiments or widgets.
_LAZY = {
    "open": ("hydroml_jupyter.store.persist", "open_session"),
    "session": ("hydroml_jupyter.store.persist", "session"),
    "stored_sessions": ("hydroml_jupyter.store.persist", "stored_sessions"),
    "compare": ("hydroml_jupyter.experiments", "compare"),
    "drift": ("hydroml_jupyter.experiments.reference", "drift"),
    "presets": ("hydroml_jupyter.experiments", "presets"),
    "runs": ("hydroml_jupyter.experiments", "runs"),
    "models": ("hydroml_jupyter.experiments.registry", "models"),
    "save_preset": ("hydroml_jupyter.experiments", "save_preset"),
    **{
        name: ("hydroml_jupyter.widgets", name)
        for name in ("DataGrid", "ExperimentPanel", "ExperimentView", "Sidebar", "Studio", "studio")
    },
}


def _loader(module: str, name: str) -> Callable[[], Any]:
    return lambda: getattr(import_module(module), name)


# The layers meet here: sessions get the experiments layer's methods, and a run shows
# as the widgets layer's panel, each registered by name and imported on first use.
for _name in ("train", "tune", "suggest_models"):
    extensions.register("session", _name, _loader("hydroml_jupyter.experiments.accessors", _name))
extensions.register("run", "panel", _loader("hydroml_jupyter.widgets", "ExperimentPanel"))
extensions.register("run", "view", _loader("hydroml_jupyter.widgets", "ExperimentView"))
extensions.register("other", "stored", _loader("hydroml_jupyter.store.others", "stored_recipe"))

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
    "drift",
    "models",
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
    if name in _LAZY:
        value = _loader(*_LAZY[name])()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%hydroml`` magics: ``%load_ext hydroml_jupyter``."""
    import_module("hydroml_jupyter.magics").load_ipython_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%hydroml`` magics (live sessions are kept)."""
    import_module("hydroml_jupyter.magics").unload_ipython_extension(ipython)
