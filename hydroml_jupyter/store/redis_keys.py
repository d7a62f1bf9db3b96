"""Where the Redis store keeps a session: its keys, and how long they live.

Keys (``<user>`` is the store's namespace; the name is length-prefixed so no name can
reach into another's keys)::

    hydroml:<user>:index                              set of session names
    hydroml:<user>:s:<len>:<name>:manifest            signed JSON manifest
    hydroml:<user>:s:<len>:<name>:col.<id>:<i>        column payload chunks (0 = header)
    hydroml:<user>:s:<len>:<name>:counter             saves so far

Every key has the store's TTL, and chunks (like the index and the counter) live
:data:`MARGIN` seconds longer than their manifest, so a manifest never outlives its
chunks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hydroml_jupyter.store.errors import StoreError

__all__ = ["MARGIN", "MAX_CHUNKS", "RedisKeys"]

#: Seconds chunks outlive their manifest.
MARGIN = 60
#: The most chunks one payload may be stored in; a manifest that says more is malformed.
MAX_CHUNKS = 1 << 20


@dataclasses.dataclass(frozen=True)
class RedisKeys:
    """The key names of one namespace of a Redis store.

    Parameters
    ----------
    namespace
        The namespace (by default the store's user name).

    Examples
    --------
    >>> keys = RedisKeys("team")
    >>> keys.index, keys.manifest("a:b")
    ('hydroml:team:index', 'hydroml:team:s:3:a:b:manifest')
    >>> keys.chunks("a:b", "f0", 2)
    ['hydroml:team:s:3:a:b:col.f0:0', 'hydroml:team:s:3:a:b:col.f0:1']
    """

    namespace: str

    @property
    def prefix(self) -> str:
        """What every key of the namespace starts with."""
        return f"hydroml:{self.namespace}:"

    @property
    def index(self) -> str:
        """The set of the namespace's session names."""
        return self.prefix + "index"

    def base(self, name: str) -> str:
        """Return what every key of session ``name`` starts with."""
        return f"{self.prefix}s:{len(name)}:{name}"

    def manifest(self, name: str) -> str:
        """Return the key of the signed manifest of session ``name``."""
        return self.base(name) + ":manifest"

    def counter(self, name: str) -> str:
        """Return the key that counts the saves of session ``name``."""
        return self.base(name) + ":counter"

    def chunks(self, name: str, column_id: str, count: int) -> list[str]:
        """Return the keys of the ``count`` chunks of one column payload."""
        base = self.base(name)
        return [f"{base}:col.{column_id}:{i}" for i in range(count)]

    def blob(self, doc: dict[str, Any], column_id: str) -> list[str]:
        """Return the chunk keys of one payload a manifest references.

        Raises
        ------
        StoreError
            When the manifest does not say how many chunks the payload has.
        """
        name = doc["name"]
        count = doc["blobs"][column_id].get("chunks")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CHUNKS:
            raise StoreError(f"session {name!r}: stored manifest is malformed", session=name)
        return self.chunks(name, column_id, count)

    def blobs(self, doc: dict[str, Any]) -> dict[str, list[str]]:
        """Return the chunk keys of every payload a manifest references, by column id."""
        return {cid: self.blob(doc, cid) for cid in doc["blobs"]}

    def touch(self, pipe: Any, name: str, doc: dict[str, Any], ttl: int | None) -> None:
        """Queue TTL refreshes for a session's keys on ``pipe`` (nothing when ``ttl`` is None)."""
        if ttl is None:
            return
        pipe.expire(self.manifest(name), ttl)
        pipe.expire(self.counter(name), ttl + MARGIN)
        for keys in self.blobs(doc).values():
            for k in keys:
                pipe.expire(k, ttl + MARGIN)
        pipe.expire(self.index, ttl + MARGIN)
