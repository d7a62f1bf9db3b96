"""Run a fit that may not stop by itself, and give up on it at once when asked to stop.

Boosting rounds and forest chunks check for a cancel themselves; a single
scikit-learn ``fit`` (SVM, k-NN, linear models) or a prediction cannot be
interrupted. :func:`abandonable` runs such work on a thread of its own while the
caller polls ``should_stop``: when it asks to stop, the caller raises
:class:`~hydroml_jupyter.experiments.fitting.EarlyStopError` at once and the
thread is *abandoned*. It keeps its CPU until its ``fit`` returns, then its
result is dropped. Python cannot stop a thread, and a ``fit`` that holds the
GIL (SciPy's least squares does) would stall the poll too, which is why the
``linear`` model solves with NumPy (see
:func:`~hydroml_jupyter.experiments.estimators.fit_linear`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from hydroml_jupyter.experiments.fitting import EarlyStopError

__all__ = ["POLL_SECONDS", "abandonable"]

T = TypeVar("T")
#: How often the caller checks ``should_stop`` while the work runs.
POLL_SECONDS = 0.05


def abandonable(
    work: Callable[[], T],
    should_stop: Callable[[], str | None],
    *,
    on_thread: Callable[[threading.Thread], None] | None = None,
    poll: float = POLL_SECONDS,
) -> T:
    """Run ``work()`` on a daemon thread and return its result, unless told to stop first.

    Parameters
    ----------
    work
        The work; what it raises is raised here.
    should_stop
        Returns ``None`` to keep waiting, or the reason to give up (e.g. ``"cancel"``).
    on_thread
        Called with the thread once it is started (tests and benchmarks watch it).
    poll
        Seconds between two calls of ``should_stop``.

    Raises
    ------
    EarlyStopError
        As soon as ``should_stop`` gives a reason; the thread is left to finish alone
        and whatever it returns or raises is dropped.
    """
    reason = should_stop()
    if reason:
        raise EarlyStopError(reason)
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=target, name="hydroml-fit", daemon=True)
    thread.start()
    if on_thread is not None:
        on_thread(thread)
    while not done.wait(poll):
        reason = should_stop()
        if reason:
            raise EarlyStopError(reason)
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value
