"""Where sessions survive kernel restarts, crashes and outages: memory, disk, Redis.

One interface, :class:`Store` (``save``, ``load``, ``list``, ``delete``, ``exists``,
``uri``, ``close``), three implementations, and :func:`open_store` to pick one from a
spec such as ``"disk"``, ``"memory://"`` or ``"redis://host:6379/0"``. A
:class:`BackgroundWriter` saves on a thread and rides out store outages.

Nothing stored is executable: frames are Arrow IPC (compressed), everything else JSON,
and every payload carries an HMAC-SHA256 (key: :func:`store_key`) that is checked
before anything in it is parsed.
"""

from hydroml_jupyter.store import persist
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo
from hydroml_jupyter.store.codec import compression, decode_frame, encode_frame
from hydroml_jupyter.store.disk import DiskStore
from hydroml_jupyter.store.errors import (
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
)
from hydroml_jupyter.store.factory import STORE_ENV, open_store
from hydroml_jupyter.store.keys import KEY_ENV, key_path, store_key
from hydroml_jupyter.store.memory import MemoryStore
from hydroml_jupyter.store.redis_store import RedisStore
from hydroml_jupyter.store.writer import BackgroundWriter, WriterEvent

__all__ = [
    "KEY_ENV",
    "STORE_ENV",
    "BackgroundWriter",
    "DiskStore",
    "MemoryStore",
    "RedisStore",
    "SessionRecord",
    "Store",
    "StoreError",
    "StoreOutageWarning",
    "StoreUnavailable",
    "StoreWarning",
    "StoredInfo",
    "WriterEvent",
    "compression",
    "decode_frame",
    "encode_frame",
    "key_path",
    "open_store",
    "persist",
    "store_key",
]
