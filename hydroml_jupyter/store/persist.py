"""Sessions in a store: open or continue them by name, restore, save, list, drop.

:func:`open_session` and :func:`session` are what ``hydroml_jupyter.open`` and
``hydroml_jupyter.session`` do: a session they return is saved after every change, in
the background, to the default store (``.hydroml/`` in the working folder, or
``$HYDROML_STORE``: see :mod:`hydroml_jupyter.store.config`), and ``s.flush()`` waits
for its saves.

Which session ``open_session(source, name=...)`` returns:

- **With a name** (and ``fresh=False``, the default) the session of that name
  *continues*: the live one of this kernel if there is one (the same object: running
  the cell again neither reloads nor resets it), else the stored one, restored with its
  frame, history and cursor (its repr says ``restored from <store>``), else the source
  is loaded. It continues only if it was opened from the same source (see
  :func:`~hydroml_jupyter.store.sources.same_source`); otherwise nothing is loaded or
  replaced and :class:`StoreError` says so.
- **Without a name** the source is always loaded, into a session named after it (the
  file's stem, the table's name); its saves replace what the store held under that
  name. Unnamed sessions are never restored by ``open_session``: after a crash,
  ``session(name)`` brings one back, before the cell that opens it runs again.
- **fresh=True** loads the source whatever is live or stored; its saves replace the
  stored session of that name.

**Two kernels, one name.** Every save names the stored generation it started from;
a save over a generation someone else saved meanwhile (another kernel or process
continuing the same name) is refused, and ``s.flush()`` raises
:class:`~hydroml_jupyter.store.StoreConflictError` naming the other writer (host, pid,
time). Nothing is overwritten, and the session is not saved again until you choose:
keep your changes under a new name with ``hj.open(s.save_as("new name"))``, or
replace the stored session with yours with ``hj.open(s, takeover=True)`` (the other
kernel's next save is then refused). ``open_session(source, name, takeover=True)``
does the same for the session of that name, live or stored.

A notebook that runs again from the top with a named session: ``open_session``
continues where the session was, so the cells after it apply their steps a second
time. The first such step warns (:class:`~hydroml_jupyter.engine.state.
RepeatedStepWarning`) and names the step it repeats; undo it, or open with
``fresh=True`` to start from the source on every run.

Examples
--------
>>> import pandas as pd
>>> from hydroml_jupyter.store import MemoryStore, persist
>>> store = MemoryStore(key=b"doc")
>>> df = pd.DataFrame({"a": [1.0, None]})
>>> s = persist.open_session(df, name="kept", store=store)
>>> _ = s.apply("fill_missing", column="a", strategy="value", value=0.0)
>>> s.flush(timeout=10)
True
>>> s.close()  # as if the kernel restarted
>>> back = persist.session("kept", store=store)
>>> back.restored_from, back.position, back.df["a"].tolist()
('memory://', 1, [1.0, 0.0])
>>> persist.drop("kept", store=store), back.close()
(True, None)
"""

from __future__ import annotations

import enum
import os
from typing import Any, Final

import pandas as pd

from hydroml_jupyter.engine import Session, registry
from hydroml_jupyter.engine.loading import open_session as load_session
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.state import SessionState, mark_resumed
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.store.autosaving import Autosave, active, autosave, record_of, writer_for
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo
from hydroml_jupyter.store.config import default_store, store_for
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.factory import OFF
from hydroml_jupyter.store.generations import ANY
from hydroml_jupyter.store.sources import describe_request, describe_stored, same_source

__all__ = [
    "DEFAULT",
    "Autosave",
    "autosave",
    "drop",
    "flush",
    "open_session",
    "record_of",
    "restore",
    "save",
    "session",
    "stored_sessions",
]


class _Default(enum.Enum):
    DEFAULT = "the default store"


#: ``store=DEFAULT``: the store :func:`~hydroml_jupyter.store.config.default_store` names.
DEFAULT: Final = _Default.DEFAULT
StoreArg = Store | str | None | _Default


def resolve_store(store: StoreArg) -> Store | None:
    """Return the store ``store`` names: DEFAULT, a spec (``"off"``: None), a Store or None."""
    if store is DEFAULT:
        return default_store()
    if isinstance(store, str):
        return None if store.strip().lower() in OFF else store_for(store)
    return store


# -- the building blocks ---------------------------------------------------------------------
def save(session: Session, store: Store) -> None:
    """Save ``session`` now, in this thread."""
    store.save(record_of(session))


def _restore_record(record: SessionRecord, memory_budget: int | None = None) -> Session:
    try:
        state = SessionState(
            record.name, dict(record.meta), dict(record.recipe), record.frames, record.frame_ids
        )
        return Session.from_state(state, memory_budget=memory_budget)
    except (OperationError, SourceError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(
            f"session {record.name!r}: the stored state cannot be restored: {exc}",
            session=record.name,
        ) from exc


def restore(name: str, store: Store, memory_budget: int | None = None) -> Session:
    """Load the stored session ``name``: frame, history and cursor; undo and redo work.

    The session is not kept saved (see :func:`session` for that).

    Raises
    ------
    StoreError
        When nothing is stored under ``name``, or what is stored cannot be trusted.
    """
    restored = _restore_record(store.load(name), memory_budget)
    restored.restored_from = store.label
    return restored


def stored_sessions(store: StoreArg = DEFAULT) -> list[StoredInfo]:
    """List what ``store`` holds (from metadata only); [] when saving is off."""
    resolved = resolve_store(store)
    return [] if resolved is None else resolved.list()


# -- what hydroml_jupyter.open and .session do --------------------------------------------------
def _base_and_source(session: Session) -> tuple[pd.DataFrame, Any]:
    return session.state().frames[0], session.source


def _refuse(name: str, where: str, opened: str, source: object) -> StoreError:
    return StoreError(
        f"session {name!r} {where} was opened from {opened}, not {describe_request(source)}; "
        f"pass fresh=True to load {describe_request(source)} in its place (the stored history "
        "is then replaced), or choose another name",
        session=name,
    )


def _keep_saved(session: Session, st: Store, takeover: bool) -> None:
    """Autosave a session that was not loaded from ``st`` (or take the stored one over)."""
    keeper = autosave(session, st, base=ANY if takeover else None)
    if takeover:
        keeper.take_over()


def _continue_live(
    live: Session, st: Store, source: object, options: dict[str, Any], takeover: bool
) -> Session:
    base, src = _base_and_source(live)
    if not isinstance(source, Session) and not same_source(src, base, source, options):
        raise _refuse(live.name, "in this kernel", describe_stored(src, base), source)
    if isinstance(source, pd.DataFrame) and not base.equals(source):
        raise _refuse(live.name, "in this kernel", "a DataFrame with other values", source)
    _keep_saved(live, st, takeover)
    mark_resumed(live, "opened again in this kernel")
    return live


def _continue_stored(
    record: SessionRecord, st: Store, source: object, options: dict[str, Any], takeover: bool
) -> Session:
    name = record.name
    base = record.frames.get(0)
    try:
        src = Recipe.from_dict(dict(record.recipe)).source
    except (OperationError, SourceError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(
            f"session {name!r}: the stored state cannot be restored: {exc}", session=name
        ) from exc
    if base is None:
        raise StoreError(f"session {name!r}: the stored state is incomplete", session=name)
    where = f"stored in {st.label}"
    if not same_source(src, base, source, options):
        raise _refuse(name, where, describe_stored(src, base), source)
    if isinstance(source, pd.DataFrame) and not base.equals(source):
        raise _refuse(name, where, "a DataFrame with other values", source)
    restored = _restore_record(record)
    restored.restored_from = st.label
    mark_resumed(restored, f"restored from {st.label}")
    # the store holds it already: saved from its next change on (at once on a take-over)
    autosave(restored, st, base=ANY if takeover else record.base, save_now=takeover)
    return restored


def open_session(
    source: str | os.PathLike[str] | pd.DataFrame | Session,
    name: str | None = None,
    *,
    store: StoreArg = DEFAULT,
    fresh: bool = False,
    takeover: bool = False,
    **options: Any,
) -> Session:
    """Open ``source`` as a session saved after every change, or continue session ``name``.

    The module's notes say which session you get, what running a notebook again
    does, and what happens when two kernels save the same name.

    Parameters
    ----------
    source
        A file, an SQLAlchemy URL, a DataFrame or a Session, as for
        :func:`hydroml_jupyter.engine.open_session`.
    name
        The session's name. With a name, a session of that name continues (live, else
        stored); without one, the source is loaded into a new session.
    store
        Where to save: the default store, a spec (``"redis://…"``, a folder,
        ``"memory:"``), a :class:`Store`, or None (``"off"``) to save nothing (the
        plain engine ``open``).
    fresh
        Load the source even when a session of that name is live or stored, and
        replace it.
    takeover
        Replace the stored session of that name with this kernel's (the live one, else
        the stored one or the source, as without it), even when another kernel or
        process saved it since: after a
        :class:`~hydroml_jupyter.store.StoreConflictError`, ``open(s, takeover=True)``
        saves ``s`` over the other writer's session. Without it a session never
        replaces a stored session it did not start from (except unnamed or
        ``fresh=True`` opens, which replace it by design).
    **options
        Loading options (``format=``, ``sheet=``, ``table=``, reader keywords).

    Raises
    ------
    SourceError
        When the source cannot be loaded.
    StoreError
        When the session ``name`` continues from another source (nothing is loaded or
        replaced), or what is stored under ``name`` cannot be trusted.
    StoreUnavailable
        When the store cannot be reached to look for ``name`` (nothing is loaded, so
        nothing stored is overwritten; ``store=None`` works without saving).
    """
    st = resolve_store(store)
    if st is None:
        return load_session(source, name, **options)
    if isinstance(source, Session):
        _keep_saved(source, st, takeover)
        return source
    if name is not None and not fresh:
        live = registry.sessions().get(name)
        if live is not None:
            return _continue_live(live, st, source, options, takeover)
        if st.exists(name):
            return _continue_stored(st.load(name), st, source, options, takeover)
    opened = load_session(source, name, **options)
    # unnamed and fresh opens replace what is stored under the name, by design
    autosave(opened, st, base=ANY if fresh or takeover or name is None else None)
    return opened


def session(name: str, *, store: StoreArg = DEFAULT) -> Session:
    """Return session ``name``: the live one, else the stored one restored and kept saved.

    Raises
    ------
    KeyError
        When no session of that name is live or stored; the message lists both.
    StoreError
        When the stored session cannot be trusted.
    StoreUnavailable
        When the store cannot be reached.
    """
    live = registry.sessions().get(name)
    if live is not None:
        return live
    st = resolve_store(store)
    if st is not None and st.exists(name):
        record = st.load(name)
        restored = _restore_record(record)
        restored.restored_from = st.label
        mark_resumed(restored, f"restored from {st.label}")
        autosave(restored, st, base=record.base, save_now=False)
        return restored
    stored = [info.name for info in st.list()] if st is not None else []
    try:
        return registry.get(name)  # (opened meanwhile by another thread)
    except KeyError as exc:
        where = f"; stored in {st.label}: {', '.join(map(repr, stored)) or 'none'}" if st else ""
        raise KeyError(f"{exc.args[0]}{where}") from None


def drop(name: str, *, store: StoreArg = DEFAULT) -> bool:
    """Delete the stored session ``name`` and stop saving the live one to that store.

    The live session, if any, keeps working in memory. Returns False if nothing was
    stored under ``name``.
    """
    st = resolve_store(store)
    if st is None:
        return False
    live = registry.sessions().get(name)
    keeper = active(live, st) if live is not None else None
    if keeper is not None:
        keeper.detach()
    writer_for(st).discard(name)
    return st.delete(name)


def flush(timeout: float | None = 30.0) -> bool:
    """Wait until every live session's changes are saved (see ``Session.flush``)."""
    return all([s.flush(timeout) for s in registry.sessions().values()])
