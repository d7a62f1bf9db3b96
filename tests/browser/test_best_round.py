"""Early stopping in the experiment panel, in a real JupyterLab: the best round, marked.

The finished view is saved as ``experiment-best-round.png`` in the artifacts folder; the
README's ``docs/experiment.png`` is that picture.
"""

from __future__ import annotations

from typing import Any

import pytest

from .lab import open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def test_the_panel_shows_the_best_round_of_a_run_that_stopped_early(lab: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    nb = open_notebook(lab, browser, "best_round.ipynb")
    try:
        setup = nb.cell_index("import hydroml_jupyter as hj")
        nb.run_cell(setup, timeout=120)
        assert "ready" in nb.output(setup)
        index = nb.cell_index("run = s.train(")
        nb.run_cell(index)
        cell = nb.page.locator(".jp-Notebook .jp-Cell").nth(index)
        panel = cell.locator(".hydroml-experiment")
        expect(panel.locator(".hydroml-exp-status")).to_have_text("done", timeout=120_000)
        expect(panel.locator(".hydroml-exp-round-text")).to_have_text("best round 50 of 800")
        expect(panel.locator(".hydroml-exp-round")).to_contain_text("stopped after round 100")
        expect(panel.locator(".hydroml-exp-progress-text")).to_have_text("100 of 800 rounds · 100%")
        expect(panel.locator(".hydroml-exp-marker")).to_have_attribute("data-x", "50")
        expect(cell.locator(".js-plotly-plot")).to_have_count(3, timeout=60_000)
        assert not nb.errors, nb.errors
        view = cell.locator(".hydroml-experiment-view")
        view.scroll_into_view_if_needed()
        nb.screenshot("experiment-best-round", view)
    finally:
        nb.close()
