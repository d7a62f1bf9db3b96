"""Save sessions in the background: coalesced, retried through outages, never lost."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hydroml_jupyter.store.base import SessionRecord, Store
from hydroml_jupyter.store.errors import (
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
)

__all__ = ["BackgroundWriter", "WriterEvent"]

log = logging.getLogger(__name__)

#: What ``on_event`` is told: the store went away, came back, or a save failed for good.
WriterEvent = Literal["unavailable", "restored", "failed"]


@dataclass
class _Slot:
    record: SessionRecord
    first: int  # sequence number of the oldest submission this slot stands for
    last: int  # sequence number of ``record``


def _warn(message: str, category: type[Warning]) -> None:
    # warn_explicit with a fresh registry: the "default" filter would otherwise show
    # the same text only once per process, hiding a second outage
    warnings.warn_explicit(message, category, __file__, 0, module=__name__, registry={})


class BackgroundWriter:
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
    on the next ``submit``.

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
        self._pending: dict[str, _Slot] = {}
        self._busy: _Slot | None = None
        self._failures: dict[str, tuple[_Slot, StoreError]] = {}
        self._seq = 0
        self._outage: StoreUnavailable | None = None
        self._kick = False
        self._last_submit = 0.0
        self._closing = False
        self._thread: threading.Thread | None = None

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
        """Return the records not saved yet (newest per name), e.g. to save them elsewhere."""
        with self._cv:
            slots = ([self._busy] if self._busy else []) + list(self._pending.values())
            return [slot.record for slot in slots]

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
            self._last_submit = time.monotonic()
            slot = self._pending.get(record.name)
            if slot is None:
                self._pending[record.name] = _Slot(record, self._seq, self._seq)
            else:
                slot.record, slot.last = record, self._seq
            self._start()
            self._cv.notify_all()

    def _start(self) -> None:
        """Start the thread if it is not running (the caller holds the lock)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="hydroml-store-writer", daemon=True
            )
            self._thread.start()

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

        def concerned(slot: _Slot) -> bool:
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
            session makes the retry needless: False then).
        """
        with self._cv:
            failed = self._failures.get(name)
            if failed is None or self._closing or name in self._pending:
                return False
            if self._busy is not None and self._busy.record.name == name:
                return False
            self._pending[name] = failed[0]
            self._start()
            self._cv.notify_all()
            return True

    def discard(self, name: str, timeout: float | None = 10.0) -> bool:
        """Forget what is pending or failed for session ``name``; wait out a save of it.

        Returns
        -------
        bool
            False if a save of ``name`` was still running after ``timeout`` seconds.
        """
        with self._cv:
            self._pending.pop(name, None)
            self._failures.pop(name, None)
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

    # -- the thread ------------------------------------------------------------------
    def _notify(self, event: WriterEvent, error: StoreError | None) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event, error)
            except Exception:  # a broken callback must not stop the writer
                log.exception("hydroml store writer: on_event callback failed")

    def _settle(self) -> None:
        """Wait for submissions to pause (the caller holds the lock); flush or close stop it."""
        cap = time.monotonic() + 10 * self.debounce
        while not (self._kick or self._closing):
            left = min(self._last_submit + self.debounce, cap) - time.monotonic()
            if left <= 0:
                return
            self._cv.wait(left)

    def _run(self) -> None:
        delay = self.min_backoff
        while True:
            with self._cv:
                if not self._pending and self._busy is None:
                    self._kick = False  # every flush so far is answered
                if not self._cv.wait_for(lambda: self._pending or self._closing, self.idle_exit):
                    self._thread = None  # idle: stop; the next submit starts another
                    return
                if self._closing:
                    return
                if self._outage is None:
                    self._settle()
                if not self._pending:  # discarded while settling
                    continue
                name = next(iter(self._pending))
                slot = self._busy = self._pending.pop(name)
            try:
                self.store.save(slot.record)
            except StoreUnavailable as exc:
                with self._cv:
                    self._busy = None
                    newer = self._pending.get(name)
                    if newer is None:
                        self._pending[name] = slot
                    else:  # the newer record stands for this one too
                        newer.first = min(newer.first, slot.first)
                    first = self._outage is None
                    self._outage = exc
                    self._kick = False
                    self._cv.notify_all()
                if first:
                    text = f"{exc}; keeping the latest state of each session in memory, retrying"
                    log.warning("%s", text)
                    _warn(text, StoreOutageWarning)
                    self._notify("unavailable", exc)
                with self._cv:
                    self._cv.wait_for(lambda: self._kick or self._closing, timeout=delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            except Exception as exc:
                error = (
                    exc
                    if isinstance(exc, StoreError)
                    else StoreError(f"session {name!r}: saving failed: {exc!r}", session=name)
                )
                with self._cv:
                    first = name not in self._failures
                # told before flush() returns, so the warning lands in the waiting cell
                log.error("hydroml store writer: %s", error)
                if first:  # once until a save of this session succeeds again
                    _warn(
                        f"{error}. The session in memory is unchanged and the store keeps "
                        "its last saved state; the session's flush() tries again.",
                        StoreWarning,
                    )
                self._notify("failed", error)
                with self._cv:
                    self._busy = None
                    self.last_error = error
                    self._failures[name] = (slot, error)
                    self._cv.notify_all()
                continue
            with self._cv:
                self._busy = None
                self.saved += 1
                self._failures.pop(name, None)
                restored, self._outage = self._outage is not None, None
                self._cv.notify_all()
            delay = self.min_backoff
            if restored:
                log.info("hydroml store writer: %s is reachable again", self.store.uri)
                self._notify("restored", None)
