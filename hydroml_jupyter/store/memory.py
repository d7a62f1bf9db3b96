"""An in-process store that keeps signed, serialized bytes (it exercises the codec)."""

from __future__ import annotations

import threading

from hydroml_jupyter.store.base import (
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
from hydroml_jupyter.store.errors import StoreError

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
        self._data: dict[str, tuple[bytes, dict[int, bytes]]] = {}
        self._counters: dict[str, int] = {}

    @property
    def uri(self) -> str:
        return "memory://"

    def save(self, record: SessionRecord) -> None:
        key = self.key()
        generation = new_generation()
        frames = encode_frames(record, generation, key)
        payloads = {f.step: f.head + bytes(f.body) for f in frames}
        with self._lock:
            counter = self._counters.get(record.name, 0) + 1
            manifest = encode_manifest(record, generation, counter, frames, key)
            self._data[record.name] = (manifest, payloads)
            self._counters[record.name] = counter

    def load(self, name: str) -> SessionRecord:
        check_name(name)
        with self._lock:
            stored = self._data.get(name)
        if stored is None:
            raise self._missing(name)
        key = self.key()
        manifest, payloads = stored
        doc = decode_manifest(manifest, name, key)
        frames = {}
        for entry in doc["frames"]:
            step = entry["step"]
            if step not in payloads:
                raise StoreError(f"session {name!r}: frame {step} is missing", session=name)
            frames[step] = decode_frame_payload(payloads[step], name, doc["generation"], step, key)
        return SessionRecord(name, doc["meta"], doc["recipe"], frames)

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
