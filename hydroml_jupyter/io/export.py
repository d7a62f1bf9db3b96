"""Write a DataFrame to a file, atomically and without clobbering: :func:`export_frame`.

A file that exists is replaced only when asked (``overwrite=True``), and the files a
session was loaded from (its source, and the sources of the sessions it was saved from)
are never written: its script reads them. :func:`suggest_path` proposes a new name.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pandas as pd

from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io.formats import cause, detect_format, is_remote, stem
from hydroml_jupyter.io.source import Source

__all__ = ["ExportError", "Origin", "export_frame", "local_path", "suggest_path"]

#: Why :func:`export_frame` kept a file: it exists, or a session reads it.
Reason = Literal["exists", "source"]

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")
_TRIES = 10_000


class ExportError(SourceError):
    """A frame was not written, to keep the file at the target; nothing was written.

    Parameters
    ----------
    message
        One line naming the file and saying how to proceed.
    reason
        ``"exists"``: the file exists and ``overwrite=True`` was not given.
        ``"source"``: the file is a session's source; it is never written.
    path
        The target as the caller gave it.
    target
        The target as an absolute path.
    """

    def __init__(self, message: str, *, reason: Reason, path: str, target: Path) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.path = path
        self.target = target


class Origin(Protocol):
    """Where a session's frame came from; a :class:`~hydroml_jupyter.engine.Recipe` is one.

    ``base`` is the origin of the session it was saved from, if any.
    """

    @property
    def source(self) -> Source | None: ...

    @property
    def name(self) -> str | None: ...

    @property
    def base(self) -> Origin | None: ...


def export_frame(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    overwrite: bool = False,
    origin: Origin | None = None,
    **options: Any,
) -> Path:
    r"""Write ``df`` to ``path`` in the format its suffix names.

    CSV, TSV and Excel are written without the index; JSON as a list of
    records with ISO dates; JSON Lines as one record a line; Parquet without
    the index. CSV, TSV and JSON may be compressed (``.gz .bz2 .zip .xz .zst``).

    The frame goes to a temporary file in the same folder, which is flushed to
    disk and then moved to ``path``: a failed write leaves any previous file
    untouched and no temporary file behind. Without ``overwrite`` the move
    never replaces a file, even one created while the frame was being written.

    Parameters
    ----------
    df
        The frame to write.
    path
        Where to write; its folder must exist.
    format
        Overrides the suffix: one of ``csv, tsv, parquet, excel, json, jsonl``.
    overwrite
        Replace the file at ``path`` if there is one.
    origin
        The exporting session's recipe: the files it (and every session it was
        saved from) was loaded from are never written, whatever ``overwrite`` says.
        The same file under another name (a relative path, a symbolic or hard
        link, another letter case) counts as the same file.
    **options
        Keyword arguments of the pandas writer; they override the defaults above.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExportError
        When the file is kept: it exists (``reason="exists"``) or is a source
        (``reason="source"``). It is a :class:`SourceError`.
    SourceError
        When the file cannot be written; the one-line message names it and the cause.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> out = export_frame(pd.DataFrame({"a": [1, 2]}), os.path.join(folder, "a.csv"))
    >>> out.read_text()
    'a\n1\n2\n'
    >>> export_frame(pd.DataFrame({"a": [3]}), out)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hydroml_jupyter.io.export.ExportError: Not writing '...a.csv': the file exists; ...
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"export_frame needs a DataFrame, not {type(df).__name__}")
    shown = os.fspath(path)
    fmt, compression = detect_format(shown, format, verb="write")
    target = Path(os.path.expanduser(shown))
    _check_target(shown, target)
    _check_sources(shown, target, origin)
    if not overwrite and os.path.lexists(target):
        raise _exists(shown, target)
    tmp = target.with_name(f".~{secrets.token_hex(4)}.{target.name}")
    try:
        _write(df, tmp, fmt, compression=compression, final_name=target.name, options=options)
        _fsync(tmp)
        if overwrite:
            if target.exists():
                with contextlib.suppress(OSError):
                    shutil.copymode(target, tmp)
            os.replace(tmp, target)
        else:
            _move_new(tmp, target, shown)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, ExportError):
            raise
        if isinstance(exc, Exception):
            raise SourceError(f"Cannot write {shown!r}: {_write_cause(exc)}") from exc
        raise
    _fsync_dir(target.parent)
    return target


def _move_new(tmp: Path, target: Path, shown: str) -> None:
    """Move ``tmp`` to ``target``, which must not exist: a file made meanwhile is kept."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise _exists(shown, target) from None
    except OSError:
        # No hard links here (some network and FAT folders): claim the name, then replace
        # the empty file just made.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise _exists(shown, target) from None
        os.replace(tmp, target)
        return
    with contextlib.suppress(OSError):
        tmp.unlink()


def _exists(shown: str, target: Path) -> ExportError:
    return ExportError(
        f"Not writing {shown!r}: the file exists; pass overwrite=True to replace it, "
        "or choose another name",
        reason="exists",
        path=shown,
        target=Path(os.path.abspath(target)),
    )


# -- the files a session reads ----------------------------------------------------------------
def local_path(source: Source) -> str | None:
    """Return the local file ``source`` reads, None for a web URL or a server database.

    Examples
    --------
    >>> local_path(Source(kind="file", path="data/a.csv", format="csv"))
    'data/a.csv'
    >>> local_path(Source(kind="file", path="file:///tmp/a%20b.csv", format="csv"))
    '/tmp/a b.csv'
    >>> local_path(Source(kind="sql", url="sqlite:///shop.db", table="t"))
    'shop.db'
    >>> local_path(Source(kind="sql", url="postgresql://u@h/db", table="t")) is None
    True
    """
    if source.kind == "file":
        path = source.path or ""
        if not is_remote(path):
            return os.path.expanduser(path)
        parts = urlsplit(path)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        return url2pathname(parts.path)
    try:
        import sqlalchemy as sa

        url = sa.engine.make_url(source.url or "")
    except Exception:
        return None
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database.startswith("file:"):
        database = urlsplit(database).path
    return os.path.expanduser(database) if database not in ("", ":memory:") else None


def _sources(origin: Origin | None) -> Iterator[tuple[str, str]]:
    """Yield each local file of ``origin``'s lineage, with what it is, nearest first."""
    first = origin.name if origin is not None else None
    depth = 0
    while origin is not None:
        path = local_path(origin.source) if origin.source is not None else None
        if path is not None:
            whose = f"session {origin.name!r}" if origin.name else "a session"
            if depth:
                whose += f" (which {first!r} was saved from)" if first else ""
            yield path, f"the source of {whose}"
        origin = origin.base
        depth += 1


def _same_file(a: Path, b: str) -> bool:
    """Tell whether two paths name one file (links and letter case included)."""
    with contextlib.suppress(OSError, ValueError):
        if os.path.samefile(a, b):
            return True
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _check_sources(shown: str, target: Path, origin: Origin | None) -> None:
    for path, what in _sources(origin):
        if _same_file(target, path):
            base, suffix = _split_name(target.name)
            free = _free(target.parent, f"{base}-clean", suffix, origin)
            instead = os.path.join(os.path.dirname(shown), free.name)
            raise ExportError(
                f"Not writing {shown!r}: it is {what}, and its script reads it; "
                f"choose another name, e.g. {instead!r}",
                reason="source",
                path=shown,
                target=Path(os.path.abspath(target)),
            )


# -- proposing a name -------------------------------------------------------------------------
def suggest_path(origin: Origin | None, suffix: str, name: str = "export") -> Path:
    """Return a new file to export a session to, as an absolute path.

    Beside the nearest local source of ``origin`` (the session's, else that of a
    session it was saved from): ``<stem>-clean<suffix>``. Without one: ``<name><suffix>``
    in the working folder. The first of ``-2``, ``-3``, ... that names no file
    (and no source) is taken.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> folder = tempfile.mkdtemp()
    >>> csv = os.path.join(folder, "tiny.csv")
    >>> origin = SimpleNamespace(source=Source(kind="file", path=csv, format="csv"),
    ...                          name="tiny", base=None)
    >>> suggest_path(origin, ".csv").name
    'tiny-clean.csv'
    >>> Path(folder, "tiny-clean.csv").touch()
    >>> suggest_path(origin, ".csv").name
    'tiny-clean-2.csv'
    """
    for path, _what in _sources(origin):
        folder, base = Path(os.path.abspath(path)).parent, f"{stem(path)}-clean"
        break
    else:
        folder, base = Path.cwd(), _UNSAFE.sub("_", name).strip() or "export"
    return _free(folder, base, suffix, origin)


def _free(folder: Path, base: str, suffix: str, origin: Origin | None) -> Path:
    sources = [path for path, _what in _sources(origin)]
    for n in range(1, _TRIES):
        candidate = folder / (f"{base}{suffix}" if n == 1 else f"{base}-{n}{suffix}")
        if not os.path.lexists(candidate) and not any(_same_file(candidate, s) for s in sources):
            return candidate
    return folder / f"{base}-{secrets.token_hex(4)}{suffix}"


def _split_name(name: str) -> tuple[str, str]:
    """Split a file name into its stem and its suffixes (format and compression)."""
    base = stem(name)
    return (base, name[len(base) :]) if name.startswith(base) and base else (name, "")


def _check_target(shown: str, target: Path) -> None:
    folder = target.parent
    if target.is_dir():
        raise SourceError(f"Cannot write {shown!r}: it is a folder")
    if not folder.exists():
        for parent in folder.parents:
            if parent.exists() and not parent.is_dir():
                raise SourceError(
                    f"Cannot write {shown!r}: {str(parent)!r} is a file, not a folder"
                )
        raise SourceError(f"Cannot write {shown!r}: the folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise SourceError(f"Cannot write {shown!r}: {str(folder)!r} is a file, not a folder")


def _write(
    df: pd.DataFrame,
    tmp: Path,
    fmt: str,
    *,
    compression: str | None,
    final_name: str,
    options: dict[str, Any],
) -> None:
    """Write ``df`` to ``tmp`` with the defaults of ``fmt``, overridden by ``options``."""
    kwargs: dict[str, Any] = {}
    if compression is not None:
        # pandas names a zip's member after the file; name it after the final file.
        member = final_name[: -len(".zip")] if compression == "zip" else None
        kwargs["compression"] = {"method": "zip", "archive_name": member} if member else compression
    if fmt in ("csv", "tsv"):
        kwargs.update(index=False, sep="\t" if fmt == "tsv" else ",")
        df.to_csv(tmp, **{**kwargs, **options})
    elif fmt == "parquet":
        df.to_parquet(tmp, **{"index": False, **options})
    elif fmt == "excel":
        df.to_excel(tmp, **{"index": False, "engine": "openpyxl", **options})
    else:
        kwargs.update(orient="records", date_format="iso")
        if fmt == "jsonl":
            kwargs["lines"] = True
        df.to_json(tmp, **{**kwargs, **options})


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not every platform can open a folder, so best effort."""
    with contextlib.suppress(OSError):
        _fsync(folder)


def _write_cause(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "the folder does not exist"
    if isinstance(exc, ImportError):
        return f"a package is missing: {cause(exc)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, ValueError | TypeError):
        return cause(exc)
    return f"{type(exc).__name__}: {cause(exc)}"
