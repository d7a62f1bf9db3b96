"""The wheel carries the front end's bundle and the Jupyter server configuration."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_bundle_and_the_server_config(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("hydroml_jupyter-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for asset in ("widget.js", "widget.css"):
            packed = z.read(f"hydroml_jupyter/static/{asset}")
            assert packed == (ROOT / "hydroml_jupyter" / "static" / asset).read_bytes()
        (config,) = [n for n in names if n.endswith("jupyter_server_config.d/hydroml_jupyter.json")]
        assert ".data/data/etc/jupyter/" in config
        enabled = json.loads(z.read(config))["ServerApp"]["jpserver_extensions"]
        assert enabled == {"hydroml_jupyter.server": True}
