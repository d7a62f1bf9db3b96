"""The runs started in this process, numbered 1, 2, ... so a person can name one (to cancel it).

Only weak references are kept: a run nobody holds any more is forgotten once it ends
(a running one is held by its worker thread).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import TYPE_CHECKING

from hydroml_jupyter.experiments.errors import ExperimentError

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle

__all__ = ["find", "remember", "started"]

_lock = threading.Lock()
_runs: dict[int, weakref.ReferenceType[RunHandle]] = {}
_numbers = itertools.count(1)


def remember(handle: RunHandle) -> int:
    """Keep a weak reference to ``handle``; return its number in this process."""
    with _lock:
        number = next(_numbers)
        _runs[number] = weakref.ref(handle)
        for gone in [n for n, ref in _runs.items() if ref() is None]:
            del _runs[gone]
        return number


def started() -> list[RunHandle]:
    """Return the runs still known, oldest first."""
    with _lock:
        refs = list(_runs.values())
    return [h for h in (ref() for ref in refs) if h is not None]


def find(key: str) -> RunHandle:
    """Return the run that ``key`` names.

    ``key`` is a run's number (``3`` or ``#3``), its MLflow run id or a prefix of at
    least six characters, or its MLflow run name.

    Raises
    ------
    ExperimentError
        When no run, or more than one, matches; the message lists the runs known.
    """
    runs = started()
    word = key.strip().removeprefix("#")
    found = [h for h in runs if word.isdigit() and h.number == int(word)]
    if not found and not key.strip().startswith("#"):
        found = [h for h in runs if h.run_id and len(word) >= 6 and h.run_id.startswith(word)]
        found = found or [h for h in runs if word in (h.run_name, h.name)]
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"#{h.number} {h.name} ({h.status})" for h in runs[-8:]) or "none yet"
    if found:
        raise ExperimentError(f"{key!r} names {len(found)} runs; use a number: {known}")
    raise ExperimentError(f"no run {key!r} in this kernel; runs: {known}")
