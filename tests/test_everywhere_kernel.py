"""What a cell's outputs hold, in a real IPython kernel: each widget then its static placeholder,
one output group for a run started by a magic, and a finished run's charts as plain outputs.
"""

from __future__ import annotations

import html
import os
import time
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.timeout(180)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"
HOSTILE = "<img src=x onerror=alert(1)>"

SETUP = f"""
import numpy as np, pandas as pd
import hydroml_jupyter as hj
%load_ext hydroml_jupyter
rng = np.random.default_rng(0)
df = pd.DataFrame({{"a": rng.normal(size=300), "b": rng.normal(size=300)}})
df["y"] = df["a"] * 2 + rng.normal(scale=0.1, size=300)
s = hj.Session(df, name={HOSTILE!r})
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("everywhere-kernel")
    env = {
        **os.environ,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "XDG_CONFIG_HOME": str(folder / "config"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}",
    }
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env=env)
    outputs(kc, SETUP)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def outputs(kc: Any, code: str, timeout: float = 90) -> list[dict[str, Any]]:
    """Run ``code``; return the outputs of its own cell (display data, results, streams)."""
    msg_id = kc.execute(code)
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if kind in ("display_data", "execute_result", "stream"):
            found.append({"type": kind, **msg["content"]})
    reply = kc.get_shell_msg(timeout=timeout)
    assert reply["content"]["status"] == "ok", reply["content"]
    return found


def placeholder_of(output: dict[str, Any]) -> str:
    assert output["type"] == "display_data" and WIDGET_VIEW not in output["data"]
    markup = output["data"]["text/html"]
    assert 'class="hydroml-static"' in markup and "<style>" in markup
    return markup


def test_a_studio_is_followed_by_its_placeholder_with_the_name_escaped(kernel: Any) -> None:
    found = outputs(kernel, "hj.Studio(s)")
    assert [o["type"] for o in found] == ["display_data", "display_data"]
    assert WIDGET_VIEW in found[0]["data"]
    markup = placeholder_of(found[1])
    assert HOSTILE not in markup and html.escape(repr(HOSTILE)) in markup
    assert "Data Studio of session" in markup and "Run the cell again to show it." in markup
    assert "300 rows × 3 columns" in found[1]["data"]["text/plain"]


def test_a_run_started_by_a_magic_leaves_one_output_and_its_placeholder(kernel: Any) -> None:
    found = outputs(kernel, "%hydroml train y --model ridge --session " + repr(HOSTILE))
    # The panel and its placeholder; no second line of text saying "running 0%".
    assert [o["type"] for o in found] == ["display_data", "display_data"], found
    assert WIDGET_VIEW in found[0]["data"]
    placeholder_of(found[1])
    assert "Experiment panel of ridge on 'y'" in found[1]["data"]["text/plain"]
    assert not any("running" in o["data"].get("text/plain", "") for o in found[1:])


def test_a_finished_run_shows_its_charts_as_plain_outputs(kernel: Any) -> None:
    outputs(kernel, "run = s.train('y', model='ridge')\nassert run.wait(60) == 'completed'")
    found = outputs(kernel, "run")
    assert WIDGET_VIEW in found[0]["data"]
    placeholder_of(found[1])
    charts = found[2:]
    assert len(charts) >= 2 and all(PLOTLY in o["data"] for o in charts)
    titles = [o["data"][PLOTLY]["layout"]["title"]["text"] for o in charts]
    assert all(len(line) <= 30 for t in titles for line in t.split("<br>")), titles
    # Displayed again, it shows the same outputs, not the charts twice.
    again = outputs(kernel, "run")
    assert len(again) == len(found)
