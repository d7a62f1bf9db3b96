"""The live panel's phase words, the charts' titles at a narrow width, and the placeholder text.

Runs are real (a worker thread driven through its :class:`RunWriter`, or a real fit tracked in
the module's MLflow store); the kernel's loop is stood in for by a real asyncio loop thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.experiments import RunWriter, TrainingRun
from hydroml_jupyter.widgets import ExperimentPanel
from hydroml_jupyter.widgets import experiment as experiment_module
from hydroml_jupyter.widgets.dispatch import Dispatcher
from hydroml_jupyter.widgets.experiment_view import ExperimentView, figure_output, wrap_title
from hydroml_jupyter.widgets.placeholder import placeholder_bundle

pytestmark = pytest.mark.timeout(120)


def until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the expected state was not reached in time")
        time.sleep(0.02)


def test_the_panel_shows_each_phase_even_when_the_run_reports_nothing(
    monkeypatch: pytest.MonkeyPatch, loop_thread: Dispatcher
) -> None:
    monkeypatch.setattr(experiment_module, "kernel_dispatcher", lambda: loop_thread)
    run = TrainingRun("quiet", "logistic_regression", "classification", "y")
    panel = ExperimentPanel(run, interval=0)
    assert panel.runs[0]["phase"] == "queued"
    gates = [threading.Event() for _ in range(4)]

    def fit() -> None:
        gates[1].wait(30)

    def work(writer: RunWriter) -> None:
        writer.begin()
        gates[0].wait(30)
        # The fit starts: no event says so (a model without rounds reports nothing).
        run.fit_thread = threading.Thread(target=fit, daemon=True)
        run.fit_thread.start()
        run.fit_thread.join()
        gates[2].wait(30)
        writer.finish("completed")

    run.start(work)
    until(lambda: panel.runs[0]["phase"] == "preparing data")
    assert panel.runs[0]["status"] == "running" and panel.runs[0]["progress"] == 0
    gates[0].set()
    until(lambda: panel.runs[0]["phase"] == "training")
    gates[1].set()
    until(lambda: panel.runs[0]["phase"] == "finishing")
    gates[2].set()
    assert run.wait(30) == "completed"
    until(lambda: panel.status == "done")
    assert panel.runs[0]["phase"] == ""
    panel.close()


def _frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["y"] = df["a"] * 2 + rng.normal(scale=0.1, size=n)
    return df


def test_the_view_says_computing_charts_until_they_are_drawn(mlflow_env: None) -> None:
    run = hj.Session(_frame(), name="phase-charts").train("y", model="ridge", track=False)
    view = ExperimentView(run.panel())
    phases: list[str] = []
    view.panel.observe(lambda change: phases.append(change["new"][0]["phase"]), "runs")
    assert run.wait(60) == "completed", run.logs
    until(lambda: view.drawn)
    assert "computing charts" in phases
    assert phases[-1] == "" and view.panel.runs[0]["phase"] == ""
    assert phases.index("computing charts") > 0
    view.close()
    view.panel.close()


def test_long_chart_titles_wrap_to_fit_a_narrow_chart() -> None:
    title = "Permutation importance (random_forest, 13 columns, 2,000 rows)"
    wrapped = wrap_title(title)
    lines = wrapped.split("<br>")
    assert len(lines) > 1 and all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == title
    fig = go.Figure(layout={"title": {"text": title}, "margin": {"t": 50}})
    spec = figure_output(fig)["data"]["application/vnd.plotly.v1+json"]
    assert spec["layout"]["title"]["text"] == wrapped
    assert spec["layout"]["margin"]["t"] == 50 + 22 * (len(lines) - 1)
    short = figure_output(go.Figure(layout={"title": {"text": "ROC"}, "margin": {"t": 50}}))
    assert short["data"]["application/vnd.plotly.v1+json"]["layout"]["margin"]["t"] == 50


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "a & b", "quote \" ' `"])
def test_the_placeholder_escapes_every_name(name: str) -> None:
    bundle = placeholder_bundle(f"Data Studio of session {name!r}")
    markup: Any = bundle["text/html"]
    assert name not in markup
    assert "<img" not in markup and "Run the cell again" in markup
    assert repr(name) in bundle["text/plain"]
