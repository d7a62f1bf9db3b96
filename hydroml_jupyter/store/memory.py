"""An in-process store that keeps signed, serialized bytes (it exercises the codec)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection

from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo, check_name
from hydroml_jupyter.store.columns import ColumnIds
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.generations import check_base
from hydroml_jupyter.store.manifest import (
    decode_manifest,
    encode_manifest,
    generation_for,
    info_from_manifest,
    wanted,
)
from hydroml_jupyter.store.planning import blobs_of, loaded_parts, plan_save, read_frames

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
        # name -> (manifest, {column id: payload})
        self._data: dict[str, tuple[bytes, dict[str, bytes]]] = {}
        self._ids = ColumnIds()
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
            check_base(name, record.base, old, self.label)
            plan = plan_save(record, old, key, self._ids, lambda cid, _b: cid in old_payloads)
            payloads = {cid: blob.payload for cid, blob in plan.write.items()}
            for cid in plan.kept:
                payloads[cid] = old_payloads[cid]
            counter = self._counters.get(name, 0) + 1
            manifest = encode_manifest(
                record, generation_for(record), counter, plan.entries, plan.blobs(), key=key
            )
            self._data[name] = (manifest, payloads)
            self._counters[name] = counter
            self._ids.remember(name, plan.parts, plan.referenced())

    def _manifest(self, name: str) -> tuple[dict, dict[str, bytes]]:
        check_name(name)
        with self._lock:
            stored = self._data.get(name)
        if stored is None:
            raise self._missing(name)
        manifest, payloads = stored
        return decode_manifest(manifest, name, self.key(), self.uri), payloads

    def peek(self, name: str) -> SessionRecord:
        doc, _ = self._manifest(name)
        return SessionRecord(name, doc["meta"], doc["recipe"], base=doc["generation"])

    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        doc, payloads = self._manifest(name)
        key = self.key()
        entries = wanted(doc, steps)
        missing = [cid for cid in blobs_of(entries) if cid not in payloads]
        if missing:
            raise StoreError(f"session {name!r}: column {missing[0]} is missing", session=name)
        frames = read_frames(name, entries, payloads, key)
        self._ids.remember(name, loaded_parts(entries, frames), set(doc["blobs"]))
        ids = {entry["step"]: entry["id"] for entry in entries}
        return SessionRecord(name, doc["meta"], doc["recipe"], frames, ids, doc["generation"])

    def list(self) -> list[StoredInfo]:
        with self._lock:
            items = sorted(self._data.items())
        key = self.key()
        out = []
        for name, (manifest, _) in items:
            try:
                doc = decode_manifest(manifest, name, key, self.uri)
                out.append(info_from_manifest(doc, len(manifest)))
            except StoreError as exc:
                out.append(StoredInfo(name=name, problem=str(exc)))
        return out

    def delete(self, name: str) -> bool:
        self._ids.forget(check_name(name))
        with self._lock:
            return self._data.pop(name, None) is not None

    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._data

    def close(self) -> None:
        with self._lock:
            self._data.clear()
        self._ids = ColumnIds()
