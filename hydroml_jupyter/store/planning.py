"""What a save writes: the parts of the record's frames the store does not hold yet.

:func:`plan_save` keeps a frame entry of the previous manifest as it is when the
record holds a frame under the same step and frame id, and otherwise splits the frame
into its index and columns (:mod:`~hydroml_jupyter.store.columns`). A part whose
column id the previous manifest references (and whose payload is still there) is
kept; any other part is encoded, checked and signed. Nothing is written here, so a
frame the codec refuses fails the save before the store is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hydroml_jupyter.labels import Label
from hydroml_jupyter.store import codec, framing
from hydroml_jupyter.store.base import SessionRecord
from hydroml_jupyter.store.columns import ColumnIds, frame_parts
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.manifest import (
    Blob,
    assemble,
    column_context,
    decode_column,
    entry_blobs,
    frame_ids,
)

__all__ = ["SavePlan", "blobs_of", "loaded_parts", "plan_save", "read_frames"]

Identity = tuple[tuple[Any, ...] | None, list[Any]]


@dataclass
class SavePlan:
    """What a save writes and what it keeps from the previous manifest.

    Attributes
    ----------
    entries
        The new manifest's frame entries, by step.
    kept
        Column id -> the previous manifest's blob entry, for payloads stored already.
    write
        The payloads to write.
    parts
        Column id -> the live identities of that part, for :meth:`ColumnIds.remember`.
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)
    write: dict[str, Blob] = field(default_factory=dict)
    parts: dict[str, list[Identity]] = field(default_factory=dict)

    def blobs(self, written: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
        """Return the new manifest's blob entries: the kept ones and ``written`` (default sizes)."""
        if written is None:
            written = {cid: {"bytes": blob.size} for cid, blob in self.write.items()}
        return {**self.kept, **written}

    def referenced(self) -> set[str]:
        """Return every column id the new manifest references."""
        return {cid for entry in self.entries for cid in entry_blobs(entry)}


def plan_save(
    record: SessionRecord,
    old: dict[str, Any] | None,
    key: bytes,
    ids: ColumnIds,
    present: Callable[[str, dict[str, Any]], bool] | None = None,
) -> SavePlan:
    """Plan saving ``record`` over the previous manifest ``old`` (decoded, or None).

    Parameters
    ----------
    record
        What is being saved.
    old
        The previous manifest, or None.
    key
        The HMAC key that signs new payloads.
    ids
        The store's memory of which live parts it holds under which column id.
    present
        Optional check that a stored payload (column id, blob entry) is still there; a
        part it refuses is written again.
    """
    name = record.name
    old_blobs: dict[str, dict[str, Any]] = old["blobs"] if old else {}
    old_frames = {(e["step"], e["id"]): e for e in old["frames"]} if old else {}
    checked: dict[str, bool] = {}

    def stored(cid: str) -> bool:
        if cid not in checked:
            blob = old_blobs.get(cid)
            checked[cid] = blob is not None and (present is None or present(cid, blob))
        return checked[cid]

    plan = SavePlan()
    for step, fid in frame_ids(record).items():
        previous = old_frames.get((step, fid))
        if previous is not None and all(stored(c) for c in entry_blobs(previous)):
            plan.entries.append(previous)
            for kept in entry_blobs(previous):
                plan.kept[kept] = old_blobs[kept]
            continue
        frame = record.frames[step]
        where = f"session {name!r}, step {step}: "
        labels = _labels(frame, where)
        # Only a session's own snapshots (they carry an engine frame id) are known never to
        # change in place; a frame the caller still holds may have, so it is written whole.
        private = step in record.frame_ids
        cids = []
        for i, (part_key, owners, part) in enumerate(frame_parts(frame)):
            cid = ids.get(name, part_key, owners) if private else None
            if cid is None or not (cid in plan.write or cid in plan.kept or stored(cid)):
                cid = ids.new_id()
                body = _encode(part, where, frame.columns[i - 1] if i else None)
                context = column_context(name, cid)
                head = framing.pack_head(framing.KIND_FRAME, context, body, key)
                plan.write[cid] = Blob(cid, head, body)
            elif cid not in plan.write:
                plan.kept[cid] = old_blobs[cid]
            if private:
                plan.parts.setdefault(cid, []).append((part_key, owners))
            cids.append(cid)
        plan.entries.append(
            {
                "step": step,
                "id": fid,
                "rows": frame.shape[0],
                "columns": frame.shape[1],
                "labels": labels,
                "index": cids[0],
                "cols": cids[1:],
                "dtypes": [codec.dtype_spec(dtype) for dtype in frame.dtypes],
            }
        )
    return plan


def _labels(frame: pd.DataFrame, where: str) -> dict[str, Any]:
    """Return the column labels' metadata, refusing labels that would not load back."""
    labels = codec.columns_meta(frame, where)
    try:
        pd.testing.assert_index_equal(codec.columns_index(labels), frame.columns, exact=True)
    except AssertionError as exc:
        raise StoreError(f"{where}the column labels would not load back exactly") from exc
    return labels


def _encode(part: pd.DataFrame, where: str, label: Label | None) -> memoryview:
    """Encode one part; errors name the frame's column, not the part's."""
    try:
        return codec.encode_frame(part, where=where)
    except StoreError as exc:
        if label is None:
            raise
        message = str(exc).replace(f"{where}column 'c'", f"{where}column {label!r}", 1)
        raise StoreError(message, session=exc.session) from exc


def blobs_of(entries: list[dict[str, Any]]) -> list[str]:
    """Return the column ids ``entries`` reference, each once, in order."""
    return list(dict.fromkeys(cid for entry in entries for cid in entry_blobs(entry)))


def read_frames(
    name: str,
    entries: list[dict[str, Any]],
    payloads: Mapping[str, framing.BytesLike],
    key: bytes,
) -> dict[int, pd.DataFrame]:
    """Check and decode the payloads (column id -> bytes) of ``entries``; return their frames."""
    parts = {cid: decode_column(payloads[cid], name, cid, key) for cid in blobs_of(entries)}
    return {entry["step"]: assemble(name, entry, parts) for entry in entries}


def loaded_parts(
    entries: list[dict[str, Any]], frames: dict[int, pd.DataFrame]
) -> dict[str, list[Identity]]:
    """Return column id -> live identities of the frames just loaded, for :class:`ColumnIds`."""
    out: dict[str, list[Identity]] = {}
    for entry in entries:
        parts = frame_parts(frames[entry["step"]])
        for cid, (part_key, owners, _part) in zip(entry_blobs(entry), parts, strict=True):
            out.setdefault(cid, []).append((part_key, owners))
    return out
