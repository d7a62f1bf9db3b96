"""Sessions in a store: save, keep saved after every change, list and restore.

Examples
--------
>>> import pandas as pd
>>> import hydroml_jupyter as hj
>>> from hydroml_jupyter.store import MemoryStore, persist
>>> store = MemoryStore(key=b"doc")
>>> s = hj.Session(pd.DataFrame({"a": [1.0, None]}), name="kept")
>>> autosave = persist.autosave(s, store)
>>> _ = s.apply("fill_missing", column="a", strategy="value", value=0.0)
>>> autosave.flush(timeout=10)
True
>>> s.close()
>>> back = persist.restore("kept", store)
>>> back.df["a"].tolist(), back.can_undo
([1.0, 0.0], True)
>>> autosave.close(); back.close()
True
"""

from __future__ import annotations

from collections.abc import Callable

from hydroml_jupyter.engine import Session
from hydroml_jupyter.engine.state import SessionState, restore_session, session_state
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.store.base import SessionRecord, Store, StoredInfo
from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.writer import BackgroundWriter

__all__ = ["Autosave", "autosave", "record_of", "restore", "save", "stored_sessions"]


def record_of(session: Session) -> SessionRecord:
    """Return ``session``'s whole state (every step, the cursor, original and current frame)."""
    state = session_state(session)
    return SessionRecord(state.name, state.meta, state.recipe, state.frames)


def save(session: Session, store: Store) -> None:
    """Save ``session`` now, in this thread."""
    store.save(record_of(session))


def restore(name: str, store: Store, memory_budget: int | None = None) -> Session:
    """Load the stored session ``name``: frame, history and cursor; undo and redo work.

    Raises
    ------
    StoreError
        When nothing is stored under ``name``, or what is stored cannot be trusted.
    """
    record = store.load(name)
    try:
        state = SessionState(record.name, dict(record.meta), dict(record.recipe), record.frames)
        return restore_session(state, memory_budget=memory_budget)
    except (OperationError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"session {name!r}: the stored state cannot be restored: {exc}") from exc


def stored_sessions(store: Store) -> list[StoredInfo]:
    """List what ``store`` holds (from metadata only)."""
    return store.list()


class Autosave:
    """Saves a session after every change, on a background writer (bursts coalesce).

    The session never waits for the store; :meth:`flush` waits until what has
    changed so far is saved.
    """

    def __init__(self, session: Session, writer: BackgroundWriter, *, owns_writer: bool) -> None:
        self.session = session
        self.writer = writer
        self._owns_writer = owns_writer
        self._unsubscribe: Callable[[], None] = session.subscribe(self._changed)
        writer.submit(record_of(session))

    def _changed(self, version: int) -> None:
        self.writer.submit(record_of(self.session))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every change so far is saved; False on timeout or a failed save."""
        return self.writer.flush(timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Stop saving; flush what is pending first."""
        self._unsubscribe()
        if self._owns_writer:
            return self.writer.close(timeout)
        return self.writer.flush(timeout)


def autosave(session: Session, store: Store, writer: BackgroundWriter | None = None) -> Autosave:
    """Save ``session`` now and after every change, without blocking it."""
    own = writer is None
    return Autosave(session, writer or BackgroundWriter(store), owns_writer=own)
