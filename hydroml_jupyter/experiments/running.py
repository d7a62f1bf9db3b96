"""A run's life, written once for training and tuning: begin, work, end in MLflow, finish.

:func:`start` starts a run whose worker is :func:`run_to_end` around the work of
:func:`~hydroml_jupyter.experiments.train` or :func:`~hydroml_jupyter.experiments.tune`:
however the work ends (a result, a cancel, an error), the MLflow run it opened is
ended with the matching status and ``hydroml.end_reason``, then the handle is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.errors import one_line
from hydroml_jupyter.experiments.fitting import EarlyStopError
from hydroml_jupyter.experiments.handle import RunHandle
from hydroml_jupyter.experiments.responsive import responsive_kernel
from hydroml_jupyter.experiments.writer import RunCancelledError, RunWriter

__all__ = ["Tracked", "end_reason", "run_to_end", "start"]


@dataclasses.dataclass
class Tracked:
    """The MLflow run a worker opened, for :func:`run_to_end` to end (None until opened)."""

    #: The ``MlflowClient`` of the run's tracking store.
    client: Any = None
    #: The buffer of metrics not yet sent, flushed before the run ends.
    buffer: tracking.MetricBuffer | None = None


#: A run's work: told its writer and where to note its MLflow run; returns the result.
Work = Callable[[RunWriter, Tracked], Any]


def end_reason(handle: RunHandle, status: str, error: BaseException | None) -> str | None:
    """Return the ``hydroml.end_reason`` of a run that ends with ``status``."""
    if status == "cancelled":
        return handle.end_reason or "cancelled"
    return one_line(error) if error is not None else None


def run_to_end(writer: RunWriter, work: Work) -> None:
    """Run ``work`` as the whole life of ``writer``'s run, and end the run whatever happens.

    The run begins; it completes with what ``work`` returns, is cancelled when
    ``work`` raises :class:`~hydroml_jupyter.experiments.writer.RunCancelledError` (or a
    fit stops early on a cancel), and fails with any other exception. The MLflow run
    that ``work`` noted in its :class:`Tracked` (with the handle's ``run_id``) then ends
    with the same status; a failure to end it is logged, and the run ends all the same.
    The GIL is handed over sooner and the kernel's objects kept out of garbage
    collections meanwhile (see
    :func:`~hydroml_jupyter.experiments.responsive.responsive_kernel`).
    """
    with responsive_kernel():
        _run_to_end(writer, work)


def _run_to_end(writer: RunWriter, work: Work) -> None:
    writer.begin()
    handle, tracked = writer.handle, Tracked()
    status, error, result = "failed", None, None
    try:
        result, status = work(writer, tracked), "completed"
    except (RunCancelledError, EarlyStopError):
        status = "cancelled"
        writer.log("cancelled")
    except BaseException as exc:
        error = exc
    finally:
        if tracked.client is not None and handle.run_id is not None:
            if tracked.buffer is not None:
                try:
                    tracked.buffer.flush()
                except Exception as exc:
                    writer.log(f"could not send the run's last metrics: {one_line(exc)}")
            try:
                reason = end_reason(handle, status, error)
                tracking.end_run(tracked.client, handle.run_id, status, reason)
            except Exception as exc:
                writer.log(f"could not end the MLflow run: {one_line(exc)}")
        writer.finish(status, error=error, result=result)


def start(handle: RunHandle, work: Work) -> None:
    """Start ``handle``'s run: ``work`` runs on its thread, inside :func:`run_to_end`."""
    handle.start(lambda writer: run_to_end(writer, work))
