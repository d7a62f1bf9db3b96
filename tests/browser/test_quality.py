"""The Quality tab in a real JupyterLab: alerts of a messy frame, applying a suggestion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

MARKUP = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture(scope="module")
def quality_notebook(lab: Any, browser: Any) -> Iterator[Notebook]:
    """The quality notebook, run once: a messy session shown in the studio."""
    nb = open_notebook(lab, browser, "quality.ipynb")
    try:
        nb.run_all(timeout=120)
        yield nb
    finally:
        nb.close()


def run(nb: Notebook, marker: str) -> str:
    """Run the cell whose source contains ``marker``; return its output text."""
    index = nb.cell_index(marker)
    nb.run_cell(index)
    return nb.output(index)


def test_alerts_show_and_apply_adds_an_undoable_step(quality_notebook: Notebook) -> None:
    from playwright.sync_api import expect

    nb = quality_notebook
    root = nb.page.locator(".hydroml-studio")
    expect(root).to_have_count(1)
    sidebar = root.locator(".hydroml-sidebar")
    sidebar.locator('button[data-tab="quality"]').click()
    panel = sidebar.locator('[data-panel="quality"]')

    medium = panel.locator('.hydroml-quality-group[data-severity="medium"]')
    expect(medium.locator(".hydroml-quality-group-title")).to_have_text("Medium (4)")
    expect(medium.locator('.hydroml-quality-alert[data-kind="missing"]')).to_contain_text(
        "age is 27.4% missing"
    )
    expect(panel.locator(".hydroml-quality-counts")).to_have_text("0 high · 4 medium · 1 low")
    expect(panel.locator('.hydroml-target[data-target="churned"]')).to_contain_text(
        "classification"
    )
    constant = medium.locator('.hydroml-quality-alert[data-kind="constant"]')
    expect(constant).to_contain_text(f"{MARKUP} is constant")
    assert panel.locator("img").count() == 0
    assert nb.page.evaluate("() => window.__pwned") is None
    expect(panel.locator(".hydroml-quality-error")).to_be_hidden()
    assert nb.screenshot("quality-tab", sidebar).stat().st_size > 0

    card = panel.locator(".hydroml-suggestion", has_text="Fill missing age by mean")
    expect(card.locator(".hydroml-suggestion-figure")).to_have_text("80% confident")
    card.locator('button[data-action="apply-suggestion"]').click()
    expect(panel.locator(".hydroml-quality-note")).to_have_text(
        "Applied: Fill missing age by mean (step 1)"
    )
    # The tab profiles the new step by itself: the missing-age alert is gone.
    expect(medium.locator(".hydroml-quality-group-title")).to_have_text("Medium (3)")
    expect(panel.locator('.hydroml-quality-alert[data-kind="missing"]')).to_have_count(0)
    expect(panel.locator(".hydroml-quality-error")).to_be_hidden()

    sidebar.locator('button[data-tab="history"]').click()
    step = sidebar.locator('.hydroml-history-item[data-index="1"]')
    expect(step).to_contain_text("Fill missing age by mean")
    expect(step).to_have_class("hydroml-history-item hydroml-current")
    out = run(nb, 'print(f"steps=')
    assert out.startswith("steps=2 Fill missing age by mean"), out

    sidebar.locator('button[data-action="undo"]:visible').click()
    expect(sidebar.locator('.hydroml-history-item[data-index="0"]')).to_have_class(
        "hydroml-history-item hydroml-current"
    )
    sidebar.locator('button[data-tab="quality"]').click()
    expect(panel.locator('.hydroml-quality-alert[data-kind="missing"]')).to_have_count(1)
    assert not nb.errors, nb.errors


def test_apply_all_confident_adds_them_as_one_change(quality_notebook: Notebook) -> None:
    from playwright.sync_api import expect

    nb = quality_notebook
    sidebar = nb.page.locator(".hydroml-studio .hydroml-sidebar")
    sidebar.locator('button[data-tab="quality"]').click()
    panel = sidebar.locator('[data-panel="quality"]')
    expect(panel.locator(".hydroml-suggestion").first).to_be_visible()
    confident = [
        float(text.removesuffix("% confident")) / 100
        for text in panel.locator(".hydroml-suggestion-figure").all_inner_texts()
    ]
    count = sum(c >= 0.8 for c in confident)
    assert count >= 2, confident
    before = int(run(nb, "print(s.position)").strip())
    button = panel.locator('button[data-action="apply-confident"]')
    expect(button).to_have_text(f"Apply the {count} at 80% or more")
    button.click()
    expect(panel.locator(".hydroml-quality-note")).to_contain_text(f"Applied {count} steps")
    out = run(nb, "print(s.position)")
    assert int(out.strip()) == before + count, out
    sidebar.locator('button[data-tab="history"]').click()
    expect(sidebar.locator(".hydroml-history-item")).to_have_count(before + count + 1)
    assert not nb.errors, nb.errors
