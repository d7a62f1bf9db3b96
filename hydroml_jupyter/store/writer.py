"""Save sessions in the background: coalesced, retried through outages, never lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from hydroml_jupyter.store import exiting
from hydroml_jupyter.store.base import SessionRecord, Store
from hydroml_jupyter.store.errors import StoreError, StoreUnavailable
from hydroml_jupyter.store.generations import ANY, Base
from hydroml_jupyter.store.writer_loop import Slot, WriterEvent, WriterLoop, conflict

__all__ = ["BackgroundWriter", "WriterEvent"]


class BackgroundWriter(WriterLoop):
    """Save records on a daemon thread, keeping only the newest pending record per name.

    ``submit`` returns at once. If the store is unreachable (:class:`StoreUnavailable`)
    the writer keeps the newest record of each session in memory, retries with
    exponential backoff (``min_backoff`` doubling to ``max_backoff`` seconds), warns
    once per outage and flushes when the store is back. Other errors (a frame that
    cannot be stored, a full disk, a read-only folder) are not retried on their own:
    they are kept in ``last_error`` and :meth:`failure`, passed to ``on_event``, and
    issued as one :class:`StoreWarning` per session until a save of it succeeds
    again; :meth:`retry` submits the failed record again (after the disk was freed).
    The writer starts a save once submissions pause for ``debounce`` seconds (at most
    ten times that after the first), so a burst of changes is saved once, after it,
    instead of competing with it for the CPU; :meth:`flush` and :meth:`close` skip the
    wait. The thread stops after ``idle_exit`` seconds without work and starts again
    on the next ``submit``. What is pending when the interpreter (or the kernel)
    exits is saved then, within a bounded time (:mod:`~hydroml_jupyter.store.exiting`).

    A session whose generation the writer tracks (:meth:`track`: the autosave of a
    session opened, restored or continued from the store does) is saved over the
    generation it started from, then over each generation the writer saved. If
    another writer saved it meanwhile, the store refuses
    (:class:`~hydroml_jupyter.store.StoreConflictError`): the writer warns once, keeps
    the newest record of the session and stops saving it (:meth:`failure` returns the
    conflict, :meth:`flush` returns False) until :meth:`take_over` or :meth:`discard`.

    Warnings: :func:`warnings.warn` with :class:`StoreOutageWarning` (once per outage)
    and :class:`StoreWarning` (failed save), each also logged on the
    ``hydroml_jupyter.store.writer`` logger. ``on_event(event, error)`` is called from
    the writer thread with ``"unavailable"``, ``"restored"`` (error None) or
    ``"failed"``; it must be quick and must not raise.

    Parameters
    ----------
    store
        Where to save.
    on_event
        Optional callback for outages, recoveries and failures.
    min_backoff, max_backoff
        Retry delays in seconds.
    debounce
        Seconds of quiet after a submission before saving starts.
    idle_exit
        Seconds without work after which the thread stops.

    Examples
    --------
    >>> import pandas as pd
    >>> from hydroml_jupyter.store.memory import MemoryStore
    >>> writer = BackgroundWriter(MemoryStore(key=b"k"))
    >>> writer.submit(SessionRecord("s", {}, {}, {0: pd.DataFrame({"a": [1]})}))
    >>> writer.flush(timeout=10), writer.close()
    (True, True)
    """

    def __init__(
        self,
        store: Store,
        *,
        on_event: Callable[[WriterEvent, StoreError | None], None] | None = None,
        min_backoff: float = 0.2,
        max_backoff: float = 10.0,
        debounce: float = 0.2,
        idle_exit: float = 60.0,
    ) -> None:
        self.store = store
        self.on_event = on_event
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.debounce = debounce
        self.idle_exit = idle_exit
        #: The latest error that was not a store outage (None if none yet).
        self.last_error: StoreError | None = None
        #: Records saved so far.
        self.saved = 0
        self._cv = threading.Condition()
        self._pending: dict[str, Slot] = {}
        self._busy: Slot | None = None
        self._failures: dict[str, tuple[Slot, StoreError]] = {}
        self._seq = 0
        self._outage: StoreUnavailable | None = None
        self._kick = False
        self._last_submit = 0.0
        self._closing = False
        self._thread: threading.Thread | None = None
        # name -> (epoch, the generation the next save starts from); epochs tell a save
        # of a session replaced meanwhile (track, take_over) from one of the current one
        self._bases: dict[str, tuple[int, Base]] = {}
        self._epoch = 0

    # -- state -----------------------------------------------------------------------
    @property
    def status(self) -> Literal["idle", "saving", "offline", "closed"]:
        """``"offline"`` while the store is unreachable and records are waiting."""
        with self._cv:
            if self._closing and self._thread is None:
                return "closed"
            if self._outage is not None:
                return "offline"
            return "saving" if self._pending or self._busy else "idle"

    @property
    def outage(self) -> StoreUnavailable | None:
        """The error of the current outage, or None when the store is reachable."""
        with self._cv:
            return self._outage

    def pending(self) -> list[SessionRecord]:
        """Return the records not saved yet (newest per name), e.g. to save them elsewhere.

        Records held back by a conflict are included.
        """
        with self._cv:
            slots = ([self._busy] if self._busy else []) + list(self._pending.values())
            held = [slot for slot, error in self._failures.values() if conflict(error)]
            return [slot.record for slot in slots + held]

    def unsaved(self) -> dict[str, StoreError | None]:
        """Return the sessions with changes not saved yet, each with why (None: not yet)."""
        with self._cv:
            out: dict[str, StoreError | None] = {
                slot.record.name: self._outage
                for slot in ([self._busy] if self._busy else []) + list(self._pending.values())
            }
            for name, (_slot, error) in self._failures.items():
                if out.get(name) is None:
                    out[name] = error
            return out

    def failure(self, name: str) -> StoreError | None:
        """Return why the latest save of session ``name`` failed (None once one succeeds)."""
        with self._cv:
            failed = self._failures.get(name)
            return None if failed is None else failed[1]

    # -- the interface ---------------------------------------------------------------
    def submit(self, record: SessionRecord) -> None:
        """Queue ``record`` to be saved; replaces any pending record of the same name.

        Raises
        ------
        TypeError
            When ``record`` is not a :class:`SessionRecord`.
        StoreError
            When the writer is closed.
        """
        if not isinstance(record, SessionRecord):
            raise TypeError(f"expected a SessionRecord, got {type(record).__name__}")
        with self._cv:
            if self._closing:
                raise StoreError("the background writer is closed", session=record.name)
            self._seq += 1
            held = self._failures.get(record.name)
            if held is not None and conflict(held[1]):
                held[0].record, held[0].last = record, self._seq  # kept for a take-over
                return
            self._last_submit = time.monotonic()
            slot = self._pending.get(record.name)
            if slot is None:
                self._pending[record.name] = Slot(record, self._seq, self._seq)
            else:
                slot.record, slot.last = record, self._seq
            self._start()
            self._cv.notify_all()

    def _start(self) -> None:
        """Start the thread if it is not running (the caller holds the lock)."""
        if self._thread is None:
            exiting.register(self)
            self._thread = threading.Thread(
                target=self._run, name="hydroml-store-writer", daemon=True
            )
            self._thread.start()

    def track(self, name: str, base: Base) -> None:
        """Save session ``name`` over ``base`` next (then over what this writer saved).

        ``base`` is the generation the session was loaded from, None for a session
        that starts anew (a save refuses to replace a stored one, unless it is what
        this writer saved or loaded last: a session of this process replacing its
        own, as a second ``save-as`` of one name does), or
        :data:`~hydroml_jupyter.store.generations.ANY` to replace whatever is stored
        once. A conflict held for ``name`` (of the session this one replaces) is
        dropped.
        """
        with self._cv:
            current = self._bases.get(name)
            if base is None and current is not None:
                base = current[1]
            self._epoch += 1
            self._bases[name] = (self._epoch, base)
            held = self._failures.get(name)
            if held is not None and conflict(held[1]):
                del self._failures[name]
            self._cv.notify_all()

    def take_over(self, name: str) -> bool:
        """Replace whatever the store holds for ``name`` with this writer's newest record.

        The newest record held back by a conflict is saved again, over any
        generation; from then on saves of ``name`` are checked again.

        Returns
        -------
        bool
            True if a record held back by a conflict was queued again.
        """
        with self._cv:
            self._epoch += 1
            self._bases[name] = (self._epoch, ANY)
            held = self._failures.get(name)
            if held is None or not conflict(held[1]):
                return False
            del self._failures[name]
            if name not in self._pending and not self._closing:
                self._pending[name] = held[0]
                self._start()
            self._cv.notify_all()
            return True

    def flush(self, timeout: float | None = None, name: str | None = None) -> bool:
        """Wait until everything submitted so far is saved; retry at once if offline.

        Parameters
        ----------
        timeout
            Seconds to wait (None: no limit).
        name
            Wait for this session's records only (default: every session's).

        Returns
        -------
        bool
            True if every record submitted before the call is saved (or superseded by
            a newer record of the same session that is saved); False on timeout, or
            when one of them failed for good (see :attr:`last_error`).
        """

        def concerned(slot: Slot) -> bool:
            return name is None or slot.record.name == name

        with self._cv:
            target = self._seq
            if self._pending or self._busy is not None:
                self._kick = True  # skip the settling wait and any backoff
                self._cv.notify_all()

            def done() -> bool:
                slots = [*self._pending.values(), *([self._busy] if self._busy else [])]
                return all(slot.first > target for slot in slots if concerned(slot))

            if not self._cv.wait_for(done, timeout):
                return False
            return not any(
                slot.last <= target and concerned(slot) for slot, _ in self._failures.values()
            )

    def retry(self, name: str) -> bool:
        """Submit the record whose save failed for session ``name`` again.

        Returns
        -------
        bool
            True if there was a failed record to retry (a newer pending record of the
            session makes the retry needless: False then; a conflict is never retried).
        """
        with self._cv:
            failed = self._failures.get(name)
            if failed is None or conflict(failed[1]) or self._closing or name in self._pending:
                return False  # (a conflict is not retried: see take_over)
            if self._busy is not None and self._busy.record.name == name:
                return False
            self._pending[name] = failed[0]
            self._start()
            self._cv.notify_all()
            return True

    def discard(self, name: str, timeout: float | None = 10.0) -> bool:
        """Forget what is pending, failed or tracked for ``name``; wait out a save of it.

        Returns
        -------
        bool
            False if a save of ``name`` was still running after ``timeout`` seconds.
        """
        with self._cv:
            self._pending.pop(name, None)
            self._failures.pop(name, None)
            self._bases.pop(name, None)
            self._cv.notify_all()
            return self._cv.wait_for(
                lambda: self._busy is None or self._busy.record.name != name, timeout
            )

    def close(self, timeout: float | None = 10.0) -> bool:
        """Stop accepting records, save what is pending (up to ``timeout`` s), stop.

        Returns
        -------
        bool
            :meth:`flush`'s answer. Records still unsaved stay in :meth:`pending`.
        """
        ok = self.flush(timeout) if self._thread is not None else True
        with self._cv:
            self._closing = True
            self._cv.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        return ok
