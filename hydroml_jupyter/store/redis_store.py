"""A store in Redis, for sessions shared across kernels and machines.

Keys (``<user>`` is :func:`getpass.getuser` unless a namespace is given; the name is
length-prefixed so no name can reach into another's keys)::

    hydroml:<user>:index                              set of session names
    hydroml:<user>:s:<len>:<name>:manifest            signed JSON manifest
    hydroml:<user>:s:<len>:<name>:<gen>:<step>:<i>    frame payload chunks (0 = header)
    hydroml:<user>:s:<len>:<name>:counter             saves so far

A save writes the new generation's chunks first, then swaps the manifest in one
MULTI/EXEC transaction (``SET ... GET`` returns the old one), then deletes the old
generation's chunks. Readers follow the manifest, so they see the old or the new
record, never a mix. Every key has the store's TTL (chunks a minute longer than their
manifest, so a manifest never outlives its chunks); loading or listing refreshes it.
"""

from __future__ import annotations

import contextlib
import getpass
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hydroml_jupyter.store.base import (
    EncodedFrame,
    SessionRecord,
    Store,
    StoredInfo,
    check_name,
    decode_frame_payload,
    decode_manifest,
    encode_frames,
    encode_manifest,
    info_from_manifest,
    new_generation,
)
from hydroml_jupyter.store.errors import StoreError, StoreUnavailable

if TYPE_CHECKING:
    import redis

__all__ = ["RedisStore"]

_MARGIN = 60  # seconds chunks outlive their manifest
_BATCH = 64 << 20  # bytes sent per pipeline while writing chunks


def mask_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``.

    Examples
    --------
    >>> mask_url("redis://me:secret@host:6379/0")
    'redis://me:***@host:6379/0'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _unreachable_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "timeout" in text or "timed out" in text or type(exc).__name__ == "TimeoutError":
        return "timed out"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "no such file" in text:
        return "no such socket"
    first = str(exc).strip().splitlines()
    return first[0] if first else type(exc).__name__


def _glob_escape(text: str) -> str:
    for char in "\\*?[]":
        text = text.replace(char, "\\" + char)
    return text


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
        self._prefix = f"hydroml:{namespace}:"
        self._timeouts = (connect_timeout, timeout)
        self._client: redis.Redis | None = None

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

    @contextlib.contextmanager
    def _errors(self, name: str | None = None) -> Iterator[None]:
        import redis.exceptions as rx

        who = f"session {name!r}: " if name else ""
        try:
            yield
        except rx.AuthenticationError as exc:
            raise StoreError(
                f"{who}Redis at {self.uri} refused the credentials", session=name
            ) from exc
        except (rx.ConnectionError, rx.TimeoutError, rx.ReadOnlyError) as exc:
            raise StoreUnavailable(
                f"cannot reach Redis at {self.uri}: {_unreachable_reason(exc)}", session=name
            ) from exc
        except rx.RedisError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(f"{who}Redis at {self.uri} failed: {first}", session=name) from exc

    def _base(self, name: str) -> str:
        return f"{self._prefix}s:{len(name)}:{name}"

    def _chunk_keys(self, name: str, generation: str, step: int, count: int) -> list[str]:
        base = self._base(name)
        return [f"{base}:{generation}:{step}:{i}" for i in range(count)]

    def _frame_keys(self, doc: dict[str, Any]) -> dict[int, list[str]]:
        name = doc["name"]
        chunks = doc.get("chunks")
        if not isinstance(chunks, dict):
            raise StoreError(f"session {name!r}: stored manifest is malformed", session=name)
        out = {}
        for entry in doc["frames"]:
            count = chunks.get(str(entry["step"]))
            if not isinstance(count, int) or not 1 <= count <= 1 << 20:
                raise StoreError(f"session {name!r}: stored manifest is malformed", session=name)
            out[entry["step"]] = self._chunk_keys(name, doc["generation"], entry["step"], count)
        return out

    def _pieces(self, frame: EncodedFrame) -> list[bytes | memoryview]:
        body = frame.body
        count = max(1, math.ceil(body.nbytes / self.chunk_size))
        return [frame.head] + [
            body[i * self.chunk_size : (i + 1) * self.chunk_size] for i in range(count)
        ]

    def _touch(self, pipe: Any, name: str, doc: dict[str, Any]) -> None:
        """Queue TTL refreshes for a session's keys on ``pipe``."""
        if self.ttl is None:
            return
        pipe.expire(self._base(name) + ":manifest", self.ttl)
        pipe.expire(self._base(name) + ":counter", self.ttl + _MARGIN)
        for keys in self._frame_keys(doc).values():
            for k in keys:
                pipe.expire(k, self.ttl + _MARGIN)
        pipe.expire(self._prefix + "index", self.ttl + _MARGIN)

    # -- the interface ---------------------------------------------------------------
    def save(self, record: SessionRecord) -> None:
        name = record.name
        key = self.key()
        generation = new_generation()
        frames = encode_frames(record, generation, key)  # may refuse: nothing written yet
        long_ttl = None if self.ttl is None else self.ttl + _MARGIN
        base = self._base(name)
        written: list[str] = []
        r = self._redis()
        with self._errors(name):
            try:
                pipe = r.pipeline(transaction=False)
                queued: list[str] = []
                size = 0
                chunk_counts = {}
                for frame in frames:
                    pieces = self._pieces(frame)
                    chunk_counts[str(frame.step)] = len(pieces)
                    keys = self._chunk_keys(name, generation, frame.step, len(pieces))
                    for k, piece in zip(keys, pieces, strict=True):
                        pipe.set(k, piece, ex=long_ttl)
                        queued.append(k)
                        size += memoryview(piece).nbytes
                        if size >= _BATCH:
                            written.extend(queued)  # (some may be set if execute fails)
                            pipe.execute()
                            queued, size = [], 0
                written.extend(queued)
                pipe.incr(base + ":counter")
                if long_ttl is not None:
                    pipe.expire(base + ":counter", long_ttl)
                counter = pipe.execute()[-2 if long_ttl is not None else -1]
                manifest = encode_manifest(
                    record, generation, counter, frames, key, chunks=chunk_counts
                )
                tx = r.pipeline(transaction=True)
                tx.set(base + ":manifest", manifest, ex=self.ttl, get=True)
                tx.sadd(self._prefix + "index", name)
                if long_ttl is not None:
                    tx.expire(self._prefix + "index", long_ttl)
                old = tx.execute()[0]
            except BaseException as exc:
                import redis.exceptions as rx

                if written and not isinstance(exc, rx.ConnectionError | rx.TimeoutError):
                    with contextlib.suppress(Exception):  # never referenced: drop them
                        r.delete(*written)
                raise  # (and if Redis is unreachable, they expire with their TTL)
        if old is not None:
            # the new record is in place; old chunks that cannot be deleted now expire
            with contextlib.suppress(Exception):
                stale = self._frame_keys(decode_manifest(old, name, key))
                doomed = [k for keys in stale.values() for k in keys]
                if doomed:
                    r.delete(*doomed)

    def load(self, name: str) -> SessionRecord:
        check_name(name)
        key = self.key()
        r = self._redis()
        manifest_key = self._base(name) + ":manifest"
        with self._errors(name):
            for _attempt in range(5):
                data = r.get(manifest_key)
                if data is None:
                    raise self._missing(name)
                doc = decode_manifest(data, name, key)
                frame_keys = self._frame_keys(doc)
                flat = [k for keys in frame_keys.values() for k in keys]
                values = r.mget(flat) if flat else []
                if any(v is None for v in values):
                    if r.get(manifest_key) != data:
                        continue  # a save replaced it while we read: read the new one
                    raise StoreError(
                        f"session {name!r}: stored frame data is missing (expired or deleted)",
                        session=name,
                    )
                frames = {}
                at = 0
                for step, keys in frame_keys.items():
                    payload = b"".join(values[at : at + len(keys)])
                    at += len(keys)
                    frames[step] = decode_frame_payload(payload, name, doc["generation"], step, key)
                pipe = r.pipeline(transaction=False)
                self._touch(pipe, name, doc)
                pipe.execute()
                return SessionRecord(name, doc["meta"], doc["recipe"], frames)
            raise StoreError(f"session {name!r}: kept changing while being read", session=name)

    def list(self) -> list[StoredInfo]:
        r = self._redis()
        key = self.key()
        out = []
        with self._errors():
            names = sorted(n.decode("utf-8") for n in r.smembers(self._prefix + "index"))
            if not names:
                return []
            manifests = r.mget([self._base(n) + ":manifest" for n in names])
            pipe = r.pipeline(transaction=False)
            for name, data in zip(names, manifests, strict=True):
                if data is None:
                    pipe.srem(self._prefix + "index", name)  # expired or deleted
                    continue
                try:
                    doc = decode_manifest(data, name, key)
                    out.append(info_from_manifest(doc, len(data)))
                    self._touch(pipe, name, doc)
                except StoreError as exc:
                    out.append(StoredInfo(name=name, problem=str(exc)))
            pipe.execute()
        return out

    def delete(self, name: str) -> bool:
        check_name(name)
        r = self._redis()
        base = self._base(name)
        with self._errors(name):
            doomed = list(r.scan_iter(match=_glob_escape(base) + ":*", count=1000))
            tx = r.pipeline(transaction=True)
            tx.delete(base + ":manifest")
            if doomed:
                tx.delete(*doomed)
            tx.srem(self._prefix + "index", name)
            return bool(tx.execute()[0])

    def exists(self, name: str) -> bool:
        check_name(name)
        with self._errors(name):
            return bool(self._redis().exists(self._base(name) + ":manifest"))

    def ping(self) -> None:
        """Check that Redis answers; raise :class:`StoreUnavailable` if not."""
        with self._errors():
            self._redis().ping()

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
