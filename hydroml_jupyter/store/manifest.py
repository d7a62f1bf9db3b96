"""Manifests and frame payloads: what every store writes, and the checks on reading.

A frame is stored under its step and its *frame id*: a token that names one frame's
content for good (the engine gives each step's frame one; a record without ids gets
fresh ones). A save reuses the payloads the previous manifest already holds under the
same step and id (:func:`plan_save`), so saving after one more step writes the
manifest and the new frame only. Payloads no manifest references any more are deleted
after the new manifest is in place.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hydroml_jupyter.store import codec, framing
from hydroml_jupyter.store.base import FRAME_ID, SessionRecord, StoredInfo
from hydroml_jupyter.store.errors import StoreError

__all__ = [
    "EncodedFrame",
    "SavePlan",
    "decode_frame_payload",
    "decode_manifest",
    "encode_frames",
    "encode_manifest",
    "entry_id",
    "frame_ids",
    "info_from_manifest",
    "new_generation",
    "plan_save",
    "wanted",
]

_FORMAT = "hydroml-session"


@dataclass(frozen=True)
class EncodedFrame:
    """One frame ready to store: ``head`` then ``body`` make the signed payload."""

    step: int
    id: str
    head: bytes
    body: memoryview
    rows: int
    columns: int

    @property
    def size(self) -> int:
        """Bytes of the whole payload."""
        return len(self.head) + self.body.nbytes

    def entry(self, **extra: Any) -> dict[str, Any]:
        """Return this frame's entry in a manifest (``extra`` adds backend fields)."""
        return {
            "step": self.step,
            "id": self.id,
            "bytes": self.size,
            "rows": self.rows,
            "columns": self.columns,
            **extra,
        }


def new_generation() -> str:
    """Return a fresh, unique generation id (16 hex digits)."""
    return secrets.token_hex(8)


def frame_context(name: str, frame_id: str, step: int) -> str:
    """Return the HMAC context binding a frame payload to its session, id and step."""
    return f"{name}\x00frame\x00{frame_id}\x00{step}"


def entry_id(doc: dict[str, Any], entry: dict[str, Any]) -> str:
    """Return the id of a manifest's frame entry (older manifests: the manifest's generation)."""
    return entry["id"] if "id" in entry else doc["generation"]


@dataclass(frozen=True)
class SavePlan:
    """What a save writes and what it keeps from the previous manifest.

    Attributes
    ----------
    ids
        Step -> frame id for every frame of the record.
    reuse
        Step -> the previous manifest's entry, for frames stored already.
    """

    ids: dict[int, str]
    reuse: dict[int, dict[str, Any]]

    def to_write(self, record: SessionRecord) -> list[int]:
        """Return the steps whose frame must be encoded and written."""
        return [step for step in record.frames if step not in self.reuse]

    def entries(self, written: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the new manifest's frame entries by step: the reused and ``written`` ones."""
        by_step = {**self.reuse, **{e["step"]: e for e in written}}
        return [by_step[step] for step in sorted(by_step)]


def frame_ids(record: SessionRecord) -> dict[int, str]:
    """Return step -> frame id for every frame of ``record`` (fresh ids where it has none)."""
    return {step: record.frame_ids.get(step) or new_generation() for step in record.frames}


def plan_save(
    record: SessionRecord,
    old: dict[str, Any] | None,
    present: Callable[[dict[str, Any]], bool] | None = None,
    ids: dict[int, str] | None = None,
) -> SavePlan:
    """Decide which frames of ``record`` the previous manifest ``old`` holds already.

    Parameters
    ----------
    record
        What is being saved.
    old
        The previous manifest (decoded), or None.
    present
        Optional check that a reusable entry's payload is still there; an entry it
        refuses is written again.
    ids
        The frame ids to save under (default: :func:`frame_ids`).
    """
    ids = frame_ids(record) if ids is None else ids
    stored = {}
    if old is not None:
        for entry in old["frames"]:
            stored[(entry["step"], entry_id(old, entry))] = {**entry, "id": entry_id(old, entry)}
    reuse = {
        step: stored[(step, fid)]
        for step, fid in ids.items()
        if (step, fid) in stored and (present is None or present(stored[(step, fid)]))
    }
    return SavePlan(ids, reuse)


def encode_frames(
    record: SessionRecord,
    key: bytes,
    ids: dict[int, str] | None = None,
    steps: list[int] | None = None,
) -> list[EncodedFrame]:
    """Encode and sign frames of ``record`` (nothing is written).

    Parameters
    ----------
    record
        The record.
    key
        The HMAC key.
    ids
        Step -> frame id; default: the record's ids, fresh ones for the others.
    steps
        The steps to encode; default: every frame.
    """
    if ids is None:
        ids = frame_ids(record)
    out = []
    for step in record.frames if steps is None else steps:
        frame = record.frames[step]
        body = codec.encode_frame(frame, where=f"session {record.name!r}, step {step}: ")
        fid = ids[step]
        head = framing.pack_head(
            framing.KIND_FRAME, frame_context(record.name, fid, step), body, key
        )
        out.append(EncodedFrame(step, fid, head, body, frame.shape[0], frame.shape[1]))
    return out


def encode_manifest(
    record: SessionRecord,
    generation: str,
    counter: int,
    entries: list[dict[str, Any]],
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
        "frames": entries,
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
    if not (isinstance(gen, str) and FRAME_ID.match(gen) and isinstance(frames, list)):
        raise StoreError(bad, session=name)
    for entry in frames:
        ok = isinstance(entry, dict) and all(
            isinstance(entry.get(k), int) and entry[k] >= 0 for k in ("step", "bytes")
        )
        fid = entry.get("id", gen) if isinstance(entry, dict) else None
        if not ok or not isinstance(fid, str) or not FRAME_ID.match(fid):
            raise StoreError(bad, session=name)
    if not (isinstance(doc.get("meta"), dict) and isinstance(doc.get("recipe"), dict)):
        raise StoreError(bad, session=name)
    return doc


def decode_frame_payload(
    data: framing.BytesLike, name: str, frame_id: str, step: int, key: bytes
) -> pd.DataFrame:
    """Check a frame payload (HMAC first) and decode it."""
    body = framing.unpack(
        data, framing.KIND_FRAME, frame_context(name, frame_id, step), key, session=name
    )
    return codec.decode_frame(body, where=f"session {name!r}, step {step}: ")


def wanted(doc: dict[str, Any], steps: Collection[int] | None) -> list[dict[str, Any]]:
    """Return the manifest's frame entries to read: all, or those of ``steps``."""
    return [e for e in doc["frames"] if steps is None or e["step"] in steps]


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
