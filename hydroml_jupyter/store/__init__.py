"""Where sessions survive kernel restarts, crashes and outages: memory, disk, Redis.

One interface, :class:`Store` (``save``, ``load``, ``list``, ``delete``, ``exists``,
``uri``, ``close``), three implementations, and :func:`open_store` to pick one from a
spec such as ``"disk"``, ``"memory:"`` or ``"redis://host:6379/0"``. A
:class:`BackgroundWriter` saves on a thread and rides out store outages.

:func:`default_store` is where sessions go unless told otherwise (``.hydroml/`` in the
working folder, or ``$HYDROML_STORE``); :func:`open_session`, :func:`session`,
:func:`stored_sessions` and :func:`drop` (in :mod:`~hydroml_jupyter.store.persist`)
open, continue, list and forget sessions kept there.

Every save names the stored generation it started from, and a save over another
writer's newer one is refused with :class:`StoreConflictError` (see
:mod:`~hydroml_jupyter.store.generations`); what is pending at exit is saved then
(:mod:`~hydroml_jupyter.store.exiting`).

Nothing stored is executable: frames are Arrow IPC (compressed), everything else JSON,
and every payload carries an HMAC-SHA256 (key: :func:`store_key`) that is checked
before anything in it is parsed.
"""

from hydroml_jupyter.store import persist
from hydroml_jupyter.store.autosaving import Autosave, autosave
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo
from hydroml_jupyter.store.codec import compression, decode_frame, encode_frame
from hydroml_jupyter.store.config import (
    default_store,
    reset_default_store,
    set_default_store,
)
from hydroml_jupyter.store.disk import DiskStore
from hydroml_jupyter.store.errors import (
    StoreConflictError,
    StoreError,
    StoreKeyWarning,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
)
from hydroml_jupyter.store.factory import STORE_ENV, open_store
from hydroml_jupyter.store.keys import KEY_ENV, key_path, store_key
from hydroml_jupyter.store.memory import MemoryStore
from hydroml_jupyter.store.persist import (
    drop,
    open_session,
    session,
    stored_sessions,
)
from hydroml_jupyter.store.redis_store import RedisStore
from hydroml_jupyter.store.writer import BackgroundWriter, WriterEvent

__all__ = [
    "KEY_ENV",
    "STORE_ENV",
    "Autosave",
    "BackgroundWriter",
    "DiskStore",
    "MemoryStore",
    "RedisStore",
    "SessionRecord",
    "Store",
    "StoreConflictError",
    "StoreError",
    "StoreKeyWarning",
    "StoreOutageWarning",
    "StoreUnavailable",
    "StoreWarning",
    "StoredInfo",
    "WriterEvent",
    "autosave",
    "compression",
    "decode_frame",
    "default_store",
    "drop",
    "encode_frame",
    "key_path",
    "open_session",
    "open_store",
    "persist",
    "reset_default_store",
    "session",
    "set_default_store",
    "store_key",
    "stored_sessions",
]
