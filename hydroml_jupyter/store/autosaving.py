"""Keep a session saved after every change: :class:`Autosave` and :func:`autosave`.

Every session saved to one store shares that store's :class:`BackgroundWriter`
(:func:`writer_for`): one thread that coalesces bursts, rides out outages with one
warning, and stops when idle. A session has at most one autosave per store: starting
another for the same name and store detaches the previous one, so a session object
that was replaced (e.g. by ``open(..., fresh=True)``) never writes over its successor.

An autosave tells the writer which stored generation the session started from (see
:meth:`BackgroundWriter.track`), so a save over another writer's is refused with
:class:`~hydroml_jupyter.store.StoreConflictError`, which the session's ``flush()``
raises; :meth:`Autosave.take_over` replaces the stored session with this one.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from hydroml_jupyter.engine import Session
from hydroml_jupyter.store.base import SessionRecord, Store
from hydroml_jupyter.store.errors import StoreConflictError, StoreError
from hydroml_jupyter.store.generations import Base
from hydroml_jupyter.store.writer import BackgroundWriter

__all__ = ["Autosave", "active", "autosave", "record_of", "writer_for"]

_lock = threading.Lock()
_writers: dict[int, tuple[Store, BackgroundWriter]] = {}
# weak: a closed session drops its listeners, hence its autosave, hence its frames
_active: weakref.WeakValueDictionary[tuple[int, str], Autosave] = weakref.WeakValueDictionary()


def record_of(session: Session) -> SessionRecord:
    """Return ``session``'s whole state (every step, the cursor, original and current frame).

    Frames come with their frame ids, so a store skips those it holds already.
    """
    state = session.state()
    return SessionRecord(state.name, state.meta, state.recipe, state.frames, state.frame_ids)


def writer_for(store: Store) -> BackgroundWriter:
    """Return the background writer every session saved to ``store`` shares."""
    with _lock:
        found = _writers.get(id(store))
        if found is None or found[0] is not store or found[1].status == "closed":
            found = _writers[id(store)] = (store, BackgroundWriter(store))
        return found[1]


def active(session: Session, store: Store) -> Autosave | None:
    """Return the autosave keeping ``session`` saved to ``store``, if any."""
    with _lock:
        keeper = _active.get((id(store), session.name))
    return keeper if keeper is not None and keeper.session is session else None


class Autosave:
    """Saves a session after every change, on a background writer (bursts coalesce).

    The session never waits for the store. :meth:`flush` (and the session's own
    :meth:`~hydroml_jupyter.Session.flush`, which this registers into) waits until
    what has changed so far is saved.

    Parameters
    ----------
    session
        The session to keep saved.
    writer
        The writer to save with.
    owns_writer
        Whether :meth:`close` closes the writer too.
    base
        The stored generation the session started from (see
        :class:`~hydroml_jupyter.store.SessionRecord`): None for a session that is not
        stored yet, ``ANY`` to replace what is stored.
    save_now
        Save the session at once (False: from its next change on, for a session just
        restored from the store, which holds it already).
    """

    def __init__(
        self,
        session: Session,
        writer: BackgroundWriter,
        *,
        owns_writer: bool,
        base: Base = None,
        save_now: bool = True,
    ) -> None:
        self.session = session
        self.writer = writer
        self.store = writer.store
        self._owns_writer = owns_writer
        self._detached = False
        key = (id(self.store), session.name)
        with _lock:
            previous = _active.get(key)
            _active[key] = self
        if previous is not None and previous is not self:
            previous.detach()
        writer.track(session.name, base)
        self._unsubscribe: Callable[[], None] = session.subscribe(self._changed)
        self._remove_hook = session.add_flush_hook(self._flush_hook)
        if save_now:
            writer.submit(record_of(session))

    def _changed(self, version: int) -> None:
        if not self._detached:
            self.writer.submit(record_of(self.session))

    def _flush_hook(self, timeout: float | None) -> bool:
        name = self.session.name
        self.writer.retry(name)
        ok = self.writer.flush(timeout, name=name)
        error = self.writer.failure(name)
        if isinstance(error, StoreConflictError):
            raise StoreConflictError(str(error), session=name, writer=error.writer) from error
        if error is not None:
            raise StoreError(str(error), session=name) from error
        return ok

    def take_over(self) -> None:
        """Replace the stored session with this one, whoever saved it last.

        The session is saved at once, over any generation; the other writer's next
        save is then refused with a conflict.
        """
        self.writer.take_over(self.session.name)
        self.writer.submit(record_of(self.session))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every change so far is saved; False on timeout or a failed save."""
        return self.writer.flush(timeout, name=self.session.name)

    def detach(self) -> None:
        """Stop saving the session (what is pending is still written)."""
        self._detached = True
        self._unsubscribe()
        self._remove_hook()
        with _lock:
            key = (id(self.store), self.session.name)
            if _active.get(key) is self:
                del _active[key]

    def close(self, timeout: float | None = 10.0) -> bool:
        """Stop saving; flush what is pending first (up to ``timeout`` seconds)."""
        self.detach()
        if self._owns_writer:
            return self.writer.close(timeout)
        return self.writer.flush(timeout, name=self.session.name)

    def __repr__(self) -> str:
        state = "detached" if self._detached else self.writer.status
        return f"<Autosave {self.session.name!r} to {self.store.label}: {state}>"


def autosave(
    session: Session,
    store: Store,
    writer: BackgroundWriter | None = None,
    *,
    base: Base = None,
    save_now: bool = True,
) -> Autosave:
    """Save ``session`` now and after every change, without blocking it.

    Parameters
    ----------
    session
        The session.
    store
        Where to save it.
    writer
        The writer to use; default: the one :func:`writer_for` shares for ``store``.
    base, save_now
        As for :class:`Autosave`: the stored generation the session started from
        (default None: a save refuses to replace a session stored by someone else),
        and whether to save at once.

    Returns
    -------
    Autosave
        The running autosave; an autosave already keeping this session saved to
        ``store`` is returned as it is.
    """
    if writer is None:
        keeper = active(session, store)
        if keeper is not None:
            return keeper
        writer = writer_for(store)
    return Autosave(session, writer, owns_writer=False, base=base, save_now=save_now)
