"""Save what is pending when the interpreter exits: a script's end, a kernel's shutdown.

Background writers save on daemon threads, which die with the interpreter: without
this, the last changes of a script, or of a kernel shut down or restarted right after
a cell, would be lost. The first writer that starts a thread registers
:func:`flush_at_exit` with :mod:`atexit` (once per process; a normal kernel shutdown or
restart runs it too). At exit it waits for every writer, at most :func:`exit_timeout`
seconds in all, and writes one line on stderr naming the sessions it could not save
and why.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import sys
import threading
import time
import weakref
from typing import TYPE_CHECKING, TextIO

from hydroml_jupyter.store.errors import StoreError

if TYPE_CHECKING:
    from hydroml_jupyter.store.writer import BackgroundWriter

__all__ = ["DEFAULT_EXIT_TIMEOUT", "EXIT_TIMEOUT_ENV", "exit_timeout", "flush_at_exit", "register"]

#: Environment variable: seconds the exit may wait for pending saves, in all.
EXIT_TIMEOUT_ENV = "HYDROML_STORE_EXIT_TIMEOUT"
#: Seconds the exit waits for pending saves when the variable is not set.
DEFAULT_EXIT_TIMEOUT = 10.0

_lock = threading.Lock()
_writers: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()
_state = {"registered": False}


def register(writer: BackgroundWriter) -> None:
    """Have ``writer`` flushed at exit (registers the :mod:`atexit` hook the first time)."""
    with _lock:
        _writers.add(writer)
        if not _state["registered"]:
            atexit.register(flush_at_exit)
            _state["registered"] = True


def exit_timeout() -> float:
    """Return the seconds to wait at exit: ``$HYDROML_STORE_EXIT_TIMEOUT``, else 10.

    Examples
    --------
    >>> import os
    >>> os.environ["HYDROML_STORE_EXIT_TIMEOUT"] = "2.5"
    >>> exit_timeout()
    2.5
    >>> del os.environ["HYDROML_STORE_EXIT_TIMEOUT"]
    """
    text = os.environ.get(EXIT_TIMEOUT_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_EXIT_TIMEOUT
    except ValueError:
        return DEFAULT_EXIT_TIMEOUT
    return max(0.0, value) if math.isfinite(value) else DEFAULT_EXIT_TIMEOUT


def _why(error: StoreError | None) -> str:
    return "still saving" if error is None else str(error)


def flush_at_exit(timeout: float | None = None, stream: TextIO | None = None) -> bool:
    """Wait until every writer has saved what is pending, within ``timeout`` seconds in all.

    Saves that failed for good (a full disk; warned about when they failed) are not
    tried again, nor are sessions held back by a conflict (nothing is overwritten):
    the warning names them. Writers to a memory store are skipped.

    Parameters
    ----------
    timeout
        Seconds for all writers together (None: :func:`exit_timeout`).
    stream
        Where the one-line warning goes (default: the process's stderr).

    Returns
    -------
    bool
        True if nothing is left unsaved; else the warning was written.
    """
    from hydroml_jupyter.store.memory import MemoryStore

    deadline = time.monotonic() + (exit_timeout() if timeout is None else timeout)
    with _lock:  # (a memory store ends with the process: nothing to wait for)
        writers = [w for w in _writers if not isinstance(w.store, MemoryStore)]
    for writer in writers:
        writer.flush(max(0.0, deadline - time.monotonic()))
    left = [
        f"{name!r} ({_why(error)})"
        for writer in writers
        for name, error in writer.unsaved().items()
    ]
    if not left:
        return True
    waited = exit_timeout() if timeout is None else timeout
    out = stream or sys.__stderr__ or sys.stderr
    count = f"{len(left)} session{'s' if len(left) > 1 else ''}"
    with contextlib.suppress(OSError, ValueError):  # (stderr closed already)
        print(
            f"hydroml: {count} not saved at exit (waited up to {waited:g} s): {'; '.join(left)}",
            file=out,
            flush=True,
        )
    return False
