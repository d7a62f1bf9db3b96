"""The store interface: :class:`SessionRecord`, :class:`StoredInfo`, :class:`Store`.

Every implementation stores a record as one signed JSON *manifest* (name, meta, recipe,
the list of frames) plus one signed Arrow payload per frame, and shares the helpers
below to build and check them.
"""

from __future__ import annotations

import abc
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any

import pandas as pd

from hydroml_jupyter.store import codec, framing
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.keys import store_key

__all__ = ["EncodedFrame", "SessionRecord", "Store", "StoredInfo"]

_FORMAT = "hydroml-session"
_MAX_NAME = 1000


def check_name(name: object) -> str:
    """Return ``name`` if it can name a session, else raise :class:`StoreError`."""
    if not isinstance(name, str) or not name:
        raise StoreError(f"a session name must be a non-empty str, not {name!r}")
    if "\x00" in name or len(name) > _MAX_NAME:
        raise StoreError(f"session name {name[:50]!r} is not allowed (NUL or over 1000 chars)")
    return name


def _json_copy(value: Any, what: str, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise StoreError(f"session {name!r}: {what} must be a dict, not {type(value).__name__}")
    try:
        return json.loads(json.dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"session {name!r}: {what} is not JSON-friendly: {exc}") from exc


@dataclass(frozen=True, eq=False)
class SessionRecord:
    """The whole stored state of one session.

    Parameters
    ----------
    name
        The session's name (any non-empty str without NUL).
    meta
        JSON-friendly metadata: parent, created, updated, shape, version, cursor and
        user fields. Stores read ``updated``, ``shape`` and ``version`` for
        :meth:`Store.list`; the rest is opaque.
    recipe
        The session's recipe as a JSON-friendly dict (opaque to the store).
    frames
        Step index -> frame. The frames are not copied (with copy-on-write they never
        change); ``meta`` and ``recipe`` are copied through JSON, so tuples become
        lists, and anything JSON cannot hold raises :class:`StoreError` at once.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1, 2]})
    >>> rec = SessionRecord("demo", {"shape": (2, 1)}, {"steps": []}, {0: frame})
    >>> rec.meta, list(rec.frames)
    ({'shape': [2, 1]}, [0])
    """

    name: str
    meta: dict[str, Any] = field(default_factory=dict)
    recipe: dict[str, Any] = field(default_factory=dict)
    frames: Mapping[int, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        name = check_name(self.name)
        object.__setattr__(self, "meta", _json_copy(self.meta, "meta", name))
        object.__setattr__(self, "recipe", _json_copy(self.recipe, "recipe", name))
        frames: dict[int, pd.DataFrame] = {}
        for step, frame in dict(self.frames).items():
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                raise StoreError(f"session {name!r}: frame steps must be ints >= 0, not {step!r}")
            if not isinstance(frame, pd.DataFrame):
                raise StoreError(
                    f"session {name!r}, step {step}: expected a DataFrame, "
                    f"got {type(frame).__name__}"
                )
            frames[int(step)] = frame
        object.__setattr__(self, "frames", MappingProxyType(dict(sorted(frames.items()))))

    def __repr__(self) -> str:
        shapes = {step: frame.shape for step, frame in self.frames.items()}
        return f"SessionRecord(name={self.name!r}, meta={self.meta!r}, frames={shapes})"


@dataclass(frozen=True)
class StoredInfo:
    """What :meth:`Store.list` tells about one stored session, from its manifest only.

    Attributes
    ----------
    name
        The session's name.
    updated
        ``meta["updated"]`` as saved (None when absent).
    shape
        ``meta["shape"]`` as a tuple (None when absent).
    version
        ``meta["version"]`` as saved (None when absent).
    bytes
        Bytes the session takes in the store (manifest and frames).
    problem
        None for a sound manifest; else why it cannot be loaded (then ``name`` may be
        the store's internal name for it, and the other fields are None or 0).
    """

    name: str
    updated: Any = None
    shape: tuple[int, ...] | None = None
    version: Any = None
    bytes: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class EncodedFrame:
    """One frame ready to store: ``head`` then ``body`` make the signed payload."""

    step: int
    head: bytes
    body: memoryview
    rows: int
    columns: int

    @property
    def size(self) -> int:
        """Bytes of the whole payload."""
        return len(self.head) + self.body.nbytes


def new_generation() -> str:
    """Return a fresh, unique generation id (16 hex digits)."""
    return secrets.token_hex(8)


def frame_context(name: str, generation: str, step: int) -> str:
    """Return the HMAC context binding a frame payload to its session, generation and step."""
    return f"{name}\x00frame\x00{generation}\x00{step}"


def encode_frames(record: SessionRecord, generation: str, key: bytes) -> list[EncodedFrame]:
    """Encode and sign every frame of ``record`` (nothing is written)."""
    out = []
    for step, frame in record.frames.items():
        body = codec.encode_frame(frame, where=f"session {record.name!r}, step {step}: ")
        head = framing.pack_head(
            framing.KIND_FRAME, frame_context(record.name, generation, step), body, key
        )
        out.append(EncodedFrame(step, head, body, frame.shape[0], frame.shape[1]))
    return out


def encode_manifest(
    record: SessionRecord,
    generation: str,
    counter: int,
    frames: list[EncodedFrame],
    key: bytes,
    **extra: Any,
) -> bytes:
    """Return the signed manifest of ``record`` (``extra`` adds backend fields)."""
    doc = {
        "format": _FORMAT,
        "name": record.name,
        "generation": generation,
        "counter": counter,
        "written": time.time(),
        "compression": codec.compression(),
        "meta": record.meta,
        "recipe": record.recipe,
        "frames": [
            {"step": f.step, "bytes": f.size, "rows": f.rows, "columns": f.columns} for f in frames
        ],
        **extra,
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return framing.pack_head(framing.KIND_MANIFEST, "manifest", body, key) + body


def decode_manifest(data: framing.BytesLike, name: str, key: bytes) -> dict[str, Any]:
    """Check and parse a manifest stored for session ``name``.

    Raises
    ------
    StoreError
        Naming the session, when the manifest is tampered, truncated, foreign, or is
        another session's.
    """
    body = framing.unpack(data, framing.KIND_MANIFEST, "manifest", key, session=name)
    bad = f"session {name!r}: stored manifest is malformed"
    try:
        doc = json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise StoreError(bad, session=name) from exc
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
        raise StoreError(bad, session=name)
    if doc.get("name") != name:
        raise StoreError(
            f"session {name!r}: stored manifest belongs to session {doc.get('name')!r}",
            session=name,
        )
    frames = doc.get("frames")
    gen = doc.get("generation")
    if not (isinstance(gen, str) and gen.isalnum() and isinstance(frames, list)):
        raise StoreError(bad, session=name)
    for entry in frames:
        ok = isinstance(entry, dict) and all(
            isinstance(entry.get(k), int) and entry[k] >= 0 for k in ("step", "bytes")
        )
        if not ok:
            raise StoreError(bad, session=name)
    if not (isinstance(doc.get("meta"), dict) and isinstance(doc.get("recipe"), dict)):
        raise StoreError(bad, session=name)
    return doc


def decode_frame_payload(
    data: framing.BytesLike, name: str, generation: str, step: int, key: bytes
) -> pd.DataFrame:
    """Check a frame payload (HMAC first) and decode it."""
    body = framing.unpack(
        data, framing.KIND_FRAME, frame_context(name, generation, step), key, session=name
    )
    return codec.decode_frame(body, where=f"session {name!r}, step {step}: ")


def info_from_manifest(doc: dict[str, Any], manifest_bytes: int) -> StoredInfo:
    """Return the :class:`StoredInfo` a manifest describes."""
    meta = doc["meta"]
    shape = meta.get("shape")
    ok_shape = isinstance(shape, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in shape
    )
    return StoredInfo(
        name=doc["name"],
        updated=meta.get("updated"),
        shape=tuple(shape) if ok_shape else None,
        version=meta.get("version"),
        bytes=manifest_bytes + sum(entry["bytes"] for entry in doc["frames"]),
    )


class Store(abc.ABC):
    """Where sessions are kept. Implementations: memory, disk, Redis.

    Every method is thread-safe. A key (``key=None``: :func:`~hydroml_jupyter.store.
    keys.store_key`, read at each call) signs and checks every payload.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def key(self) -> bytes:
        """Return the HMAC key in use."""
        return self._key if self._key is not None else store_key()

    @property
    @abc.abstractmethod
    def uri(self) -> str:
        """Where this store keeps its data, e.g. ``file:///home/me/.hydroml``."""

    @abc.abstractmethod
    def save(self, record: SessionRecord) -> None:
        """Replace the whole stored state of ``record.name``, atomically.

        A reader sees either the old or the new complete record, never a mix. On
        failure (:class:`StoreError`) the previous state is intact.
        """

    @abc.abstractmethod
    def load(self, name: str) -> SessionRecord:
        """Return the stored record of ``name``.

        Raises
        ------
        StoreError
            Naming the session, when it is missing, tampered, truncated or written in
            an unknown format version; nothing is returned then.
        StoreUnavailable
            When the store cannot be reached.
        """

    @abc.abstractmethod
    def list(self) -> list[StoredInfo]:
        """Describe every stored session from its manifest (frames are not read)."""

    @abc.abstractmethod
    def delete(self, name: str) -> bool:
        """Delete session ``name``; return False if it was not stored."""

    def exists(self, name: str) -> bool:
        """Return True if a session called ``name`` is stored (it may still be unreadable)."""
        return any(info.name == name for info in self.list())

    def close(self) -> None:  # noqa: B027 (nothing to release by default)
        """Release connections or handles; the store must not be used afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    def _missing(self, name: str) -> StoreError:
        return StoreError(f"session {name!r} is not stored in {self.uri}", session=name)
