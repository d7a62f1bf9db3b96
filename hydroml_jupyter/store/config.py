"""The default store: ``.hydroml/`` in the working folder, unless configured otherwise.

What :func:`default_store` returns, first match wins:

1. what :func:`set_default_store` set in this process (a spec, a :class:`Store`, or
   None for no store);
2. ``$HYDROML_STORE``: a ``redis://`` URL, a folder, ``file://`` URL, ``memory:``,
   or ``none``/``off`` for no store (read at each call, so a change is seen at once);
3. ``"disk"``: a :class:`~hydroml_jupyter.store.DiskStore` in ``.hydroml`` under the
   working folder.

One store object is kept per spec (and, for relative folders, per working folder), so
every session saved to the same place shares one store and one background writer.

Examples
--------
>>> from hydroml_jupyter.store import config
>>> config.set_default_store("memory:")
MemoryStore('memory://')
>>> config.default_store() is config.default_store()
True
>>> config.set_default_store(None) is None, config.default_store() is None
(True, True)
>>> config.reset_default_store()
"""

from __future__ import annotations

import os
import re
import threading
from typing import Final

from hydroml_jupyter.store.base import Store
from hydroml_jupyter.store.factory import OFF, STORE_ENV, open_store

__all__ = [
    "default_store",
    "reset_default_store",
    "set_default_store",
    "store_for",
    "store_spec",
]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNSET: Final = object()

_lock = threading.Lock()
# "value": a spec, a Store, None (off) or _UNSET (follow the environment)
_configured: dict[str, object] = {"value": _UNSET}
_stores: dict[tuple[str, str], Store] = {}


def store_spec() -> str | None:
    """Return the spec :func:`default_store` follows now (None: saving is off).

    Examples
    --------
    >>> import os
    >>> saved = os.environ.pop("HYDROML_STORE", None)
    >>> os.environ["HYDROML_STORE"] = "off"
    >>> store_spec() is None
    True
    >>> del os.environ["HYDROML_STORE"]
    >>> store_spec()
    'disk'
    >>> if saved is not None:
    ...     os.environ["HYDROML_STORE"] = saved
    """
    with _lock:
        configured = _configured["value"]
    if isinstance(configured, Store):
        return configured.uri
    if configured is None:
        return None
    spec = configured if isinstance(configured, str) else os.environ.get(STORE_ENV, "")
    spec = spec.strip() or "disk"
    return None if spec.lower() in OFF else spec


def store_for(spec: str) -> Store:
    """Return the store ``spec`` names, one object per spec (see the module's notes).

    Raises
    ------
    StoreError
        For a spec :func:`~hydroml_jupyter.store.open_store` does not know, or
        ``none``/``off``.
    """
    spec = spec.strip() or "disk"
    relative = spec == "disk" or (
        not _SCHEME.match(spec) and not os.path.isabs(os.path.expanduser(spec))
    )
    cache_key = (spec, os.getcwd() if relative else "")
    with _lock:
        store = _stores.get(cache_key)
        if store is None:
            store = _stores[cache_key] = open_store(spec)
        return store


def default_store() -> Store | None:
    """Return the store sessions are saved to by default, or None when saving is off."""
    with _lock:
        configured = _configured["value"]
    if isinstance(configured, Store):
        return configured
    spec = store_spec()
    return None if spec is None else store_for(spec)


def set_default_store(spec: str | Store | None) -> Store | None:
    """Make ``spec`` the default store from now on; None, ``"none"`` or ``"off"``: no store.

    Sessions already being saved keep their store; sessions opened from now on use
    this one. Returns the store (None when off).

    Raises
    ------
    StoreError
        For a spec :func:`~hydroml_jupyter.store.open_store` does not know; the
        configuration is then unchanged.
    """
    if isinstance(spec, str) and spec.strip().lower() in OFF:
        spec = None
    store = store_for(spec) if isinstance(spec, str) else spec
    with _lock:
        _configured["value"] = spec
    return store


def reset_default_store() -> None:
    """Forget :func:`set_default_store`: follow ``$HYDROML_STORE`` (else ``"disk"``) again."""
    with _lock:
        _configured["value"] = _UNSET
