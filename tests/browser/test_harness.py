"""The browser harness itself: a real anywidget round trip in a real JupyterLab."""

from __future__ import annotations

import pytest

from .lab import DARK, LIGHT

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_clicks_in_the_page_reach_the_kernel(notebook_opener) -> None:
    from playwright.sync_api import expect

    nb = notebook_opener("counter.ipynb")
    nb.run_all()
    page = nb.page

    button = page.locator(".harness-counter")
    expect(button).to_have_text("clicked 0")
    for _ in range(3):
        button.click()
    expect(button).to_have_text("clicked 3")
    # The kernel's observer saw every change and sent its label back.
    expect(page.locator(".harness-label")).to_have_text("kernel saw 3")

    cell = nb.cell_index('print(f"count=')
    nb.run_cell(cell)
    assert nb.output(cell) == "count=3\n"
    assert nb.errors == []

    nb.set_theme(DARK)
    assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false"
    dark = nb.screenshot("harness-dark", page.locator(".jp-Notebook"))
    nb.set_theme(LIGHT)
    light = nb.screenshot("harness-light", page.locator(".jp-Notebook"))
    assert dark.read_bytes() != light.read_bytes()
