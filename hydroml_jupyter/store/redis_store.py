"""A store in Redis, for sessions shared across kernels and machines.

The keys are laid out in :mod:`~hydroml_jupyter.store.redis_keys`; their namespace is
:func:`getpass.getuser` unless one is given.

A save WATCHes the manifest, reads it, refuses to go on if it is a generation the
record did not start from (:mod:`~hydroml_jupyter.store.generations`), keeps the
column payloads it already holds (refreshing their TTL; one that has gone is written
again: see :mod:`~hydroml_jupyter.store.planning`), writes the new payloads' chunks,
then swaps the manifest in a MULTI/EXEC transaction (if another writer changed the
manifest meanwhile, the save starts again from the check), then deletes the chunks
the new manifest does not reference. Readers follow the manifest, so
they see the old or the new record, never a mix. Every key has the store's TTL (chunks
a minute longer than their manifest, so a manifest never outlives its chunks);
loading or listing refreshes it.
"""

from __future__ import annotations

import contextlib
import getpass
import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo, check_name
from hydroml_jupyter.store.columns import ColumnIds
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.generations import check_base
from hydroml_jupyter.store.manifest import (
    Blob,
    decode_manifest,
    encode_manifest,
    generation_for,
    info_from_manifest,
    wanted,
)
from hydroml_jupyter.store.planning import blobs_of, loaded_parts, plan_save, read_frames
from hydroml_jupyter.store.redis_errors import glob_escape, mask_url, redis_errors
from hydroml_jupyter.store.redis_keys import MARGIN, RedisKeys

if TYPE_CHECKING:
    import redis

__all__ = ["RedisStore"]

_BATCH = 64 << 20  # bytes sent per pipeline while writing chunks
_ATTEMPTS = 8  # saves retried when another writer swaps the manifest meanwhile


def _reply(value: bytes | str | None) -> bytes | None:
    """Return a Redis reply as it is: bytes, as the client here never decodes replies."""
    assert not isinstance(value, str), "the Redis client must not decode replies"
    return value


def _name(member: bytes | str) -> str:
    """Return a session name from the index set (bytes, see :func:`_reply`)."""
    assert isinstance(member, bytes), "the Redis client must not decode replies"
    return member.decode("utf-8")


class RedisStore(Store):
    """Keep sessions in Redis, chunked, signed and with a TTL.

    Parameters
    ----------
    url
        ``redis://``, ``rediss://`` or ``unix://`` URL.
    ttl
        Seconds a session lives after its last save, load or listing; None: forever.
    namespace
        Key namespace; default: the user name, so users of one Redis do not see
        each other's sessions.
    chunk_size
        Largest value written to one key (Redis caps values at 512 MiB).
    key
        The HMAC key; None reads :func:`~hydroml_jupyter.store.keys.store_key` at each call.
    connect_timeout, timeout
        Seconds to wait for a connection, and for a reply.

    Raises
    ------
    StoreUnavailable
        From any method, when Redis cannot be reached (the connection is lazy).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        ttl: int | None = 7 * 24 * 3600,
        namespace: str | None = None,
        chunk_size: int = 32 << 20,
        *,
        key: bytes | None = None,
        connect_timeout: float = 2.0,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(key)
        if chunk_size < 1:
            raise StoreError(f"chunk_size must be >= 1, not {chunk_size}")
        self._url = url
        self.ttl = ttl
        self.chunk_size = chunk_size
        if namespace is None:
            try:
                namespace = getpass.getuser()
            except (OSError, KeyError):  # no user name in this environment
                namespace = "default"
        self.namespace = namespace
        self._keys = RedisKeys(namespace)
        self._timeouts = (connect_timeout, timeout)
        self._client: redis.Redis | None = None
        self._ids = ColumnIds()

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        """Make a store from a URL whose query may hold ``ttl``, ``namespace``, ``chunk_size``.

        ``ttl=0`` means no expiry. Other query options go to redis-py.

        Examples
        --------
        >>> store = RedisStore.from_url("redis://localhost:6379/1?ttl=60&namespace=team")
        >>> store.ttl, store.namespace, store.uri
        (60, 'team', 'redis://localhost:6379/1')
        """
        parts = urlsplit(url)
        ours: dict[str, str] = {}
        rest = []
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            if k in ("ttl", "namespace", "chunk_size"):
                ours[k] = v
            else:
                rest.append((k, v))
        kwargs: dict[str, Any] = {}
        try:
            if "ttl" in ours:
                kwargs["ttl"] = int(ours["ttl"]) or None
            if "chunk_size" in ours:
                kwargs["chunk_size"] = int(ours["chunk_size"])
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {mask_url(url)}: {exc}") from exc
        if "namespace" in ours:
            kwargs["namespace"] = ours["namespace"]
        return cls(urlunsplit(parts._replace(query=urlencode(rest))), **kwargs)

    @property
    def uri(self) -> str:
        return mask_url(self._url)

    # -- connection and keys -----------------------------------------------------------
    def _redis(self) -> redis.Redis:
        if self._client is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            try:
                self._client = redis.Redis.from_url(
                    self._url,
                    socket_connect_timeout=self._timeouts[0],
                    socket_timeout=self._timeouts[1],
                    retry=Retry(NoBackoff(), 1),  # one retry: a pooled socket may be stale
                    health_check_interval=30,
                )
            except ValueError as exc:
                raise StoreError(f"bad Redis URL {self.uri}: {exc}") from exc
        return self._client

    def _errors(self, name: str | None = None) -> contextlib.AbstractContextManager[None]:
        return redis_errors(self.uri, name)

    def _pieces(self, blob: Blob) -> list[bytes | memoryview]:
        body = blob.body
        count = max(1, math.ceil(body.nbytes / self.chunk_size))
        return [blob.head] + [
            body[i * self.chunk_size : (i + 1) * self.chunk_size] for i in range(count)
        ]

    # -- the interface ---------------------------------------------------------------
    def save(self, record: SessionRecord) -> None:
        import redis.exceptions as rx

        name = record.name
        key = self.key()
        manifest_key = self._keys.manifest(name)
        written: list[str] = []  # chunk keys this save wrote
        r = self._redis()
        with self._errors(name):
            try:
                for _attempt in range(_ATTEMPTS):
                    with r.pipeline(transaction=True) as tx:
                        tx.watch(manifest_key)
                        old = self._current(_reply(tx.get(manifest_key)), name, key)
                        check_base(name, record.base, old, self.label)
                        alive = self._alive(r, old)
                        present = lambda c, _b, alive=alive: c in alive  # noqa: E731
                        plan = plan_save(record, old, key, self._ids, present)
                        blobs = plan.blobs(self._write_blobs(r, name, plan.write, written))
                        count = self._count(r, name)
                        manifest = encode_manifest(
                            record, generation_for(record), count, plan.entries, blobs, key=key
                        )
                        tx.multi()
                        tx.set(manifest_key, manifest, ex=self.ttl)
                        tx.sadd(self._keys.index, name)
                        if self.ttl is not None:
                            tx.expire(self._keys.index, self.ttl + MARGIN)
                        try:
                            tx.execute()
                        except rx.WatchError:
                            continue  # another writer swapped the manifest: plan again
                    break
                else:
                    raise StoreError(
                        f"session {name!r}: kept changing while being saved", session=name
                    )
            except BaseException as exc:
                if written and not isinstance(exc, rx.ConnectionError | rx.TimeoutError):
                    with contextlib.suppress(Exception):  # never referenced: drop them
                        r.delete(*written)
                raise  # (and if Redis is unreachable, they expire with their TTL)
        self._ids.remember(name, plan.parts, set(blobs))
        # the new record is in place; chunks it does not reference can go (or expire)
        with contextlib.suppress(Exception):
            keep = {k for cid in blobs for k in self._keys.chunks(name, cid, blobs[cid]["chunks"])}
            doomed = {k for keys in self._keys.blobs(old).values() for k in keys} if old else set()
            stale = [k for k in doomed | set(written) if k not in keep]
            if stale:
                r.delete(*stale)

    def _current(self, data: bytes | None, name: str, key: bytes) -> dict[str, Any] | None:
        """Return the stored manifest, or None when there is none or it cannot be trusted."""
        if data is None:
            return None
        try:
            doc = decode_manifest(data, name, key, self.uri)
            self._keys.blobs(doc)
        except StoreError:
            return None  # replaced by this save
        return doc

    def _alive(self, r: redis.Redis, old: dict[str, Any] | None) -> set[str]:
        """Return the payloads of ``old`` whose chunks are all there, refreshing their TTL."""
        if old is None or not old["blobs"]:
            return set()
        keys = self._keys.blobs(old)
        pipe = r.pipeline(transaction=False)
        for chunk_keys in keys.values():
            for k in chunk_keys:
                if self.ttl is None:
                    pipe.exists(k)
                else:
                    pipe.expire(k, self.ttl + MARGIN)
        answers = iter(pipe.execute())
        return {cid for cid, chunk_keys in keys.items() if all([next(answers) for _ in chunk_keys])}

    def _write_blobs(
        self, r: redis.Redis, name: str, blobs: dict[str, Blob], written: list[str]
    ) -> dict[str, dict[str, Any]]:
        """Write the chunks of ``blobs``; return their manifest entries by column id."""
        long_ttl = None if self.ttl is None else self.ttl + MARGIN
        pipe = r.pipeline(transaction=False)
        queued: list[str] = []
        size = 0
        entries = {}
        for cid, blob in blobs.items():
            pieces = self._pieces(blob)
            keys = self._keys.chunks(name, cid, len(pieces))
            for k, piece in zip(keys, pieces, strict=True):
                pipe.set(k, piece, ex=long_ttl)
                queued.append(k)
                size += memoryview(piece).nbytes
                if size >= _BATCH:
                    written.extend(queued)  # (some may be set if execute fails)
                    pipe.execute()
                    queued, size = [], 0
            entries[cid] = {"bytes": blob.size, "chunks": len(pieces)}
        written.extend(queued)
        if queued:
            pipe.execute()
        return entries

    def _count(self, r: redis.Redis, name: str) -> int:
        """Count one more save of ``name`` and return the count."""
        counter_key = self._keys.counter(name)
        pipe = r.pipeline(transaction=False)
        pipe.incr(counter_key)
        if self.ttl is not None:
            pipe.expire(counter_key, self.ttl + MARGIN)
        return int(pipe.execute()[0])

    def peek(self, name: str) -> SessionRecord:
        check_name(name)
        with self._errors(name):
            data = _reply(self._redis().get(self._keys.manifest(name)))
        if data is None:
            raise self._missing(name)
        doc = decode_manifest(data, name, self.key(), self.uri)
        return SessionRecord(name, doc["meta"], doc["recipe"], base=doc["generation"])

    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        check_name(name)
        key = self.key()
        r = self._redis()
        manifest_key = self._keys.manifest(name)
        with self._errors(name):
            for _attempt in range(5):
                data = _reply(r.get(manifest_key))
                if data is None:
                    raise self._missing(name)
                doc = decode_manifest(data, name, key, self.uri)
                entries = wanted(doc, steps)
                blob_keys = {cid: self._keys.blob(doc, cid) for cid in blobs_of(entries)}
                flat = [k for keys in blob_keys.values() for k in keys]
                values = [_reply(v) for v in r.mget(flat)] if flat else []
                chunks = [v for v in values if v is not None]
                if len(chunks) < len(values):
                    if r.get(manifest_key) != data:
                        continue  # a save replaced it while we read: read the new one
                    raise StoreError(
                        f"session {name!r}: stored frame data is missing (expired or deleted)",
                        session=name,
                    )
                payloads = {}
                at = 0
                for cid, keys in blob_keys.items():
                    payloads[cid] = b"".join(chunks[at : at + len(keys)])
                    at += len(keys)
                del values, chunks
                frames = read_frames(name, entries, payloads, key)
                self._ids.remember(name, loaded_parts(entries, frames), set(doc["blobs"]))
                ids = {entry["step"]: entry["id"] for entry in entries}
                pipe = r.pipeline(transaction=False)
                self._keys.touch(pipe, name, doc, self.ttl)
                pipe.execute()
                return SessionRecord(
                    name, doc["meta"], doc["recipe"], frames, ids, doc["generation"]
                )
            raise StoreError(f"session {name!r}: kept changing while being read", session=name)

    def list(self) -> list[StoredInfo]:
        r = self._redis()
        key = self.key()
        out = []
        with self._errors():
            names = sorted(_name(n) for n in r.smembers(self._keys.index))
            if not names:
                return []
            manifests = [_reply(m) for m in r.mget([self._keys.manifest(n) for n in names])]
            pipe = r.pipeline(transaction=False)
            for name, data in zip(names, manifests, strict=True):
                if data is None:
                    pipe.srem(self._keys.index, name)  # expired or deleted
                    continue
                try:
                    doc = decode_manifest(data, name, key, self.uri)
                    out.append(info_from_manifest(doc, len(data)))
                    self._keys.touch(pipe, name, doc, self.ttl)
                except StoreError as exc:
                    out.append(StoredInfo(name=name, problem=str(exc)))
            pipe.execute()
        return out

    def delete(self, name: str) -> bool:
        check_name(name)
        r = self._redis()
        base = self._keys.base(name)
        with self._errors(name):
            doomed = list(r.scan_iter(match=glob_escape(base) + ":*", count=1000))
            tx = r.pipeline(transaction=True)
            tx.delete(self._keys.manifest(name))
            if doomed:
                tx.delete(*doomed)
            tx.srem(self._keys.index, name)
            self._ids.forget(name)
            return bool(tx.execute()[0])

    def exists(self, name: str) -> bool:
        check_name(name)
        with self._errors(name):
            return bool(self._redis().exists(self._keys.manifest(name)))

    def ping(self) -> None:
        """Check that Redis answers; raise :class:`StoreUnavailable` if not."""
        with self._errors():
            self._redis().ping()

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
