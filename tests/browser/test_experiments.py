"""The experiment panel in a real JupyterLab: live progress while other cells run, and Cancel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def notebook(lab: Any, browser: Any) -> Iterator[Notebook]:
    """The experiments notebook with its setup cell run."""
    nb = open_notebook(lab, browser, "experiments.ipynb")
    try:
        index = nb.cell_index("import hydroml_jupyter as hj")
        nb.run_cell(index, timeout=120)
        assert "ready" in nb.output(index)
        yield nb
    finally:
        nb.close()


def panel_of(nb: Notebook, marker: str) -> Any:
    """The experiment panel in the output of the cell whose source holds ``marker``."""
    index = nb.cell_index(marker)
    cell = nb.page.locator(".jp-Notebook .jp-Cell").nth(index)
    return cell.locator(".hydroml-experiment")


def steps_done(panel: Any) -> int:
    text = panel.locator(".hydroml-exp-progress-text").inner_text()
    found = re.match(r"(\d+) of (\d+) rounds", text)
    return int(found.group(1)) if found else 0


def test_the_panel_shows_progress_while_another_cell_runs(notebook: Notebook) -> None:
    from playwright.sync_api import expect

    nb = notebook
    nb.run_cell(nb.cell_index("run = s.train("))  # returns at once: training is in a thread
    panel = panel_of(nb, "run = s.train(")
    expect(panel).to_be_visible()
    badge = panel.locator(".hydroml-exp-status")
    expect(badge).to_have_text("running", timeout=60_000)
    expect(panel.locator(".hydroml-exp-progress-text")).to_contain_text("of 800 rounds")
    nb.page.wait_for_function(
        "(el) => /^[1-9]\\d* of 800 rounds/.test("
        "el.querySelector('.hydroml-exp-progress-text').textContent)",
        arg=panel.element_handle(),
        timeout=60_000,
        polling=50,
    )
    before = steps_done(panel)

    # Another cell runs and answers while the model trains.
    other = nb.cell_index("1+1")
    nb.run_cell(other, timeout=30)
    assert nb.output(other).strip() == "2"
    assert badge.inner_text() == "running"
    expect(panel.locator(".hydroml-exp-series polyline").first).to_be_attached()
    nb.page.wait_for_function(
        "([el, before]) => Number((el.querySelector('.hydroml-exp-progress-text')"
        ".textContent.match(/^(\\d+) of/) || [0, 0])[1]) > before",
        arg=[panel.element_handle(), before],
        timeout=60_000,
        polling=50,
    )

    expect(badge).to_have_text("done", timeout=120_000)
    expect(panel.locator(".hydroml-exp-progress-text")).to_have_text("800 of 800 rounds · 100%")
    f1 = panel.locator('[data-metric="f1"] td')
    expect(f1).to_have_text(re.compile(r"^0\.\d+$"))
    expect(panel.locator(".hydroml-exp-tracking")).to_contain_text("MLflow run")
    expect(panel.locator('button[data-action="cancel"]')).to_be_disabled()
    points = panel.locator(".hydroml-exp-series polyline").first.get_attribute("points")
    # 800 rounds with no early stopping: the curves are scored every 16th round
    assert points is not None and len(points.split()) == 50
    assert panel.locator(".hydroml-exp-error:visible").count() == 0

    # At the end, the run's plotly charts appear under the panel, drawn by JupyterLab's plotly.
    cell = nb.page.locator(".jp-Notebook .jp-Cell").nth(nb.cell_index("run = s.train("))
    charts = cell.locator(".js-plotly-plot")
    expect(charts).to_have_count(3, timeout=60_000)
    for k, title in enumerate(["Feature importance", "Confusion matrix", "ROC"]):
        expect(charts.nth(k).locator(".gtitle")).to_contain_text(title)
    expect(charts.nth(1).locator(".heatmaplayer")).to_be_attached()
    heights = [charts.nth(k).bounding_box()["height"] for k in range(3)]
    assert all(h >= 300 for h in heights), heights  # drawn at their height, not collapsed
    assert not nb.errors, nb.errors
    view = cell.locator(".hydroml-experiment-view")
    view.scroll_into_view_if_needed()
    nb.screenshot("experiment-panel-done", view)


def test_cancel_from_the_button(notebook: Notebook) -> None:
    from playwright.sync_api import expect

    nb = notebook
    nb.run_cell(nb.cell_index("long = s.train("))
    panel = panel_of(nb, "long = s.train(")
    badge = panel.locator(".hydroml-exp-status")
    expect(badge).to_have_text("running", timeout=60_000)
    nb.page.wait_for_function(
        "(el) => /^[1-9]\\d* of 100000 rounds/.test("
        "el.querySelector('.hydroml-exp-progress-text').textContent)",
        arg=panel.element_handle(),
        timeout=60_000,
        polling=50,
    )
    panel.locator('button[data-action="cancel"]').click()
    expect(badge).to_have_text("cancelled", timeout=30_000)
    expect(panel.locator('button[data-action="cancel"]')).to_be_disabled()
    waited = nb.cell_index("long.wait(")
    nb.run_cell(waited, timeout=120)
    assert nb.output(waited).split() == ["cancelled", "completed"]
    assert panel.locator(".hydroml-error:visible").count() == 0
    assert not nb.errors, nb.errors
