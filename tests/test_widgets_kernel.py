"""The widgets inside a real IPython kernel: updates from worker threads reach the front end.

Under ipykernel 7 a widget must not send from a worker thread; the widget hands the update
to the kernel's event loop. Here a worker thread changes the session, and the widget's
``version`` update is read back from iopub, sent from the kernel's main thread.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pyarrow as pa
import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.timeout(120)

SETUP = """
import threading, time
import pandas as pd
import hydroml_jupyter as hj
df = pd.DataFrame({"a": range(1000), "b": ["x", "y"] * 500})
s = hj.Session(df, name="kernel")
grid = hj.Studio(s)
seen = []
_sync = grid._sync
def recording_sync():
    seen.append(threading.current_thread().name)
    _sync()
grid._sync = recording_sync
print(grid.model_id)
"""

FROM_A_THREAD = """
def work():
    time.sleep(0.3)
    s.apply("filter_rows", column="a", op="<", value=10)
worker = threading.Thread(target=work, name="session-worker")
worker.start()
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("widget-kernel")
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "XDG_CONFIG_HOME": str(folder)}
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env=env)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def execute(kc: Any, code: str) -> str:
    out: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def comm_messages(kc: Any, comm_id: str, until: Any, timeout: float = 15) -> list[dict[str, Any]]:
    """Read iopub until ``until(messages)`` holds for this comm's messages."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:
            break
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
            seen.append(msg)
            if until(seen):
                return seen
    raise AssertionError(f"no such message on iopub; saw {[m['content']['data'] for m in seen]}")


def test_a_change_from_a_worker_thread_reaches_the_front_end(kernel: Any) -> None:
    comm_id = execute(kernel, SETUP).strip()
    execute(kernel, FROM_A_THREAD)

    def updated(messages: list[dict[str, Any]]) -> bool:
        last = messages[-1]["content"]["data"]
        return last.get("method") == "update" and last["state"].get("version") == 1

    messages = comm_messages(kernel, comm_id, updated)
    state = messages[-1]["content"]["data"]["state"]
    assert state["total_rows"] == state["row_count"] == 10
    assert state["can_undo"] is True and len(state["history"]) == 2
    # The update ran on the kernel's main thread, where the loop runs, not in the worker.
    assert execute(kernel, "worker.join(); print(seen)").strip() == "['MainThread']"


def test_requests_are_answered_and_summaries_come_back_through_the_loop(kernel: Any) -> None:
    comm_id = execute(kernel, "print(grid.model_id)").strip()

    def ask(request: int, **content: Any) -> None:
        data = {"method": "custom", "content": {"request": request, **content}}
        kernel.shell_channel.send(
            kernel.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        )

    def reply_to(request: int) -> Any:
        def found(messages: list[dict[str, Any]]) -> bool:
            data = messages[-1]["content"]["data"]
            return data.get("method") == "custom" and data["content"].get("request") == request

        return comm_messages(kernel, comm_id, found)[-1]

    ask(1, kind="summary", columns=["a", "b"])
    summary = reply_to(1)["content"]["data"]["content"]
    assert summary["kind"] == "summary" and summary["summaries"]["a"]["summary"]["count"] == 10

    ask(2, kind="rows", start=0, stop=4)
    rows = reply_to(2)
    assert rows["content"]["data"]["content"]["rows"] == [0, 1, 2, 3]
    table = pa.ipc.open_stream(rows["buffers"][0]).read_all()
    assert table.column("a").to_pylist() == [0, 1, 2, 3]

    ask(3, kind="undo")
    assert reply_to(3)["content"]["data"]["content"] == {"kind": "done", "request": 3, "version": 2}
    ask(4, kind="nope")
    assert "unknown request kind 'nope'" in reply_to(4)["content"]["data"]["content"]["message"]
