"""No run stays RUNNING after its process: ended at exit, or marked stale when listed.

Every test here trains in a real child process on the module's real MLflow sqlite
store, then ends that process the way kernels end: killed outright, exiting while a
run is going, or exiting while the store is locked.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from IPython.utils.capture import capture_output

from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import lifecycle, owner, tracking

CHILD = """
import sys, time
import numpy as np, pandas as pd
from hydroml_jupyter import experiments as ex

uri, mode = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
df = pd.DataFrame({"a": rng.normal(size=4000), "b": rng.normal(size=4000)})
df["y"] = np.where(df["a"] + rng.normal(size=4000) > 0, "up", "down")
run = ex.train(df, "y", model="random_forest", params={"n_estimators": 100000}, tracking_uri=uri)
deadline = time.monotonic() + 120
while not run.history:  # training for real, its MLflow run RUNNING
    assert not run.done and time.monotonic() < deadline, run.error
    time.sleep(0.02)
print(run.run_id, flush=True)
if mode == "kill":
    time.sleep(600)  # until the test kills this process
elif mode == "exit-on-input":
    sys.stdin.readline()
# then the interpreter exits with the run going
"""


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


@pytest.fixture(scope="module")
def client(mlflow_store: str):
    from mlflow import MlflowClient

    return MlflowClient(mlflow_store)


def start_child(tmp_path: Path, store: str, mode: str) -> tuple[subprocess.Popen[str], str]:
    """Start a child that trains a long run; return it and the MLflow run id it prints."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), store, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    assert child.stdout is not None
    run_id = child.stdout.readline().strip()
    if not run_id:
        child.kill()
        raise AssertionError(child.communicate()[1][-3000:])
    return child, run_id


def row(run_id: str) -> dict[str, object]:
    table = ex.runs()
    found = table[table["run_id"] == run_id]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def test_a_killed_process_leaves_a_run_that_listing_marks_killed(
    tmp_path: Path, mlflow_store: str, client, shell
) -> None:
    child, run_id = start_child(tmp_path, mlflow_store, "kill")
    tags = client.get_run(run_id).data.tags
    assert tags[owner.HOST] == socket.gethostname() and tags[owner.PID] == str(child.pid)
    assert float(tags[owner.STARTED]) == pytest.approx(owner.process_start(child.pid), abs=2)
    # listed while its process lives, the run is left RUNNING
    assert row(run_id)["status"] == "RUNNING"
    assert client.get_run(run_id).info.status == "RUNNING"

    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert client.get_run(run_id).info.status == "RUNNING"  # nobody could end it

    with capture_output():
        listed = shell.run_line_magic("hydroml", "runs")
    shown = listed[listed["run_id"] == run_id].iloc[0]
    assert shown["status"] == "KILLED"
    assert f"pid {child.pid} on {socket.gethostname()}" in shown["end_reason"]
    got = client.get_run(run_id)
    assert got.info.status == "KILLED" and got.info.end_time is not None
    assert got.data.tags[tracking.END_REASON] == shown["end_reason"]
    # a second listing shows the same, and writes nothing more
    assert row(run_id)["status"] == "KILLED"
    assert client.get_run(run_id).info.end_time == got.info.end_time


def test_exiting_mid_run_ends_the_run_killed_at_exit(
    tmp_path: Path, mlflow_store: str, client
) -> None:
    child, run_id = start_child(tmp_path, mlflow_store, "exit")
    started = time.monotonic()
    _, err = child.communicate(timeout=60)
    took = time.monotonic() - started
    assert child.returncode == 0, err[-3000:]
    assert took < lifecycle.EXIT_SECONDS + 2, took
    got = client.get_run(run_id)
    assert got.info.status == "KILLED"
    assert got.data.tags[tracking.END_REASON] == lifecycle.EXIT_REASON
    assert "could not be ended" not in err
    assert row(run_id)["end_reason"] == lifecycle.EXIT_REASON


def test_exit_is_bounded_when_the_store_is_locked_and_the_run_is_found_stale(
    tmp_path: Path, mlflow_store: str, client
) -> None:
    child, run_id = start_child(tmp_path, mlflow_store, "exit-on-input")
    path = mlflow_store.removeprefix("sqlite:///")
    lock = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        _, err = child.communicate("go\n", timeout=60)
        took = time.monotonic() - started
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert child.returncode == 0, err[-3000:]
    assert took < lifecycle.EXIT_SECONDS + 2, took
    assert "hydroml: 1 run(s) could not be ended within 3 s at exit" in err
    assert client.get_run(run_id).info.status == "RUNNING"
    listed = row(run_id)
    assert listed["status"] == "KILLED"
    assert f"pid {child.pid}" in str(listed["end_reason"])


def test_runs_of_other_hosts_and_reused_pids(client, mlflow_store: str) -> None:
    experiment = tracking.get_experiment_id(client, "owners", mlflow_store)
    here = owner.owner_tags()
    other = client.create_run(
        experiment,
        tags={"hydroml.kind": "train", owner.HOST: "elsewhere.invalid", owner.PID: "1"},
    ).info.run_id
    # this process's pid, but a start time long before it: the pid was reused
    reused = client.create_run(
        experiment,
        tags={"hydroml.kind": "train", **here, owner.STARTED: "1000.00"},
    ).info.run_id
    alive = client.create_run(experiment, tags={"hydroml.kind": "train", **here}).info.run_id
    table = ex.runs("owners").set_index("run_id")
    assert table.loc[other, "status"] == "RUNNING" and pd.isna(table.loc[other, "end_reason"])
    assert table.loc[alive, "status"] == "RUNNING"
    assert table.loc[reused, "status"] == "KILLED"
    assert client.get_run(reused).info.status == "KILLED"
    assert client.get_run(other).info.status == "RUNNING"
    side = ex.compare([other, reused])
    assert side.loc["status"].tolist() == ["RUNNING", "KILLED"]
    for run_id in (other, alive):
        client.set_terminated(run_id, "FINISHED")


def test_the_exit_hook_is_registered_by_the_first_run_not_at_import() -> None:
    code = (
        "import hydroml_jupyter, hydroml_jupyter.experiments as ex\n"
        "from hydroml_jupyter.experiments import lifecycle\n"
        "print(bool(lifecycle._watching))\n"
        "import pandas as pd\n"
        "df = pd.DataFrame({'a': range(40), 'y': [0, 1] * 20})\n"
        "run = ex.train(df, 'y', model='ridge', track=False)\n"
        "print(bool(lifecycle._watching), run.wait(60))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    lines = out.stdout.split("\n")
    assert lines[:2] == ["False", "True completed"]
