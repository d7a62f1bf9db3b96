"""Tell whether a stored (or live) session was opened from the source asked for now."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io import Source
from hydroml_jupyter.io.load import is_sql_url
from hydroml_jupyter.io.source import check_options, mask_url

__all__ = ["describe_request", "same_source"]

_LOADER_ONLY = ("progress",)


def describe_request(source: object) -> str:
    """Return what a person asked to open, for messages.

    Examples
    --------
    >>> describe_request("data/a.csv")
    "'data/a.csv'"
    """
    if isinstance(source, pd.DataFrame):
        rows, cols = source.shape
        return f"a DataFrame of {rows:,} rows × {cols} columns"
    if isinstance(source, str) and is_sql_url(source):
        return repr(mask_url(source))
    if isinstance(source, str | bytes | os.PathLike):
        try:
            return repr(os.fspath(source))
        except TypeError:
            pass
    return repr(source)


def describe_stored(stored: Source | None, base: pd.DataFrame) -> str:
    """Return what a session was opened from, for messages."""
    if stored is not None:
        return stored.describe()
    rows, cols = base.shape
    return f"a DataFrame of {rows:,} rows × {cols} columns"


def _same_frame(base: pd.DataFrame, df: pd.DataFrame) -> bool:
    return (
        base.shape == df.shape
        and list(base.columns) == list(df.columns)
        and list(base.dtypes) == list(df.dtypes)
    )


def _same_path(stored: str, asked: str) -> bool:
    if stored == asked:
        return True
    if "://" in stored or "://" in asked:
        return False
    norm = os.path.normcase
    return norm(os.path.abspath(os.path.expanduser(stored))) == norm(
        os.path.abspath(os.path.expanduser(asked))
    )


def same_source(
    stored: Source | None, base: pd.DataFrame, source: object, options: dict[str, Any]
) -> bool:
    """Return True if a session opened from ``stored`` answers ``open(source, **options)``.

    Files match by path (as given, or the same absolute path), format and reader
    options; SQL sources by URL, table or query and options; a DataFrame matches a
    session started from a DataFrame of the same shape, column names and dtypes (its
    values are not compared). The file is not read again: a file that changed on disk
    still matches.

    Parameters
    ----------
    stored
        The session's source (None: it started from a DataFrame).
    base
        The session's original frame.
    source, options
        What :func:`~hydroml_jupyter.store.persist.open_session` was given.
    """
    if isinstance(source, pd.DataFrame):
        return stored is None and _same_frame(base, source)
    if stored is None:
        return False
    opts = {k: v for k, v in options.items() if k not in _LOADER_ONLY}
    fmt = opts.pop("format", None)
    sheet = opts.pop("sheet", None)
    table, query = opts.pop("table", None), opts.pop("query", None)
    try:
        opts = check_options(opts)
    except SourceError:
        return False  # loading will say why
    if isinstance(source, str) and is_sql_url(source):
        return (
            stored.kind == "sql"
            and mask_url(stored.url or "") == mask_url(source)
            and (stored.table, stored.query) == (table, query)
            and stored.options == opts
        )
    if not isinstance(source, str | bytes | os.PathLike):
        return False
    try:
        path = os.fspath(source)
    except TypeError:
        return False
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if stored.kind != "file" or not _same_path(stored.path or "", path):
        return False
    if fmt is not None and fmt != stored.format:
        return False
    stored_opts = dict(stored.options)
    if isinstance(sheet, str):
        opts["sheet_name"] = sheet
    elif not isinstance(opts.get("sheet_name"), str):
        # a sheet by number (or the first one) is stored under its resolved name
        stored_opts.pop("sheet_name", None)
        opts.pop("sheet_name", None)
    return stored_opts == opts
