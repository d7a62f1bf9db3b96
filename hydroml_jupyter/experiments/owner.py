"""Which process owns a tracked run, and whether that process is still alive.

A run records its owner as tags when it starts: the host name, the process id and
the process's start time (seconds since the epoch). The start time tells a live
owner from a new process that was given the same pid after the owner died.

A run is judged only on its own host: a run of another host is ``"unknown"``,
never ``"gone"``. Liveness is read from ``/proc`` (Linux); elsewhere on POSIX a
signal 0 tells whether the pid exists (the start time cannot be compared); on
other systems every owner is ``"unknown"``.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
from collections.abc import Mapping

__all__ = ["HOST", "PID", "STARTED", "owner_state", "owner_tags", "process_start"]

HOST = "hydroml.owner.host"
PID = "hydroml.owner.pid"
STARTED = "hydroml.owner.started"
#: Start times read at different moments can differ by a second (the kernel's boot
#: time is recomputed on each read); a reused pid starts later than that.
_START_TOLERANCE = 2.0


@functools.cache
def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as f:
            for line in f:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _proc_stat(pid: int) -> list[str] | None:
    """Return the fields of ``/proc/<pid>/stat`` after the command name (``None``: no such)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    # the command name is in parentheses and may itself hold spaces or ')'
    return text.rpartition(")")[2].split()


def process_start(pid: int | None = None) -> float | None:
    """Return when process ``pid`` (default: this one) started, in epoch seconds, if known."""
    fields = _proc_stat(os.getpid() if pid is None else pid)
    boot = _boot_time()
    if fields is None or boot is None or len(fields) < 20:
        return None
    try:
        return boot + int(fields[19]) / _clock_ticks()
    except (ValueError, OSError):
        return None


def owner_tags() -> dict[str, str]:
    """Return the tags that name this process as a run's owner."""
    started = process_start()
    return {
        HOST: socket.gethostname(),
        PID: str(os.getpid()),
        STARTED: "" if started is None else f"{started:.2f}",
    }


def owner_state(tags: Mapping[str, str]) -> str:
    """Return ``"alive"``, ``"gone"`` or ``"unknown"`` for the owner a run's tags name.

    ``"unknown"`` covers runs with no owner tags, runs of another host and systems
    where a process cannot be looked up.
    """
    if tags.get(HOST) != socket.gethostname():
        return "unknown"
    try:
        pid = int(tags.get(PID, ""))
    except ValueError:
        return "unknown"
    if pid <= 0:
        return "unknown"
    try:
        recorded: float | None = float(tags.get(STARTED) or "")
    except ValueError:  # no start time was recorded
        recorded = None
    if os.path.isdir("/proc/self"):
        fields = _proc_stat(pid)
        if fields is None or fields[0] in {"Z", "X", "x"}:  # no such process, or a zombie
            return "gone"
        started = process_start(pid)
        if recorded is not None and started is not None:
            return "alive" if abs(started - recorded) <= _START_TOLERANCE else "gone"
        return "alive"
    if sys.platform == "win32":
        return "unknown"  # os.kill(pid, 0) would send CTRL_C_EVENT there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "gone"
    except OSError:
        return "alive"  # it exists, owned by another user
    return "alive"
