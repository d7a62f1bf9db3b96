"""The store benchmark keeps running and reports every figure it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_store_benchmark_runs_small(tmp_path: Path) -> None:
    out = tmp_path / "store.json"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "store.py"),
            "--rows",
            "3000",
            "--repeat",
            "1",
            "--steps",
            "3",
            "--dir",
            str(tmp_path),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (size,) = json.loads(out.read_text())["sizes"]
    disk = size["stores"]["disk"]
    for key in ("save", "restore", "ipc_write", "ipc_read", "save_ratio", "restore_ratio"):
        assert disk[key] > 0, key
    assert disk["resave_unchanged"] > 0 and disk["stored_bytes"] > 0
    step = disk["per_step"]
    assert step["steps"] == 3 and step["write_per_step"] > 0 and step["bytes_per_step"] > 0
    assert {"apply_on", "apply_off", "apply_overhead", "flush_after_step"} <= set(step)
    burst = disk["burst"]
    assert burst["steps"] == 3 and burst["saves"] >= 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("hydroml-bench-")] == []
