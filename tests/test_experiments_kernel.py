"""A training in a real IPython kernel leaves the kernel free to run cells."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from hydroml_jupyter.experiments.lifecycle import EXIT_REASON


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernel")
    env = {"MLFLOW_DISABLE_TELEMETRY": "true", "XDG_CONFIG_HOME": str(folder / "config")}
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env={**os.environ, **env})
    yield kc, folder, km
    kc.stop_channels()
    if km.is_alive():  # the last test shuts it down itself
        km.shutdown_kernel(now=True)


def execute(kc, code: str, timeout: float = 60) -> dict:
    """Run ``code``; return the reply content, and fail on an error."""
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]


def stdout(kc, code: str, timeout: float = 60) -> str:
    """Run ``code``; return what it printed on stdout."""
    out: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


SETUP = """
import time
import numpy as np, pandas as pd
import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
rng = np.random.default_rng(0)
df = pd.DataFrame({"a": rng.normal(size=30000), "b": rng.normal(size=30000),
                   "c": rng.choice(["x", "y", "z"], 30000)})
df["y"] = (df["a"] + rng.normal(size=30000) > 0).map({True: "up", False: "down"})
s = hj.Session(df)
train = s.train if hasattr(s, "train") else (lambda *a, **k: ex.train(s, *a, **k))
"""


def test_kernel_answers_while_a_model_trains(kernel) -> None:
    kc, folder, _ = kernel
    execute(kc, SETUP)
    uri = f"sqlite:///{Path(folder) / 'mlflow.db'}"
    execute(
        kc,
        f"run = train('y', model='xgboost', params={{'n_estimators': 400, "
        f"'max_depth': 8, 'early_stopping_rounds': None}}, tracking_uri={uri!r})",
    )
    latencies, seen = [], []
    for _ in range(10):
        start = time.monotonic()
        seen.append(stdout(kc, "print(1 + 1, run.status)", timeout=10).strip())
        latencies.append(time.monotonic() - start)
        time.sleep(0.2)
    assert seen.count("2 running") >= 5, seen
    assert max(latencies) < 1.0, latencies
    code = "print(run.wait(120), run.run_id is not None, len(run.history), run.history[-1]['step'])"
    done = stdout(kc, code, 130)
    # the curves of a run with no early stopping are scored every 8th of the 400 rounds
    assert done.split() == ["completed", "True", "50", "400"], done


def test_a_kernel_shut_down_mid_training_ends_its_run_killed(kernel) -> None:
    """Runs last in this module: it shuts the module's kernel down."""
    from mlflow import MlflowClient

    kc, folder, km = kernel
    execute(kc, SETUP)
    uri = f"sqlite:///{Path(folder) / 'mlflow.db'}"
    run_id = stdout(
        kc,
        f"run = train('y', model='random_forest', params={{'n_estimators': 100000}}, "
        f"tracking_uri={uri!r})\n"
        "while not run.history: time.sleep(0.02)\n"
        "print(run.run_id)",
        timeout=120,
    ).strip()
    assert MlflowClient(uri).get_run(run_id).info.status == "RUNNING"
    kc.stop_channels()
    km.shutdown_kernel(now=False)  # a shutdown request, as Jupyter sends on close or restart
    got = MlflowClient(uri).get_run(run_id)
    assert got.info.status == "KILLED"
    assert got.data.tags["hydroml.end_reason"] == EXIT_REASON
