"""The worker side of a run (RunWriter, handle.start) and the training options declared once."""

from __future__ import annotations

import dataclasses
import inspect
import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError, RunWriter, TrainingRun, TrainOptions

pytestmark = pytest.mark.timeout(60)


def test_a_run_starts_once() -> None:
    run = TrainingRun("once", "ridge", "regression", "y")
    go = threading.Event()

    def work(writer: RunWriter) -> None:
        writer.begin()
        go.wait(10)
        writer.finish("completed", result="model")

    run.start(work)
    with pytest.raises(ExperimentError, match="once was started already"):
        run.start(work)
    go.set()
    assert run.wait(10) == "completed" and run.result() == "model"


def test_an_ended_run_records_nothing_more_and_announces_nothing() -> None:
    run = TrainingRun("ended", "ridge", "regression", "y")
    events: list[dict[str, Any]] = []
    run.subscribe(events.append)
    late: list[bool] = []

    def work(writer: RunWriter) -> None:
        writer.begin()
        writer.progress(0.5)
        writer.finish("failed", error=ValueError("bad value\nsecond line"))
        # a fit abandoned on cancel may still report after the end
        late.append(writer.add_step({"step": 9}))
        writer.log("too late")
        writer.progress(0.9)

    run.start(work)
    assert run.wait(10) == "failed"
    assert run.thread is not None
    run.thread.join(10)
    assert late == [False] and run.history == [] and run.progress == 0.5
    assert run.logs == ["failed: ValueError: bad value"] and run.error == "ValueError: bad value"
    kinds = [(e["kind"], e.get("status", e.get("progress", e.get("line")))) for e in events]
    assert kinds == [
        ("status", "running"),
        ("progress", 0.5),
        ("log", "failed: ValueError: bad value"),
        ("status", "failed"),
    ]
    with pytest.raises(ExperimentError, match="failed: ValueError: bad value") as info:
        run.result()
    assert isinstance(info.value.__cause__, ValueError)


def test_the_training_options_are_in_every_signature_once() -> None:
    options = [f.name for f in dataclasses.fields(TrainOptions)]
    train = inspect.signature(ex.train).parameters
    assert list(train) == ["session", "target", "model", *options]
    keyword_only = [n for n, p in train.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert keyword_only == ["track", "run_name", "early_stopping"]
    assert train["test_size"].default == 0.2 and train["model"].default == "xgboost"
    tune = inspect.signature(ex.tune).parameters
    assert list(tune)[:9] == ["session", "target", "model", "n_trials", "timeout",
                              "search_space", "metric", "storage", "study_name"]  # fmt: skip
    assert set(options) | {"pruner"} == set(list(tune)[9:])
    assert all(tune[n].kind is inspect.Parameter.KEYWORD_ONLY for n in [*options, "pruner"])
    s = hj.Session(pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]}), name="signed")
    assert list(inspect.signature(s.train).parameters) == ["target", "model", *options]


def test_options_bind_by_position_and_refuse_unknown_names() -> None:
    df = pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40.0) % 2})
    run = ex.train(df, "y", "ridge", "regression", None, None, None, 0.25, track=False)
    assert run.task == "regression" and run.wait(30) == "completed", run.logs
    with pytest.raises(TypeError, match=r"^train\(\) got an unexpected keyword argument 'folds'"):
        ex.train(df, "y", "ridge", folds=3)
    with pytest.raises(TypeError, match=r"^tune\(\) got an unexpected keyword argument 'folds'"):
        ex.tune(df, "y", "ridge", folds=3)
    with pytest.raises(TypeError, match=r"^train\(\) got multiple values for argument 'task'"):
        ex.train(df, "y", "ridge", "regression", task="classification")


def test_a_tracked_run_on_integer_column_labels(mlflow_env: None) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({0: rng.normal(size=60), 1: rng.normal(size=60)})
    df[2] = 2 * df[0] + rng.normal(scale=0.1, size=60)
    run = ex.train(df, 2, model="ridge")
    assert run.wait(60) == "completed", run.error
    assert run.run_id is not None and run.metrics["r2"] > 0.9
