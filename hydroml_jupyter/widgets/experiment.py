"""``ExperimentPanel``: a live view of training and tuning runs while they run in the background.

The panel follows its runs through :meth:`RunHandle.subscribe
<hydroml_jupyter.experiments.RunHandle.subscribe>`. Events arrive on each run's worker
thread; the panel never touches its traits there. It pokes a
:class:`~hydroml_jupyter.widgets.experiment_throttle.Throttle`, which runs one flush at most
every ``interval`` seconds on the kernel's event loop; the flush reads each run's snapshot and
sets the traits in one message. The last state is always delivered.

Traits (written by the kernel only)
-----------------------------------
``_kind``
    ``"experiment"``.
``status``
    All runs together: ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``.
``progress``
    The mean fraction done of the runs, from 0 to 1.
``runs``
    One small dict per run: ``name``, ``kind`` (``training``/``tuning``), ``model``, ``task``,
    ``target``, ``status``, ``phase`` (what it is doing: ``preparing data``, ``training``,
    ``computing charts``...), ``progress``, ``done_steps`` of ``total`` ``unit`` (rounds,
    trees, folds or trials), ``elapsed`` seconds, final ``metrics``, ``latest`` step values,
    ``best`` trial (tuning), ``error``, ``cancel_requested``, ``run_id``, ``experiment``,
    ``experiment_id``, ``tracking_uri``, ``model_uri`` and the last ``logs`` lines.
``curves``
    One per run: ``x_label``, ``x`` and ``series`` (``[{"name", "values"}]``) of at most 500
    points, ``points`` (steps seen) and ``stride`` (one point kept every ``stride`` steps).
``error``
    The last request error (``""`` when none).

Requests
--------
``{"kind": "cancel", "request": id}`` cancels every run still going (``"run": i`` only the
``i``-th); the reply is ``{"kind": "done", "request": id, "cancelled": [i, ...]}`` or an
error reply when there is nothing to cancel. Its handler is
:func:`~hydroml_jupyter.widgets.requests.cancel`; the messages are defined in
:mod:`~hydroml_jupyter.widgets.schema`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import anywidget
import traitlets

from hydroml_jupyter.experiments.handle import RunHandle
from hydroml_jupyter.widgets.base import _UNBUILT_ESM, CSS_PATH, ESM_PATH, _asset
from hydroml_jupyter.widgets.dispatch import kernel_dispatcher
from hydroml_jupyter.widgets.experiment_state import RunTracker, number, overall_status
from hydroml_jupyter.widgets.experiment_throttle import Throttle
from hydroml_jupyter.widgets.placeholder import display_with_placeholder
from hydroml_jupyter.widgets.requesting import RequestRouter, set_changed, weak_listener
from hydroml_jupyter.widgets.shapes import WidgetKind

__all__ = ["ExperimentPanel"]

log = logging.getLogger("hydroml_jupyter")

#: While a run goes, the panel looks again this often (seconds) even when the run reports
#: nothing: its phase changes without an event (the fit starts, a model without rounds).
LOOK_AGAIN = 0.5


class ExperimentPanel(RequestRouter, anywidget.AnyWidget):
    """A live panel of one run or several: status, progress, metrics, a curve, Cancel.

    Parameters
    ----------
    runs
        A :class:`~hydroml_jupyter.experiments.TrainingRun`, a
        :class:`~hydroml_jupyter.experiments.TuningRun`, or a list of them.
    interval
        The least time between two updates sent to the front end, in seconds (default 0.1:
        at most ten updates a second, however fast the run reports).

    Examples
    --------
    >>> run = s.train("churned", model="xgboost", preset="fast")  # doctest: +SKIP
    >>> ExperimentPanel(run)  # doctest: +SKIP
    >>> ExperimentPanel([run, s.tune("churned", n_trials=10)])  # doctest: +SKIP
    """

    _esm = _asset(ESM_PATH, _UNBUILT_ESM)
    _css = _asset(CSS_PATH, "")

    _kind = traitlets.Unicode("experiment", help="Which view the front end renders.").tag(sync=True)
    status = traitlets.Unicode("queued", help="All runs together.").tag(sync=True)
    progress = traitlets.Float(0.0, help="Mean fraction done, 0 to 1.").tag(sync=True)
    runs = traitlets.List(traitlets.Dict(), help="One state dict per run.").tag(sync=True)
    curves = traitlets.List(traitlets.Dict(), help="One bounded metric curve per run.").tag(
        sync=True
    )
    error = traitlets.Unicode("", help="The last request error.").tag(sync=True)

    _KIND: ClassVar[WidgetKind] = "experiment"
    _OPTIONS: ClassVar[tuple[str, ...]] = ("interval",)

    def __init__(self, runs: RunHandle | Sequence[RunHandle], /, **kwargs: Any) -> None:
        self._check_options(kwargs)
        interval = kwargs.get("interval", 0.1)
        if number(interval) is None or interval < 0:
            raise TypeError(f"ExperimentPanel(): interval must be seconds >= 0, not {interval!r}")
        self._handles = _handles(runs)
        self._trackers = [RunTracker(h) for h in self._handles]
        self._closed = False
        self._sync_lock = threading.Lock()
        self._unsubscribe: list[Callable[[], None]] = []
        self._on_end: list[Callable[[], None]] = []
        self._ended = False
        self._charting = False
        self._looking = False
        super().__init__(**self._state())
        self._throttle = Throttle(kernel_dispatcher(), self._flush, interval)
        self._unsubscribe = [weak_listener(h.subscribe, self, _poke) for h in self._handles]
        self.on_msg(self._on_message)
        # Anything that happened between the first snapshot and the subscriptions.
        self._throttle.poke()

    # -- state -------------------------------------------------------------------------
    @property
    def handles(self) -> tuple[RunHandle, ...]:
        """The runs this panel shows."""
        return self._handles

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def updates(self) -> int:
        """How many throttled updates have run so far."""
        return self._throttle.flushes

    def _state(self) -> dict[str, Any]:
        with self._sync_lock:
            runs = [t.update() for t in self._trackers]
            curves = [t.curve_dict() for t in self._trackers]
        if self._charting:
            charting = {"phase": "computing charts"}
            runs = [{**r, **charting} if r["status"] == "done" else r for r in runs]
        progress = sum(r["progress"] for r in runs) / len(runs)
        return {
            "_kind": self._KIND,
            "status": overall_status(r["status"] for r in runs),
            "progress": float(progress),
            "runs": runs,
            "curves": curves,
        }

    def _flush(self) -> None:
        """Bring the traits to the runs' current state, in one message (on the kernel loop)."""
        if self._closed:
            return
        set_changed(self, self._state())
        if all(t.ended for t in self._trackers):
            self._stop_following()
            self._end()
        else:
            self._look_again()

    def _look_again(self) -> None:
        loop = self._throttle.dispatch.loop
        if loop is None or self._looking:
            return
        self._looking = True

        def look() -> None:
            self._looking = False
            if not self._closed:
                self._throttle.poke()

        loop.call_later(LOOK_AGAIN, look)

    def charting(self, on: bool) -> None:
        """Say (or stop saying) that the completed runs' charts are being computed.

        Called on the kernel's loop by the view that draws them.
        """
        self._charting = on
        if not self._closed:
            set_changed(self, self._state())

    def on_end(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once, on the kernel's loop, when every run has ended.

        When they already have (and the panel has shown it), it is called at once.
        """
        if self._ended:
            callback()
        else:
            self._on_end.append(callback)

    def _end(self) -> None:
        self._ended = True
        while self._on_end:
            callback = self._on_end.pop(0)
            try:
                callback()
            except Exception:
                log.exception("an end-of-run callback of %r failed", self)

    def refresh(self) -> None:
        """Bring the traits up to date now (on the kernel's loop when called from a thread)."""
        self._throttle.dispatch(self._flush)

    # -- closing -------------------------------------------------------------------------
    def _stop_following(self) -> None:
        pending = getattr(self, "_unsubscribe", [])  # absent when the constructor failed
        while pending:
            pending.pop()()

    def close(self) -> None:
        """Stop following the runs and close the widget's comm (the runs go on)."""
        self._closed = True
        throttle = getattr(self, "_throttle", None)
        if throttle is not None:
            throttle.stop()
        self._stop_following()
        super().close()

    def __repr__(self) -> str:
        names = ", ".join(h.name for h in self._handles)
        return f"<ExperimentPanel of {names}: {self.status} {self.progress:.0%}>"

    def _ipython_display_(self) -> None:
        display_with_placeholder(self, placeholder_text(self._handles))


def _handles(runs: Any) -> tuple[RunHandle, ...]:
    items = [runs] if isinstance(runs, RunHandle) else runs
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(
            "ExperimentPanel() needs a TrainingRun, a TuningRun or a list of them, "
            f"not {type(runs).__name__}"
        )
    wrong = [type(r).__name__ for r in items if not isinstance(r, RunHandle)]
    if wrong:
        raise TypeError(
            f"ExperimentPanel() shows TrainingRun and TuningRun handles, not {wrong[0]}"
        )
    if not items:
        raise TypeError("ExperimentPanel() needs at least one run")
    return tuple(items)


def placeholder_text(handles: Sequence[RunHandle]) -> str:
    """Return what a saved notebook says of a panel of ``handles`` once the kernel is gone."""
    names = ", ".join(h.name for h in handles)
    return f"Experiment panel of {names}"


def _poke(panel: ExperimentPanel) -> None:
    panel._throttle.poke()
