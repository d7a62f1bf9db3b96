"""Running code in a real kernel started with jupyter_client, for the kernel tests."""

from __future__ import annotations

import textwrap
import time
from typing import Any

import pytest


def run(kc: Any, code: str, timeout: float = 120) -> str:
    """Execute ``code`` in the kernel of client ``kc``; return its stdout; fail on an error."""
    msg_id = kc.execute(textwrap.dedent(code))
    out: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "error":
            pytest.fail("\n".join(content["traceback"]))
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        if kind == "status" and content["execution_state"] == "idle":
            return "".join(out)
    raise TimeoutError(code)
