"""The experiment panel, kernel side: real runs tracked in a temporary MLflow store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.experiments import RunWriter, TrainingRun
from hydroml_jupyter.widgets import ExperimentPanel
from hydroml_jupyter.widgets import experiment as experiment_module
from hydroml_jupyter.widgets.dispatch import Dispatcher
from hydroml_jupyter.widgets.experiment_state import CURVE_POINTS, Curve, overall_status

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
            "active": rng.random(n) > 0.5,
        }
    )
    signal = df["num"] + (df["city"] == "paris") + 0.5 * df["active"]
    df["churn"] = np.where(signal + rng.normal(scale=0.5, size=n) > 0.4, "yes", "no")
    return df


def until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the panel did not reach the expected state in time")
        time.sleep(0.02)


def replies(panel: ExperimentPanel) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    panel.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    return sent


def test_a_training_run_reaches_done_with_its_final_metrics() -> None:
    s = hj.Session(frame(), name="panel-train")
    params = {"n_estimators": 40, "early_stopping_rounds": None}
    run = s.train("churn", model="xgboost", preset="fast", params=params)
    panel = ExperimentPanel(run)
    assert panel._kind == "experiment" and panel.status in {"queued", "running"}
    assert run.wait(60) == "completed", run.logs
    until(lambda: panel.status == "done")
    state = panel.runs[0]
    assert state["status"] == "done" and panel.progress == 1.0
    assert state["metrics"] == pytest.approx(run.metrics)
    assert set(state["metrics"]) == {"accuracy", "f1", "roc_auc", "log_loss"}
    assert (state["done_steps"], state["total"], state["unit"]) == (40, 40, "rounds")
    assert state["run_id"] == run.run_id and state["experiment"] == "hydroml"
    assert state["tracking_uri"] == run.tracking_uri and state["error"] == ""
    assert state["elapsed"] == pytest.approx(run.duration)
    curve = panel.curves[0]
    assert curve["x"] == [float(i) for i in range(1, 41)]
    assert [s["name"] for s in curve["series"]] == ["train_logloss", "val_logloss"]
    assert curve["series"][1]["values"][-1] == pytest.approx(run.history[-1]["val_logloss"])
    assert panel.updates < 40  # throttled: far fewer updates than rounds
    assert not run._rec.listeners  # the panel stops following an ended run
    assert "done 100%" in repr(panel)
    panel.close()


def test_a_tuning_run_shows_trials_and_the_best_one() -> None:
    s = hj.Session(frame(), name="panel-tune")
    tune = s.tune("churn", model="random_forest", n_trials=3, preset="fast")
    panel = ExperimentPanel([tune])
    assert tune.wait(90) == "completed", tune.logs
    until(lambda: panel.status == "done")
    state = panel.runs[0]
    assert state["kind"] == "tuning" and (state["done_steps"], state["total"]) == (3, 3)
    assert state["unit"] == "trials"
    assert state["best"]["value"] == pytest.approx(tune.best_value)
    assert state["best"]["params"] == pytest.approx(tune.best_params)
    curve = panel.curves[0]
    assert curve["x_label"] == "trial" and len(curve["x"]) == 3
    best_so_far = curve["series"][1]
    assert best_so_far["name"] == "best_value"
    assert best_so_far["values"][-1] == pytest.approx(tune.best_value)
    assert state["metrics"]["f1"] == pytest.approx(tune.best_value)


def test_the_cancel_request_cancels_a_long_run() -> None:
    s = hj.Session(frame(3000), name="panel-cancel")
    params = {"n_estimators": 20000, "max_depth": 6, "early_stopping_rounds": None}
    run = s.train("churn", model="xgboost", params=params)
    panel = ExperimentPanel(run)
    sent = replies(panel)
    until(lambda: run.status == "running" and len(run.history) > 0)
    panel._on_message(panel, {"kind": "cancel", "request": 7}, [])
    assert sent[-1] == {"kind": "done", "request": 7, "cancelled": [0]}
    start = time.monotonic()
    assert run.wait(30) == "cancelled"
    assert time.monotonic() - start < 10
    until(lambda: panel.status == "cancelled")
    assert panel.runs[0]["cancel_requested"] is True
    # Once it has ended there is nothing left to cancel: an error reply, not silence.
    panel._on_message(panel, {"kind": "cancel", "request": 8}, [])
    assert sent[-1]["kind"] == "error" and sent[-1]["request"] == 8
    assert "has ended" in sent[-1]["message"]


def test_bad_requests_get_error_replies() -> None:
    run = TrainingRun("idle", "ridge", "regression", "y")
    panel = ExperimentPanel(run)
    sent = replies(panel)
    panel._on_message(panel, {"kind": "rows", "request": 1}, [])
    assert sent[-1]["kind"] == "error" and "unknown request kind 'rows'" in sent[-1]["message"]
    panel._on_message(panel, {"kind": "cancel", "request": "x"}, [])
    assert "integer id" in sent[-1]["message"]
    panel._on_message(panel, {"kind": "cancel", "request": 2, "run": 3}, [])
    assert "index from 0 to 0" in sent[-1]["message"]
    panel._on_message(panel, {"kind": "cancel", "request": 3, "run": 0}, [])
    assert sent[-1] == {"kind": "done", "request": 3, "cancelled": [0]}
    assert run.cancel_requested


def test_a_failing_run_shows_its_error() -> None:
    df = frame().assign(churn="yes")  # one class only
    run = hj.Session(df, name="panel-fail").train("churn", model="logistic_regression")
    panel = ExperimentPanel(run)
    assert run.wait(60) == "failed"
    until(lambda: panel.status == "failed")
    state = panel.runs[0]
    assert state["error"] == run.error and state["error"]
    assert "\n" not in state["error"]
    assert state["logs"][-1].startswith("failed:")


def test_throttling_delivers_the_final_state(
    monkeypatch: pytest.MonkeyPatch, loop_thread: Dispatcher
) -> None:
    monkeypatch.setattr(experiment_module, "kernel_dispatcher", lambda: loop_thread)
    run = TrainingRun("synthetic", "xgboost", "regression", "y")
    run.total, run.unit = 5000, "rounds"
    panel = ExperimentPanel(run, interval=0.1)
    threads: list[str] = []
    flush = panel._flush

    def recording_flush() -> None:
        threads.append(threading.current_thread().name)
        flush()

    panel._throttle.flush = recording_flush

    def work(writer: RunWriter) -> None:
        writer.begin()
        for step in range(1, 5001):
            writer.add_step({"step": step, "val_rmse": 1.0 / step})
            writer.progress(step / 5000)
            if step % 500 == 0:
                time.sleep(0.05)
        writer.finish("completed")

    start = time.monotonic()
    run.start(work)
    assert run.wait(30) == "completed"
    took = time.monotonic() - start
    until(lambda: panel.status == "done", timeout=5)
    assert panel.runs[0]["done_steps"] == 5000 and panel.progress == 1.0
    curve = panel.curves[0]
    assert len(curve["x"]) <= CURVE_POINTS and curve["points"] == 5000
    assert curve["x"][-1] == 5000.0 and curve["series"][0]["values"][-1] == pytest.approx(1 / 5000)
    # At most one update per interval (plus the first and the last), all on the loop's thread.
    assert 2 <= len(threads) <= took / 0.1 + 3, (len(threads), took)
    assert set(threads) == {"fake-kernel-loop"}


def test_a_list_of_runs_and_the_overall_status() -> None:
    a = TrainingRun("a", "ridge", "regression", "y")
    b = TrainingRun("b", "ridge", "regression", "y")
    panel = ExperimentPanel([a, b], interval=0)
    assert [r["name"] for r in panel.runs] == ["a", "b"] and panel.status == "queued"
    go = threading.Event()

    def first(writer: RunWriter) -> None:
        writer.begin()
        go.wait(30)
        writer.finish("completed")

    def second(writer: RunWriter) -> None:
        writer.begin()
        writer.finish("failed", error=ValueError("bad <b>value</b>\nsecond line"))

    a.start(first)
    until(lambda: panel.status == "running")
    go.set()
    assert a.wait(30) == "completed"
    b.start(second)
    assert b.wait(30) == "failed"
    until(lambda: panel.status == "failed")
    assert panel.runs[1]["error"] == b.error and b.error.endswith("bad <b>value</b>")
    assert overall_status(["done", "cancelled"]) == "cancelled"
    assert overall_status(["queued", "done"]) == "running"


def test_constructor_checks_its_arguments() -> None:
    run = TrainingRun("a", "ridge", "regression", "y")
    with pytest.raises(TypeError, match="did you mean 'interval'"):
        ExperimentPanel(run, intervall=1)
    with pytest.raises(TypeError, match="not DataFrame"):
        ExperimentPanel(pd.DataFrame())
    with pytest.raises(TypeError, match="not int"):
        ExperimentPanel([run, 3])
    with pytest.raises(TypeError, match="at least one run"):
        ExperimentPanel([])
    with pytest.raises(TypeError, match="interval"):
        ExperimentPanel(run, interval=-1)


def test_handles_show_the_panel_only_in_a_kernel() -> None:
    run = TrainingRun("a", "ridge", "regression", "y")
    assert run._repr_mimebundle_() == {"text/plain": repr(run)}
    panel = run.panel()
    assert isinstance(panel, ExperimentPanel) and run.panel() is panel
    panel.close()
    assert panel.closed and run.panel() is not panel
    assert hj.ExperimentPanel is ExperimentPanel


def test_curves_stay_bounded_and_end_at_the_latest_point() -> None:
    curve = Curve("step", limit=500)
    for i in range(1, 100_001):
        curve.add(i, {"loss": 1.0 / i, "nan": None})
    data = curve.to_dict()
    assert len(data["x"]) <= 500 and data["x"][0] == 1.0 and data["x"][-1] == 100_000.0
    assert data["points"] == 100_000
    assert all(v is None for v in data["series"][1]["values"])


def test_the_rounds_done_follow_progress_when_the_curve_is_scored_every_few_rounds() -> None:
    from hydroml_jupyter.widgets.experiment_state import RunTracker

    run = TrainingRun("thinned", "xgboost", "regression", "y")
    run.total, run.unit = 100, "rounds"
    scored, go = threading.Event(), threading.Event()

    def work(writer: RunWriter) -> None:
        writer.begin()
        writer.add_step({"step": 36, "val_rmse": 0.5})  # the curve's last scored round
        writer.progress(0.37)  # rounds go on between two scored ones
        scored.set()
        go.wait(30)
        writer.add_step({"step": 100, "val_rmse": 0.25})  # the last round is always scored
        writer.finish("completed")

    run.start(work)
    assert scored.wait(30)
    tracker = RunTracker(run)
    assert tracker.update()["done_steps"] == 37
    go.set()
    assert run.wait(30) == "completed"
    assert tracker.update()["done_steps"] == 100
