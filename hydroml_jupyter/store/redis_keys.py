"""Where the Redis store keeps a session: its keys, and how long they live.

Keys (``<user>`` is the store's namespace; the name is length-prefixed so no name can
reach into another's keys)::

    hydroml:<user>:index                              set of session names
    hydroml:<user>:s:<len>:<name>:manifest            signed JSON manifest
    hydroml:<user>:s:<len>:<name>:<id>:<step>:<i>     frame payload chunks (0 = header)
    hydroml:<user>:s:<len>:<name>:counter             saves so far

Every key has the store's TTL, and chunks (like the index and the counter) live
:data:`MARGIN` seconds longer than their manifest, so a manifest never outlives its
chunks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.manifest import entry_id

__all__ = ["MARGIN", "MAX_CHUNKS", "RedisKeys"]

#: Seconds chunks outlive their manifest.
MARGIN = 60
#: The most chunks one frame may be stored in; a manifest that says more is malformed.
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
    >>> keys.chunks("a:b", "f0", 2, 2)
    ['hydroml:team:s:3:a:b:f0:2:0', 'hydroml:team:s:3:a:b:f0:2:1']
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

    def chunks(self, name: str, frame_id: str, step: int, count: int) -> list[str]:
        """Return the keys of the ``count`` chunks of one frame."""
        base = self.base(name)
        return [f"{base}:{frame_id}:{step}:{i}" for i in range(count)]

    def entry(self, doc: dict[str, Any], entry: dict[str, Any]) -> list[str]:
        """Return the chunk keys of one manifest entry (older manifests count chunks apart).

        Raises
        ------
        StoreError
            When the manifest does not say how many chunks the entry has.
        """
        name = doc["name"]
        count = entry.get("chunks")
        if count is None and isinstance(doc.get("chunks"), dict):
            count = doc["chunks"].get(str(entry["step"]))
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CHUNKS:
            raise StoreError(f"session {name!r}: stored manifest is malformed", session=name)
        return self.chunks(name, entry_id(doc, entry), entry["step"], count)

    def frames(self, doc: dict[str, Any]) -> dict[int, list[str]]:
        """Return the chunk keys of every frame a manifest holds, by step."""
        return {entry["step"]: self.entry(doc, entry) for entry in doc["frames"]}

    def touch(self, pipe: Any, name: str, doc: dict[str, Any], ttl: int | None) -> None:
        """Queue TTL refreshes for a session's keys on ``pipe`` (nothing when ``ttl`` is None)."""
        if ttl is None:
            return
        pipe.expire(self.manifest(name), ttl)
        pipe.expire(self.counter(name), ttl + MARGIN)
        for keys in self.frames(doc).values():
            for k in keys:
                pipe.expire(k, ttl + MARGIN)
        pipe.expire(self.index, ttl + MARGIN)
