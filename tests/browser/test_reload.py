"""A saved notebook reloaded in JupyterLab, with its kernel still running and after a restart.

With the kernel running, a reload redraws the studio, the panels and the charts. Once the
kernel has restarted, every widget's "Error displaying widget: model not found" gives way to
its static placeholder (what it was, "run the cell again"), and a run that was shown after it
ended keeps its charts, which are plain plotly outputs of the cell.
"""

from __future__ import annotations

from typing import Any

import pytest

from .lab import Notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

NOTEBOOK = "everywhere.ipynb"
SESSION = "'<b>reload</b> & co'"

#: The notebook panel (each test page has one).
PANEL = "[...window.jupyterapp.shell.widgets('main')].find((w) => w.content && w.sessionContext)"

#: What the page shows, per cell: widgets drawn, placeholders visible, error lines, charts.
_STATE = (
    """
(index) => {
  const panel = """
    + PANEL
    + """;
  const cell = panel.content.widgets[index].node;
  const shown = (el) => el.offsetParent !== null && el.getBoundingClientRect().height > 0;
  const all = (sel) => [...cell.querySelectorAll(sel)].filter(shown);
  return {
    studio: all('.hydroml-studio').length,
    panel: all('.hydroml-experiment').length,
    placeholders: all('.hydroml-static').map((el) => el.textContent),
    errors: all('.jp-OutputArea-output').map((el) => el.textContent)
      .filter((t) => t.includes('Error displaying widget')),
    // A live plotly chart, or the picture of it a saved notebook shows on reload.
    charts: all('.jp-RenderedPlotly').filter((el) => el.querySelector('img, .main-svg')).length,
    titles: all('.js-plotly-plot').map((plot) => {
      const box = plot.getBoundingClientRect();
      const title = plot.querySelector('.gtitle');
      if (!title) return {fits: true, text: ''};
      const t = title.getBoundingClientRect();
      return {fits: t.left >= box.left - 1 && t.right <= box.right + 1, text: title.textContent};
    }),
  };
}
"""
)


WIDGET = "application/vnd.jupyter.widget-view+json"
_OUTPUTS = (
    """
(index) => {
  const panel = """
    + PANEL
    + """;
  return panel.content.widgets[index].model.outputs.toJSON().map((o) => [
    o.output_type,
    Object.keys(o.data || {}).find((k) => k !== 'text/plain') || 'text/plain',
  ]);
}
"""
)


_SCROLL = (
    """
(index) => {
  const panel = """
    + PANEL
    + """;
  panel.content.widgets[index].node.scrollIntoView();
}
"""
)


def state(notebook: Notebook, index: int) -> dict[str, Any]:
    return notebook.page.evaluate(_STATE, index)


def wait_for(notebook: Notebook, index: int, check: str, timeout: float = 60) -> None:
    """Wait until ``check`` (JS over the state object ``s``) holds for the cell at ``index``."""
    notebook.page.evaluate(_SCROLL, index)
    try:
        notebook.page.wait_for_function(
            f"(i) => {{ const s = ({_STATE})(i); return {check}; }}",
            arg=index,
            timeout=timeout * 1000,
            polling=200,
        )
    except Exception as exc:
        raise AssertionError(f"cell {index}: not {check}: {state(notebook, index)}") from exc


def cells(notebook: Notebook) -> tuple[int, int, int]:
    return (
        notebook.cell_index("hj.Studio(s)"),
        notebook.cell_index("run.wait(120)"),
        notebook.cell_index("%hydroml train"),
    )


def check_live(notebook: Notebook, titles: bool = False) -> None:
    """Every widget is drawn, no placeholder shows; ``titles``: the live charts' titles fit."""
    studio, finished, magic = cells(notebook)
    wait_for(notebook, studio, "s.studio === 1 && s.placeholders.length === 0")
    wait_for(notebook, finished, "s.panel === 1 && s.charts >= 3 && s.placeholders.length === 0")
    wait_for(notebook, magic, "s.panel === 1 && s.placeholders.length === 0")
    if titles:
        # The finished run's charts (full width) and the live run's, drawn in the view's
        # narrower grid once it ended: every title fits its chart.
        wait_for(notebook, magic, "s.charts >= 3", 90)
        for index in (finished, magic):
            drawn = state(notebook, index)["titles"]
            assert drawn and all(t["fits"] for t in drawn), drawn
            assert any("features" in t["text"] for t in drawn), drawn
    # A run started by a magic leaves the panel (and its hidden placeholder), no second
    # line of text saying "running 0%".
    kinds = notebook.page.evaluate(_OUTPUTS, magic)
    assert kinds == [["display_data", WIDGET], ["display_data", "text/html"]], kinds


def check_kernel_gone(notebook: Notebook) -> None:
    """Placeholders instead of errors; the finished run's charts are still there."""
    studio, finished, magic = cells(notebook)
    wait_for(notebook, studio, "s.placeholders.length === 1 && s.errors.length === 0")
    got = state(notebook, studio)
    assert got["studio"] == 0
    assert got["placeholders"][0].startswith(f"Data Studio of session {SESSION} (600 rows")
    assert "Run the cell again to show it." in got["placeholders"][0]
    wait_for(notebook, finished, "s.placeholders.length === 1 && s.charts >= 3")
    assert state(notebook, finished)["errors"] == []
    wait_for(notebook, magic, "s.placeholders.length === 1 && s.errors.length === 0")
    assert "Experiment panel of logistic_regression" in state(notebook, magic)["placeholders"][0]
    # The session's name is text: its markup did not become elements.
    assert notebook.page.locator(".hydroml-static b").count() == 0


def reload_with_and_without_kernel(notebook: Notebook, name: str) -> None:
    notebook.run_all(timeout=240)
    check_live(notebook, titles=True)
    notebook.screenshot(f"{name}-live")
    notebook.save()
    notebook.reload()
    check_live(notebook)
    notebook.lab.restart_kernel_of(notebook.path)
    notebook.reload()
    check_kernel_gone(notebook)
    notebook.page.evaluate(_SCROLL, cells(notebook)[0])
    notebook.screenshot(f"{name}-kernel-gone")
    deprecations = [m for m in notebook.console if "[anywidget] Deprecation" in m]
    assert deprecations == []
    assert own_errors(notebook) == []


def own_errors(notebook: Notebook) -> list[str]:
    """The page's errors, less Notebook 7's own: 7.6.5 throws one at start, reading a
    setting's schema (``notebook_core``), with or without this project's widgets."""
    if notebook.lab.app == "lab":
        return notebook.errors
    return [s for s in notebook.error_stacks if "/static/notebook/notebook_core." not in s]


def test_a_saved_notebook_reloads_with_and_without_its_kernel(notebook_opener: Any) -> None:
    reload_with_and_without_kernel(notebook_opener(NOTEBOOK), "reload-lab")
