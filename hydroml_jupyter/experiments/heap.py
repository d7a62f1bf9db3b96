"""Keep the cyclic garbage collector off the kernel's existing objects while runs work.

A full (generation 2) collection walks every container object in the process and
holds the GIL throughout: in a kernel that has imported MLflow, scikit-learn and
xgboost (about 440,000 objects) one takes 200-600 ms on a shared 2-core machine.
A run allocates enough (per-round metrics through SQLAlchemy, the model file) to
set one off near its end, and the kernel answers nothing meanwhile.

:func:`frozen_heap` moves the objects that exist when the first run starts into
the collector's permanent generation (:func:`gc.freeze`), so collections during
runs only walk what the runs and the user create since; when the last run ends
they go back to the oldest generation (:func:`gc.unfreeze`) and are collected as
before. Nothing is collected less: garbage among them waits for the next full
collection after the runs, and everything created meanwhile is collected as usual.
A heap someone else froze is left as it is.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["frozen_heap"]

_lock = threading.Lock()
#: How many runs are inside :func:`frozen_heap`, and whether it froze the heap itself.
_state = {"runs": 0, "ours": False}


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the heap for the time of a run (nested and concurrent runs share one freeze).

    Examples
    --------
    >>> import gc
    >>> with frozen_heap():
    ...     gc.get_freeze_count() > 0
    True
    >>> gc.get_freeze_count()
    0
    """
    with _lock:
        if _state["runs"] == 0:
            _state["ours"] = gc.get_freeze_count() == 0
            if _state["ours"]:
                gc.freeze()
        _state["runs"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["runs"] -= 1
            if _state["runs"] == 0 and _state["ours"]:
                gc.unfreeze()
                _state["ours"] = False
