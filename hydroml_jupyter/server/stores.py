"""Which stores the REST view reads: the configured one, or the ``.hydroml`` of every folder.

A kernel saves its sessions to the default store, ``.hydroml`` in its working folder,
and Jupyter starts a notebook's kernel in the notebook's folder: a notebook in
``notebooks/`` saves to ``notebooks/.hydroml``. So with the default store (or any
relative folder in ``HYDROML_STORE``) the view reads that folder in:

- the server's root and its sub-folders down to :data:`MAX_DEPTH` levels, skipping
  hidden folders (which Jupyter does not serve either), a few bulky ones
  (:data:`SKIPPED`) and links to folders (so a link loop costs nothing), visiting at
  most :data:`MAX_FOLDERS` folders: the sessions of notebooks that are not running,
  after a restart too;
- the folders of the notebooks the server has kernels for, at any depth.

``?dir=FOLDER`` (relative to the root) reads that folder's store only. With
``HYDROML_STORE`` set to a URL (``redis://…``) or an absolute folder, every kernel
saves to the same place and the view reads that one store.

Examples
--------
>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> (root / "notebooks" / ".hydroml").mkdir(parents=True)
>>> [(s.dir, s.store.root.name) for s in find_stores(root, spec="disk")]
[('notebooks', '.hydroml')]
>>> find_stores(root, "../..", spec="disk")
Traceback (most recent call last):
...
hydroml_jupyter.server.stores.NotFound: folder '../..' is outside the server's root
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from hydroml_jupyter.store import DiskStore, Store
from hydroml_jupyter.store.config import store_for, store_spec

__all__ = [
    "MAX_DEPTH",
    "MAX_DIR",
    "MAX_FOLDERS",
    "SKIPPED",
    "BadFolder",
    "Located",
    "NotFound",
    "Scan",
    "find_stores",
    "folder_in_root",
]

#: How many levels of sub-folders below the root are searched for stores.
MAX_DEPTH = 4
#: How many folders one search visits at most.
MAX_FOLDERS = 2000
#: The longest ``?dir=`` accepted, in characters.
MAX_DIR = 1024
#: Folders never searched (besides hidden ones): installed packages, caches.
SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class NotFound(LookupError):  # noqa: N818 (answered as HTTP 404)
    """No such session, or a folder that is not a folder inside the server's root."""


class BadFolder(ValueError):  # noqa: N818 (answered as HTTP 400)
    """A ``?dir=`` that cannot name a folder (too long, NUL): answered as HTTP 400."""


@dataclasses.dataclass(frozen=True)
class Located:
    """A store and the folder it belongs to.

    ``dir`` is the folder relative to the root (``""``: the root itself; ``/``
    separated), or None for a store every kernel shares (a URL or an absolute folder).
    ``searched`` is True for a store found by searching, False for one named
    by the configuration or by ``?dir=``.
    """

    dir: str | None
    store: Store
    searched: bool = False


@dataclasses.dataclass
class Scan:
    """What a search visited: folders, and whether it stopped at :data:`MAX_FOLDERS`."""

    folders: int = 0
    complete: bool = True


def folder_in_root(root: Path, folder: str) -> Path:
    """Return ``root / folder``, resolved, when it is a folder inside ``root``.

    Raises
    ------
    BadFolder
        When ``folder`` is longer than :data:`MAX_DIR` or holds a NUL.
    NotFound
        When it is outside the root, missing, not a folder, or a link loop.
    """
    if len(folder) > MAX_DIR or "\x00" in folder:
        raise BadFolder(f"dir must be a folder name of at most {MAX_DIR} characters")
    # realpath and isdir never raise for long names or link loops: they are simply
    # not folders (os.path.isdir answers False for ELOOP and ENAMETOOLONG)
    base = Path(os.path.realpath(root / folder))
    if base != root and root not in base.parents:
        raise NotFound(f"folder {folder!r} is outside the server's root")
    if not os.path.isdir(base):
        raise NotFound(f"no folder {folder!r} in the server's root")
    return base


def find_stores(
    root_dir: str | os.PathLike[str],
    folder: str | None = None,
    kernel_dirs: Iterable[str] = (),
    *,
    spec: str | None = None,
    scan: Scan | None = None,
) -> list[Located]:
    """Return the stores the view reads, the root's first (see the module's notes).

    Parameters
    ----------
    root_dir
        The server's root folder.
    folder
        ``?dir=``: read this folder's store only.
    kernel_dirs
        Folders (relative to the root) the server's kernels run in.
    spec
        The store spec (default: what a kernel would use, from ``HYDROML_STORE``).
    scan
        Filled with what the search visited.

    Raises
    ------
    BadFolder, NotFound
        For a ``folder`` that does not name a folder inside the root.
    """
    spec = store_spec() if spec is None else spec
    if spec is None:
        return []
    relative = spec == "disk" or (
        not _SCHEME.match(spec) and not os.path.isabs(os.path.expanduser(spec))
    )
    if not relative:
        return [Located(None, store_for(spec))]
    name = ".hydroml" if spec == "disk" else spec
    root = Path(os.path.realpath(Path(root_dir).expanduser()))
    if folder:
        base = folder_in_root(root, folder)
        return [Located(_relative(root, base), DiskStore(base / name))]
    found: dict[str, Located] = {}
    folders = [*_walk(root, scan or Scan())]
    for extra in kernel_dirs:
        try:
            folders.append(folder_in_root(root, extra))
        except (BadFolder, NotFound):
            continue
    for base in folders:
        where = base / name
        if not os.path.isdir(where):
            continue
        located = Located(_relative(root, base), DiskStore(where), searched=True)
        found.setdefault(os.path.realpath(where), located)
    return sorted(found.values(), key=lambda s: (s.dir != "", s.dir))


def _relative(root: Path, base: Path) -> str:
    return base.relative_to(root).as_posix() if base != root else ""


def _walk(root: Path, scan: Scan) -> Iterable[Path]:
    """Yield ``root`` and its folders, breadth first (see the module's notes)."""
    queue: deque[tuple[Path, int]] = deque([(root, 0)])
    while queue:
        if scan.folders >= MAX_FOLDERS:
            scan.complete = False
            return
        base, depth = queue.popleft()
        scan.folders += 1
        yield base
        if depth >= MAX_DEPTH:
            continue
        try:
            with os.scandir(base) as entries:
                children = sorted(
                    e.name
                    for e in entries
                    if not e.name.startswith(".")
                    and e.name not in SKIPPED
                    and e.is_dir(follow_symlinks=False)
                )
        except OSError:
            continue
        queue.extend((base / child, depth + 1) for child in children)
