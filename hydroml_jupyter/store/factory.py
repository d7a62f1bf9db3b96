"""Pick a store from a spec string: :func:`open_store`."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from hydroml_jupyter.store.base import Store
from hydroml_jupyter.store.disk import DiskStore
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.memory import MemoryStore

__all__ = ["OFF", "STORE_ENV", "open_store"]

#: Environment variable naming the store when :func:`open_store` gets None.
STORE_ENV = "HYDROML_STORE"
#: Values of ``HYDROML_STORE`` (any case) that switch saving off.
OFF = frozenset({"none", "off"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_store(spec: str | None = None) -> Store:
    """Return the store ``spec`` names.

    Parameters
    ----------
    spec
        ``None`` (use ``$HYDROML_STORE``, else ``"disk"``); ``"disk"`` (a
        :class:`DiskStore` in ``.hydroml`` under the working folder); ``"memory:"`` or
        ``"memory://"``; a folder path or ``file://`` URL (:class:`DiskStore`);
        ``redis://``, ``rediss://`` or ``unix://`` URL (:class:`RedisStore`, whose query
        may set ``ttl`` in seconds (``0``: none) and ``namespace``, besides redis-py's
        own options).

    Raises
    ------
    StoreError
        For an unknown scheme, or ``"none"``/``"off"`` (no store: see
        :func:`~hydroml_jupyter.store.config.default_store`).

    Examples
    --------
    >>> open_store("memory://")
    MemoryStore('memory://')
    >>> open_store("file:///tmp/sessions").root.as_posix()
    '/tmp/sessions'
    """
    if spec is None:
        spec = os.environ.get(STORE_ENV) or "disk"
    spec = spec.strip()
    if spec in ("", "disk"):
        return DiskStore(".hydroml")
    if spec.lower() in OFF:
        raise StoreError(f"the store is switched off ({spec!r}): there is no store to open")
    if spec.lower() == "memory:":
        return MemoryStore()
    match = _SCHEME.match(spec)
    if match is None:
        return DiskStore(spec)
    scheme = match.group(1).lower()
    if scheme == "memory":
        return MemoryStore()
    if scheme == "file":
        parts = urlsplit(spec)
        if parts.netloc not in ("", "localhost"):
            raise StoreError(f"file URLs must name a local folder, not {spec!r}")
        return DiskStore(unquote(parts.path))
    if scheme in ("redis", "rediss", "unix"):
        from hydroml_jupyter.store.redis_store import RedisStore

        return RedisStore.from_url(spec)
    raise StoreError(
        f"unknown store {spec!r}: use 'disk', a folder, file://, memory://, redis://, "
        "rediss:// or unix://"
    )
