"""Coalesce many update requests into at most one flush per interval, on the kernel's loop.

A training run emits an event per boosting round: thousands a second for small models. The
panel pokes a :class:`Throttle` for each; the throttle runs the panel's flush on the kernel's
event loop (through a :class:`~hydroml_jupyter.widgets.dispatch.Dispatcher`) at most once per
``interval`` seconds. A poke that arrives while a flush is pending is merged into it, and a
poke after a flush has started schedules another, so the last state is always delivered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hydroml_jupyter.widgets.dispatch import Dispatcher

__all__ = ["Throttle"]

log = logging.getLogger("hydroml_jupyter")


class Throttle:
    """Run ``flush`` on the dispatcher's loop, at most once per ``interval`` seconds.

    Parameters
    ----------
    dispatch
        Where flushes run: the kernel's loop, or (without a loop) a timer thread.
    flush
        The function to run; it reads the latest state itself.
    interval
        The least time between the starts of two flushes, in seconds.

    Examples
    --------
    >>> calls = []
    >>> throttle = Throttle(Dispatcher(None), lambda: calls.append(1), interval=0.0)
    >>> throttle.poke(); throttle.poke()
    >>> len(calls)
    2
    """

    def __init__(self, dispatch: Dispatcher, flush: Callable[[], None], interval: float) -> None:
        self.dispatch = dispatch
        self.flush = flush
        self.interval = max(0.0, float(interval))
        self.flushes = 0
        self._lock = threading.Lock()
        self._scheduled = False
        self._stopped = False
        self._last = -float("inf")

    def poke(self) -> None:
        """Ask for a flush, from any thread; it runs within ``interval`` seconds."""
        with self._lock:
            if self._scheduled or self._stopped:
                return
            self._scheduled = True
            delay = max(0.0, self._last + self.interval - time.monotonic())
        if delay <= 0:
            self.dispatch(self._run)
        elif self.dispatch.loop is not None:
            self.dispatch(self._later, delay)
        else:
            timer = threading.Timer(delay, self._run)
            timer.daemon = True
            timer.start()

    def stop(self) -> None:
        """Run no more flushes (a scheduled one is dropped)."""
        with self._lock:
            self._stopped = True

    def _later(self, delay: float) -> None:
        loop = self.dispatch.loop
        assert loop is not None  # only scheduled when there is a loop, and run on it
        loop.call_later(delay, self._run)

    def _run(self) -> None:
        with self._lock:
            self._scheduled = False
            if self._stopped:
                return
            self._last = time.monotonic()
            self.flushes += 1
        try:
            self.flush()
        except Exception:
            log.exception("a panel update failed")
