"""Save sessions in the background: coalesced, retried through outages, never lost."""

from __future__ import annotations

import logging
import threading
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
    cannot be stored, a full disk) are not retried: they are kept in ``last_error``,
    passed to ``on_event`` and issued as a :class:`StoreWarning`.

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
    ) -> None:
        self.store = store
        self.on_event = on_event
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        #: The latest error that was not a store outage (None if none yet).
        self.last_error: StoreError | None = None
        #: Records saved so far.
        self.saved = 0
        self._cv = threading.Condition()
        self._pending: dict[str, _Slot] = {}
        self._busy: _Slot | None = None
        self._failures: dict[str, tuple[int, StoreError]] = {}
        self._seq = 0
        self._outage: StoreUnavailable | None = None
        self._kick = False
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
            slot = self._pending.get(record.name)
            if slot is None:
                self._pending[record.name] = _Slot(record, self._seq, self._seq)
            else:
                slot.record, slot.last = record, self._seq
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hydroml-store-writer", daemon=True
                )
                self._thread.start()
            self._cv.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is saved; retry at once if offline.

        Returns
        -------
        bool
            True if every record submitted before the call is saved (or superseded by
            a newer record of the same session that is saved); False on timeout, or
            when one of them failed for good (see :attr:`last_error`).
        """
        with self._cv:
            target = self._seq
            self._kick = True
            self._cv.notify_all()

            def done() -> bool:
                slots = [*self._pending.values(), *([self._busy] if self._busy else [])]
                return all(slot.first > target for slot in slots)

            if not self._cv.wait_for(done, timeout):
                return False
            return not any(seq <= target for seq, _ in self._failures.values())

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

    def _run(self) -> None:
        delay = self.min_backoff
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._pending or self._closing)
                if self._closing or not self._pending:
                    return
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
                    self._busy = None
                    self.last_error = error
                    self._failures[name] = (slot.last, error)
                    self._cv.notify_all()
                log.error("hydroml store writer: %s", error)
                _warn(str(error), StoreWarning)
                self._notify("failed", error)
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
