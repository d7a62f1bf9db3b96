"""The background writer's thread: pick the next record, save it, handle what went wrong.

:class:`WriterLoop` is the thread half of
:class:`~hydroml_jupyter.store.BackgroundWriter`, which holds the state it works on
(under ``_cv``) and the public interface.
"""

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
    StoreConflictError,
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
)
from hydroml_jupyter.store.generations import Base
from hydroml_jupyter.store.manifest import new_generation

__all__ = ["Slot", "WriterEvent", "WriterLoop", "conflict"]

log = logging.getLogger("hydroml_jupyter.store.writer")

#: What ``on_event`` is told: the store went away, came back, or a save failed for good.
WriterEvent = Literal["unavailable", "restored", "failed"]


@dataclass
class Slot:
    """The newest record of one session waiting to be saved."""

    record: SessionRecord
    first: int  # sequence number of the oldest submission this slot stands for
    last: int  # sequence number of ``record``


def conflict(error: StoreError) -> bool:
    """Return True if ``error`` is a conflict (another writer saved the session)."""
    return isinstance(error, StoreConflictError)


def _warn(message: str, category: type[Warning]) -> None:
    # warn_explicit with a fresh registry: the "default" filter would otherwise show
    # the same text only once per process, hiding a second outage
    warnings.warn_explicit(message, category, __file__, 0, module=log.name, registry={})


class WriterLoop:
    """The writer thread's loop and its handling of outages, failures and conflicts."""

    store: Store
    on_event: Callable[[WriterEvent, StoreError | None], None] | None
    min_backoff: float
    max_backoff: float
    debounce: float
    idle_exit: float
    last_error: StoreError | None
    saved: int
    _cv: threading.Condition
    _pending: dict[str, Slot]
    _busy: Slot | None
    _failures: dict[str, tuple[Slot, StoreError]]
    _outage: StoreUnavailable | None
    _kick: bool
    _last_submit: float
    _closing: bool
    _thread: threading.Thread | None
    _bases: dict[str, tuple[int, Base]]

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

    def _next(self) -> tuple[str, Slot, tuple[int, Base] | None] | None:
        """Wait for the next record to save; None when the thread should stop."""
        with self._cv:
            while True:
                if not self._pending and self._busy is None:
                    self._kick = False  # every flush so far is answered
                if not self._cv.wait_for(lambda: self._pending or self._closing, self.idle_exit):
                    self._thread = None  # idle: stop; the next submit starts another
                    return None
                if self._closing:
                    return None
                if self._outage is None:
                    self._settle()
                if self._pending:  # (else discarded while settling)
                    name = next(iter(self._pending))
                    slot = self._busy = self._pending.pop(name)
                    return name, slot, self._bases.get(name)

    def _run(self) -> None:
        delay = self.min_backoff
        while (picked := self._next()) is not None:
            name, slot, tracked = picked
            record = slot.record
            if tracked is not None:  # saved over the tracked base, under a known generation
                record = record.stamped(tracked[1], new_generation())
            try:
                self.store.save(record)
            except StoreConflictError as exc:
                self._conflicted(name, slot, exc, tracked[0] if tracked else None)
                continue
            except StoreUnavailable as exc:
                self._unavailable(name, slot, exc)
                with self._cv:
                    self._cv.wait_for(lambda: self._kick or self._closing, timeout=delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            except Exception as exc:
                self._failed(name, slot, exc)
                continue
            delay = self.min_backoff
            self._saved(name, record, tracked)

    def _saved(self, name: str, record: SessionRecord, tracked: tuple[int, Base] | None) -> None:
        with self._cv:
            self._busy = None
            self.saved += 1
            self._failures.pop(name, None)
            if tracked is not None and self._bases.get(name, (None,))[0] == tracked[0]:
                self._bases[name] = (tracked[0], record.generation)
            restored, self._outage = self._outage is not None, None
            self._cv.notify_all()
        if restored:
            log.info("hydroml store writer: %s is reachable again", self.store.uri)
            self._notify("restored", None)

    def _unavailable(self, name: str, slot: Slot, exc: StoreUnavailable) -> None:
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

    def _failed(self, name: str, slot: Slot, exc: Exception) -> None:
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

    def _conflicted(
        self, name: str, slot: Slot, error: StoreConflictError, epoch: int | None
    ) -> None:
        """Hold the session's newest record back after a conflict (or requeue a stale one)."""
        with self._cv:
            current = self._bases.get(name)
            if epoch is not None and (current is None or current[0] != epoch):
                # discarded, or tracked anew (take_over, or a session that replaced this
                # one) while saving: drop it, or save it over the new base instead
                self._busy = None
                newer = self._pending.get(name)
                if newer is not None:
                    newer.first = min(newer.first, slot.first)
                elif current is not None:
                    self._pending[name] = slot
                self._cv.notify_all()
                return
        # told before flush() returns, so the warning lands in the waiting cell
        log.error("hydroml store writer: %s", error)
        _warn(f"{error}. Until then the session's changes are kept in memory only", StoreWarning)
        self._notify("failed", error)
        with self._cv:
            self._busy = None
            newer = self._pending.pop(name, None)
            if newer is not None:  # submitted during the save: it stands for this one too
                newer.first = min(newer.first, slot.first)
                slot = newer
            self._failures[name] = (slot, error)
            self.last_error = error
            self._cv.notify_all()
