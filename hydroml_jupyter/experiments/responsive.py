"""Keep the kernel answering while runs work: the GIL handed over sooner, no long collections.

Two process-wide settings hold while at least one run works (:func:`responsive_kernel`):

- **Switch interval.** A thread that holds the GIL is asked to drop it after
  :func:`sys.getswitchinterval` (5 ms by default) when another thread waits. One
  kernel reply passes through several threads (ZeroMQ's, the shell's, the event
  loop's), each waiting up to an interval while a run's worker runs Python (pandas,
  scikit-learn preprocessing): with 200,000 rows, `1+1` took up to 120-160 ms at
  a run's start. At :data:`SWITCH_INTERVAL` (1 ms) the worst reply was 46-67 ms.
- **Frozen heap.** A full (generation 2) collection walks every container object
  and holds the GIL throughout: in a kernel that imported MLflow, scikit-learn and
  xgboost (about 440,000 objects) one took 200-600 ms, set off by a run's own
  allocations near its end. The objects that exist when the first run starts are
  moved to the collector's permanent generation (:func:`gc.freeze`), so collections
  meanwhile walk only what was created since; when the last run ends they go back
  to the oldest generation (:func:`gc.unfreeze`) and are collected as before.
  Garbage among them waits for the next full collection; nothing is collected less.

A setting someone else changed (a heap already frozen, a switch interval set while
runs worked) is left as they set it.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["SWITCH_INTERVAL", "responsive_kernel"]

#: The switch interval, in seconds, while runs work (when the process's own is longer).
SWITCH_INTERVAL = 0.001

_lock = threading.Lock()
#: How many runs are inside :func:`responsive_kernel`, and what it changed.
_state: dict[str, Any] = {"runs": 0, "froze": False, "interval": None}


@contextlib.contextmanager
def responsive_kernel() -> Iterator[None]:
    """Hold both settings for the time of a run (nested and concurrent runs share them).

    Examples
    --------
    >>> import gc, sys
    >>> with responsive_kernel():
    ...     gc.get_freeze_count() > 0, sys.getswitchinterval() <= SWITCH_INTERVAL
    (True, True)
    >>> gc.get_freeze_count(), sys.getswitchinterval()
    (0, 0.005)
    """
    with _lock:
        if _state["runs"] == 0:
            _state["froze"] = gc.get_freeze_count() == 0
            if _state["froze"]:
                gc.freeze()
            before = sys.getswitchinterval()
            _state["interval"] = before if before > SWITCH_INTERVAL else None
            if _state["interval"] is not None:
                sys.setswitchinterval(SWITCH_INTERVAL)
        _state["runs"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["runs"] -= 1
            if _state["runs"] == 0:
                if _state["froze"]:
                    gc.unfreeze()
                    _state["froze"] = False
                # restored unless someone set their own meanwhile
                if _state["interval"] is not None and sys.getswitchinterval() == SWITCH_INTERVAL:
                    sys.setswitchinterval(_state["interval"])
                _state["interval"] = None
