"""The scoring server's process: ports, its process group, its log, the server's refusals."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "HOST",
    "cause",
    "die_with_parent",
    "free_port",
    "port_is_free",
    "refusal",
    "tail",
    "wait_group",
]

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``127.0.0.1:port`` now (as uvicorn binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
            sock.listen(1)
        except OSError:
            return False
    return True


def die_with_parent() -> Callable[[], None] | None:
    """Return a ``preexec_fn`` that has Linux send ``SIGTERM`` to the child when this one dies.

    Linux ties this to the *thread* that starts the child, so it is only used
    from the main thread (a worker thread that ends would take the server along).
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return None
    import ctypes

    libc = ctypes.CDLL(None)
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def tail(path: Path, lines: int) -> str:
    """Return the last ``lines`` lines of a log file (of a progress bar, its last state)."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 65536))
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    kept = [line.rsplit("\r", 1)[-1].rstrip() for line in data.split("\n")]
    return "\n".join([line for line in kept if line][-lines:])


def cause(log: str) -> str:
    """Return the line of a failed server's log that says why, and its last lines, as one line."""
    lines = log.splitlines()
    causes = [
        line
        for line in lines
        if not line[:1].isspace()
        and (line.startswith("ERROR") or ("Error: " in line or "Exception: " in line))
        and not line.startswith("Exception: Command ")
    ]
    quoted = [causes[0]] if causes else []
    quoted += [line.strip() for line in lines[-3:] if line not in quoted]
    text = " | ".join(quoted) or "(the log is empty)"
    return text if len(text) <= 800 else text[:799] + "…"


def wait_group(pgid: int, timeout: float) -> None:
    """Wait until no process of the group is left (uvicorn may outlive the MLflow command)."""
    deadline = time.monotonic() + timeout
    signalled = False
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        if time.monotonic() > deadline:
            if signalled:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            signalled, deadline = True, time.monotonic() + 2.0
        time.sleep(0.05)


def refusal(error: urllib.error.HTTPError) -> str:
    """Return, as one line, why the scoring server refused a request (its message's cause)."""
    try:
        body = error.read().decode("utf-8", "replace")
    except OSError:
        body = ""
    try:
        message = str(json.loads(body).get("message", body))
    except (ValueError, AttributeError):
        message = body
    # MLflow's messages quote the whole frame, then "Error: <cause>" (schema, conversion)
    parts = message.split("Error: ")
    cause = parts[-1]
    if len(parts) > 1:
        before = parts[-2].strip().rsplit(". ", 1)[-1]
        if "column" in before:
            cause = f"{before} {cause}"
    text = " ".join(cause.split()) or f"HTTP {error.code}"
    return text if len(text) <= 500 else text[:499] + "…"
