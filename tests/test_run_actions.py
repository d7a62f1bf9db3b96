"""The experiment view's Register, Serve and Check drift row, on a real tracked run."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.experiments import ExperimentError, TrainingRun
from hydroml_jupyter.experiments.serving import port_is_free
from hydroml_jupyter.widgets import ExperimentView
from hydroml_jupyter.widgets import experiment as experiment_module
from hydroml_jupyter.widgets.dispatch import Dispatcher
from hydroml_jupyter.widgets.run_actions import RunActions, default_model_name

pytestmark = pytest.mark.timeout(180)

HOSTILE = "<img src=x onerror=alert(1)>"


def frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"num": rng.normal(size=n), "city": rng.choice(["paris", "lyon", "nice"], n)})
    signal = df["num"] + (df["city"] == "paris")
    df["churned"] = np.where(signal + rng.normal(scale=0.5, size=n) > 0.4, "yes", "no")
    return df


def until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the actions row did not reach the expected state in time")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def loop(module_loop_thread: Dispatcher) -> Dispatcher:
    """The kernel's loop, stood in for the whole module (conftest's)."""
    return module_loop_thread


@pytest.fixture(scope="module")
def tracked(
    tmp_path_factory: pytest.TempPathFactory, loop: Dispatcher
) -> Iterator[tuple[TrainingRun, ExperimentView]]:
    """A real run tracked to a sqlite store, and its view once the charts are drawn."""
    root = tmp_path_factory.mktemp("actions")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root}/mlflow.db")
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mp.setenv("XDG_CONFIG_HOME", str(root / "config"))
        mp.chdir(root)
        mp.setattr(experiment_module, "kernel_dispatcher", lambda: loop)
        s = hj.Session(frame(), name="actions-train")
        run = s.train("churned", model="logistic_regression")
        view = run.view()
        assert run.wait(120) == "completed", run.logs
        until(lambda: view.drawn)
        yield run, view
        view.close()
        s.close()


def actions_of(view: ExperimentView) -> RunActions:
    (row,) = [w for w in view.charts.children if isinstance(w, RunActions)]
    return row


def settle(row: RunActions) -> None:
    until(lambda: not row.busy)


def watch_threads(row: RunActions) -> list[str]:
    """Record the thread every change of the row's message is made on."""
    names: list[str] = []
    row.message.observe(lambda _: names.append(threading.current_thread().name), "value")
    return names


def test_a_completed_run_gets_one_row_with_defaults(
    tracked: tuple[TrainingRun, ExperimentView],
) -> None:
    run, view = tracked
    row = actions_of(view)
    assert row.handle is run and view.charts.children[-1] is row
    assert (row.name.value, row.alias.value) == ("churned-model", "champion")
    assert [b.description for b in (row.register_button, row.serve_button, row.drift_button)] == [
        "Register",
        "Serve",
        "Check drift",
    ]
    assert default_model_name(HOSTILE) == "img-src-x-onerror-alert-1-model"


def test_register_adds_a_version_to_the_registry(
    tracked: tuple[TrainingRun, ExperimentView],
) -> None:
    run, view = tracked
    row = actions_of(view)
    threads = watch_threads(row)
    row.register_button.click()
    assert row.register_button.disabled and row.register_button.description == "Registering…"
    settle(row)
    assert row.register_button.description == "Register"
    models = hj.models(run.tracking_uri)
    mine = models[models["name"] == "churned-model"]
    assert mine["version"].tolist() == [1] and mine["aliases"].tolist() == ["champion"]
    assert mine["run_id"].tolist() == [run.run_id]
    assert "Registered churned-model version 1 as champion" in row.message.value
    assert threads == ["fake-kernel-loop"]  # widgets changed on the loop, not the worker


def test_a_hostile_name_and_path_are_shown_escaped(
    tracked: tuple[TrainingRun, ExperimentView],
) -> None:
    _, view = tracked
    row = actions_of(view)
    row.name.value = HOSTILE
    row.register_button.click()
    settle(row)
    shown = row.message.value
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    row.path.value = f"{HOSTILE}.csv"
    row.drift_button.click()
    settle(row)
    shown = row.message.value
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;.csv" in shown
    assert shown.startswith("<span style='color:#b00020'>Check drift failed:")


def test_check_drift_shows_the_report_of_a_shifted_file(
    tracked: tuple[TrainingRun, ExperimentView], tmp_path: Path
) -> None:
    run, view = tracked
    row = actions_of(view)
    shifted = frame(300, seed=5)
    shifted["num"] += 2.0
    shifted["city"] = np.where(shifted.index % 4 == 0, "marseille", shifted["city"])
    path = tmp_path / "next-month.csv"
    shifted.drop(columns="churned").to_csv(path, index=False)
    row.path.value = str(path)
    row.drift_button.click()
    assert row.drift_button.description == "Checking…"
    settle(row)
    expected = run.drift(shifted.drop(columns="churned"))
    assert expected.verdict.startswith("severe drift")
    (output,) = row.report.outputs
    assert output["data"]["text/html"] == expected._repr_html_()
    assert expected.verdict in output["data"]["text/html"]
    assert f"Drift of {path}" in row.message.value and "Check drift failed" not in row.message.value


def test_a_session_name_is_new_data_too(tracked: tuple[TrainingRun, ExperimentView]) -> None:
    _, view = tracked
    row = actions_of(view)
    same = hj.Session(frame(300, seed=9), name="actions-same")
    row.path.value = "actions-same"
    row.drift_button.click()
    settle(row)
    (output,) = row.report.outputs
    assert "no drift" in output["data"]["text/html"]
    same.close()


def test_a_missing_file_is_one_line_in_the_row(
    tracked: tuple[TrainingRun, ExperimentView], tmp_path: Path
) -> None:
    _, view = tracked
    row = actions_of(view)
    before = row.report.outputs
    missing = tmp_path / "nowhere.csv"
    row.path.value = str(missing)
    row.drift_button.click()
    settle(row)
    text = row.message.value
    assert text.startswith("<span style='color:#b00020'>Check drift failed:")
    assert str(missing) in text and "\n" not in text and "Traceback" not in text
    assert row.report.outputs == before  # the last report stays
    row.path.value = "  "
    row.drift_button.click()
    assert "give a file&#x27;s path or a session&#x27;s name" in row.message.value


def post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as reply:
        return reply.read()


def test_serve_then_stop(tracked: tuple[TrainingRun, ExperimentView]) -> None:
    run, view = tracked
    row = actions_of(view)
    row.serve_button.click()
    assert row.serve_button.disabled and row.serve_button.description == "Starting…"
    settle(row)
    server = row.server
    assert server is not None and server.running, row.message.value
    assert row.serve_button.description == "Stop"
    assert f"{server.url}/invocations" in row.message.value
    info = row.server_info.value
    assert "&#x27;Content-Type: application/json&#x27;" in info and "'Content-Type" not in info
    raw = frame(12, seed=3).drop(columns="churned")
    split = raw.to_json(orient="split", index=False)
    answer = post(f"{server.url}/invocations", f'{{"dataframe_split": {split}}}'.encode())
    assert b"predictions" in answer
    assert server.predict(raw).tolist() == run.predict(raw).tolist()
    row.serve_button.click()
    assert row.serve_button.description == "Stopping…"
    settle(row)
    assert row.server is None and not server.running and port_is_free(server.port)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port)).close()
    assert row.serve_button.description == "Serve" and row.server_info.value == ""
    assert "Stopped the server" in row.message.value


def test_closing_the_row_stops_its_server(
    tracked: tuple[TrainingRun, ExperimentView], loop: Dispatcher
) -> None:
    """A server still starting when the row closes is stopped once it answers."""
    run, _ = tracked
    row = RunActions(run, loop)
    started: list[Any] = []
    serve = run.serve
    run.serve = lambda: started.append(serve()) or started[0]  # type: ignore[method-assign]
    try:
        row.serve_button.click()
        row.close()
        until(lambda: bool(started) and port_is_free(started[0].port), timeout=90)
    finally:
        del run.serve
    assert not started[0].running and row.server is None


def test_runs_without_a_model_get_no_row(loop: Dispatcher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(experiment_module, "kernel_dispatcher", lambda: loop)
    failed = hj.Session(frame().assign(churned="yes"), name="actions-fail")
    bad = failed.train("churned", model="logistic_regression", track=False)
    untracked = failed.train("num", model="linear", track=False)
    assert bad.wait(60) == "failed" and untracked.wait(60) == "completed"
    view = ExperimentView(hj.ExperimentPanel([bad, untracked]))
    until(lambda: view.drawn)
    assert not [w for w in view.charts.children if isinstance(w, RunActions)]
    with pytest.raises(ExperimentError):
        untracked.serve()
    view.close()
    failed.close()
