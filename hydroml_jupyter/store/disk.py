"""A store in a folder (default ``.hydroml/`` beside the notebook), written atomically.

Layout::

    <root>/<slug>-<hash>/manifest.json              signed JSON: meta, recipe, frame list
    <root>/<slug>-<hash>/frames/<column id>.arrow   signed Arrow IPC payloads (one column
                                                    or one index each)
    <root>/<slug>-<hash>/.lock                      serializes writers (flock)

A save takes the session's lock, reads the manifest and refuses to go on if another
writer saved a generation the record did not start from
(:mod:`~hydroml_jupyter.store.generations`). It then writes the columns the previous
manifest does not hold yet (see :mod:`~hydroml_jupyter.store.planning`) under
temporary names, fsyncs and renames them, replaces the manifest (temp file, fsync,
``os.replace``, fsync of the folder) and only then deletes the files the new manifest
does not reference. Column files are never rewritten in place, and until the manifest
is replaced the old one and all its files are untouched, so a crash or a full disk at
any point leaves the previous state loadable.

Session folders are created 0700 and never followed through a symbolic link: every
file is reached relative to its open folder (:mod:`~hydroml_jupyter.store.disk_files`),
and a sweep deletes only the store's own frame and temporary files.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from hydroml_jupyter.store import framing
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo, check_name
from hydroml_jupyter.store.columns import ColumnIds
from hydroml_jupyter.store.disk_files import TEMP_FILE, Folder, LinkError, open_folder
from hydroml_jupyter.store.disk_files import fsync_dir as _fsync_dir
from hydroml_jupyter.store.disk_files import write_file as _write_file
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.generations import check_base
from hydroml_jupyter.store.manifest import (
    decode_manifest,
    encode_manifest,
    generation_for,
    info_from_manifest,
    wanted,
)
from hydroml_jupyter.store.planning import (
    SavePlan,
    blobs_of,
    loaded_parts,
    plan_save,
    read_frames,
)

try:  # POSIX only; elsewhere writers of one session are not serialized across processes
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["DiskStore", "folder_name"]

_MANIFEST = "manifest.json"
_FRAMES = "frames"
_LOCK = ".lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SESSION_FOLDER = re.compile(r"-[0-9a-f]{12}$")
_REASONS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "the path is a file, not a folder",
}


def folder_name(name: str) -> str:
    """Return the folder a session is stored in: a readable slug plus a short hash.

    The result never contains a path separator, NUL or ``..`` and never starts
    with a dot, whatever the name.

    Examples
    --------
    >>> folder_name("../etc/passwd")
    'etc_passwd-7fef78f53440'
    """
    slug = _UNSAFE.sub("_", name).strip("._-")[:40] or "session"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"


def _reason(exc: OSError) -> str:
    if isinstance(exc, LinkError):
        return "it is a symbolic link, and the store never follows links inside its folder"
    if isinstance(exc, FileExistsError | NotADirectoryError) or exc.errno in _REASONS:
        return _REASONS.get(exc.errno or errno.EEXIST, "the path is a file, not a folder")
    return exc.strerror or str(exc) or type(exc).__name__


def _blob_file(column_id: str) -> str:
    return f"{column_id}.arrow"


@dataclass
class _Opened:
    """A session's open folders: the store's root, the session's folder and ``frames/``."""

    root: Folder
    folder: Folder
    frames: Folder | None


class DiskStore(Store):
    """Keep sessions in a folder, one sub-folder per session.

    Parameters
    ----------
    root
        The folder; created (0700) on the first save. Relative paths are resolved now,
        so a later ``os.chdir`` does not move the store. The root may be reached
        through a link; the folders inside it may not.
    key
        The HMAC key; None reads :func:`~hydroml_jupyter.store.keys.store_key` at each call.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> store = DiskStore(tempfile.mkdtemp(), key=b"k")
    >>> store.save(SessionRecord("a/b", {"version": 3}, {}, {0: pd.DataFrame({"x": [1.5]})}))
    >>> store.load("a/b").frames[0]["x"].tolist(), store.delete("a/b"), store.exists("a/b")
    ([1.5], True, False)
    """

    def __init__(self, root: str | os.PathLike[str] = ".hydroml", key: bytes | None = None) -> None:
        super().__init__(key)
        self.root = Path(root).expanduser().absolute()
        self._ids = ColumnIds()

    @property
    def uri(self) -> str:
        return self.root.as_uri()

    @property
    def label(self) -> str:
        """The folder, relative to the working folder when it is inside it."""
        try:
            relative = self.root.relative_to(Path.cwd())
        except (ValueError, OSError):
            return str(self.root)
        return relative.as_posix() if relative.parts else "."

    # -- helpers ---------------------------------------------------------------------
    def _error(self, name: str, action: str, exc: OSError) -> StoreError:
        where = Path(exc.filename) if exc.filename else self.root
        reason = _reason(exc)
        if exc.errno in (errno.ENOTDIR, errno.EEXIST) and not isinstance(exc, LinkError):
            blocker = next(
                (p for p in (where, *where.parents) if p.exists() and not p.is_dir()), None
            )
            if blocker is not None:
                where, reason = self.root, f"{blocker} is a file, not a folder"
        return StoreError(f"session {name!r}: cannot {action} {where}: {reason}", session=name)

    @contextlib.contextmanager
    def _opened(self, name: str, create: bool = False) -> Iterator[_Opened | None]:
        """Open the session's folders (made when ``create``); None when they are missing."""
        leaf = folder_name(check_name(name))
        root = open_folder(self.root, create)
        if root is None:
            yield None
            return
        with root:
            folder = root.child(leaf, create)
            if folder is None:
                yield None
                return
            with folder:
                frames = folder.child(_FRAMES, create)
                try:
                    yield _Opened(root, folder, frames)
                finally:
                    if frames is not None:
                        frames.close()

    @contextlib.contextmanager
    def _locked(self, name: str, create: bool = True) -> Iterator[_Opened | None]:
        """Hold the session's writer lock; yield None if the folder is gone (and not made)."""
        leaf = folder_name(check_name(name))
        while True:
            with self._opened(name, create) as opened:
                if opened is None:
                    yield None
                    return
                if fcntl is None:  # pragma: no cover
                    yield opened
                    return
                fd = opened.folder.open(_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    # a delete may have removed the folder while we waited
                    lock = opened.folder.lstat(_LOCK)
                    if (
                        lock is not None
                        and os.path.samestat(lock, os.fstat(fd))
                        and opened.root.holds(leaf, opened.folder)
                    ):
                        yield opened
                        return
                finally:
                    os.close(fd)

    def _read_manifest(self, folder: Folder, name: str) -> tuple[dict, int] | None:
        data = folder.read(_MANIFEST)
        if data is None:
            return None
        return decode_manifest(data, name, self.key(), str(self.root)), len(data)

    # -- the interface ---------------------------------------------------------------
    def save(self, record: SessionRecord) -> None:
        name = record.name
        key = self.key()
        try:
            with self._locked(name) as opened:
                assert opened is not None and opened.frames is not None
                plan = self._save_locked(record, opened.folder, opened.frames, key)
            self._ids.remember(name, plan.parts, plan.referenced())
        except OSError as exc:
            raise self._error(name, "save to", exc) from exc

    def _save_locked(
        self, record: SessionRecord, folder: Folder, frames: Folder, key: bytes
    ) -> SavePlan:
        """Save ``record`` into its open folders (the caller holds the lock)."""
        name = record.name
        try:
            old = self._read_manifest(folder, name)
        except StoreError:
            old = None  # unreadable: replaced by this save
        check_base(name, record.base, old[0] if old else None, self.label)
        plan = plan_save(
            record,
            old[0] if old else None,
            key,
            self._ids,
            lambda cid, _blob: frames.is_file(_blob_file(cid)),
        )  # may refuse a frame: nothing is written yet
        counter = old[0].get("counter", 0) + 1 if old else 1
        written: list[str] = []
        try:
            for blob in plan.write.values():
                _write_file(frames, _blob_file(blob.id), blob.head, blob.body)
                written.append(_blob_file(blob.id))
            if plan.write:
                _fsync_dir(frames)
            manifest = encode_manifest(
                record, generation_for(record), counter, plan.entries, plan.blobs(), key=key
            )
            _write_file(folder, _MANIFEST, manifest)
            written.clear()  # referenced by the manifest now
            _fsync_dir(folder)
        except BaseException:
            for leaf in written:  # unreferenced: the previous manifest is still in place
                with contextlib.suppress(OSError):
                    frames.unlink(leaf)
            raise
        frames.sweep({_blob_file(cid) for cid in plan.referenced()})
        folder.sweep(pattern=TEMP_FILE)
        return plan

    def peek(self, name: str) -> SessionRecord:
        try:
            with self._opened(name) as opened:
                found = None if opened is None else self._read_manifest(opened.folder, name)
        except OSError as exc:
            raise self._error(name, "read", exc) from exc
        if found is None:
            raise self._missing(name)
        doc = found[0]
        return SessionRecord(name, doc["meta"], doc["recipe"], base=doc["generation"])

    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        key = self.key()
        try:
            for _attempt in range(5):
                with self._opened(name) as opened:
                    found = None if opened is None else self._read_manifest(opened.folder, name)
                    if found is None:
                        raise self._missing(name)
                    assert opened is not None
                    doc = found[0]
                    entries = wanted(doc, steps)
                    payloads, missing = self._payloads(opened, blobs_of(entries))
                    if missing is not None:
                        latest = self._read_manifest(opened.folder, name)
                        if latest is not None and latest[0]["generation"] != doc["generation"]:
                            continue  # a save replaced it while we read: read the new one
                        raise StoreError(
                            f"session {name!r}: frame file {missing} is missing", session=name
                        )
                frames = read_frames(name, entries, payloads, key)
                del payloads
                self._ids.remember(name, loaded_parts(entries, frames), set(doc["blobs"]))
                ids = {entry["step"]: entry["id"] for entry in entries}
                return SessionRecord(
                    name, doc["meta"], doc["recipe"], frames, ids, doc["generation"]
                )
        except OSError as exc:
            raise self._error(name, "read", exc) from exc
        raise StoreError(f"session {name!r}: kept changing while being read", session=name)

    @staticmethod
    def _payloads(opened: _Opened, ids: list[str]) -> tuple[dict[str, bytes], Path | None]:
        """Read the payloads ``ids``; return them, or the first missing file's path."""
        payloads = {}
        for cid in ids:
            leaf = _blob_file(cid)
            data = None if opened.frames is None else opened.frames.read(leaf)
            if data is None:
                return {}, opened.folder.path / _FRAMES / leaf
            payloads[cid] = data
        return payloads, None

    def list(self) -> list[StoredInfo]:
        try:
            root = open_folder(self.root)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise StoreError(f"cannot list {self.root}: {_reason(exc)}") from exc
        if root is None:
            return []
        out = []
        key = self.key()
        with root, os.scandir(root.fd) as scan:
            entries = sorted(scan, key=lambda e: e.name)
            for entry in entries:
                if entry.is_symlink() and _SESSION_FOLDER.search(entry.name):
                    out.append(StoredInfo(name=entry.name, problem=_reason(LinkError())))
                    continue
                if not entry.is_dir(follow_symlinks=False):
                    continue
                try:
                    folder = root.child(entry.name)
                    if folder is None:  # deleted meanwhile
                        continue
                    with folder:
                        data = folder.read(_MANIFEST)
                except OSError as exc:
                    out.append(StoredInfo(name=entry.name, problem=_reason(exc)))
                    continue
                if data is not None:
                    out.append(self._info(entry.name, str(self.root), data, key))
        return out

    @staticmethod
    def _info(folder: str, root: str, data: bytes, key: bytes) -> StoredInfo:
        # the name is inside the signed manifest: read it from there, then check it
        # both against the signature (decode_manifest) and against the folder name
        try:
            body = framing.unpack(data, framing.KIND_MANIFEST, "manifest", key, session=folder)
            name = json.loads(bytes(body).decode("utf-8"))["name"]
            if not isinstance(name, str) or folder_name(name) != folder:
                raise StoreError(f"session folder {folder!r}: manifest names another session")
            doc = decode_manifest(data, name, key, root)
            return info_from_manifest(doc, len(data))
        except (StoreError, ValueError, KeyError, TypeError) as exc:
            return StoredInfo(name=folder, problem=str(exc))

    def delete(self, name: str) -> bool:
        try:
            with self._locked(name, create=False) as opened:
                if opened is None:
                    return False
                folder = opened.folder
                existed = folder.is_file(_MANIFEST)
                with contextlib.suppress(FileNotFoundError):
                    folder.unlink(_MANIFEST)  # from here on the session is gone
                self._ids.forget(name)
                if opened.frames is not None:
                    opened.frames.sweep()
                    with contextlib.suppress(OSError):  # not empty: files the store did not write
                        folder.rmdir(_FRAMES)
                folder.sweep(pattern=TEMP_FILE)
                with contextlib.suppress(FileNotFoundError):
                    folder.unlink(_LOCK)
                with contextlib.suppress(OSError):
                    opened.root.rmdir(folder_name(name))
        except OSError as exc:
            raise self._error(name, "delete", exc) from exc
        return existed

    def exists(self, name: str) -> bool:
        try:
            with self._opened(name) as opened:
                return opened is not None and opened.folder.is_file(_MANIFEST)
        except OSError as exc:
            raise self._error(name, "read", exc) from exc
