"""Callbacks told of changes: subscribe, unsubscribe, notify, thread-safe.

Sessions tell widgets and the store of every change; run handles tell their panels of
every event. Both keep their callbacks in a :class:`Listeners`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, ParamSpec

__all__ = ["Listeners"]

P = ParamSpec("P")

log = logging.getLogger("hydroml_jupyter")


class Listeners(Generic[P]):
    """A list of callbacks that are called in order, each failure logged and not raised.

    Examples
    --------
    >>> seen = []
    >>> listeners = Listeners[[int]]()
    >>> unsubscribe = listeners.add(seen.append)
    >>> listeners.notify(1)
    >>> unsubscribe(); unsubscribe()
    >>> listeners.notify(2)
    >>> seen
    [1]
    """

    def __init__(self, what: str = "a listener") -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Callable[P, object]] = []
        self._what = what

    def add(self, callback: Callable[P, object]) -> Callable[[], None]:
        """Add ``callback``; return a function that removes it (calling it twice is harmless)."""
        with self._lock:
            self._callbacks.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every callback (outside the lock, so a callback may add or remove others)."""
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(*args, **kwargs)
            except Exception:
                log.exception("%s failed", self._what)

    def clear(self) -> None:
        """Remove every callback."""
        with self._lock:
            self._callbacks.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._callbacks)

    def __getitem__(self, index: int) -> Callable[P, object]:
        with self._lock:
            return self._callbacks[index]
