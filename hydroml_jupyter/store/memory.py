"""An in-process store that keeps signed, serialized bytes (it exercises the codec)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection

from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo, check_name
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.manifest import (
    decode_frame_payload,
    decode_manifest,
    encode_frames,
    encode_manifest,
    entry_id,
    info_from_manifest,
    new_generation,
    plan_save,
    wanted,
)

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Keep sessions in this process, as the same signed bytes the other stores write.

    Parameters
    ----------
    key
        The HMAC key; None reads :func:`~hydroml_jupyter.store.keys.store_key` at each call.

    Examples
    --------
    >>> import pandas as pd
    >>> store = MemoryStore(key=b"k")
    >>> store.save(SessionRecord("s", {"version": 1}, {}, {0: pd.DataFrame({"a": [1]})}))
    >>> store.load("s").frames[0]["a"].tolist(), [i.name for i in store.list()]
    ([1], ['s'])
    """

    def __init__(self, key: bytes | None = None) -> None:
        super().__init__(key)
        self._lock = threading.Lock()
        # name -> (manifest, {(step, frame id): payload})
        self._data: dict[str, tuple[bytes, dict[tuple[int, str], bytes]]] = {}
        self._counters: dict[str, int] = {}

    @property
    def uri(self) -> str:
        return "memory://"

    def save(self, record: SessionRecord) -> None:
        key = self.key()
        name = record.name
        with self._lock:  # one save at a time: the plan reads the current state
            old_manifest, old_payloads = self._data.get(name, (None, {}))
            old = None
            if old_manifest is not None:
                with contextlib.suppress(StoreError):
                    old = decode_manifest(old_manifest, name, key)
            plan = plan_save(record, old, lambda e: (e["step"], e["id"]) in old_payloads)
            frames = encode_frames(record, key, plan.ids, plan.to_write(record))
            entries = plan.entries([frame.entry() for frame in frames])
            payloads = {(frame.step, frame.id): frame.head + bytes(frame.body) for frame in frames}
            for step, entry in plan.reuse.items():
                payloads[(step, entry["id"])] = old_payloads[(step, entry["id"])]
            counter = self._counters.get(name, 0) + 1
            manifest = encode_manifest(record, new_generation(), counter, entries, key)
            self._data[name] = (manifest, payloads)
            self._counters[name] = counter

    def _manifest(self, name: str) -> tuple[dict, dict[tuple[int, str], bytes]]:
        check_name(name)
        with self._lock:
            stored = self._data.get(name)
        if stored is None:
            raise self._missing(name)
        manifest, payloads = stored
        return decode_manifest(manifest, name, self.key()), payloads

    def peek(self, name: str) -> SessionRecord:
        doc, _ = self._manifest(name)
        return SessionRecord(name, doc["meta"], doc["recipe"])

    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        doc, payloads = self._manifest(name)
        key = self.key()
        frames = {}
        ids = {}
        for entry in wanted(doc, steps):
            step, fid = entry["step"], entry_id(doc, entry)
            payload = payloads.get((step, fid))
            if payload is None:
                raise StoreError(f"session {name!r}: frame {step} is missing", session=name)
            frames[step] = decode_frame_payload(payload, name, fid, step, key)
            ids[step] = fid
        return SessionRecord(name, doc["meta"], doc["recipe"], frames, ids)

    def list(self) -> list[StoredInfo]:
        with self._lock:
            items = sorted(self._data.items())
        key = self.key()
        out = []
        for name, (manifest, _) in items:
            try:
                out.append(info_from_manifest(decode_manifest(manifest, name, key), len(manifest)))
            except StoreError as exc:
                out.append(StoredInfo(name=name, problem=str(exc)))
        return out

    def delete(self, name: str) -> bool:
        with self._lock:
            return self._data.pop(check_name(name), None) is not None

    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._data

    def close(self) -> None:
        with self._lock:
            self._data.clear()
