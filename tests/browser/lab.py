"""Chromium pages driving the notebooks of a real JupyterLab or Notebook 7 server.

`Notebook` opens one notebook in its own browser context and drives it through
``window.jupyterapp``, which both front ends expose. The server side is in
:mod:`tests.browser.server` (its names are re-exported here).
"""

from __future__ import annotations

import contextlib
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .server import (
    APPS,
    CHROMIUM_ARGS,
    DARK,
    LIGHT,
    NOTEBOOKS,
    REPO,
    USER_SETTINGS,
    LabServer,
    artifacts_dir,
    chromium_path,
    launch_chromium,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

__all__ = [
    "APPS",
    "CHROMIUM_ARGS",
    "DARK",
    "LIGHT",
    "NOTEBOOKS",
    "REPO",
    "USER_SETTINGS",
    "LabServer",
    "Notebook",
    "artifacts_dir",
    "chromium_path",
    "launch_chromium",
    "open_notebook",
]


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
