"""A real JupyterLab (or Notebook 7) server and Chromium pages driving its notebooks.

`LabServer` runs ``python -m jupyter lab`` (``app="notebook"``: ``jupyter notebook``, Notebook
7) from the test's own environment on a free loopback port, with every Jupyter folder (config,
data, runtime, user settings, workspaces) in a temporary folder so a developer's own setup
never leaks in. `Notebook` opens one notebook in its own browser context and drives it through
``window.jupyterapp``, which both front ends expose.
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
    from playwright.sync_api import Browser, BrowserContext, Page

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


# -- the page side -----------------------------------------------------------------------------
# Every script finds the notebook panel by its path, so nothing depends on which tab is current.
_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
  }
  return null;
};
const codeCells = (panel) => panel.content.widgets.filter((c) => c.model.type === 'code');
const maxCount = (panel) =>
  Math.max(0, ...codeCells(panel).map((c) => c.model.executionCount || 0));
const outputText = (cell) => cell.model.outputs.toJSON().map((o) => {
  const join = (t) => (Array.isArray(t) ? t.join('') : t || '');
  if (o.output_type === 'stream') return join(o.text);
  if (o.output_type === 'error') return `${o.ename}: ${o.evalue}\\n`;
  return join(o.data && o.data['text/plain']);
}).join('');
"""


def _js(body: str) -> str:
    """An arrow function taking one argument ``a`` whose body can use the helpers above."""
    return f"(a) => {{ {_PANEL}\n{body} }}"


_READY = _js("""
const panel = findPanel(a.path);
if (!panel || !panel.context.isReady || panel.content.widgets.length === 0) return false;
const sc = panel.sessionContext;
const kernel = sc.session && sc.session.kernel;
return Boolean(sc.isReady && !sc.isDisposed && kernel
  && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
""")

_START = _js("""
const panel = findPanel(a.path);
const app = window.jupyterapp;
if (app.shell.currentWidget !== panel) app.shell.activateById(panel.id);
if (a.index !== null) {
  panel.content.activeCellIndex = a.index;
  panel.content.mode = 'command';
}
const before = maxCount(panel);
// The promise is not returned: awaiting it from page.evaluate can hang with no timeout.
app.commands.execute(a.command);
return before;
""")

_CURRENT = _js("""
const panel = findPanel(a.path);
return Boolean(panel) && window.jupyterapp.shell.currentWidget === panel;
""")

_DONE = _js("""
const panel = findPanel(a.path);
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const cells = panel.content.widgets
  .map((cell, i) => ({cell, i}))
  .filter(({cell, i}) => cell.model.type === 'code' && (a.index === null || a.index === i));
for (const {cell, i} of cells) {
  if ((cell.model.executionCount || 0) > a.before) {
    const err = cell.model.outputs.toJSON().find((o) => o.output_type === 'error');
    if (err) return {error: `cell ${i} raised ${err.ename}: ${err.evalue}`};
  }
}
const done = cells.every(({cell}) => (cell.model.executionCount || 0) > a.before
  && (cell.model.executionState === undefined || cell.model.executionState === 'idle'));
return done && kernel && kernel.status === 'idle' ? {done: true} : null;
""")

_OUTPUT = _js("return outputText(findPanel(a.path).content.widgets[a.index]);")

_CELLS = _js("return findPanel(a.path).content.widgets.map((c) => c.model.sharedModel.source);")


class Notebook:
    """One notebook open in its own browser context, driven through ``window.jupyterapp``."""

    #: Every notebook still open, so a failing test can screenshot them.
    open_notebooks: list[Notebook] = []  # noqa: RUF012

    def __init__(self, lab: LabServer, browser: Browser, source: Path | str) -> None:
        self.lab = lab
        self.path = lab.add_notebook(source)
        self.context: BrowserContext = browser.new_context(viewport={"width": 1600, "height": 1000})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        #: The console's warnings and errors (``"warning: ..."``), e.g. anywidget's.
        self.console: list[str] = []
        #: The same errors with their stacks (where they were thrown).
        self.error_stacks: list[str] = []
        self.page.on("pageerror", self._on_error)
        self.page.on("console", self._on_console)
        Notebook.open_notebooks.append(self)

    def _on_error(self, exc: Any) -> None:
        self.errors.append(str(exc))
        self.error_stacks.append(exc.stack or str(exc))

    def _on_console(self, message: Any) -> None:
        if message.type in ("warning", "error"):
            self.console.append(f"{message.type}: {message.text}")

    def open(self, timeout: float = 90) -> Notebook:
        """Load the front end on the notebook and wait for a connected, idle kernel."""
        quoted = urllib.parse.quote(self.path)
        self.page.goto(
            self.lab.url(APPS[self.lab.app][1].format(path=quoted, token=self.lab.token))
        )
        self.wait_kernel_ready(timeout)
        return self

    def save(self) -> None:
        """Save the notebook (autosave is off) and wait until the file is written."""
        self.page.evaluate(
            _js("window.jupyterapp.commands.execute('docmanager:save'); return true;"), self._arg()
        )
        self.page.wait_for_function(
            _js("const p = findPanel(a.path); return p && !p.context.model.dirty;"),
            arg=self._arg(),
            polling=100,
        )

    def reload(self, timeout: float = 90) -> None:
        """Load the page again (from the saved file) and wait for a connected, idle kernel."""
        self.page.reload()
        self.wait_kernel_ready(timeout)

    def _arg(self, **more: Any) -> dict[str, Any]:
        return {"path": self.path, **more}

    def wait_kernel_ready(self, timeout: float = 90) -> None:
        """Wait until the session is ready and its kernel connected and idle.

        The toolbar says idle before a kernel is attached; running then opens a kernel dialog.
        """
        self.page.wait_for_function(_READY, arg=self._arg(), timeout=timeout * 1000, polling=100)

    def _run(self, command: str, index: int | None, timeout: float) -> None:
        self.wait_kernel_ready()
        if not self.page.evaluate(_CURRENT, self._arg()):
            self._activate()
        before = self.page.evaluate(_START, self._arg(command=command, index=index))
        handle = self.page.wait_for_function(
            _DONE, arg=self._arg(index=index, before=before), timeout=timeout * 1000, polling=100
        )
        result = handle.json_value()
        if "error" in result:
            raise AssertionError(f"{self.path}: {result['error']}")

    def _activate(self) -> None:
        self.page.evaluate(_js("window.jupyterapp.shell.activateById(findPanel(a.path).id);"),
                           self._arg())  # fmt: skip
        self.page.wait_for_function(_CURRENT, arg=self._arg(), polling=50)

    def run_all(self, timeout: float = 120) -> None:
        """Run every cell and wait until the last one has run; a cell's error fails at once."""
        self._run("notebook:run-all-cells", None, timeout)

    def run_cell(self, index: int, timeout: float = 60) -> None:
        """Run the cell at ``index`` (counting every cell) without adding or moving to another."""
        self._run("notebook:run-cell", index, timeout)

    def cell_sources(self) -> list[str]:
        return self.page.evaluate(_CELLS, self._arg())

    def cell_index(self, text: str) -> int:
        """Index of the first cell whose source contains ``text``."""
        for i, source in enumerate(self.cell_sources()):
            if text in source:
                return i
        raise LookupError(f"{self.path}: no cell contains {text!r}")

    def output(self, index: int) -> str:
        """The text of a cell's outputs: streams, ``text/plain`` results and errors."""
        return self.page.evaluate(_OUTPUT, self._arg(index=index))

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until the kernel is connected and idle again."""
        self.wait_kernel_ready(timeout)

    def set_theme(self, theme: str) -> None:
        """Switch JupyterLab's theme (`LIGHT` or `DARK`) and wait until it is applied."""
        self.page.evaluate(
            "(t) => { window.jupyterapp.commands.execute('apputils:change-theme', {theme: t}); }",
            theme,
        )
        self.page.wait_for_function(
            "(t) => document.body.dataset.jpThemeName === t", arg=theme, polling=50
        )
        # Let the new styles reach the screen before anyone takes a picture.
        self.page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def screenshot(self, name: str, locator: Any = None) -> Path:
        """Save a PNG of the page (or of ``locator``) under the artifacts folder."""
        path = artifacts_dir() / f"{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path

    def close(self) -> None:
        """Close the browser context and shut the notebook's kernel down."""
        if self in Notebook.open_notebooks:
            Notebook.open_notebooks.remove(self)
        with contextlib.suppress(Exception):
            self.context.close()
        self.lab.shutdown_kernel_of(self.path)


def open_notebook(lab: LabServer, browser: Browser, source: Path | str) -> Notebook:
    """Copy ``source`` into the server's root and open it; close it with `Notebook.close`."""
    notebook = Notebook(lab, browser, source)
    try:
        return notebook.open()
    except BaseException:
        notebook.close()
        raise
