"""The disk store's file operations: relative to open folders, never through a link.

A session folder and its ``frames/`` folder are opened once (``O_NOFOLLOW``,
``O_DIRECTORY``) and every file in them is then opened, renamed, listed and deleted
relative to those descriptors, so replacing a folder by a symbolic link (before or
during a save) cannot send a write or a delete elsewhere: the store refuses the link
with :class:`LinkError`. Files are opened with ``O_NOFOLLOW`` as well, and a sweep
deletes only regular files whose names the store itself gives
(:data:`FRAME_FILE`, :data:`TEMP_FILE`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

__all__ = [
    "FRAME_FILE",
    "TEMP_FILE",
    "Folder",
    "LinkError",
    "fsync_dir",
    "open_folder",
    "write_file",
]

_BLOCK = 1 << 24
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
#: The names of the frame files the store writes: a column id (20 hex digits, see
#: :meth:`~hydroml_jupyter.store.columns.ColumnIds.new_id`) and ``.arrow``.
FRAME_FILE = re.compile(r"^[0-9a-f]{20}\.arrow$")
#: The names of the store's temporary files (renamed over their target when complete).
TEMP_FILE = re.compile(r"^\.tmp-[0-9a-f]{12}-(manifest\.json|[0-9a-f]{20}\.arrow)$")


class LinkError(OSError):
    """A folder or file inside the store is a symbolic link (or not what it should be)."""


def _located(exc: OSError, path: Path) -> OSError:
    """Return ``exc`` naming ``path`` (an operation relative to a folder names the leaf)."""
    exc.filename = str(path)
    return exc


class Folder:
    """An open folder: the descriptor every operation on its entries goes through.

    Parameters
    ----------
    fd
        The folder's descriptor (closed by :meth:`close`).
    path
        Its path, for messages only.
    """

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    def close(self) -> None:
        """Close the descriptor."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self, name: str, flags: int, mode: int = 0o600) -> int:
        """Open the entry ``name`` (never through a link) and return its descriptor."""
        try:
            return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=self.fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _link(self.path / name) from exc
            raise _located(exc, self.path / name) from None

    def child(self, name: str, create: bool = False) -> Folder | None:
        """Open the sub-folder ``name`` (made 0700 when ``create``); None if it is missing.

        Raises
        ------
        LinkError
            When ``name`` is a symbolic link or not a folder.
        """
        if create:
            with contextlib.suppress(FileExistsError):
                try:
                    os.mkdir(name, 0o700, dir_fd=self.fd)
                except OSError as exc:
                    raise _located(exc, self.path / name) from None
        try:
            fd = self.open(name, os.O_RDONLY | _DIRECTORY)
        except FileNotFoundError:
            return None
        except NotADirectoryError as exc:
            found = self.lstat(name)
            if found is not None and stat.S_ISLNK(found.st_mode):
                raise _link(self.path / name) from exc
            raise
        return Folder(fd, self.path / name)

    def lstat(self, name: str) -> os.stat_result | None:
        """Return the entry's own status (not its target's), or None if it is missing."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _located(exc, self.path / name) from None

    def is_file(self, name: str) -> bool:
        """Return True if ``name`` is a regular file (a link is not)."""
        found = self.lstat(name)
        return found is not None and stat.S_ISREG(found.st_mode)

    def read(self, name: str) -> bytes | None:
        """Return the content of file ``name``, or None if it is missing."""
        try:
            fd = self.open(name, os.O_RDONLY)
        except FileNotFoundError:
            return None
        with open(fd, "rb", buffering=0) as file:  # (closes fd)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise LinkError(errno.EISDIR, "not a regular file", str(self.path / name))
            return file.readall()  # one buffer, sized from the file's size

    def unlink(self, name: str) -> None:
        """Delete the entry ``name`` (a link itself, never its target)."""
        try:
            os.unlink(name, dir_fd=self.fd)
        except OSError as exc:
            raise _located(exc, self.path / name) from None

    def rmdir(self, name: str) -> None:
        """Remove the empty sub-folder ``name``."""
        try:
            os.rmdir(name, dir_fd=self.fd)
        except OSError as exc:
            raise _located(exc, self.path / name) from None

    def sweep(self, keep: Iterable[str] = (), pattern: re.Pattern[str] | None = None) -> None:
        """Delete the store's own regular files here that are not in ``keep``.

        Only names matching ``pattern`` are deleted (default: :data:`FRAME_FILE` or
        :data:`TEMP_FILE`); anything else, and any link, is left alone.
        """
        kept = set(keep)

        def ours(name: str) -> bool:
            if pattern is not None:
                return bool(pattern.match(name))
            return bool(FRAME_FILE.match(name) or TEMP_FILE.match(name))

        with contextlib.suppress(OSError), os.scandir(self.fd) as entries:
            for entry in entries:
                doomed = ours(entry.name) and entry.name not in kept
                if doomed and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.name, dir_fd=self.fd)

    def holds(self, name: str, child: Folder) -> bool:
        """Return True if the entry ``name`` still is the open folder ``child``."""
        found = self.lstat(name)
        return found is not None and os.path.samestat(found, os.fstat(child.fd))


def _link(path: Path) -> LinkError:
    return LinkError(errno.ELOOP, "is a symbolic link, which the store never follows", str(path))


def open_folder(path: Path, create: bool = False) -> Folder | None:
    """Open the store's root folder (made 0700 when ``create``); None if it is missing.

    The root itself may be reached through links (it is where the person put the
    store); everything inside it is opened through :class:`Folder`.
    """
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except FileNotFoundError:
        return None
    return Folder(fd, path)


def fsync_dir(folder: Folder) -> None:
    """Make the folder's entries (new and renamed files) durable."""
    try:
        os.fsync(folder.fd)
    except OSError as exc:  # pragma: no cover (file systems that cannot sync folders)
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise


def write_file(folder: Folder, name: str, *parts: bytes | memoryview) -> None:
    """Write ``parts`` to a new temporary file in ``folder``, fsync it, rename it to ``name``."""
    tmp = f".tmp-{secrets.token_hex(6)}-{name}"
    fd = folder.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            for part in parts:
                view = memoryview(part).cast("B")
                while view:
                    view = view[os.write(fd, view[:_BLOCK]) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(tmp, name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd)
        except OSError as exc:
            raise _located(exc, folder.path / name) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder.fd)
        raise
