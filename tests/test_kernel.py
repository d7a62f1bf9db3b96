"""The engine inside a real IPython kernel: loading shows a widget progress bar."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code: str, timeout: float = 60) -> list[dict]:
    """Execute ``code`` and return every iopub message it caused, until idle."""
    msg_id = kc.execute(code)
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
    raise TimeoutError(code)


def test_loading_shows_a_progress_bar_widget(kernel, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    pd.DataFrame({"a": range(50_000), "b": ["x"] * 50_000}).to_csv(path, index=False)
    messages = run(
        kernel,
        f"import hydroml_jupyter as hj\ns = hj.open({str(path)!r}, progress=True)\nprint(s.shape)",
    )
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert not errors, errors
    models = [
        m["content"]["data"]["state"]["_model_name"]
        for m in messages
        if m["msg_type"] == "comm_open"
    ]
    assert "FloatProgressModel" in models
    progress_updates = [
        m
        for m in messages
        if m["msg_type"] == "comm_msg" and "value" in m["content"]["data"].get("state", {})
    ]
    assert progress_updates
    out = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert "(50000, 2)" in out
