"""Where a frame came from: :class:`Source`, and the code that loads it again."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, Literal

from hydroml_jupyter.engine.codegen import check_var, kwarg, literal, shown
from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io.formats import FORMATS, LABELS, human_size, is_remote, stem

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import URL

__all__ = ["PASSWORD_ENV", "Source", "check_options", "mask_url", "reader_kwargs"]

#: The environment variable generated code reads an SQL password from.
PASSWORD_ENV = "HYDROML_SQL_PASSWORD"
#: What a password is replaced with in :meth:`Source.to_dict`, messages and ``repr``.
MASK = "***"

_READERS = {
    "csv": "read_csv",
    "tsv": "read_csv",
    "parquet": "read_parquet",
    "excel": "read_excel",
    "json": "read_json",
    "jsonl": "read_json",
}
_RESERVED = frozenset(
    {"filepath_or_buffer", "path", "io", "path_or_buf", "sql", "table_name", "con"}
)
_ITERATORS = frozenset({"chunksize", "iterator"})
_KEYS = ("kind", "path", "format", "url", "table", "query", "options")


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return a plain copy of reader ``options``, refusing anything but literals.

    Literals are str, int, float (finite), bool, None, and lists or dicts (with
    str keys) of those; tuples become lists. This keeps :class:`Source` JSON
    round-trippable and its generated code exact.

    Raises
    ------
    SourceError
        For a value that is not a plain literal, or an option that would stop
        the reader from returning one frame.

    Examples
    --------
    >>> check_options({"usecols": ("a", "b"), "nrows": 10})
    {'usecols': ['a', 'b'], 'nrows': 10}
    """
    out: dict[str, Any] = {}
    for key, value in options.items():
        if not (isinstance(key, str) and key.isidentifier() and key.isascii()) or iskeyword(key):
            raise SourceError(f"option {shown(key)} is not a keyword argument name")
        if key in _RESERVED:
            raise SourceError(f"option {key}= is set by hydroml-jupyter; pass the source instead")
        if key in _ITERATORS:
            raise SourceError(
                f"option {key}= makes the reader return an iterator, not a frame; "
                "use nrows= to read part of a file"
            )
        out[key] = _literal(value, key)
    return out


def _literal(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SourceError(f"option {where}= holds {value!r}, which cannot be recorded")
        return value
    if isinstance(value, list | tuple):
        return [_literal(v, where) for v in value]
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise SourceError(f"option {where}= has a key that is not a string: {bad[0]!r}")
        return {k: _literal(v, where) for k, v in value.items()}
    raise SourceError(
        f"option {where}= must be a plain literal (str, int, float, bool, None, list, dict); "
        f"got {type(value).__name__}"
    )


def reader_kwargs(fmt: str, options: Mapping[str, Any]) -> dict[str, Any]:
    r"""Return the keyword arguments of the pandas reader for ``fmt``.

    Examples
    --------
    >>> reader_kwargs("tsv", {"nrows": 5})
    {'sep': '\t', 'nrows': 5}
    >>> reader_kwargs("jsonl", {})
    {'lines': True}
    """
    extra: dict[str, Any] = {}
    if fmt == "tsv" and "sep" not in options and "delimiter" not in options:
        extra["sep"] = "\t"
    if fmt == "jsonl" and "lines" not in options:
        extra["lines"] = True
    return {**extra, **options}


def _parse_url(url: str) -> URL | None:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url)
    except Exception:
        return None


def mask_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``.

    Examples
    --------
    >>> mask_url("postgresql://u:secret@h/db")
    'postgresql://u:***@h/db'
    >>> mask_url("sqlite:///f.db")
    'sqlite:///f.db'
    """
    parsed = _parse_url(url)
    if parsed is not None:
        if parsed.password is None:
            return url
        return parsed.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@]*:)[^@/]*@", rf"\g<1>{MASK}@", url)


@dataclass(frozen=True)
class Source:
    """Where a frame came from, enough to load it again or write code that does.

    Parameters
    ----------
    kind
        ``"file"`` (a path or an http(s)/file URL) or ``"sql"``.
    path
        The file as the user gave it.
    format
        One of :data:`FORMATS`: ``csv, tsv, parquet, excel, json, jsonl``.
    url
        The SQLAlchemy URL. A password in it is used by :meth:`load` but never
        shown: ``repr``, :meth:`describe` and :meth:`to_dict` mask it, and
        :meth:`code` reads it from the ``HYDROML_SQL_PASSWORD`` environment
        variable (so does :meth:`load` when the password was masked).
    table, query
        What to read from the database (exactly one).
    options
        Extra keyword arguments of the pandas reader, plain literals only.

    Examples
    --------
    >>> s = Source(kind="file", path="data/messy.csv", format="csv")
    >>> s.code("df")
    "df = pd.read_csv('data/messy.csv')"
    >>> Source.from_dict(s.to_dict()) == s
    True
    """

    kind: Literal["file", "sql"]
    path: str | None = None
    format: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "file":
            if not isinstance(self.path, str) or not self.path:
                raise SourceError("a file source needs path=")
            if self.format not in FORMATS:
                raise SourceError(
                    f"file source {self.path!r} has format {self.format!r}; "
                    f"expected one of {', '.join(FORMATS)}"
                )
            if self.url is not None or self.table is not None or self.query is not None:
                raise SourceError(f"file source {self.path!r} cannot have url=, table= or query=")
        elif self.kind == "sql":
            if not isinstance(self.url, str) or not self.url:
                raise SourceError("an SQL source needs url=")
            if (self.table is None) == (self.query is None):
                raise SourceError(
                    f"an SQL source needs exactly one of table= and query= ({mask_url(self.url)})"
                )
            if self.path is not None or self.format is not None:
                raise SourceError("an SQL source cannot have path= or format=")
        else:
            raise SourceError(f"unknown source kind {self.kind!r}; expected 'file' or 'sql'")
        if not isinstance(self.options, Mapping):
            raise SourceError(f"options must be a dict, not {type(self.options).__name__}")
        object.__setattr__(self, "options", check_options(self.options))

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.url is not None:
            shown["url"] = mask_url(self.url)
        inner = ", ".join(f"{k}={v!r}" for k, v in shown.items() if v is not None and v != {})
        return f"Source({inner})"

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    # -- reading -----------------------------------------------------------------------
    def load(self) -> pd.DataFrame:
        """Read the source again (with a progress bar only for a large file).

        Examples
        --------
        >>> Source(kind="file", path="data/messy.csv", format="csv").load()  # doctest: +SKIP
        """
        from hydroml_jupyter.io.load import read_source

        df, _ = read_source(self, progress=None)
        return df

    # -- code --------------------------------------------------------------------------
    @property
    def imports(self) -> list[str]:
        """The import lines :meth:`code` needs.

        Examples
        --------
        >>> Source(kind="sql", url="sqlite:///f.db", table="t").imports
        ['import pandas as pd', 'import sqlalchemy as sa']
        """
        lines = ["import pandas as pd"]
        if self.kind == "sql":
            parsed = _parse_url(self.url or "")
            if parsed is not None and parsed.password is not None:
                lines.insert(0, "import os")
            lines.append("import sqlalchemy as sa")
        return lines

    def code(self, var: str = "df") -> str:
        r"""Return Python lines that load this source into ``var``.

        They need :attr:`imports`, and produce exactly the frame
        :func:`load_source` returned.

        Examples
        --------
        >>> print(Source(kind="file", path="x.tsv", format="tsv").code())
        df = pd.read_csv('x.tsv', sep='\t')
        >>> print(Source(kind="sql", url="postgresql://u:pw@h/db", table="t").code())
        engine = sa.create_engine(sa.engine.make_url('postgresql://u@h/db').set(password=os.environ['HYDROML_SQL_PASSWORD']))
        df = pd.read_sql_table('t', engine)
        """
        check_var(var)
        if self.kind == "file":
            assert self.format is not None
            kwargs = reader_kwargs(self.format, self.options)
            args = [literal(self.path), *(kwarg(k, v) for k, v in kwargs.items())]
            return f"{var} = pd.{_READERS[self.format]}({', '.join(args)})"
        url = self.url or ""
        parsed = _parse_url(url)
        if parsed is not None and parsed.password is not None:
            bare = parsed._replace(password=None).render_as_string(hide_password=False)
            engine = (
                f"engine = sa.create_engine(sa.engine.make_url({literal(bare)})"
                f".set(password=os.environ[{literal(PASSWORD_ENV)}]))"
            )
        else:
            engine = f"engine = sa.create_engine({literal(url)})"
        opts = "".join(f", {kwarg(k, v)}" for k, v in self.options.items())
        if self.table is not None:
            read = f"{var} = pd.read_sql_table({literal(self.table)}, engine{opts})"
        else:
            read = f"{var} = pd.read_sql_query({literal(self.query)}, engine{opts})"
        return f"{engine}\n{read}"

    # -- naming ------------------------------------------------------------------------
    def describe(self) -> str:
        """Return a short description for people, e.g. ``"messy.csv (CSV, 412 KB)"``.

        Examples
        --------
        >>> Source(kind="sql", url="postgresql://u:pw@h/db", table="t").describe()
        'table t in postgresql://u:***@h/db'
        """
        if self.kind == "sql":
            where = mask_url(self.url or "")
            if self.table is not None:
                return f"table {self.table} in {where}"
            short = " ".join((self.query or "").split())
            if len(short) > 40:
                short = short[:39] + "…"
            return f"query {short!r} on {where}"
        path = self.path or ""
        name = os.path.basename(path.rstrip("/\\")) if not is_remote(path) else path
        sheet = self.options.get("sheet_name")
        if self.format == "excel" and isinstance(sheet, str | int):
            name = f"{name}, sheet {sheet!r}"
        label = LABELS.get(self.format or "", self.format or "")
        real = os.path.expanduser(path)
        if not is_remote(path) and os.path.isfile(real):
            return f"{name} ({label}, {human_size(os.path.getsize(real))})"
        return f"{name} ({label})"

    @property
    def default_name(self) -> str:
        """A name for a session on this source: the file's stem, the table, or ``"query"``.

        Examples
        --------
        >>> Source(kind="file", path="data/messy.csv.gz", format="csv").default_name
        'messy'
        """
        if self.kind == "sql":
            return self.table if self.table is not None else "query"
        return stem((self.path or "").rstrip("/\\"))

    # -- JSON --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict; an SQL password is masked as ``***``.

        Examples
        --------
        >>> Source(kind="sql", url="postgresql://u:pw@h/db", query="select 1").to_dict()["url"]
        'postgresql://u:***@h/db'
        """
        data = {key: getattr(self, key) for key in _KEYS}
        data["options"] = json.loads(json.dumps(self.options))
        if self.url is not None:
            data["url"] = mask_url(self.url)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        """Rebuild a source from :meth:`to_dict`'s output.

        Raises
        ------
        SourceError
            For unknown keys, an unknown kind, or missing fields.

        Examples
        --------
        >>> Source.from_dict({"kind": "sql", "url": "sqlite:///f.db", "table": "t"}).describe()
        'table t in sqlite:///f.db'
        """
        if not isinstance(data, Mapping):
            raise SourceError(f"a source must be a dict, not {type(data).__name__}")
        unknown = sorted(set(data) - set(_KEYS), key=str)
        if unknown:
            raise SourceError(
                f"unknown source field(s) {', '.join(map(repr, unknown))}; "
                f"expected {', '.join(_KEYS)}"
            )
        if "kind" not in data:
            raise SourceError("a source needs kind= ('file' or 'sql')")
        kwargs = dict(data)
        if kwargs.get("options") is None:
            kwargs["options"] = {}
        return cls(**kwargs)
