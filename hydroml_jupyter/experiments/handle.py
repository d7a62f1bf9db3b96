"""Handles on runs that train in a background thread: status, progress, metrics, cancel.

Threading contract
------------------
A handle is written by its worker threads and read from any thread; every
property returns a copy taken under a lock. Callbacks given to
:meth:`RunHandle.subscribe` are called **on a thread of the run** (its worker,
or the thread that fits the model), never the caller's, synchronously, with one
event dict each:

- ``{"kind": "status", "status": "running"}``
- ``{"kind": "progress", "progress": 0.42}`` (at most once per 1% step)
- ``{"kind": "metric", "entry": {...}}`` (one entry of :attr:`RunHandle.history`)
- ``{"kind": "log", "line": "dropped 3 rows with a missing target"}``

Every event also carries ``"run"`` (the handle's ``name``) and ``"time"``. A
widget must hand events to its own event loop (e.g. ``loop.call_soon_threadsafe``);
a callback that raises is logged and ignored, and never stops the run. Once a
run has ended, nothing more is recorded on its handle (a fit abandoned on cancel
that still reports is ignored).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from hydroml_jupyter.experiments import active
from hydroml_jupyter.experiments.display import RunDisplay
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.evaluation import Holdout

__all__ = ["STATUSES", "RunCancelledError", "RunHandle", "TrainingRun", "TuningRun"]

log = logging.getLogger("hydroml_jupyter.experiments")
STATUSES = ("pending", "running", "completed", "failed", "cancelled")
Event = dict[str, Any]


class RunCancelledError(Exception):
    """Raised inside a worker when its run was cancelled (never reaches the user)."""


class RunHandle(RunDisplay):
    """The common protocol of :class:`TrainingRun` and :class:`TuningRun`.

    Parameters
    ----------
    name
        A short label, e.g. ``"xgboost on 'churned'"``.
    model, task, target
        What is trained (``task`` may be ``"auto"`` until the worker infers it).
    """

    kind = "run"

    def __init__(self, name: str, model: str, task: str, target: str) -> None:
        self.name = name
        self.model = model
        self.task = task
        self.target = target
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._cancel = threading.Event()
        self._status = "pending"
        self._progress = 0.0
        self._metrics: dict[str, float] = {}
        self._history: list[dict[str, Any]] = []
        self._logs: list[str] = []
        self._listeners: list[Callable[[Event], None]] = []
        self._error: str | None = None
        self._exception: BaseException | None = None
        self._result: Any = None
        self._started: float | None = None
        self._ended: float | None = None
        self._closed = False
        #: Why the run was stopped (``"cancelled"``, or that the process exited), once it was.
        self.end_reason: str | None = None
        #: The thread that fits the model (it outlives a cancel when the fit cannot stop).
        self.fit_thread: threading.Thread | None = None
        self.run_id: str | None = None
        self.model_uri: str | None = None
        self.experiment_id: str | None = None
        self.experiment: str | None = None
        self.tracking_uri: str | None = None
        self.thread: threading.Thread | None = None
        #: Steps the run plans (rounds, trees, folds or trials), when known, and their unit.
        self.total: int | None = None
        self.unit: str = ""
        self._panel: Any = None
        #: The MLflow run name, once the worker knows it.
        self.run_name: str | None = None
        #: This run's number in the process (``%hydroml cancel 3``).
        self.number = active.remember(self)
        self._view: Any = None
        #: The held-out targets and predictions the end-of-run charts draw, once fitted.
        self.holdout: Holdout | None = None

    # -- reading -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        """One of ``pending``, ``running``, ``completed``, ``failed``, ``cancelled``."""
        return self._status

    @property
    def done(self) -> bool:
        """Whether the run has ended (completed, failed or cancelled)."""
        return self._done.is_set()

    @property
    def progress(self) -> float:
        """Fraction done, from 0 to 1."""
        return self._progress

    @property
    def metrics(self) -> dict[str, float]:
        """The final metrics (empty until the run completes)."""
        with self._lock:
            return dict(self._metrics)

    @property
    def history(self) -> list[dict[str, Any]]:
        """Per-step metric dicts: boosting rounds, tree chunks, folds or trials."""
        with self._lock:
            return [dict(h) for h in self._history]

    @property
    def logs(self) -> list[str]:
        """The run's log lines, oldest first."""
        with self._lock:
            return list(self._logs)

    @property
    def error(self) -> str | None:
        """The one-line message of a failed run, else ``None``."""
        return self._error

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (to now while running); ``None`` before it starts."""
        if self._started is None:
            return None
        return (self._ended or time.monotonic()) - self._started

    @property
    def cancel_requested(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def snapshot(self, since: int = 0, logs: int = 5) -> dict[str, Any]:
        """Return a copy of the run's state, taken at once under the handle's lock.

        Parameters
        ----------
        since
            Return only the :attr:`history` entries from this index on (a reader that
            already has the first ``since`` entries asks for the new ones only).
        logs
            How many of the last log lines to include.

        Returns
        -------
        dict
            ``status``, ``progress``, ``metrics``, ``history`` (from ``since``), ``steps``
            (entries in the whole history), ``logs``, ``error``, ``duration``,
            ``cancel_requested``, the MLflow ``run_id``, ``experiment``, ``experiment_id``,
            ``tracking_uri``, ``model_uri``, and ``name``, ``kind``, ``model``, ``task``,
            ``target``, ``total``, ``unit``.
        """
        with self._lock:
            history = [dict(h) for h in self._history[max(0, since) :]]
            return {
                "name": self.name,
                "kind": self.kind,
                "model": self.model,
                "task": self.task,
                "target": self.target,
                "status": self._status,
                "progress": self._progress,
                "metrics": dict(self._metrics),
                "history": history,
                "steps": len(self._history),
                "logs": self._logs[-logs:] if logs > 0 else [],
                "error": self._error,
                "duration": self.duration,
                "cancel_requested": self._cancel.is_set(),
                "run_id": self.run_id,
                "experiment": self.experiment,
                "experiment_id": self.experiment_id,
                "tracking_uri": self.tracking_uri,
                "model_uri": self.model_uri,
                "total": self.total,
                "unit": self.unit,
            }

    # -- control -----------------------------------------------------------------------
    def cancel(self, reason: str = "cancelled") -> bool:
        """Stop the run within about a tenth of a second; return whether it was still running.

        The handle reports ``cancelled`` and its MLflow run ends ``KILLED`` (tag
        ``hydroml.end_reason``) at once, whatever the model:

        - ``xgboost`` and ``gradient_boosting`` stop after the current boosting round,
          ``random_forest`` after the current chunk of trees (chunks take about 0.3 s);
          a cross-validated run stops between folds, a tuning run between trials and
          inside the running trial the same way;
        - ``logistic_regression``, ``linear``, ``ridge``, ``svm`` and ``knn`` cannot be
          interrupted inside scikit-learn: their fit (or scoring) is *abandoned*. It
          keeps one core busy until it returns, then its result is dropped.

        A run that is already saving its fitted model finishes saving.

        Parameters
        ----------
        reason
            Kept as the run's ``hydroml.end_reason`` tag.
        """
        with self._lock:
            if self.end_reason is None and not self._closed:
                self.end_reason = reason
        self._cancel.set()
        return not self.done

    def wait(self, timeout: float | None = None) -> str:
        """Block until the run ends or ``timeout`` seconds pass; return :attr:`status`."""
        self._done.wait(timeout)
        return self._status

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the run and return its fitted pipeline.

        Raises
        ------
        ExperimentError
            When the run failed (the cause is chained), was cancelled, or is
            still running after ``timeout`` seconds.
        """
        if not self._done.wait(timeout):
            raise ExperimentError(f"{self.name} is still running after {timeout} s")
        if self._status == "cancelled":
            raise ExperimentError(f"{self.name} was cancelled")
        if self._status == "failed":
            raise ExperimentError(f"{self.name} failed: {self._error}") from self._exception
        return self._result

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` on the worker thread for every event; return an unsubscribe.

        See the module documentation for the event kinds.
        """
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    # -- worker side -------------------------------------------------------------------
    def _emit(self, kind: str, **data: Any) -> None:
        event = {"kind": kind, "run": self.name, "time": time.time(), **data}
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(event)
            except Exception:
                log.exception("a %s listener of %s failed", kind, self.name)

    def _log(self, line: str) -> None:
        with self._lock:
            if self._closed:
                return
            self._logs.append(line)
        log.info("%s: %s", self.name, line)
        self._emit("log", line=line)

    def _set_status(self, status: str) -> None:
        self._status = status
        self._emit("status", status=status)

    def _set_progress(self, value: float) -> None:
        value = min(1.0, max(0.0, float(value)))
        if self._closed:
            return
        if value >= 1.0 or int(value * 100) > int(self._progress * 100):
            self._progress = value
            self._emit("progress", progress=value)

    def _add_history(self, entry: dict[str, Any]) -> bool:
        """Record one step; return ``False`` (recording nothing) once the run has ended."""
        with self._lock:
            if self._closed:
                return False
            self._history.append(dict(entry))
        self._emit("metric", entry=dict(entry))
        return True

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise RunCancelledError

    def _start(self, target: Callable[[], None]) -> None:
        from hydroml_jupyter.experiments import lifecycle

        lifecycle.watch()
        self.thread = threading.Thread(target=target, name=f"hydroml-{self.kind}", daemon=True)
        self.thread.start()

    def _begin(self) -> None:
        self._started = time.monotonic()
        self._set_status("running")

    def _finish(
        self, status: str, *, error: BaseException | None = None, result: Any = None
    ) -> None:
        from hydroml_jupyter.experiments.errors import one_line

        self._ended = time.monotonic()
        if error is not None:
            self._error = one_line(error)
            self._exception = error
            self._log(f"failed: {self._error}")
        self._result = result
        if status == "completed":
            self._set_progress(1.0)
        with self._lock:
            self._closed = True
        self._set_status(status)
        self._done.set()

    def __repr__(self) -> str:
        pct = f" {self._progress:.0%}" if self._status == "running" else ""
        run = f" run_id={self.run_id}" if self.run_id else ""
        took = f" {self.duration:.1f}s" if self.duration is not None else ""
        err = f" error={self._error!r}" if self._error else ""
        head = f"{type(self).__name__} {self.name} [{self.task}]"
        return f"<{head}: {self._status}{pct}{took}{run}{err}>"


class TrainingRun(RunHandle):
    """A model training in a background thread (returned by :func:`train`)."""

    kind = "training"


class TuningRun(RunHandle):
    """An Optuna study running trials in a background thread (returned by :func:`tune`).

    :attr:`history` holds one entry per finished trial (``trial``, ``state``,
    ``value``, ``best_value``, ``params``); :attr:`progress` is trials done
    over ``n_trials``.
    """

    kind = "tuning"

    def __init__(self, name: str, model: str, task: str, target: str) -> None:
        super().__init__(name, model, task, target)
        self.study: Any = None
        self.study_name: str | None = None

    @property
    def best_params(self) -> dict[str, Any] | None:
        """The best trial's parameters so far (``None`` before any trial completes)."""
        try:
            return dict(self.study.best_params) if self.study is not None else None
        except ValueError:
            return None

    @property
    def best_value(self) -> float | None:
        """The best trial's metric value so far."""
        try:
            return float(self.study.best_value) if self.study is not None else None
        except ValueError:
            return None
