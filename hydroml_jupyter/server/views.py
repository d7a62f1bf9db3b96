"""What the REST view answers, as plain JSON-friendly dicts built from a store.

Nothing here knows tornado: :func:`sessions_view` takes the stores
:func:`~hydroml_jupyter.server.stores.find_stores` found, :func:`locate` picks the one
holding a session, and each other function takes that
:class:`~hydroml_jupyter.store.Store` and returns a dict, or raises :class:`NotFound`
(no such session), :class:`Ambiguous` (a name stored in several folders) or
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
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from hydroml_jupyter.analysis import column_summary
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.server.stores import Located, NotFound, Scan
from hydroml_jupyter.store import Store, StoreError
from hydroml_jupyter.store.base import SessionRecord

__all__ = [
    "Ambiguous",
    "NotFound",
    "code_view",
    "history_view",
    "locate",
    "session_view",
    "sessions_view",
    "summary_view",
]

_TOP = 5
_CACHE_SIZE = 16
_summaries: OrderedDict[tuple[str, str, Any, Any], dict[str, Any]] = OrderedDict()
_summaries_lock = threading.Lock()


class Ambiguous(LookupError):  # noqa: N818 (answered as HTTP 409)
    """A session name stored in the stores of several folders: ``?dir=`` must pick one."""


def _where(located: Located) -> str:
    return "the root" if located.dir == "" else repr(located.dir)


def locate(stores: Sequence[Located], name: str) -> Located:
    """Return the one store of ``stores`` that holds session ``name``.

    A store found by searching that cannot be read is passed over; one named by the
    configuration or ``?dir=`` raises.

    Raises
    ------
    NotFound
        When none holds it (or saving is switched off).
    Ambiguous
        When the stores of several folders hold it.
    """
    if not stores:
        raise NotFound("saving is switched off (HYDROML_STORE=off)")
    holders: list[Located] = []
    for located in stores:
        try:
            if located.store.exists(name):
                holders.append(located)
        except StoreError:
            if not located.searched:
                raise
    if len(holders) == 1:
        return holders[0]
    if holders:
        folders = ", ".join(_where(h) for h in holders)
        raise Ambiguous(
            f"session {name!r} is stored in {len(holders)} folders ({folders}): "
            "add ?dir=FOLDER to pick one"
        )
    if len(stores) == 1:
        raise NotFound(f"no session named {name!r} in {stores[0].store.uri}")
    folders = ", ".join(_where(s) for s in stores)
    raise NotFound(f"no session named {name!r} in the stores of {folders}")


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


def sessions_view(stores: Sequence[Located], scan: Scan | None = None) -> dict[str, Any]:
    """List the sessions of every store, each with the folder (``dir``) it belongs to.

    A store found by searching that cannot be listed is reported with its
    ``problem``; one named by the configuration or ``?dir=`` raises.
    """
    listed: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    for located in stores:
        entry: dict[str, Any] = {"dir": located.dir, "store": located.store.uri, "problem": None}
        listed.append(entry)
        try:
            infos = located.store.list()
        except StoreError as exc:
            if not located.searched:
                raise
            entry["problem"] = str(exc)
            continue
        sessions += [
            {
                "name": info.name,
                "dir": located.dir,
                "updated": _iso(info.updated),
                "shape": list(info.shape) if info.shape is not None else None,
                "version": info.version,
                "bytes": info.bytes,
                "problem": info.problem,
            }
            for info in infos
        ]
    body: dict[str, Any] = {"stores": listed, "sessions": sessions}
    if scan is not None and scan.folders:
        body["searched"] = {"folders": scan.folders, "complete": scan.complete}
    return body


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
