"""The other frame of a join: a file, an SQL source, or another session, as a step holds it.

``merge`` and ``concat`` take ``other``: what :func:`hydroml_jupyter.open` loads (a path,
or an SQLAlchemy source as a dict), or the name of a live or stored session. When the
step is built, :func:`resolve` turns it into one of three self-contained *specs*, so its
recipe replays and its code runs wherever the step is taken:

- a path, kept as the person gave it (a string: ``"planes.csv"``);
- a source, as :meth:`Source.to_dict <hydroml_jupyter.io.Source.to_dict>` writes it
  (a dict with ``kind``), for SQL or a file read with options;
- a session, as ``{"session": name, "recipe": <its recipe as JSON>}``: where that
  session's frame came from and every step up to its current one. A session made from a
  frame in memory has nothing a script could load, and is refused.

:func:`load` reads a spec (files and SQL results are kept for a moment, keyed by the
spec and the file's size and modification time, so a preview and the apply that follows
read once); :func:`code` writes the lines that build it in a script.

Examples
--------
>>> code("data/planes.csv", "df_other")
"df_other = pd.read_csv('data/planes.csv')"
>>> describe({"kind": "sql", "url": "sqlite:///f.db", "table": "planes"})
'table planes'
"""

from __future__ import annotations

import collections
import json
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter import extensions
from hydroml_jupyter.engine import registry
from hydroml_jupyter.engine.codegen import check_var, comment, shown
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.io import Source
from hydroml_jupyter.io.formats import detect_format, is_remote
from hydroml_jupyter.io.load import is_sql_url, make_source
from hydroml_jupyter.messages import did_you_mean, first_line

if TYPE_CHECKING:
    from hydroml_jupyter.engine.recipe import Recipe

__all__ = ["Spec", "code", "describe", "imports", "load", "other_var", "resolve"]

#: What a step records as its ``other``.
Spec = str | dict[str, Any]

#: How many loaded frames are kept, and for how long one without a file stamp (SQL, URLs).
CACHE_SIZE = 4
CACHE_SECONDS = 30.0

_SOURCE_KEYS = frozenset({"path", "url", "format", "table", "query", "sheet"})
_cache_lock = threading.Lock()
_cache: collections.OrderedDict[str, tuple[Any, float, pd.DataFrame]] = collections.OrderedDict()


def other_var(var: str) -> str:
    """Return the variable the other frame of a step on ``var`` is built in.

    Derived from ``var``, so a join inside the other session's own steps builds its
    other frame under yet another name: ``df`` → ``df_other`` → ``df_other_other``.
    """
    return check_var(f"{var}_other")


# -- resolving what the person gave -----------------------------------------------------
def resolve(value: Any, op: str) -> Spec:
    """Return the spec a step records for ``value`` (see the module's notes).

    Raises
    ------
    OperationError
        One line naming the value: a session that a script could not rebuild, an SQL
        URL without a table or query, or a name that is neither a file nor a session.
    """
    if isinstance(value, str):
        return _resolve_text(value, op)
    if isinstance(value, dict):
        if "session" in value:
            return _checked_session(value, op)
        return _resolve_source(value, op)
    raise OperationError(
        f"{op}: other must be a path, a source dict or a session's name, not {shown(value)}",
        op=op,
    )


def _resolve_text(text: str, op: str) -> Spec:
    if not text.strip():
        raise OperationError(f"{op}: other is empty; give a file path or a session's name", op=op)
    if is_sql_url(text):
        raise OperationError(
            f"{op}: other {shown(text)} is a database: pass other={{'url': ..., 'table': ...}} "
            "(or 'query': ...) to say what to read",
            op=op,
        )
    if _looks_like_file(text):
        return text
    live = registry.sessions().get(text)
    if live is not None:
        return session_spec(text, live.recipe().to_dict(), op)
    stored = _stored(text, op)
    if stored is not None:
        return session_spec(text, stored, op)
    names = list(registry.sessions())
    listed = ", ".join(repr(n) for n in names[:8]) or "none"
    raise OperationError(
        f"{op}: other {shown(text)} is neither a file (no such file, and no known suffix) nor "
        f"a session{did_you_mean(text, names)}; live sessions: {listed}",
        op=op,
        value=text,
    )


def _looks_like_file(text: str) -> bool:
    if is_remote(text) or os.path.exists(os.path.expanduser(text)):
        return True
    try:
        detect_format(text, None)
    except SourceError:
        return False
    return True


def _stored(name: str, op: str) -> dict[str, Any] | None:
    """Return the recipe of the stored session ``name`` (the store layer registers the lookup)."""
    lookup: Callable[[str], dict[str, Any] | None] | None = extensions.find("other", "stored")
    if lookup is None:
        return None
    try:
        return lookup(name)
    except Exception as exc:
        raise OperationError(
            f"{op}: cannot read the stored session {name!r}: {first_line(exc)}", op=op
        ) from exc


def session_spec(name: str, recipe: dict[str, Any], op: str) -> dict[str, Any]:
    """Return the spec of session ``name`` whose recipe (as JSON) is ``recipe``."""
    return _checked_session({"session": name, "recipe": recipe}, op)


def _checked_session(spec: dict[str, Any], op: str) -> dict[str, Any]:
    from hydroml_jupyter.engine.recipe import Recipe

    name = spec.get("session")
    if set(spec) != {"session", "recipe"} or not isinstance(name, str):
        raise OperationError(
            f"{op}: a session other is {{'session': name, 'recipe': {{...}}}}, not {shown(spec)}",
            op=op,
        )
    try:
        recipe = Recipe.from_dict(spec["recipe"])
    except (OperationError, SourceError) as exc:
        raise OperationError(f"{op}: session {name!r}: {first_line(exc)}", op=op) from exc
    root = recipe
    while root.base is not None and root.source is None:
        root = root.base
    if root.source is None:
        raise OperationError(
            f"{op}: session {name!r} was made from a frame in memory, which a script cannot "
            f"load; export it (s.export('{_safe_stem(name)}.parquet')) and {op} with that file",
            op=op,
            value=name,
        )
    return {"session": name, "recipe": recipe.to_dict()}


def _safe_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40] or "other"


def _resolve_source(given: dict[str, Any], op: str) -> dict[str, Any]:
    try:
        if "kind" in given:
            return Source.from_dict(given).to_dict()
        return _source_of(given).to_dict()
    except SourceError as exc:
        raise OperationError(f"{op}: other: {first_line(exc)}", op=op) from exc


def _source_of(given: dict[str, Any]) -> Source:
    """Build the :class:`Source` ``load_source`` would, from its arguments, without loading."""
    args = dict(given)
    where = args.pop("url", None) or args.pop("path", None)
    if not isinstance(where, str) or not where:
        raise SourceError("a source dict needs 'path' (a file) or 'url' (a database)")
    return make_source(where, **args)


# -- reading -------------------------------------------------------------------------------
def source_of(spec: Spec) -> Source | None:
    """Return the :class:`Source` a path or source spec reads (None for a session)."""
    if isinstance(spec, str):
        fmt, _ = detect_format(spec, None)
        return Source(kind="file", path=spec, format=fmt)
    if "kind" in spec:
        return Source.from_dict(spec)
    return None


def load(spec: Spec, op: str) -> pd.DataFrame:
    """Return the frame ``spec`` names (a copy-on-write view: changing it changes nothing).

    Raises
    ------
    OperationError
        One line naming the source when it cannot be loaded or rebuilt.
    """
    try:
        source = source_of(spec)
        if source is not None:
            return _cached(source)
        assert isinstance(spec, dict)  # a path or a source has a Source
        return _rebuild(spec)
    except OperationError as exc:
        raise OperationError(f"{op}: other {describe(spec)}: {first_line(exc)}", op=op) from exc
    except (SourceError, ValueError, TypeError, KeyError) as exc:
        raise OperationError(f"{op}: other: {first_line(exc)}", op=op) from exc


def _rebuild(spec: dict[str, Any]) -> pd.DataFrame:
    """Return a session other's frame: its recipe replayed on its source, kept like a file's.

    A preview and the apply that follows (validate, transform, explain) replay it once.
    """
    from hydroml_jupyter.engine.recipe import Recipe

    recipe = root = Recipe.from_dict(spec["recipe"])
    while root.base is not None:
        root = root.base
    stamp = None if root.source is None else _stamp(root.source)
    key = "session " + json.dumps(spec, sort_keys=True)
    return _kept(key, stamp, lambda: frame_of(recipe))


def frame_of(recipe: Recipe) -> pd.DataFrame:
    """Return the frame ``recipe`` (a :class:`~hydroml_jupyter.Recipe`) makes from its source."""
    if recipe.base is not None:
        start = frame_of(recipe.base)
    elif recipe.source is not None:
        start = _cached(recipe.source)
    else:
        raise OperationError("it was made from a frame in memory, which cannot be loaded")
    return recipe.apply(start)


def _stamp(source: Source) -> Any:
    """Return what changes when the source's file does, or None when nothing tells."""
    if source.kind != "file" or is_remote(source.path or ""):
        return None
    try:
        info = os.stat(os.path.expanduser(source.path or ""))
    except OSError:
        return "missing"
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns)


def _cached(source: Source) -> pd.DataFrame:
    return _kept(json.dumps(source.to_dict(), sort_keys=True), _stamp(source), source.load)


def _kept(key: str, stamp: Any, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Return the frame kept under ``key`` while its ``stamp`` holds, else ``build()`` it."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            kept_stamp, when, frame = hit
            fresh = stamp == kept_stamp and (stamp is not None or now - when < CACHE_SECONDS)
            if fresh and stamp != "missing":
                _cache.move_to_end(key)
                return frame.copy(deep=False)
    frame = build()
    with _cache_lock:
        _cache[key] = (stamp, now, frame)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return frame.copy(deep=False)


def clear_cache() -> None:
    """Forget every frame kept by :func:`load`."""
    with _cache_lock:
        _cache.clear()


# -- writing -------------------------------------------------------------------------------
def code(spec: Spec, var: str) -> str:
    """Return the lines that build the frame of ``spec`` in ``var`` (they need :func:`imports`).

    A path or source reads it as :meth:`Source.code <hydroml_jupyter.io.Source.code>`
    does for a session's own load; a session includes that session's own script (its
    load and its steps), building its frame in ``var``.
    """
    check_var(var)
    source = source_of(spec)
    if source is not None:
        return source.code(var)
    assert isinstance(spec, dict)
    _, body = _session_script(spec, var)
    lines = [comment(f"{var}: session {spec['session']}, as its own script builds it"), *body]
    return "\n".join(line for line in lines if line)


def imports(spec: Spec) -> list[str]:
    """Return the import lines :func:`code` needs (numpy and pandas among them)."""
    source = source_of(spec)
    if source is not None:
        return list(source.imports)
    assert isinstance(spec, dict)
    return _session_script(spec, "df")[0]


def _session_script(spec: dict[str, Any], var: str) -> tuple[list[str], list[str]]:
    from hydroml_jupyter.engine.recipe import Recipe

    script = Recipe.from_dict(spec["recipe"]).code(source=True, var=var).rstrip("\n").split("\n")
    blank = script.index("")
    return script[:blank], script[blank + 1 :]


def describe(spec: Spec) -> str:
    """Return how labels and notes name the other frame: a file's name, a table, a session."""
    if isinstance(spec, dict) and "session" in spec:
        return f"session {spec.get('session')}"
    if isinstance(spec, dict) and spec.get("kind") == "sql":
        table = spec.get("table")
        return f"table {table}" if isinstance(table, str) else "a database query"
    path = spec if isinstance(spec, str) else spec.get("path")
    if not isinstance(path, str):
        return "the other frame"
    if is_remote(path):
        return path.rstrip("/").rsplit("/", 1)[-1] or path
    return os.path.basename(path.rstrip("/\\")) or path
