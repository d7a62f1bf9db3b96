"""A run keeps the garbage collector off the kernel's existing objects while it works.

How long the kernel waits for the GIL while a model trains is measured in
``bench/experiments.py`` (the kernel's reply times, its GIL pauses and its long
garbage collections), not asserted here: these tests check the freeze itself.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from hydroml_jupyter.experiments import running
from hydroml_jupyter.experiments.handle import TrainingRun
from hydroml_jupyter.experiments.heap import frozen_heap


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_run_works_on_a_frozen_heap_and_thaws_it_when_it_ends() -> None:
    old = object.__new__(type("Old", (), {}))  # a container from before the run
    seen: list[tuple[int, bool]] = []

    def work(writer: object, tracked: object) -> str:
        seen.append((gc.get_freeze_count(), any(o is old for o in gc.get_objects())))
        return "done"

    handle = TrainingRun("freeze", "xgboost", "classification", "y")
    running.start(handle, work)
    assert handle.wait(30) == "completed" and handle.result() == "done"
    assert handle.thread is not None
    handle.thread.join(30)
    frozen, tracked = seen[0]
    assert frozen > 0 and not tracked  # collections during the run skip it
    assert gc.get_freeze_count() == 0
    assert any(o is old for o in gc.get_objects())


def test_a_failed_run_thaws_the_heap_too() -> None:
    seen: list[int] = []

    def work(writer: object, tracked: object) -> None:
        seen.append(gc.get_freeze_count())
        raise ValueError("boom")

    handle = TrainingRun("fails", "xgboost", "classification", "y")
    running.start(handle, work)
    assert handle.wait(30) == "failed"
    assert handle.thread is not None
    handle.thread.join(30)
    assert seen[0] > 0 and gc.get_freeze_count() == 0


def test_overlapping_runs_share_one_freeze_that_ends_with_the_last() -> None:
    first_in, second_in, release = threading.Event(), threading.Event(), threading.Event()

    def hold(entered: threading.Event) -> None:
        with frozen_heap():
            entered.set()
            release.wait(30)

    first = threading.Thread(target=hold, args=(first_in,))
    first.start()
    first_in.wait(30)
    frozen = gc.get_freeze_count()
    with frozen_heap():
        second = threading.Thread(target=hold, args=(second_in,))
        second.start()
        second_in.wait(30)
    assert gc.get_freeze_count() >= frozen > 0  # the first and second still run
    release.set()
    first.join(30)
    second.join(30)
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_someone_else_stays_as_they_left_it() -> None:
    gc.freeze()
    before = gc.get_freeze_count()
    with frozen_heap():
        pass
    assert gc.get_freeze_count() == before > 0
