"""A run keeps the garbage collector off the kernel's existing objects while it works,
turns text into objects and hashes frames in row slices with the same results, and
sends its lineage and parameters once the fit's rounds begin.

How long the kernel waits for the GIL while a model trains is measured in
``bench/experiments.py`` (the kernel's reply times, its GIL pauses and its long
garbage collections), not asserted here: these tests check the freeze itself.
"""

from __future__ import annotations

import gc
import hashlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hydroml_jupyter.analysis.drift import build_reference
from hydroml_jupyter.experiments import running, tracking
from hydroml_jupyter.experiments.handle import TrainingRun
from hydroml_jupyter.experiments.options import Job
from hydroml_jupyter.experiments.preprocess import MISSING, prepare_target, to_text
from hydroml_jupyter.experiments.responsive import SWITCH_INTERVAL, responsive_kernel
from hydroml_jupyter.experiments.slices import SLICE_ROWS, series_of
from hydroml_jupyter.experiments.tracking import frame_hash
from hydroml_jupyter.experiments.train import _frame


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_run_works_on_a_frozen_heap_and_thaws_it_when_it_ends() -> None:
    old = object.__new__(type("Old", (), {}))  # a container from before the run
    seen: list[tuple[int, bool]] = []
    intervals: list[float] = []
    before = sys.getswitchinterval()

    def work(writer: object, tracked: object) -> str:
        seen.append((gc.get_freeze_count(), any(o is old for o in gc.get_objects())))
        intervals.append(sys.getswitchinterval())
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
    # the GIL is handed over every millisecond while the run works, as before after it
    assert intervals == [SWITCH_INTERVAL] and sys.getswitchinterval() == before


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
        with responsive_kernel():
            entered.set()
            release.wait(30)

    first = threading.Thread(target=hold, args=(first_in,))
    first.start()
    first_in.wait(30)
    frozen = gc.get_freeze_count()
    with responsive_kernel():
        second = threading.Thread(target=hold, args=(second_in,))
        second.start()
        second_in.wait(30)
    assert gc.get_freeze_count() >= frozen > 0  # the first and second still run
    release.set()
    first.join(30)
    second.join(30)
    assert gc.get_freeze_count() == 0


def test_a_switch_interval_set_during_a_run_stays_as_it_was_set() -> None:
    before = sys.getswitchinterval()
    try:
        with responsive_kernel():
            sys.setswitchinterval(0.002)
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(before)


def test_a_heap_frozen_by_someone_else_stays_as_they_left_it() -> None:
    gc.freeze()
    before = gc.get_freeze_count()
    with responsive_kernel():
        pass
    assert gc.get_freeze_count() == before > 0


def mixed_frame(rows: int) -> pd.DataFrame:
    """Every kind of column a run hashes or turns into text, with missing values."""
    rng = np.random.default_rng(0)
    city = rng.choice(["paris", "lyon", None], rows)
    return pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "n": pd.array(rng.integers(0, 9, rows), dtype="Int64"),
            "city": pd.array(city, dtype="str"),
            "obj": pd.Series([1, "a", 2.5, None] * (rows // 4) + [1] * (rows % 4), dtype=object),
            "cat": pd.Categorical(rng.choice(["u", "v"], rows)),
            "day": pd.date_range("2020-01-01", periods=rows, freq="min", tz="UTC"),
        },
        index=rng.permutation(rows) + 7,
    )


def test_work_done_in_row_slices_gives_what_one_call_gave() -> None:
    rows = 2 * SLICE_ROWS + 123
    df = mixed_frame(rows)
    whole = pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes()
    names = "\x1f".join(map(str, df.columns)).encode()
    assert frame_hash(df) == hashlib.sha256(whole + names).hexdigest()
    assert frame_hash(df.head(0)) == hashlib.sha256(names).hexdigest()
    text = df[["city", "obj", "cat", "n"]]
    expected = np.column_stack(
        [text[c].astype("str").fillna(MISSING).to_numpy(dtype=object) for c in text.columns]
    )
    got = to_text(text)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert (got == expected).all()
    for column in ("cat", "obj"):
        target = prepare_target(df[column], "classification")
        assert target.dtype == object
        expected = df[column].astype("str").to_numpy(dtype=object)
        assert pd.Series(target).equals(pd.Series(expected))  # missing ones in the same places


def test_the_target_column_built_in_slices_hashes_and_summarises_the_same() -> None:
    rows = 2 * SLICE_ROWS + 5
    X = mixed_frame(rows)[["x", "city", "day"]]
    y = prepare_target(pd.Series(np.where(X["x"] > 0, "up", "down")), "classification")
    job = Job("xgboost", "classification", "y", None, {}, None, 0.2, None, 0, "", None, False, "r")
    whole = X.assign(y=y)
    sliced = _frame(X, y, job)
    assert sliced.dtypes.equals(whole.dtypes) and sliced.equals(whole)
    assert frame_hash(sliced) == frame_hash(whole)
    same = build_reference(whole, target="y", task="classification", metrics={"accuracy": 1.0})
    ref = build_reference(sliced, target="y", task="classification", metrics={"accuracy": 1.0})
    assert ref.to_json() == same.to_json()
    assert series_of(np.array([1, "a"] * rows, dtype=object)).dtype == object  # not all text


def test_the_lane_holds_calls_marked_later_until_the_first_metric_or_the_flush(
    tmp_path: Path,
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = tracking.get_client(uri)
    experiment = tracking.get_experiment_id(client, "gil", uri)
    done: list[str] = []
    for ending in ("metric", "flush"):
        run_id = tracking.start_run(client, experiment, ending, {})
        lane = tracking.MetricBuffer(client, run_id)
        lane.submit(lambda e=ending: done.append(e), later=True)
        lane.submit(lambda r=run_id: client.set_tag(r, "lineage", "sent"), later=True)
        assert ending not in done
        if ending == "metric":
            lane.add({"val_logloss": 0.5}, 1)
        lane.flush()
        assert done[-1] == ending
        run = client.get_run(run_id)
        assert run.data.tags["lineage"] == "sent"
        assert ("val_logloss" in run.data.metrics) == (ending == "metric")
