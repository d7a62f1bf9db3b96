"""A run's tracking lane: metrics batched for MLflow and calls sent on a thread of its own."""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["MetricBuffer"]


class MetricBuffer:
    """A run's tracking lane: metrics batched with ``log_batch``, and calls, sent in the background.

    Metrics are sent every ``interval`` s or ``size`` metrics, and calls given to
    :meth:`submit` run in order, on a thread of the buffer's own: the fit and the
    run's worker never wait for the tracking store (SQLite commits, artifact files)
    until :meth:`flush`, which sends what is left, waits for the lane and raises the
    first error a call met. Thread-safe: a fit thread adds while the run's worker
    submits or flushes. A call submitted with ``later=True`` waits for the first
    metric (a boosting fit's first round; the fit holds the GIL little from then
    on, while splitting and preprocessing before it hold it much) or the flush.

    Parameters
    ----------
    client
        The ``MlflowClient``.
    run_id
        The run the metrics belong to.

    Examples
    --------
    >>> sent = []
    >>> class Store:
    ...     def log_batch(self, run_id, metrics):
    ...         sent.extend((m.key, m.value, m.step) for m in metrics)
    >>> lane = MetricBuffer(Store(), "run", size=2)
    >>> lane.submit(lambda: sent.append("lineage"), later=True)
    >>> lane.add({"val_rmse": 0.5}, 1)
    >>> lane.submit(lambda: sent.append("params"))
    >>> lane.add({"val_rmse": 0.4}, 2)
    >>> lane.flush()
    >>> sorted(sent, key=str)
    [('val_rmse', 0.4, 2), ('val_rmse', 0.5, 1), 'lineage', 'params']
    """

    def __init__(self, client: Any, run_id: str, interval: float = 0.5, size: int = 50) -> None:
        self.client = client
        self.run_id = run_id
        self.interval = interval
        self.size = size
        self._pending: list[Any] = []
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._calls: list[Any] = []
        self._later: list[Any] = []
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, values: dict[str, float], step: int = 0) -> None:
        """Queue ``values`` at ``step``; the lane sends them when the batch is due."""
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        with self._lock:
            self._pending += [Metric(k, float(v), now, int(step)) for k, v in values.items()]
            due = len(self._pending) >= self.size or time.monotonic() - self._last >= self.interval
        self._start_later()
        if due:
            self.submit(self._send)

    def submit(self, call: Any, later: bool = False) -> None:
        """Run ``call()`` on the lane, after what was submitted before it.

        With ``later``, only once the first metric is added, or at :meth:`flush`.
        """
        with self._lock:
            if later:
                self._later.append(call)
                return
            self._calls.append(call)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name=f"mlflow-{self.run_id[:8]}", daemon=True
                )
                self._thread.start()

    def flush(self) -> None:
        """Send every queued metric and wait for the lane; raise the first error it met."""
        self._start_later()
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                break
            thread.join()
        self._send()
        with self._lock:
            error, self._error = self._error, None
        if error is not None:
            raise error

    def _start_later(self) -> None:
        with self._lock:
            later, self._later = self._later, []
        for call in later:
            self.submit(call)

    def _send(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            self._last = time.monotonic()
        for i in range(0, len(pending), 1000):
            self.client.log_batch(self.run_id, metrics=pending[i : i + 1000])

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._calls:
                    self._thread = None
                    return
                call = self._calls.pop(0)
            try:
                call()
            except BaseException as exc:
                with self._lock:
                    self._error = self._error or exc
