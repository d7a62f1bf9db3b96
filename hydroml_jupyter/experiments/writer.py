"""The worker side of a run: :class:`RunWriter`, the one way a run's state changes.

A run's handle (:class:`~hydroml_jupyter.experiments.RunHandle`) is read from any
thread; only its worker writes it, through the writer that
:meth:`RunHandle.start <hydroml_jupyter.experiments.RunHandle.start>` hands the
worker. Handle and writer share one :class:`RunRecord`, guarded by its lock.

Once the run has ended (:meth:`RunWriter.finish`), the writer records nothing more:
a fit abandoned on cancel that still reports is ignored.

Examples
--------
>>> from hydroml_jupyter.experiments import TrainingRun
>>> run = TrainingRun("by hand", "ridge", "regression", "y")
>>> def work(writer: RunWriter) -> None:
...     writer.begin()
...     writer.log("fitting")
...     _ = writer.add_step({"step": 1, "val_rmse": 0.5})
...     writer.set_metrics({"rmse": 0.5})
...     writer.finish("completed", result="the model")
>>> run.start(work)
>>> run.wait(10), run.metrics, run.history, run.logs, run.result()
('completed', {'rmse': 0.5}, [{'step': 1, 'val_rmse': 0.5}], ['fitting'], 'the model')
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from hydroml_jupyter.experiments.errors import one_line
from hydroml_jupyter.listeners import Listeners

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle

__all__ = ["Event", "RunCancelledError", "RunRecord", "RunWriter"]

log = logging.getLogger("hydroml_jupyter.experiments")
Event = dict[str, Any]


class RunCancelledError(Exception):
    """Raised inside a worker when its run was cancelled (never reaches the user)."""


@dataclasses.dataclass(eq=False)
class RunRecord:
    """The changing state of one run, shared by its handle (reads) and its writer (writes).

    Lists and dicts are read and changed under ``lock``; ``done`` is set once the run
    has ended, ``cancel`` once it was asked to stop; ``closed`` turns True as it ends,
    and from then on nothing more is recorded.
    """

    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)
    status: str = "pending"
    progress: float = 0.0
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    history: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    logs: list[str] = dataclasses.field(default_factory=list)
    listeners: Listeners[[Event]] = dataclasses.field(
        default_factory=lambda: Listeners("a run listener")
    )
    error: str | None = None
    exception: BaseException | None = None
    result: Any = None
    started: float | None = None
    ended: float | None = None
    closed: bool = False


class RunWriter:
    """What a run's worker records: its start, log lines, progress, steps, metrics and end.

    Every change is also sent to the handle's subscribers as an event (see
    :mod:`hydroml_jupyter.experiments.handle`), on the calling thread.

    Parameters
    ----------
    handle
        The run written: the worker also sets its public attributes (``task``,
        ``run_id``, ``model_uri``, ``holdout``...).
    record
        The handle's state.
    """

    def __init__(self, handle: RunHandle, record: RunRecord) -> None:
        self.handle = handle
        self._rec = record

    # -- the run's life ------------------------------------------------------------------
    def begin(self) -> None:
        """Mark the run ``running`` (its duration counts from now)."""
        self._rec.started = time.monotonic()
        self._set_status("running")

    def check_cancel(self) -> None:
        """Raise :class:`RunCancelledError` if the run was asked to stop."""
        if self._rec.cancel.is_set():
            raise RunCancelledError

    def finish(
        self, status: str, *, error: BaseException | None = None, result: Any = None
    ) -> None:
        """End the run with ``status``; ``error`` (its one line is logged) or ``result``.

        Waiters wake up; nothing more is recorded after this.
        """
        rec = self._rec
        rec.ended = time.monotonic()
        if error is not None:
            rec.error = one_line(error)
            rec.exception = error
            self.log(f"failed: {rec.error}")
        rec.result = result
        if status == "completed":
            self.progress(1.0)
        with rec.lock:
            rec.closed = True
        self._set_status(status)
        rec.done.set()

    # -- what happens meanwhile ----------------------------------------------------------
    def log(self, line: str) -> None:
        """Add a line to the run's log."""
        with self._rec.lock:
            if self._rec.closed:
                return
            self._rec.logs.append(line)
        log.info("%s: %s", self.handle.name, line)
        self._emit("log", line=line)

    def progress(self, value: float) -> None:
        """Set the fraction done (clipped to [0, 1]; announced at most once per 1% step)."""
        value = min(1.0, max(0.0, float(value)))
        rec = self._rec
        if rec.closed:
            return
        if value >= 1.0 or int(value * 100) > int(rec.progress * 100):
            rec.progress = value
            self._emit("progress", progress=value)

    def add_step(self, entry: dict[str, Any]) -> bool:
        """Record one step of the history; return False (recording nothing) once ended."""
        with self._rec.lock:
            if self._rec.closed:
                return False
            self._rec.history.append(dict(entry))
        self._emit("metric", entry=dict(entry))
        return True

    def set_metrics(self, metrics: dict[str, float]) -> None:
        """Set the run's final metrics."""
        with self._rec.lock:
            self._rec.metrics = dict(metrics)

    # -- events --------------------------------------------------------------------------
    def _set_status(self, status: str) -> None:
        self._rec.status = status
        self._emit("status", status=status)

    def _emit(self, kind: str, **data: Any) -> None:
        event = {"kind": kind, "run": self.handle.name, "time": time.time(), **data}
        self._rec.listeners.notify(event)
