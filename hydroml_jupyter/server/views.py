"""What the REST view answers, as plain JSON-friendly dicts built from a store.

Nothing here knows tornado: each function takes a :class:`~hydroml_jupyter.store.Store`
and returns a dict, or raises :class:`NotFound` (no such session) or
:class:`~hydroml_jupyter.store.StoreError` (stored but unreadable).

Examples
--------
>>> import pandas as pd
>>> from hydroml_jupyter.engine import Session
>>> from hydroml_jupyter.store import MemoryStore, persist
>>> store = MemoryStore(key=b"doc")
>>> s = Session(pd.DataFrame({"a": [1.0, None]}), name="demo")
>>> _ = s.apply("fill_missing", column="a", strategy="value", value=0.0)
>>> persist.save(s, store); s.close()
>>> session_view(store, "demo")["shape"]
[2, 1]
>>> [step["label"] for step in history_view(store, "demo")["steps"]]
['Original (DataFrame)', 'Fill missing a with 0.0']
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from hydroml_jupyter.analysis import column_summary
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.store import DiskStore, Store, StoreError
from hydroml_jupyter.store.base import SessionRecord
from hydroml_jupyter.store.config import store_for, store_spec

__all__ = [
    "NotFound",
    "code_view",
    "history_view",
    "server_store",
    "session_view",
    "sessions_view",
    "summary_view",
]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TOP = 5
_CACHE_SIZE = 16
_summaries: OrderedDict[tuple[str, str, Any, Any], dict[str, Any]] = OrderedDict()
_summaries_lock = threading.Lock()


class NotFound(LookupError):  # noqa: N818 (answered as HTTP 404)
    """No such session, or a folder outside the server's root."""


def server_store(root_dir: str | os.PathLike[str], folder: str | None = None) -> Store | None:
    """Return the store the server reads (None when saving is switched off).

    ``HYDROML_STORE`` decides, as in a kernel; a relative folder (the default
    ``.hydroml``) is taken relative to ``root_dir``, or to ``root_dir / folder``.

    Raises
    ------
    NotFound
        When ``folder`` is not a folder inside ``root_dir``.
    """
    spec = store_spec()
    if spec is None:
        return None
    relative = spec == "disk" or (
        not _SCHEME.match(spec) and not os.path.isabs(os.path.expanduser(spec))
    )
    if not relative:
        return store_for(spec)
    root = Path(root_dir).expanduser().resolve()
    base = root
    if folder:
        base = (root / folder).resolve()
        if base != root and root not in base.parents:
            raise NotFound(f"folder {folder!r} is outside the server's root")
        if not base.is_dir():
            raise NotFound(f"no folder {folder!r} in the server's root")
    return DiskStore(base / (".hydroml" if spec == "disk" else spec))


def _iso(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return dt.datetime.fromtimestamp(value, dt.UTC).isoformat()


def _peek(store: Store, name: str) -> SessionRecord:
    if not store.exists(name):
        raise NotFound(f"no session named {name!r} in {store.uri}")
    return store.peek(name)


def _recipe(record: SessionRecord) -> Recipe:
    try:
        return Recipe.from_dict(dict(record.recipe))
    except (OperationError, SourceError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(
            f"session {record.name!r}: the stored recipe cannot be read: {exc}",
            session=record.name,
        ) from exc


def sessions_view(store: Store | None) -> dict[str, Any]:
    """List the stored sessions."""
    if store is None:
        return {"store": None, "sessions": []}
    sessions = [
        {
            "name": info.name,
            "updated": _iso(info.updated),
            "shape": list(info.shape) if info.shape is not None else None,
            "version": info.version,
            "bytes": info.bytes,
            "problem": info.problem,
        }
        for info in store.list()
    ]
    return {"store": store.uri, "sessions": sessions}


def session_view(store: Store | None, name: str) -> dict[str, Any]:
    """Describe session ``name``: status, shape, version, times, parent, source, steps."""
    if store is None:
        raise NotFound("saving is switched off (HYDROML_STORE=off)")
    record = _peek(store, name)
    meta = record.meta
    recipe = _recipe(record)
    return {
        "name": name,
        "status": "stored",
        "store": store.uri,
        "shape": meta.get("shape"),
        "version": meta.get("version"),
        "created": _iso(meta.get("created")),
        "updated": _iso(meta.get("updated")),
        "parent": meta.get("parent"),
        "source": recipe.source.describe() if recipe.source else None,
        "steps": len(recipe.steps),
        "position": meta.get("cursor"),
    }


def history_view(store: Store | None, name: str) -> dict[str, Any]:
    """List the steps of session ``name`` (the original first; undone ones marked)."""
    if store is None:
        raise NotFound("saving is switched off (HYDROML_STORE=off)")
    record = _peek(store, name)
    recipe = _recipe(record)
    meta = record.meta
    cursor = int(meta.get("cursor", len(recipe.steps)))
    shapes = meta.get("shapes") or []
    durations = meta.get("durations") or []
    parent = meta.get("parent")
    origin = (
        recipe.source.describe()
        if recipe.source
        else (f"saved from {parent}" if parent else "DataFrame")
    )
    stored_steps = record.recipe.get("steps") or []
    steps = []
    for index in range(len(recipe.steps) + 1):
        op = recipe.steps[index - 1] if index else None
        params = stored_steps[index - 1].get("params", {}) if index else {}
        shape = shapes[index] if index < len(shapes) else None
        steps.append(
            {
                "index": index,
                "op": op.name if op else "original",
                "params": params,
                "label": op.label() if op else f"Original ({origin})",
                "shape": shape,
                "seconds": durations[index] if index < len(durations) else None,
                "state": "current" if index == cursor else "undone" if index > cursor else "",
            }
        )
    return {"name": name, "position": cursor, "steps": steps}


def code_view(store: Store | None, name: str) -> dict[str, Any]:
    """Return the pandas script that rebuilds session ``name``'s current frame."""
    if store is None:
        raise NotFound("saving is switched off (HYDROML_STORE=off)")
    record = _peek(store, name)
    recipe = _recipe(record)
    cursor = int(record.meta.get("cursor", len(recipe.steps)))
    current = Recipe(
        steps=recipe.steps[:cursor], source=recipe.source, base=recipe.base, name=recipe.name
    )
    return {"name": name, "position": cursor, "code": current.code()}


def summary_view(store: Store | None, name: str) -> dict[str, Any]:
    """Summarise every column of session ``name``'s current frame (cached per version)."""
    if store is None:
        raise NotFound("saving is switched off (HYDROML_STORE=off)")
    record = _peek(store, name)
    meta = record.meta
    key = (store.uri, name, meta.get("version"), meta.get("updated"))
    with _summaries_lock:
        if key in _summaries:
            _summaries.move_to_end(key)
            return _summaries[key]
    cursor = int(meta.get("cursor", 0))
    loaded = store.load(name, steps=[cursor])
    frame = loaded.frames.get(cursor)
    if frame is None:
        raise StoreError(f"session {name!r}: its current frame is not stored", session=name)
    columns = [column_summary(frame.iloc[:, i], top=_TOP).to_dict() for i in range(frame.shape[1])]
    view = {
        "name": name,
        "position": cursor,
        "shape": list(frame.shape),
        "version": loaded.meta.get("version"),
        "columns": columns,
    }
    with _summaries_lock:
        _summaries[key] = view
        while len(_summaries) > _CACHE_SIZE:
            _summaries.popitem(last=False)
    return view
