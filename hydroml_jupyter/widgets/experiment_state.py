"""The state an :class:`~hydroml_jupyter.widgets.ExperimentPanel` shows, built from run handles.

:class:`RunTracker` follows one run: it reads the handle's snapshot (only the history entries
it has not seen yet), keeps a bounded :class:`Curve` of the per-step or per-trial metric, and
returns the small, JSON-ready dicts the panel's ``runs`` and ``curves`` traits hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from hydroml_jupyter.experiments.catalog import MAIN_METRIC
from hydroml_jupyter.widgets.shapes import RunStatus

__all__ = [
    "ENDED",
    "STATUS",
    "Curve",
    "RunTracker",
    "overall_status",
    "phase",
]

#: A handle's status → the word the panel shows.
STATUS: dict[str, RunStatus] = {
    "pending": "queued",
    "running": "running",
    "completed": "done",
    "failed": "failed",
    "cancelled": "cancelled",
}
#: The panel's statuses of a run that has ended.
ENDED: frozenset[RunStatus] = frozenset({"done", "failed", "cancelled"})
#: At most this many points per curve (older points are thinned out as a run goes on).
CURVE_POINTS = 500
#: At most this many series per curve.
CURVE_SERIES = 4
#: Log lines shown per run.
LOG_LINES = 5

_X_KEYS = ("trial", "fold", "step")


def number(value: Any) -> float | None:
    """Return ``value`` as a finite float, or ``None`` (JSON has no NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return None
    value = float(value)
    return value if math.isfinite(value) else None


def plain(value: Any) -> Any:
    """Return ``value`` as JSON the front end can show: numbers finite, the rest as text."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return number(value) if isinstance(value, float) else int(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def numbers(entry: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, float | None]:
    """Return the numeric fields of a history entry, except ``skip``."""
    skipped = set(skip)
    return {
        str(k): number(v)
        for k, v in entry.items()
        if k not in skipped and not isinstance(v, bool) and isinstance(v, int | float)
    }


class Curve:
    """A bounded line chart's data: x values and up to :data:`CURVE_SERIES` named series.

    Every point is kept until there are ``limit`` of them; then every other one is dropped
    and only every second new point is kept, and so on (the stride doubles). The latest
    point is always shown, so the curve ends where the run is.

    Examples
    --------
    >>> curve = Curve("step", limit=4)
    >>> for i in range(1, 11):
    ...     curve.add(i, {"loss": 1 / i})
    >>> data = curve.to_dict()
    >>> data["x"], data["points"], data["stride"]
    ([1.0, 5.0, 9.0, 10.0], 10, 4)
    """

    def __init__(self, x_label: str, limit: int = CURVE_POINTS) -> None:
        self.x_label = x_label
        self.limit = max(2, limit)
        self.stride = 1
        self.count = 0
        self.xs: list[float] = []
        self.series: dict[str, list[float | None]] = {}
        self.tail: tuple[float, dict[str, float | None]] | None = None

    def add(self, x: float, values: Mapping[str, float | None]) -> None:
        """Add the point at ``x``; series not seen before are added while there is room."""
        for name in values:
            if name not in self.series and len(self.series) < CURVE_SERIES:
                self.series[name] = [None] * len(self.xs)
        self.count += 1
        if (self.count - 1) % self.stride:
            self.tail = (float(x), dict(values))
            return
        self.tail = None
        self.xs.append(float(x))
        for name, ys in self.series.items():
            ys.append(values.get(name))
        if len(self.xs) >= self.limit:
            self.xs = self.xs[::2]
            self.series = {name: ys[::2] for name, ys in self.series.items()}
            self.stride *= 2

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"x_label", "x", "series": [{"name", "values"}], "points", "stride"}``."""
        xs = list(self.xs)
        series = {name: list(ys) for name, ys in self.series.items()}
        if self.tail is not None:
            xs.append(self.tail[0])
            for name, ys in series.items():
                ys.append(self.tail[1].get(name))
        return {
            "x_label": self.x_label,
            "x": xs,
            "series": [{"name": n, "values": ys} for n, ys in series.items()],
            "points": self.count,
            "stride": self.stride,
        }


def phase(handle: Any, status: str, snap: Mapping[str, Any]) -> str:
    """Return what a run is doing, in words the panel shows beside its progress.

    A run prepares its data (and opens its MLflow run) until the thread that fits the model
    starts; it then trains (or tunes, trial after trial); once the fit has returned it scores
    and logs the model. The panel shows ``computing charts`` itself, after the run.
    """
    if status == "queued":
        return "queued"
    if status != "running":
        return ""
    fit = handle.fit_thread
    if fit is None and not snap["steps"]:
        return "preparing data"
    if snap["kind"] == "tuning":
        return "tuning"
    return "training" if fit is None or fit.is_alive() else "finishing"


def overall_status(statuses: Iterable[str]) -> str:
    """Return the status of several runs together.

    ``running`` while any runs, ``queued`` while all wait, else ``failed`` when any failed,
    ``cancelled`` when any was cancelled, and ``done`` when every run completed.
    """
    found = set(statuses)
    if not found:
        return "done"
    if "running" in found or ("queued" in found and found - {"queued"}):
        return "running"
    for status in ("queued", "failed", "cancelled"):
        if status in found:
            return status
    return "done"


class RunTracker:
    """Follow one run handle and build its panel state (call from one thread at a time)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.seen = 0
        self.curve: Curve | None = None
        self.latest: dict[str, float | None] = {}
        self.last_x: float | None = None
        self.best: dict[str, Any] | None = None
        self.state: dict[str, Any] = {}
        self.ended = False

    def update(self) -> dict[str, Any]:
        """Read what changed in the run; return its state (the ``runs`` entry)."""
        if self.ended:
            return self.state
        snap = self.handle.snapshot(since=self.seen, logs=LOG_LINES)
        for entry in snap["history"]:
            self._add(entry, snap)
        self.seen += len(snap["history"])
        self.state = self._state(snap)
        self.ended = self.state["status"] in ENDED
        return self.state

    def curve_dict(self) -> dict[str, Any]:
        """Return the ``curves`` entry: the run's curve so far (empty before its first step)."""
        if self.curve is None:
            return {"x_label": "", "x": [], "series": [], "points": 0, "stride": 1}
        return self.curve.to_dict()

    def _add(self, entry: dict[str, Any], snap: dict[str, Any]) -> None:
        x_key = next((k for k in _X_KEYS if k in entry), None)
        if x_key is None:
            return
        if x_key == "trial":
            values = {
                "value": number(entry.get("value")),
                "best_value": number(entry.get("best_value")),
            }
            self._best_trial(entry)
        else:
            values = numbers(entry, skip=_X_KEYS)
            main = MAIN_METRIC.get(snap["task"])
            if x_key == "fold" and main in values:
                values = {main: values[main]}
        x = number(entry[x_key])
        if x is None:
            return
        if self.curve is None:
            self.curve = Curve(x_key)
        self.curve.add(x, values)
        self.latest = {k: v for k, v in values.items() if v is not None} or self.latest
        self.last_x = x

    def _best_trial(self, entry: dict[str, Any]) -> None:
        best, value = number(entry.get("best_value")), number(entry.get("value"))
        if best is None or entry.get("state") != "COMPLETE" or value != best:
            return
        self.best = {
            "trial": int(entry["trial"]),
            "value": value,
            "params": plain(entry.get("params") or {}),
        }

    def _state(self, snap: dict[str, Any]) -> dict[str, Any]:
        status = STATUS.get(snap["status"], snap["status"])
        if snap["kind"] == "tuning":
            done: int | None = snap["steps"]
        else:
            done = None if self.last_x is None else int(self.last_x)
        total, progress = snap["total"], number(snap["progress"]) or 0.0
        if status == "running" and total and snap["unit"] in {"rounds", "trees"} and progress < 1:
            # the curve may be scored every few rounds; progress counts each one (once
            # the fit ends it is 1, even if it stopped early: then the curve says where)
            done = max(done or 0, min(int(total), int(progress * total + 1e-9)))
        if status == "done" and snap["total"] is not None and snap["kind"] != "tuning":
            done = snap["total"] if done is None else done
        return {
            "name": snap["name"],
            "kind": snap["kind"],
            "model": snap["model"],
            "task": snap["task"],
            "target": str(snap["target"]),
            "status": status,
            "phase": phase(self.handle, status, snap),
            "progress": number(snap["progress"]) or 0.0,
            "done_steps": done,
            "total": snap["total"],
            "unit": snap["unit"],
            "elapsed": number(snap["duration"]),
            "metrics": plain(snap["metrics"]),
            "latest": dict(self.latest),
            "best": self.best,
            "best_round": self.handle.best_round,
            "error": snap["error"] or "",
            "cancel_requested": bool(snap["cancel_requested"]),
            "run_id": snap["run_id"] or "",
            "experiment": snap["experiment"] or "",
            "experiment_id": snap["experiment_id"] or "",
            "tracking_uri": snap["tracking_uri"] or "",
            "model_uri": snap["model_uri"] or "",
            "logs": [str(line) for line in snap["logs"]],
        }
