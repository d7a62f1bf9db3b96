"""A store in a folder (default ``.hydroml/`` beside the notebook), written atomically.

Layout::

    <root>/<slug>-<hash>/manifest.json              signed JSON: meta, recipe, frame list
    <root>/<slug>-<hash>/frames/<column id>.arrow   signed Arrow IPC payloads (one column
                                                    or one index each)
    <root>/<slug>-<hash>/.lock                      serializes writers (flock)

A save writes the columns the previous manifest does not hold yet (see
:mod:`~hydroml_jupyter.store.planning`) under temporary names, fsyncs and renames them,
then replaces the manifest (temp file, fsync, ``os.replace``, fsync of the folder) and
only then deletes the files the new manifest does not reference. Column files are never
rewritten in place, and until the manifest is replaced the old one and all its files are
untouched, so a crash or a full disk at any point leaves the previous state loadable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Collection, Iterator
from pathlib import Path

from hydroml_jupyter.store import framing
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo, check_name
from hydroml_jupyter.store.columns import ColumnIds
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.manifest import (
    decode_manifest,
    encode_manifest,
    info_from_manifest,
    new_generation,
    wanted,
)
from hydroml_jupyter.store.planning import blobs_of, loaded_parts, plan_save, read_frames

try:  # POSIX only; elsewhere writers of one session are not serialized across processes
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["DiskStore", "folder_name"]

_MANIFEST = "manifest.json"
_FRAMES = "frames"
_LOCK = ".lock"
_TMP = ".tmp-"
_BLOCK = 1 << 24
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
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
    if isinstance(exc, FileExistsError | NotADirectoryError) or exc.errno in _REASONS:
        return _REASONS.get(exc.errno or errno.EEXIST, "the path is a file, not a folder")
    return exc.strerror or str(exc) or type(exc).__name__


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover (platforms that cannot open folders)
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _blob_file(column_id: str) -> str:
    return f"{column_id}.arrow"


def _write_file(path: Path, *parts: bytes | memoryview) -> None:
    """Write ``parts`` to a new temporary file and rename it to ``path`` (fsync'd)."""
    tmp = path.with_name(f"{_TMP}{secrets.token_hex(6)}-{path.name}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            for part in parts:
                view = memoryview(part).cast("B")
                while view:
                    view = view[os.write(fd, view[:_BLOCK]) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class DiskStore(Store):
    """Keep sessions in a folder, one sub-folder per session.

    Parameters
    ----------
    root
        The folder; created on the first save. Relative paths are resolved now, so a
        later ``os.chdir`` does not move the store.
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
    def _folder(self, name: str) -> Path:
        return self.root / folder_name(check_name(name))

    def _error(self, name: str, action: str, exc: OSError) -> StoreError:
        where = Path(exc.filename) if exc.filename else self.root
        reason = _reason(exc)
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            blocker = next(
                (p for p in (where, *where.parents) if p.exists() and not p.is_dir()), None
            )
            if blocker is not None:
                where, reason = self.root, f"{blocker} is a file, not a folder"
        return StoreError(f"session {name!r}: cannot {action} {where}: {reason}", session=name)

    @contextlib.contextmanager
    def _locked(self, folder: Path, create: bool = True) -> Iterator[bool]:
        """Hold the session's writer lock; yield False if the folder is gone (and not made)."""
        while True:
            if create:
                (folder / _FRAMES).mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                yield False
                return
            if fcntl is None:  # pragma: no cover
                yield True
                return
            fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:  # a delete may have removed the folder while we waited
                    same = os.path.samestat(os.fstat(fd), os.stat(folder / _LOCK))
                except FileNotFoundError:
                    same = False
                if same:
                    yield True
                    return
            finally:
                os.close(fd)

    def _read_manifest(self, folder: Path, name: str) -> tuple[dict, int] | None:
        try:
            data = (folder / _MANIFEST).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error(name, "read", exc) from exc
        return decode_manifest(data, name, self.key(), str(self.root)), len(data)

    # -- the interface ---------------------------------------------------------------
    def save(self, record: SessionRecord) -> None:
        name = record.name
        folder = self._folder(name)
        frames_dir = folder / _FRAMES
        key = self.key()
        written: list[Path] = []
        try:
            with self._locked(folder):
                try:
                    old = self._read_manifest(folder, name)
                except StoreError:
                    old = None  # unreadable: replaced by this save
                plan = plan_save(
                    record,
                    old[0] if old else None,
                    key,
                    self._ids,
                    lambda cid, _blob: (frames_dir / _blob_file(cid)).is_file(),
                )  # may refuse a frame: nothing is written yet
                counter = old[0].get("counter", 0) + 1 if old else 1
                for blob in plan.write.values():
                    path = frames_dir / _blob_file(blob.id)
                    _write_file(path, blob.head, blob.body)
                    written.append(path)
                if plan.write:
                    _fsync_dir(frames_dir)
                manifest = encode_manifest(
                    record, new_generation(), counter, plan.entries, plan.blobs(), key=key
                )
                _write_file(folder / _MANIFEST, manifest)
                written.clear()  # referenced by the manifest now
                _fsync_dir(folder)
                referenced = plan.referenced()
                self._sweep(folder, {_blob_file(cid) for cid in referenced})
            self._ids.remember(name, plan.parts, referenced)
        except BaseException as exc:
            for path in written:  # unreferenced: the previous manifest is still in place
                with contextlib.suppress(OSError):
                    path.unlink()
            if isinstance(exc, OSError):
                raise self._error(name, "save to", exc) from exc
            raise

    @staticmethod
    def _sweep(folder: Path, keep: set[str]) -> None:
        """Delete frame files and leftovers the current manifest does not reference."""
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder / _FRAMES):
                if entry.name not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
            for entry in os.scandir(folder):
                if entry.name.startswith(_TMP):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def peek(self, name: str) -> SessionRecord:
        found = self._read_manifest(self._folder(name), name)
        if found is None:
            raise self._missing(name)
        return SessionRecord(name, found[0]["meta"], found[0]["recipe"])

    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        folder = self._folder(name)
        key = self.key()
        for _attempt in range(5):
            found = self._read_manifest(folder, name)
            if found is None:
                raise self._missing(name)
            doc = found[0]
            entries = wanted(doc, steps)
            try:
                payloads = {
                    cid: (folder / _FRAMES / _blob_file(cid)).read_bytes()
                    for cid in blobs_of(entries)
                }
            except FileNotFoundError as exc:
                latest = self._read_manifest(folder, name)
                if latest is not None and latest[0]["generation"] != doc["generation"]:
                    continue  # a save replaced it while we read: read the new one
                raise StoreError(
                    f"session {name!r}: frame file {exc.filename} is missing", session=name
                ) from exc
            except OSError as exc:
                raise self._error(name, "read", exc) from exc
            frames = read_frames(name, entries, payloads, key)
            del payloads
            self._ids.remember(name, loaded_parts(entries, frames), set(doc["blobs"]))
            ids = {entry["step"]: entry["id"] for entry in entries}
            return SessionRecord(name, doc["meta"], doc["recipe"], frames, ids)
        raise StoreError(f"session {name!r}: kept changing while being read", session=name)

    def list(self) -> list[StoredInfo]:
        try:
            folders = sorted(p for p in self.root.iterdir() if p.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise StoreError(f"cannot list {self.root}: {_reason(exc)}") from exc
        out = []
        key = self.key()
        for folder in folders:
            try:
                data = (folder / _MANIFEST).read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                out.append(StoredInfo(name=folder.name, problem=_reason(exc)))
                continue
            out.append(self._info(folder, data, key))
        return out

    @staticmethod
    def _info(folder: Path, data: bytes, key: bytes) -> StoredInfo:
        # the name is inside the signed manifest: read it from there, then check it
        # both against the signature (decode_manifest) and against the folder name
        try:
            body = framing.unpack(data, framing.KIND_MANIFEST, "manifest", key, session=folder.name)
            name = json.loads(bytes(body).decode("utf-8"))["name"]
            if not isinstance(name, str) or folder_name(name) != folder.name:
                raise StoreError(f"session folder {folder.name!r}: manifest names another session")
            doc = decode_manifest(data, name, key, str(folder.parent))
            return info_from_manifest(doc, len(data))
        except (StoreError, ValueError, KeyError, TypeError) as exc:
            return StoredInfo(name=folder.name, problem=str(exc))

    def delete(self, name: str) -> bool:
        folder = self._folder(name)
        try:
            with self._locked(folder, create=False) as present:
                if not present:
                    return False
                try:
                    os.unlink(folder / _MANIFEST)  # from here on the session is gone
                    existed = True
                except FileNotFoundError:
                    existed = False
                shutil.rmtree(folder)
                self._ids.forget(name)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._error(name, "delete", exc) from exc
        return existed

    def exists(self, name: str) -> bool:
        return (self._folder(name) / _MANIFEST).is_file()
