"""The engine benchmark keeps running, and every op still equals its pandas baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_engine_benchmark_runs_small(tmp_path: Path) -> None:
    out = tmp_path / "engine.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "engine.py"),
            "--rows",
            "3000",
            "--repeat",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (size,) = json.loads(out.read_text())["sizes"]
    assert {op["op"] for op in size["ops"]} >= {"cast", "formula", "group_aggregate", "sort_rows"}
    assert all(op["same"] == "yes" for op in size["ops"]), size["ops"]


def test_grid_benchmark_runs_small(tmp_path: Path) -> None:
    out = tmp_path / "grid.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "grid.py"), "--rows", "3000", "--repeat", "1",
         "--no-peers", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (size,) = json.loads(out.read_text())["sizes"]
    assert set(size["windows"]) == {"unsorted", "sorted float", "sorted string", "filtered"}
    assert all(w["hydroml_ms"] > 0 and w["raw_ms"] > 0 for w in size["windows"].values())
