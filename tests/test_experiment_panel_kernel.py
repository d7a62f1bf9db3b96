"""The experiment panel in a real IPython kernel: live updates from a training thread.

A model trains in the kernel's background thread while the test keeps running ``1+1``. The
panel's updates must reach the client over iopub as ``comm_msg`` updates while training goes
on, each sent from the kernel's main thread (where its event loop runs), and every ``1+1``
must be answered promptly: the kernel is never blocked.
"""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.timeout(180)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

SETUP = """
import threading
import numpy as np, pandas as pd
import hydroml_jupyter as hj
rng = np.random.default_rng(0)
n = 30000
df = pd.DataFrame({{"a": rng.normal(size=n), "b": rng.normal(size=n),
                   "c": rng.choice(["x", "y", "z"], n)}})
df["y"] = np.where(df["a"] + rng.normal(size=n) > 0, "up", "down")
s = hj.Session(df, name="panel-kernel")
run = s.train("y", model="xgboost", params={{"n_estimators": 300, "max_depth": 8,
                                          "early_stopping_rounds": None}},
              tracking_uri={uri!r})
panel = run.panel()
flush_threads = []
_flush = panel._throttle.flush
def recording_flush():
    flush_threads.append(threading.current_thread().name)
    _flush()
panel._throttle.flush = recording_flush
run
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("panel-kernel")
    env = {
        **os.environ,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "XDG_CONFIG_HOME": str(folder / "config"),
    }
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env=env)
    yield kc, folder
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run_cell(
    kc: Any, code: str, timeout: float = 60
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run ``code``; return its reply and every iopub message (of any parent) seen meanwhile."""
    msg_id = kc.execute(code)
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    idle = False
    while not idle:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        seen.append(msg)
        idle = (
            msg["msg_type"] == "status"
            and msg["parent_header"].get("msg_id") == msg_id
            and msg["content"]["execution_state"] == "idle"
        )
    reply = kc.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply, seen


def updates_of(messages: list[dict[str, Any]], comm_id: str) -> list[dict[str, Any]]:
    """The states of the widget's ``update`` messages among ``messages``."""
    return [
        m["content"]["data"]["state"]
        for m in messages
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == comm_id
        and m["content"]["data"].get("method") == "update"
    ]


def result_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    found = [m["content"]["data"] for m in messages if m["msg_type"] == "execute_result"]
    assert found, [m["msg_type"] for m in messages]
    return found[-1]


def test_panel_updates_stream_over_iopub_while_the_kernel_answers(kernel: Any) -> None:
    kc, folder = kernel
    uri = f"sqlite:///{Path(folder) / 'mlflow.db'}"
    start = time.monotonic()
    _reply, messages = run_cell(kc, SETUP.format(uri=uri))
    # The run's view is displayed (then its static placeholder), not returned as a result.
    shown = next(
        m["content"]["data"]
        for m in messages
        if m["msg_type"] == "display_data" and WIDGET_VIEW in m["content"]["data"]
    )
    assert "ExperimentView" in shown["text/plain"]
    opens = {m["content"]["comm_id"]: m for m in messages if m["msg_type"] == "comm_open"}
    view = opens[shown[WIDGET_VIEW]["model_id"]]["content"]["data"]["state"]
    assert view["_model_name"] == "VBoxModel"  # the panel, and the charts once the run ends
    panel_ref, charts_ref = view["children"]
    comm_id = panel_ref.removeprefix("IPY_MODEL_")
    assert opens[comm_id]["content"]["data"]["state"]["_kind"] == "experiment"
    charts_id = charts_ref.removeprefix("IPY_MODEL_")

    states = updates_of(messages, comm_id)
    answers: list[tuple[float, str, int]] = []  # latency, result, updates seen before it
    while not any(s.get("status") == "done" for s in states):
        assert time.monotonic() - start < 150, "training did not finish"
        asked = time.monotonic()
        _reply, seen = run_cell(kc, "1+1", timeout=10)
        answers.append((time.monotonic() - asked, result_of(seen)["text/plain"], len(states)))
        states += updates_of(seen, comm_id)
        messages += seen
        try:  # updates that arrive between cells
            while True:
                messages.append(kc.get_iopub_msg(timeout=0.2))
                states += updates_of(messages[-1:], comm_id)
        except queue.Empty:
            pass
    took = time.monotonic() - start

    # Every 1+1 was answered, promptly, while training went on.
    assert all(result == "2" for _, result, _ in answers)
    assert max(latency for latency, _, _ in answers) < 1.0, answers
    # Updates carry the traits that changed: replay them into the front end's view of the state.
    current = dict(opens[comm_id]["content"]["data"]["state"])
    running = []
    for update in states:
        current.update(update)
        if current["status"] == "running" and "runs" in update:
            running.append(dict(current))
    assert len(running) >= 3, [sorted(s) for s in states]
    steps = [s["runs"][0]["done_steps"] or 0 for s in running]
    assert steps == sorted(steps) and steps[-1] > steps[0], steps
    # Some updates arrived after a 1+1 had been answered, before training ended.
    assert len(answers) >= 2 and any(0 < n < len(states) - 1 for _, _, n in answers[1:])
    assert current["status"] == "done"
    run = current["runs"][0]
    assert run["status"] == "done" and run["done_steps"] == 300 and run["run_id"]
    assert set(run["metrics"]) == {"accuracy", "f1", "roc_auc", "log_loss"}
    # Throttled to about ten updates a second, and sent from the kernel's main thread only.
    assert len(states) <= took / 0.1 + 5, (len(states), took)
    # At the end the charts arrive, on the same loop: plotly figures in Output widgets.
    deadline = time.monotonic() + 60
    while True:  # the figures are built on a worker thread, then shown from the loop
        _reply, seen = run_cell(kc, "print(run.view().drawn)")
        messages += seen
        if "True" in "".join(m["content"].get("text", "") for m in seen):
            break
        assert time.monotonic() < deadline, "the charts were not drawn"
        time.sleep(0.2)
    charts = [
        m["content"]["data"]["state"]["children"]
        for m in messages
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == charts_id
        and "children" in m["content"]["data"].get("state", {})
    ]
    # One run: its block of charts, then its Register / Serve / Check drift row.
    assert charts and len(charts[-1]) == 2, charts
    figures = [
        output["data"]
        for m in messages
        if m["msg_type"] in {"comm_open", "comm_msg"}
        for output in m["content"]["data"].get("state", {}).get("outputs", [])
    ]
    assert [f["text/plain"].split(" (")[0] for f in figures] == [
        "<Figure: Feature importance",
        "<Figure: Confusion matrix",
        "<Figure: ROC",
    ]
    assert all("application/vnd.plotly.v1+json" in f for f in figures)
    _reply, seen = run_cell(kc, "print(sorted(set(flush_threads)), panel.updates > 0)")
    out = "".join(m["content"]["text"] for m in seen if m["msg_type"] == "stream")
    assert out.strip() == "['MainThread'] True"


def test_magics_show_the_panel_once_whether_assigned_or_last(kernel: Any) -> None:
    kc, folder = kernel
    uri = f"sqlite:///{Path(folder) / 'mlflow-magics.db'}"
    run_cell(kc, f"%load_ext hydroml_jupyter\n%config HydroML.mlflow_uri = {uri!r}")
    run_cell(kc, "%hydroml use panel-kernel")
    line = "train y --model ridge --preset fast --param alpha=1.0"
    _reply, assigned = run_cell(kc, f"r1 = %hydroml {line}", timeout=60)
    _reply, last = run_cell(kc, f"%hydroml {line}", timeout=60)

    def views(messages: list[dict[str, Any]]) -> list[str]:
        return [
            m["msg_type"]
            for m in messages
            if m["msg_type"] in {"display_data", "execute_result"}
            and WIDGET_VIEW in m["content"]["data"]
        ]

    assert views(assigned) == ["display_data"]
    assert views(last) == ["display_data"]  # shown once, and no result line beside it
    assert [m for m in last if m["msg_type"] == "execute_result"] == []
    _reply, seen = run_cell(kc, "print(r1.wait(60), _.wait(60))", timeout=90)
    out = "".join(m["content"].get("text", "") for m in seen if m["msg_type"] == "stream")
    # the stream may also carry a log line of MLflow's from a run's thread
    assert "completed completed" in out.splitlines(), out
