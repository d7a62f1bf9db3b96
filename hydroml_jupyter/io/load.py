"""Load files and SQL tables or queries into DataFrames: :func:`load_source`."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import zipfile
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pandas as pd

from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io.formats import LABELS, cause, detect_format, is_remote, path_hint
from hydroml_jupyter.io.progress import PROGRESS_THRESHOLD, open_with_progress
from hydroml_jupyter.io.source import (
    MASK,
    PASSWORD_ENV,
    Source,
    check_options,
    mask_url,
    reader_kwargs,
)

__all__ = ["is_sql_url", "load_source", "make_source", "read_source"]


def is_sql_url(source: object) -> bool:
    """Tell whether ``source`` is an SQLAlchemy URL (``scheme://`` but not http, https, file).

    Examples
    --------
    >>> is_sql_url("sqlite:///shop.db"), is_sql_url("https://x.org/a.csv"), is_sql_url("a.csv")
    (True, False, False)
    """
    return isinstance(source, str) and "://" in source and not is_remote(source)


def load_source(
    source: str | os.PathLike[str],
    *,
    format: str | None = None,
    progress: bool | None = None,
    table: str | None = None,
    query: str | None = None,
    sheet: str | int | None = None,
    **options: Any,
) -> tuple[pd.DataFrame, Source]:
    """Load a file or an SQL table/query, and describe where it came from.

    Parameters
    ----------
    source
        A path (CSV, TSV, Parquet, Excel, JSON, JSON Lines, by suffix; CSV, TSV
        and JSON may be compressed: ``.gz .bz2 .zip .xz .zst``), an http(s) URL
        of such a file, or an SQLAlchemy URL.
    format
        Overrides the suffix: one of ``csv, tsv, parquet, excel, json, jsonl``.
    progress
        Show a progress bar in bytes; None shows one for files of 32 MiB or more.
    table, query
        For an SQLAlchemy URL, exactly one: the table to read or the SQL to run.
    sheet
        For Excel, the sheet's name or number; the first sheet by default.
    **options
        Keyword arguments of the pandas reader, recorded in the returned
        :class:`Source`; plain literals only.

    Returns
    -------
    tuple of (DataFrame, Source)
        The frame, and a :class:`Source` whose :meth:`Source.code` loads the
        identical frame.

    Raises
    ------
    SourceError
        When the source cannot be loaded; the one-line message names it and the cause.

    Examples
    --------
    >>> df, src = load_source("data/sales.xlsx", sheet=0)  # doctest: +SKIP
    >>> src.code()  # doctest: +SKIP
    "df = pd.read_excel('data/sales.xlsx', sheet_name='Q1')"
    >>> df, src = load_source("sqlite:///shop.db", table="orders")  # doctest: +SKIP
    """
    return read_source(
        make_source(source, format=format, table=table, query=query, sheet=sheet, **options),
        progress=progress,
    )


def make_source(
    source: str | os.PathLike[str],
    *,
    format: str | None = None,
    table: str | None = None,
    query: str | None = None,
    sheet: str | int | None = None,
    **options: Any,
) -> Source:
    """Check :func:`load_source`'s arguments and return the :class:`Source` they describe.

    Nothing is read. Raises :class:`SourceError` as :func:`load_source` does.

    Examples
    --------
    >>> make_source("data/sales.xlsx", sheet="Q1").options
    {'sheet_name': 'Q1'}
    >>> make_source("a.csv", sheet=0)
    Traceback (most recent call last):
    ...
    hydroml_jupyter.errors.SourceError: Cannot load 'a.csv': sheet= only applies to Excel files
    """
    opts = check_options(options)
    if is_sql_url(source):
        assert isinstance(source, str)
        shown = mask_url(source)
        if format is not None or sheet is not None:
            raise SourceError(f"Cannot load {shown}: format= and sheet= only apply to files")
        if (table is None) == (query is None):
            raise SourceError(
                f"Cannot load {shown}: pass exactly one of table= (a table's name) "
                "or query= (an SQL query)"
            )
        return Source(kind="sql", url=source, table=table, query=query, options=opts)
    try:
        path = os.fspath(source)
    except TypeError:
        raise SourceError(
            f"Cannot load {source!r}: expected a path, a URL or a DataFrame, "
            f"not {type(source).__name__}"
        ) from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if table is not None or query is not None:
        raise SourceError(f"Cannot load {path!r}: table= and query= only apply to SQL URLs")
    fmt, _ = detect_format(path, format)
    if sheet is not None:
        if fmt != "excel":
            raise SourceError(f"Cannot load {path!r}: sheet= only applies to Excel files")
        if "sheet_name" in opts:
            raise SourceError(f"Cannot load {path!r}: pass sheet= or sheet_name=, not both")
        opts = {"sheet_name": check_options({"sheet": sheet})["sheet"], **opts}
    return Source(kind="file", path=path, format=fmt, options=opts)


def read_source(source: Source, progress: bool | None = None) -> tuple[pd.DataFrame, Source]:
    """Read ``source``; return the frame and the source with its Excel sheet resolved.

    Examples
    --------
    >>> df, src = read_source(Source(kind="file", path="a.csv", format="csv"))  # doctest: +SKIP
    """
    if source.kind == "sql":
        return _read_sql(source), source
    return _read_file(source, progress)


# -- files ------------------------------------------------------------------------------
def _read_file(src: Source, progress: bool | None) -> tuple[pd.DataFrame, Source]:
    path = src.path or ""
    fmt = src.format or ""
    _, compression = detect_format(path, fmt)
    if is_remote(path):
        target: Any = path
        size = None
        parts = urlsplit(path)
        if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
            _check_file(path, url2pathname(parts.path), fmt)  # clear errors; pandas reads the URL
    else:
        target = os.path.expanduser(path)
        size = _check_file(path, target, fmt)
    show = progress if progress is not None else (size or 0) >= PROGRESS_THRESHOLD
    if size is None or "memory_map" in src.options:
        show = False
    try:
        if show:
            with open_with_progress(target, os.path.basename(path)) as handle:
                df, resolved = _call_reader(fmt, handle, src.options, compression)
        else:
            df, resolved = _call_reader(fmt, target, src.options, compression)
    except Exception as exc:
        raise SourceError(f"Cannot load {path!r}: {_file_cause(exc, fmt, compression)}") from exc
    if not isinstance(df, pd.DataFrame):
        raise SourceError(f"Cannot load {path!r}: the {LABELS[fmt]} data is not a table")
    if resolved != src.options:
        src = dataclasses.replace(src, options=resolved)
    return df, src


def _check_file(path: str, real: str, fmt: str) -> int | None:
    """Raise SourceError for a missing, unreadable or empty file; return its size."""
    try:
        info = os.stat(real)
    except FileNotFoundError:
        hint = path_hint(real if is_remote(path) else path)
        raise SourceError(f"Cannot load {path!r}: no such file{hint}") from None
    except OSError as exc:
        raise SourceError(f"Cannot load {path!r}: {_os_cause(exc)}") from exc
    if os.path.isdir(real):
        if fmt == "parquet":
            return None
        raise SourceError(f"Cannot load {path!r}: it is a folder, not a file")
    if not os.access(real, os.R_OK):
        raise SourceError(f"Cannot load {path!r}: permission denied")
    if info.st_size == 0:
        raise SourceError(f"Cannot load {path!r}: no data: the file is empty")
    return info.st_size


def _call_reader(
    fmt: str, target: Any, options: dict[str, Any], compression: str | None
) -> tuple[Any, dict[str, Any]]:
    """Run the pandas reader on a path or a binary file; return the result and the options.

    The options come back with Excel's sheet resolved to its name. A file object
    gets ``compression=`` explicitly, as pandas infers it only from a path.
    """
    kwargs = copy.deepcopy(reader_kwargs(fmt, options))
    if not isinstance(target, str) and compression is not None and fmt != "excel":
        kwargs.setdefault("compression", compression)
    if fmt in ("csv", "tsv"):
        return pd.read_csv(target, **kwargs), options
    if fmt in ("json", "jsonl"):
        return pd.read_json(target, **kwargs), options
    if fmt == "parquet":
        return pd.read_parquet(target, **kwargs), options
    return _read_excel(target, kwargs, options)


def _read_excel(
    target: Any, kwargs: dict[str, Any], options: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read one sheet; ``pd.read_excel(path, sheet_name=name, **rest)`` does the same."""
    opened = {k: kwargs.pop(k) for k in ("engine", "engine_kwargs") if k in kwargs}
    wanted = kwargs.pop("sheet_name", 0)
    with pd.ExcelFile(target, **opened) as book:
        names = [str(name) for name in book.sheet_names]
        listed = ", ".join(map(repr, names))
        if isinstance(wanted, bool) or not isinstance(wanted, str | int):
            raise SourceError(f"sheet= must be one sheet's name or number, not {wanted!r}")
        if isinstance(wanted, int):
            if not -len(names) <= wanted < len(names):
                raise SourceError(f"there is no sheet number {wanted}; the sheets are {listed}")
            name = names[wanted]
        elif wanted in names:
            name = wanted
        else:
            raise SourceError(f"there is no sheet {wanted!r}; the sheets are {listed}")
        df = pd.read_excel(book, sheet_name=name, **kwargs)
    rest = {k: v for k, v in options.items() if k != "sheet_name"}
    return df, {"sheet_name": name, **rest}


def _os_cause(exc: OSError) -> str:
    if isinstance(exc, HTTPError):
        return f"HTTP error {exc.code} ({exc.reason})"
    if isinstance(exc, URLError):
        return f"cannot open the URL ({exc.reason})"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, NotADirectoryError):
        return "a folder in the path is a file"
    return exc.strerror or cause(exc)


def _file_cause(exc: Exception, fmt: str, compression: str | None) -> str:
    """Return the cause of a reader's failure, in one line."""
    import pyarrow as pa

    line = cause(exc)
    if isinstance(exc, SourceError):
        return line
    if isinstance(exc, pd.errors.EmptyDataError):
        return f"no data: {line}"
    if isinstance(exc, pd.errors.ParserError):
        return line
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"the file is not {exc.encoding} text ({exc.reason} at byte {exc.start}); "
            "pass encoding=, e.g. encoding='latin-1'"
        )
    if isinstance(exc, ImportError):
        return f"a package is missing: {line}"
    if isinstance(exc, zipfile.BadZipFile):
        what = "an Excel (.xlsx) workbook" if fmt == "excel" else "a zip archive"
        return f"not {what} ({line})"
    if isinstance(exc, EOFError) or (compression and _is_codec_error(exc)):
        return f"cannot decompress the {compression} data ({line})"
    if isinstance(exc, pa.ArrowException) and fmt == "parquet":
        line = re.sub(r"^Could not open Parquet input source '[^']*': ", "", line)
        return f"not a valid Parquet file ({line})"
    if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowException):
        return _os_cause(exc)
    if isinstance(exc, ValueError) and fmt in ("json", "jsonl"):
        return f"not tabular JSON ({line})"
    if isinstance(exc, ValueError | pa.ArrowException):
        return line
    return f"{type(exc).__name__}: {line}"


def _is_codec_error(exc: Exception) -> bool:
    import gzip
    import lzma

    if isinstance(exc, gzip.BadGzipFile | lzma.LZMAError):
        return True
    return isinstance(exc, OSError) and "invalid data stream" in str(exc).lower()


# -- SQL --------------------------------------------------------------------------------
def _read_sql(src: Source) -> pd.DataFrame:
    import sqlalchemy as sa

    raw = src.url or ""
    shown = mask_url(raw)
    what = f"table {src.table!r} from {shown}" if src.table is not None else f"a query on {shown}"

    def fail(reason: str) -> SourceError:
        if password:
            reason = reason.replace(password, MASK)
        return SourceError(f"Cannot load {what}: {reason}")

    password: str | None = None
    try:
        url = sa.engine.make_url(raw)
    except Exception as exc:
        raise fail(f"not a valid SQLAlchemy URL ({cause(exc)})") from exc
    password = url.password
    if password == MASK:
        if PASSWORD_ENV not in os.environ:
            raise fail(f"the password is not stored; set the {PASSWORD_ENV} environment variable")
        url = url.set(password=os.environ[PASSWORD_ENV])
        password = url.password
    _check_sqlite_file(url, fail)
    try:
        engine = sa.create_engine(url)
    except ImportError as exc:
        raise fail(f"the database driver is not installed ({cause(exc)})") from exc
    except Exception as exc:
        raise fail(cause(exc)) from exc
    options = copy.deepcopy(dict(src.options))
    try:
        if src.table is not None:
            _check_table(sa, engine, src.table, options.get("schema"), fail)
            return pd.read_sql_table(src.table, engine, **options)
        assert src.query is not None  # a Source holds exactly one of table= and query=
        # check_options refused chunksize= and iterator=: the query reads as one frame
        return pd.read_sql_query(src.query, engine, chunksize=None, **options)
    except SourceError:
        raise
    except ImportError as exc:
        raise fail(f"the database driver is not installed ({cause(exc)})") from exc
    except Exception as exc:
        raise fail(cause(exc)) from exc
    finally:
        engine.dispose()


def _check_sqlite_file(url: Any, fail: Any) -> None:
    """Refuse a missing SQLite file instead of letting SQLite create an empty one."""
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    if not os.path.isfile(os.path.expanduser(database)):
        raise fail(f"no such database file {database!r}{path_hint(database)}")


def _check_table(sa: Any, engine: Any, table: str, schema: Any, fail: Any) -> None:
    """Raise SourceError naming the tables that exist when ``table`` does not."""
    inspector = sa.inspect(engine)
    names = list(inspector.get_table_names(schema=schema))
    names += list(inspector.get_view_names(schema=schema))
    if table in names:
        return
    if not names:
        raise fail("no such table; the database has no tables")
    raise fail(f"no such table; the database has {', '.join(map(repr, sorted(names)))}")
