"""A real JupyterLab (or Notebook 7) server for browser tests, and Chromium's launch.

`LabServer` runs ``python -m jupyterlab`` (``app="notebook"``: ``python -m notebook``, Notebook
7) from the test's own environment on a free loopback port, with every Jupyter folder (config,
data, runtime, user settings, workspaces) in a temporary folder so a developer's own setup
never leaks in. :mod:`tests.browser.lab` drives its pages.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOKS = HERE / "notebooks"

#: Chromium flags: no sandbox as root, no GPU, and nothing that phones home on a closed network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

#: User settings for the test server: no news toast (it covers the page), no update check,
#: no autosave, every cell rendered (widgets in off-screen cells render too).
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

LIGHT = "JupyterLab Light"
DARK = "JupyterLab Dark"


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    return shutil.which("chromium")


def artifacts_dir() -> Path:
    """Where screenshots and logs go: ``$HYDROML_ARTIFACTS`` or ``build/test-artifacts/``."""
    path = Path(os.environ.get("HYDROML_ARTIFACTS") or REPO / "build" / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def launch_chromium(playwright: Any) -> Browser:
    """Launch Debian's Chromium through Playwright (its own browser download is not used)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The server's module for each front end, and the path a notebook opens at.
APPS = {
    "lab": ("jupyterlab", "/lab/tree/{path}?reset&token={token}"),
    "notebook": ("notebook", "/notebooks/{path}?token={token}"),
}


class LabServer:
    """A JupyterLab (or Notebook 7) server on 127.0.0.1 whose root is a folder of notebook copies.

    Parameters
    ----------
    base
        A temporary folder for the root and every Jupyter folder.
    app
        ``"lab"`` (JupyterLab) or ``"notebook"`` (Notebook 7).
    """

    def __init__(self, base: Path, app: str = "lab") -> None:
        if app not in APPS:
            raise ValueError(f"app must be one of {sorted(APPS)}, not {app!r}")
        self.app = app
        self.base = base
        self.root = base / "root"
        self.log_path = base / "jupyterlab.log"
        self.token = secrets.token_hex(24)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._copies = 0

    # -- lifecycle -------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for var, sub in {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython",
            "XDG_CONFIG_HOME": "xdg-config",
            "MPLCONFIGDIR": "mpl",
        }.items():
            env[var] = str(self.base / sub)
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_CONFIG_PATH", None)
        return env

    def _write_settings(self) -> None:
        for rel, values in USER_SETTINGS.items():
            path = self.base / "settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        # Notebook 7 takes this from its config file only (its command-line flag does not
        # reach the page's configuration).
        notebook = {"expose_app_in_browser": True}
        config = self.base / "config" / "jupyter_notebook_config.json"
        config.write_text(json.dumps({"JupyterNotebookApp": notebook}, indent=2))

    def start(self, timeout: float = 90) -> None:
        """Start the server and wait until it answers; a taken port is retried."""
        self.root.mkdir(parents=True, exist_ok=True)
        env = self._env()
        self._write_settings()
        last_error = ""
        for _ in range(3):
            self.port = _free_port()
            module = APPS[self.app][0]
            cmd = [
                sys.executable, "-m", module,
                "--allow-root",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={self.root}",
                f"--IdentityProvider.token={self.token}",
            ]  # fmt: skip
            if self.app == "lab":
                cmd += [
                    "--LabApp.expose_app_in_browser=True",
                    "--LabApp.extension_manager=readonly",
                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                ]
            with self.log_path.open("ab") as log:
                self.proc = subprocess.Popen(
                    cmd,
                    cwd=self.root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if self._wait_ready(timeout):
                return
            last_error = self.log_tail()
            self._kill()
            if "address already in use" not in last_error.lower():
                break
        raise RuntimeError(f"{self.app} did not start; its log ends with:\n{last_error}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("GET", "/api/status", timeout=2)
                self.api("GET", "/lab/api/settings/", timeout=5)
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """Shut the kernels and the server down, killing the server if it does not exit."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(OSError, urllib.error.URLError):
            self.api("POST", "/api/shutdown", timeout=5)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._kill()

    def _kill(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- REST ------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url(path),
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def restart_kernel_of(self, path: str) -> None:
        """Restart the kernel of the notebook at ``path``: every widget model it held is gone."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path") == path:
                kernel = session["kernel"]["id"]
                self.api("POST", f"/api/kernels/{kernel}/restart", body={}, timeout=60)
                return
        raise LookupError(f"no kernel runs {path}")

    def shutdown_kernel_of(self, path: str) -> None:
        """Shut down the kernel of the notebook at ``path`` (relative to the root)."""
        with contextlib.suppress(OSError, urllib.error.URLError):
            for session in self.api("GET", "/api/sessions") or []:
                if session.get("path") == path:
                    self.api("DELETE", f"/api/sessions/{session['id']}")

    # -- notebooks -------------------------------------------------------------------------
    def add_notebook(self, source: Path | str) -> str:
        """Copy a notebook into the root under a fresh name; return its path in the root."""
        source = Path(source)
        if not source.is_absolute():
            source = NOTEBOOKS / source
        self._copies += 1
        name = f"{source.stem}-{self._copies}{source.suffix}"
        shutil.copyfile(source, self.root / name)
        return name
