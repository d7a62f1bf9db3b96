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

Only the run's worker changes its state, through the
:class:`~hydroml_jupyter.experiments.writer.RunWriter` that :meth:`RunHandle.start`
hands it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from hydroml_jupyter.experiments import active
from hydroml_jupyter.experiments.display import RunDisplay
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.evaluation import Holdout
from hydroml_jupyter.experiments.writer import Event, RunCancelledError, RunRecord, RunWriter
from hydroml_jupyter.labels import Label

__all__ = ["STATUSES", "RunCancelledError", "RunHandle", "TrainingRun", "TuningRun"]

STATUSES = ("pending", "running", "completed", "failed", "cancelled")


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

    def __init__(self, name: str, model: str, task: str, target: Label) -> None:
        self.name = name
        self.model = model
        self.task = task
        self.target = target
        self._rec = RunRecord()
        self._lock = self._rec.lock
        #: Why the run was stopped (``"cancelled"``, or that the process exited), once it was.
        self.end_reason: str | None = None
        #: The thread that fits the model (it outlives a cancel when the fit cannot stop).
        self.fit_thread: threading.Thread | None = None
        self.run_id: str | None = None
        #: The run's logged model, ``models:/<model_id>`` in :attr:`tracking_uri`: a pyfunc
        #: model that takes raw rows (``mlflow.pyfunc.load_model``), see :meth:`predict`.
        self.model_uri: str | None = None
        #: The round a boosting model that stopped early predicts with (counted from 1).
        self.best_round: int | None = None
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
        #: The fitted pipeline with the recipe before it (:meth:`predict`), once fitted.
        self.scorer: Any = None

    # -- reading -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        """One of ``pending``, ``running``, ``completed``, ``failed``, ``cancelled``."""
        return self._rec.status

    @property
    def done(self) -> bool:
        """Whether the run has ended (completed, failed or cancelled)."""
        return self._rec.done.is_set()

    @property
    def progress(self) -> float:
        """Fraction done, from 0 to 1."""
        return self._rec.progress

    @property
    def metrics(self) -> dict[str, float]:
        """The final metrics (empty until the run completes)."""
        with self._lock:
            return dict(self._rec.metrics)

    @property
    def history(self) -> list[dict[str, Any]]:
        """Per-step metric dicts: boosting rounds, tree chunks, folds or trials."""
        with self._lock:
            return [dict(h) for h in self._rec.history]

    @property
    def logs(self) -> list[str]:
        """The run's log lines, oldest first."""
        with self._lock:
            return list(self._rec.logs)

    @property
    def error(self) -> str | None:
        """The one-line message of a failed run, else ``None``."""
        return self._rec.error

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (to now while running); ``None`` before it starts."""
        started = self._rec.started
        if started is None:
            return None
        return (self._rec.ended or time.monotonic()) - started

    @property
    def cancel_requested(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._rec.cancel.is_set()

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
        rec = self._rec
        with self._lock:
            history = [dict(h) for h in rec.history[max(0, since) :]]
            return {
                "name": self.name,
                "kind": self.kind,
                "model": self.model,
                "task": self.task,
                "target": self.target,
                "status": rec.status,
                "progress": rec.progress,
                "metrics": dict(rec.metrics),
                "history": history,
                "steps": len(rec.history),
                "logs": rec.logs[-logs:] if logs > 0 else [],
                "error": rec.error,
                "duration": self.duration,
                "cancel_requested": rec.cancel.is_set(),
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
            if self.end_reason is None and not self._rec.closed:
                self.end_reason = reason
        self._rec.cancel.set()
        return not self.done

    def wait(self, timeout: float | None = None) -> str:
        """Block until the run ends or ``timeout`` seconds pass; return :attr:`status`."""
        self._rec.done.wait(timeout)
        return self._rec.status

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the run and return its fitted pipeline.

        Raises
        ------
        ExperimentError
            When the run failed (the cause is chained), was cancelled, or is
            still running after ``timeout`` seconds.
        """
        rec = self._rec
        if not rec.done.wait(timeout):
            raise ExperimentError(f"{self.name} is still running after {timeout} s")
        if rec.status == "cancelled":
            raise ExperimentError(f"{self.name} was cancelled")
        if rec.status == "failed":
            raise ExperimentError(f"{self.name} failed: {rec.error}") from rec.exception
        return rec.result

    def scorer_or_raise(self) -> Any:
        """Return the run's :class:`~hydroml_jupyter.experiments.predict.Scorer`.

        Raises
        ------
        ExperimentError
            When the run has not completed.
        """
        if self._rec.status != "completed" or self.scorer is None:
            raise ExperimentError(f"{self.name} has no model to score with (status {self.status})")
        return self.scorer

    def predict(self, data: Any, **options: Any) -> Any:
        """Predict ``data`` shaped like the session's source: a frame, a path or an SQL URL.

        The session's recipe up to the step the run trained on is replayed, the target
        dropped if present, then the fitted pipeline runs. Categories not seen in
        training are encoded as unknown and counted in a warning.

        Parameters
        ----------
        data
            A DataFrame, a file's path, or an SQLAlchemy URL (with ``table=`` or
            ``query=``), as :func:`hydroml_jupyter.open` takes them.
        **options
            Loading options for a path or URL (a file of the source's format is read
            with the source's reader options by default).

        Returns
        -------
        pandas.Series
            One prediction per row, by the input's index.

        Raises
        ------
        ExperimentError
            One line naming the column at fault (missing, a value that cannot be read
            as its training dtype, a step that fails on it).
        """
        return self.scorer_or_raise().predict(data, **options)

    def predict_proba(self, data: Any, **options: Any) -> Any:
        """Return class probabilities (a column per class) of ``data``, as :meth:`predict`.

        Raises
        ------
        ExperimentError
            For a regression run, and as :meth:`predict`.
        """
        return self.scorer_or_raise().predict_proba(data, **options)

    def register(self, name: str, alias: str | None = None) -> int:
        """Register the run's pyfunc model (:attr:`model_uri`) in MLflow's model registry.

        Parameters
        ----------
        name
            The registered model (created on first use).
        alias
            An alias for the new version, e.g. ``"champion"``.

        Returns
        -------
        int
            The new version's number.
        """
        from hydroml_jupyter.experiments.registry import register

        self.scorer_or_raise()
        return register(self, name, alias)

    def drift(self, new: Any) -> Any:
        """Compare ``new`` rows with the rows this run trained on; return a drift report.

        ``new`` is a DataFrame or Session shaped like the training frame (its features,
        and its target once labels arrive: the model is then scored on them against its
        validation figure). The reference is read from the run's MLflow artifacts, as
        :func:`hydroml_jupyter.drift` reads it in a new kernel.

        Raises
        ------
        ExperimentError
            When the run did not complete, was not tracked, or has no reference.
        """
        from hydroml_jupyter.experiments.reference import run_drift

        return run_drift(self, new)

    def serve(self, port: int | None = None) -> Any:
        """Start MLflow's scoring server for the run's model on 127.0.0.1, in a background process.

        Waits until the server answers (about 6-10 s). The returned
        :class:`~hydroml_jupyter.experiments.serving.ModelServer` has ``url``, a
        ready-to-copy ``curl`` line, ``predict(frame)``, ``stop()`` and ``log``; the
        server stops when this process exits.

        Parameters
        ----------
        port
            The port on 127.0.0.1; ``None`` picks a free one.

        Raises
        ------
        ExperimentError
            When the run has no tracked model, the port is taken, or the server
            exits before it answers (quoting its log).
        """
        from hydroml_jupyter.experiments.serving import serve_run

        return serve_run(self, port)

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` on the worker thread for every event; return an unsubscribe.

        See the module documentation for the event kinds.
        """
        return self._rec.listeners.add(callback)

    def start(self, work: Callable[[RunWriter], None]) -> None:
        """Run ``work(writer)`` on the run's daemon thread; the writer records the run.

        :func:`~hydroml_jupyter.experiments.train` and
        :func:`~hydroml_jupyter.experiments.tune` start their runs this way; see
        :mod:`~hydroml_jupyter.experiments.writer` for a run written by hand.

        Raises
        ------
        ExperimentError
            When the run was started already.
        """
        from hydroml_jupyter.experiments import lifecycle

        writer = RunWriter(self, self._rec)
        with self._lock:
            if self.thread is not None:
                raise ExperimentError(f"{self.name} was started already")
            self.thread = threading.Thread(
                target=lambda: work(writer), name=f"hydroml-{self.kind}", daemon=True
            )
        lifecycle.watch()
        self.thread.start()

    def __repr__(self) -> str:
        rec = self._rec
        pct = f" {rec.progress:.0%}" if rec.status == "running" else ""
        run = f" run_id={self.run_id}" if self.run_id else ""
        took = f" {self.duration:.1f}s" if self.duration is not None else ""
        err = f" error={rec.error!r}" if rec.error else ""
        head = f"{type(self).__name__} {self.name} [{self.task}]"
        return f"<{head}: {rec.status}{pct}{took}{run}{err}>"


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

    def __init__(self, name: str, model: str, task: str, target: Label) -> None:
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
