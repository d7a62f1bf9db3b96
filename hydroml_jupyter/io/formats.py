"""File formats, suffixes and the small helpers the readers and writers share."""

from __future__ import annotations

import difflib
import importlib.util
import os
from collections.abc import Mapping
from pathlib import PurePath
from types import MappingProxyType
from urllib.parse import urlsplit

from hydroml_jupyter.errors import SourceError

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "LABELS",
    "TEXT_FORMATS",
    "cause",
    "detect_format",
    "human_size",
    "is_remote",
    "normalize_format",
    "path_hint",
    "stem",
]

#: Every format hydroml-jupyter reads and writes, with the suffixes that select it.
FORMATS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "csv": (".csv",),
        "tsv": (".tsv", ".tab"),
        "parquet": (".parquet", ".pq"),
        "excel": (".xlsx", ".xlsm"),
        "json": (".json",),
        "jsonl": (".jsonl", ".ndjson"),
    }
)

#: Human names of the formats, for :meth:`Source.describe`.
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "csv": "CSV",
        "tsv": "TSV",
        "parquet": "Parquet",
        "excel": "Excel",
        "json": "JSON",
        "jsonl": "JSON Lines",
    }
)

#: Compression suffixes (after the format's suffix) and pandas's name for each.
COMPRESSIONS: Mapping[str, str] = MappingProxyType(
    {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".xz": "xz", ".zst": "zstd"}
)

#: The formats that may be compressed as a whole.
TEXT_FORMATS = frozenset({"csv", "tsv", "json", "jsonl"})

_SUFFIXES = {suffix: name for name, suffixes in FORMATS.items() for suffix in suffixes}
_OTHER_COMPRESSIONS = frozenset(
    {".7z", ".rar", ".lz4", ".br", ".tar", ".tgz", ".lz", ".lzma", ".z", ".sz", ".snappy"}
)
_REMOTE_SCHEMES = frozenset({"http", "https", "file"})
_FORMAT_LIST = ", ".join(FORMATS)


def normalize_format(fmt: str) -> str:
    """Return the canonical name of ``fmt`` (a format name or a suffix).

    Examples
    --------
    >>> normalize_format("XLSX"), normalize_format(".ndjson"), normalize_format("csv")
    ('excel', 'jsonl', 'csv')
    """
    key = str(fmt).strip().lower()
    if key in FORMATS:
        return key
    suffix = key if key.startswith(".") else f".{key}"
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    raise SourceError(f"Unknown format {fmt!r}; pass format= one of {_FORMAT_LIST}")


def is_remote(path: str) -> bool:
    """Tell whether ``path`` is an ``http://``, ``https://`` or ``file://`` URL.

    Examples
    --------
    >>> is_remote("https://example.org/x.csv"), is_remote("data/x.csv")
    (True, False)
    """
    return "://" in path and urlsplit(path).scheme.lower() in _REMOTE_SCHEMES


def _name_part(path: str) -> str:
    """Return the last component of a path or of a URL's path."""
    if is_remote(path):
        path = urlsplit(path).path
    return PurePath(path).name or path


def _split_suffixes(path: str) -> tuple[str, str | None]:
    """Return ``(format suffix, compression suffix)`` of ``path``, lower case."""
    name = _name_part(path)
    suffixes = [s.lower() for s in PurePath(name).suffixes]
    if not suffixes:
        return "", None
    last = suffixes[-1]
    if last in COMPRESSIONS or last in _OTHER_COMPRESSIONS:
        return (suffixes[-2] if len(suffixes) > 1 else ""), last
    return last, None


def detect_format(path: str, fmt: str | None, *, verb: str = "load") -> tuple[str, str | None]:
    """Return ``(format, compression)`` for ``path``; ``fmt`` overrides the suffix.

    ``compression`` is pandas's name (``"gzip"``, ...) or None.

    Raises
    ------
    SourceError
        When the suffix is unknown, the compression is not supported, or a
        binary format (Parquet, Excel) is compressed as a whole.

    Examples
    --------
    >>> detect_format("data/Sales.CSV.gz", None)
    ('csv', 'gzip')
    >>> detect_format("data.txt", "tsv")
    ('tsv', None)
    """
    suffix, packed = _split_suffixes(path)
    if fmt is not None:
        name = normalize_format(fmt)
    elif suffix == ".xls":
        if importlib.util.find_spec("xlrd") is None:
            raise SourceError(
                f"Cannot {verb} {path!r}: the legacy .xls format needs the xlrd package "
                "(pip install xlrd), or save the workbook as .xlsx"
            )
        name = "excel"
    elif suffix in _SUFFIXES:
        name = _SUFFIXES[suffix]
    else:
        raise SourceError(
            f"Cannot tell the format of {path!r} from its suffix; "
            f"pass format= one of {_FORMAT_LIST}"
        )
    if packed is None:
        return name, None
    if packed in _OTHER_COMPRESSIONS:
        known = ", ".join(COMPRESSIONS)
        raise SourceError(
            f"Cannot {verb} {path!r}: unsupported compression {packed!r}; use one of {known}"
        )
    if name not in TEXT_FORMATS:
        raise SourceError(
            f"Cannot {verb} {path!r}: a {LABELS[name]} file cannot be compressed as a whole "
            f"({packed}); only {', '.join(sorted(TEXT_FORMATS))} files can"
        )
    if packed == ".zst" and importlib.util.find_spec("zstandard") is None:
        raise SourceError(
            f"Cannot {verb} {path!r}: unsupported compression: .zst needs the zstandard "
            "package (pip install zstandard)"
        )
    return name, COMPRESSIONS[packed]


def stem(path: str) -> str:
    """Return the file name of ``path`` without its format and compression suffixes.

    Examples
    --------
    >>> stem("data/messy.csv.gz"), stem("https://example.org/a/b.parquet?x=1"), stem("notes")
    ('messy', 'b', 'notes')
    """
    name = _name_part(path)
    pure = PurePath(name)
    suffixes = [s.lower() for s in pure.suffixes]
    cut = 0
    if suffixes and (suffixes[-1] in COMPRESSIONS or suffixes[-1] in _OTHER_COMPRESSIONS):
        cut += 1
    if len(suffixes) > cut:
        cut += 1
    for _ in range(cut):
        name = PurePath(name).stem
    return name or pure.name


def human_size(size: int) -> str:
    """Return a byte count as people read it.

    Examples
    --------
    >>> human_size(512), human_size(421_888), human_size(5 * 1024**3)
    ('512 B', '412 KB', '5.0 GB')
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        return f"{round(size / 1024)} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


def path_hint(path: str) -> str:
    """Return a hint for a missing ``path``: a close file name in its folder, or ``""``.

    Examples
    --------
    >>> path_hint("/no/such/folder/x.csv")
    " (the folder '/no/such/folder' does not exist)"
    """
    folder, name = os.path.split(path)
    real = os.path.expanduser(folder) or "."
    if not os.path.isdir(real):
        return f" (the folder {folder!r} does not exist)"
    try:
        names = sorted(os.listdir(real))[:5000]
    except OSError:
        return ""
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {os.path.join(folder, close[0])!r}?"


def cause(exc: BaseException) -> str:
    r"""Return the first non-empty line of ``exc``'s message, or its type's name.

    Examples
    --------
    >>> cause(ValueError("\nbad value\nmore detail"))
    'bad value'
    >>> cause(KeyError())
    'KeyError'
    """
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__
