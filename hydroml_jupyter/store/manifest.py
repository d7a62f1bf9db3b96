"""Manifests and column payloads: what every store writes, and the checks on reading.

A frame is stored as parts (see :mod:`~hydroml_jupyter.store.columns`): its index and
each column, each a signed Arrow payload named by a column id and shared by every
frame that holds the same part. A manifest lists, for each frame (by step and frame
id), its column labels, the id and dtype of each column and the id of its index, and
the size of every payload it references (``blobs``). A save writes only the payloads
the previous manifest does not hold (:mod:`~hydroml_jupyter.store.planning`);
payloads no manifest references any more are deleted after the new manifest is in
place.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hydroml_jupyter.store import codec, framing
from hydroml_jupyter.store.base import FRAME_ID, SessionRecord, StoredInfo
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.generations import writer_identity

__all__ = [
    "LAYOUT",
    "Blob",
    "assemble",
    "column_context",
    "decode_column",
    "decode_manifest",
    "encode_manifest",
    "entry_blobs",
    "frame_ids",
    "generation_for",
    "info_from_manifest",
    "new_generation",
    "wanted",
]

_FORMAT = "hydroml-session"
#: The manifest layout this code writes and reads: frames stored column by column.
LAYOUT = 2


@dataclass(frozen=True)
class Blob:
    """One part ready to store: ``head`` then ``body`` make the signed payload."""

    id: str
    head: bytes
    body: memoryview

    @property
    def size(self) -> int:
        """Bytes of the whole payload."""
        return len(self.head) + self.body.nbytes

    @property
    def payload(self) -> bytes:
        """The whole payload as bytes."""
        return self.head + bytes(self.body)


def new_generation() -> str:
    """Return a fresh, unique generation id (16 hex digits)."""
    return secrets.token_hex(8)


def generation_for(record: SessionRecord) -> str:
    """Return the generation id to save ``record`` under: its own, else a fresh one."""
    return record.generation or new_generation()


def column_context(name: str, column_id: str) -> str:
    """Return the HMAC context binding a column payload to its session and column id."""
    return f"{name}\x00column\x00{column_id}"


def entry_blobs(entry: dict[str, Any]) -> list[str]:
    """Return the column ids a manifest's frame entry references: its index, then columns."""
    return [entry["index"], *entry["cols"]]


def frame_ids(record: SessionRecord) -> dict[int, str]:
    """Return step -> frame id for every frame of ``record`` (fresh ids where it has none)."""
    return {step: record.frame_ids.get(step) or new_generation() for step in record.frames}


def encode_manifest(
    record: SessionRecord,
    generation: str,
    counter: int,
    entries: list[dict[str, Any]],
    blobs: dict[str, dict[str, Any]],
    *,
    key: bytes,
) -> bytes:
    """Return the signed manifest of ``record``.

    Parameters
    ----------
    record
        The record (its meta and recipe are written).
    generation, counter
        This save's generation id and count. The record's base generation (when it
        is one) and the writer's host and pid are written too.
    entries
        The frame entries, by step.
    blobs
        Column id -> ``{"bytes": size, ...}`` for every payload the entries reference.
    key
        The HMAC key.
    """
    doc = {
        "format": _FORMAT,
        "layout": LAYOUT,
        "name": record.name,
        "generation": generation,
        "base": record.base if isinstance(record.base, str) else None,
        "counter": counter,
        "written": time.time(),
        **writer_identity(),
        "compression": codec.compression(),
        "meta": record.meta,
        "recipe": record.recipe,
        "frames": entries,
        "blobs": blobs,
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return framing.pack_head(framing.KIND_MANIFEST, "manifest", body, key) + body


def _sound_entry(entry: Any, blobs: dict[str, Any]) -> bool:
    if not isinstance(entry, dict):
        return False
    if not all(isinstance(entry.get(k), int) and entry[k] >= 0 for k in ("step", "rows")):
        return False
    cols, dtypes = entry.get("cols"), entry.get("dtypes")
    labels = entry.get("labels")
    if not (isinstance(cols, list) and isinstance(dtypes, list) and len(cols) == len(dtypes)):
        return False
    if not (isinstance(labels, dict) and isinstance(labels.get("labels"), list)):
        return False
    ids = [entry.get("id"), entry.get("index"), *cols]
    return (
        len(labels["labels"]) == len(cols)
        and all(isinstance(i, str) and FRAME_ID.match(i) for i in ids)
        and all(isinstance(d, str) for d in dtypes)
        and all(c in blobs for c in entry_blobs(entry))
    )


def decode_manifest(
    data: framing.BytesLike, name: str, key: bytes, store: str = "the store"
) -> dict[str, Any]:
    """Check and parse a manifest stored for session ``name`` in ``store``.

    Raises
    ------
    StoreError
        Naming the session, when the manifest is tampered, truncated, foreign, is
        another session's, or was written by an older hydroml-jupyter.
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
    if doc.get("layout") != LAYOUT:
        raise StoreError(
            f"session {name!r} in {store} was saved by an older hydroml-jupyter (whole-frame "
            f"layout); open its source again with fresh=True, or drop it, to store it anew",
            session=name,
        )
    frames, blobs = doc.get("frames"), doc.get("blobs")
    gen = doc.get("generation")
    if not (isinstance(gen, str) and FRAME_ID.match(gen) and isinstance(frames, list)):
        raise StoreError(bad, session=name)
    if not isinstance(blobs, dict) or not all(
        FRAME_ID.match(k)
        and isinstance(v, dict)
        and isinstance(v.get("bytes"), int)
        and not isinstance(v["bytes"], bool)
        and v["bytes"] >= 0
        for k, v in blobs.items()
    ):
        raise StoreError(bad, session=name)
    if not all(_sound_entry(entry, blobs) for entry in frames):
        raise StoreError(bad, session=name)
    if not (isinstance(doc.get("meta"), dict) and isinstance(doc.get("recipe"), dict)):
        raise StoreError(bad, session=name)
    return doc


def decode_column(data: framing.BytesLike, name: str, column_id: str, key: bytes) -> pd.DataFrame:
    """Check a column payload (HMAC first) and decode it (a one-column or index-only frame)."""
    body = framing.unpack(
        data, framing.KIND_FRAME, column_context(name, column_id), key, session=name
    )
    return codec.decode_frame(body, where=f"session {name!r}, column {column_id}: ")


def assemble(name: str, entry: dict[str, Any], parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the frame of a manifest entry from its decoded parts (see :func:`decode_column`).

    Raises
    ------
    StoreError
        When a part does not have the rows or the dtype the entry says.
    """
    where = f"session {name!r}, step {entry['step']}"
    index = parts[entry["index"]].index
    columns = {}
    for i, (cid, spec) in enumerate(zip(entry["cols"], entry["dtypes"], strict=True)):
        part = parts[cid]
        if part.shape != (len(index), 1) or codec.dtype_spec(part.dtypes.iloc[0]) != spec:
            raise StoreError(f"{where}: stored column {i} does not match its frame", session=name)
        columns[i] = part.iloc[:, 0].set_axis(index)
    if len(index) != entry["rows"]:
        raise StoreError(f"{where}: stored index does not match its frame", session=name)
    df = pd.DataFrame(columns, index=index, copy=False)
    df.columns = codec.columns_index(entry["labels"])
    return df


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
        bytes=manifest_bytes + sum(blob["bytes"] for blob in doc["blobs"].values()),
    )
