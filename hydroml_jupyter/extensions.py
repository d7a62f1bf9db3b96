"""Where a higher layer adds to a lower layer's objects, by registering, never by import.

A lower layer asks :func:`find` for what it may be given (``find("session", "train")``,
``find("run", "view")``); a higher layer, or the package that wires the layers together,
registers a *loader* for it with :func:`register`. The loader runs on first use, so
registering imports nothing: ``import hydroml_jupyter.engine`` loads no module of the
experiments or widgets layers, and yet ``s.train(...)`` and a run's panel work.

Examples
--------
>>> register("demo", "double", lambda: lambda x: 2 * x)
>>> find("demo", "double")(21)
42
>>> find("demo", "triple") is None
True
>>> names("demo")
['double']
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["find", "names", "register"]

_lock = threading.Lock()
_loaders: dict[tuple[str, str], Callable[[], Any]] = {}
_loaded: dict[tuple[str, str], Any] = {}


def register(target: str, name: str, loader: Callable[[], Any]) -> None:
    """Make ``loader()`` (run once, on first use) what ``find(target, name)`` returns.

    Registering a name again replaces it (so a module reloaded in a notebook can
    register again).
    """
    with _lock:
        _loaders[(target, name)] = loader
        _loaded.pop((target, name), None)


def find(target: str, name: str) -> Any | None:
    """Return what is registered for ``target`` under ``name``, loading it once; else None."""
    key = (target, name)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        loader = _loaders.get(key)
    if loader is None:
        return None
    value = loader()
    with _lock:
        _loaded.setdefault(key, value)
        return _loaded[key]


def names(target: str) -> list[str]:
    """Return the names registered for ``target``, sorted."""
    with _lock:
        return sorted(name for owner, name in _loaders if owner == target)
