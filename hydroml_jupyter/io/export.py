"""Write a DataFrame to a file, atomically: :func:`export_frame`."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io.formats import cause, detect_format

__all__ = ["export_frame"]


def export_frame(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    **options: Any,
) -> Path:
    r"""Write ``df`` to ``path`` in the format its suffix names.

    CSV, TSV and Excel are written without the index; JSON as a list of
    records with ISO dates; JSON Lines as one record a line; Parquet without
    the index. CSV, TSV and JSON may be compressed (``.gz .bz2 .zip .xz .zst``).

    The frame goes to a temporary file in the same folder, which is flushed to
    disk and then renamed over ``path``: a failed write leaves any previous
    file untouched and no temporary file behind.

    Parameters
    ----------
    df
        The frame to write.
    path
        Where to write; its folder must exist.
    format
        Overrides the suffix: one of ``csv, tsv, parquet, excel, json, jsonl``.
    **options
        Keyword arguments of the pandas writer; they override the defaults above.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SourceError
        When the file cannot be written; the one-line message names it and the cause.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> out = export_frame(pd.DataFrame({"a": [1, 2]}), os.path.join(folder, "a.csv"))
    >>> out.read_text()
    'a\n1\n2\n'
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"export_frame needs a DataFrame, not {type(df).__name__}")
    shown = os.fspath(path)
    fmt, compression = detect_format(shown, format, verb="write")
    target = Path(os.path.expanduser(shown))
    _check_target(shown, target)
    tmp = target.with_name(f".~{secrets.token_hex(4)}.{target.name}")
    try:
        _write(df, tmp, fmt, compression=compression, final_name=target.name, options=options)
        _fsync(tmp)
        if target.exists():
            with contextlib.suppress(OSError):
                shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, Exception):
            raise SourceError(f"Cannot write {shown!r}: {_write_cause(exc)}") from exc
        raise
    _fsync_dir(target.parent)
    return target


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
