"""Find and copy in a real JupyterLab: Ctrl+F, Enter from match to match, Ctrl+C to the clipboard.

The clipboard is read back for real (the browser context is granted clipboard permissions):
what the grid copies is TSV, with values holding tabs, line breaks or quotes in quotes, and
rows the browser never held asked of the kernel.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROWS = 3_000
TRICKY = 'say "hi"\tthen\nbye'


def number(value: float) -> str:
    """A float as JavaScript's ``String`` writes it (``3`` for 3.0)."""
    return str(int(value)) if value == int(value) else repr(value)


def line(i: int) -> str:
    text = {2: '"say ""hi""\tthen\nbye"', 5: "needle one", 1200: "NEEDLE two"}.get(i, f"row {i}")
    if i == 2500:
        text = "a needle three"
    return f"{i}\t{number((i % 50) * 1.5)}\t{text}"


IN_RANGE = re.compile(r"\bhydroml-in-range\b")
FOUND = re.compile(r"\bhydroml-found\b")


def cell(root: Any, row: int, column: str) -> Any:
    return root.locator(f'.hydroml-cell[data-row="{row}"][data-column="{column}"]')


@pytest.fixture(scope="module")
def grid_notebook(lab: Any, browser: Any) -> Iterator[Notebook]:
    nb = open_notebook(lab, browser, "find_copy.ipynb")
    try:
        origin = urllib.parse.urlsplit(lab.url("/"))
        nb.context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=f"{origin.scheme}://{origin.netloc}"
        )
        nb.run_all(timeout=120)
        yield nb
    finally:
        nb.close()


@pytest.fixture
def grid(grid_notebook: Notebook) -> Any:
    """A freshly displayed grid (frame order, first rows in view)."""
    from playwright.sync_api import expect

    grid_notebook.run_cell(grid_notebook.cell_index("grid = hj.DataGrid(s)"))
    root = grid_notebook.page.locator(".hydroml-grid")
    expect(root).to_have_count(1)
    expect(cell(root, 0, "id")).to_have_text("0")
    return root


def clipboard(nb: Notebook) -> str:
    return nb.page.evaluate("() => navigator.clipboard.readText()")


def copied(nb: Notebook, keys: str, before: str, timeout: float = 30) -> str:
    """Press ``keys`` and wait until the clipboard holds something else than ``before``."""
    nb.page.evaluate("() => navigator.clipboard.writeText('')")
    nb.page.keyboard.press(keys)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = clipboard(nb)
        if text not in ("", before):
            return text
        nb.page.wait_for_timeout(100)
    raise AssertionError(f"{keys} put nothing new on the clipboard in {timeout} s")


def test_drag_and_shift_click_copy_tsv_with_quoted_values(
    grid_notebook: Notebook, grid: Any
) -> None:
    from playwright.sync_api import expect

    nb = grid_notebook
    start = cell(grid, 0, "id").bounding_box()
    end = cell(grid, 3, "text").bounding_box()
    nb.page.mouse.move(start["x"] + 5, start["y"] + 5)
    nb.page.mouse.down()
    nb.page.mouse.move(end["x"] + 5, end["y"] + 5, steps=5)
    nb.page.mouse.up()
    expect(cell(grid, 2, "price")).to_have_class(IN_RANGE)
    expected = "\n".join(line(i) for i in range(4))
    assert copied(nb, "Control+c", "") == expected
    assert copied(nb, "Control+Alt+c", expected) == "id\tprice\ttext\n" + expected

    # Shift-click extends from the anchor (row 0, id) to a cell far below, past every row the
    # browser holds: those rows come from the kernel.
    cell(grid, 1, "price").click()
    grid.locator(".hydroml-scroll").evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    last = cell(grid, ROWS - 1, "text")
    expect(last).to_have_text(f"row {ROWS - 1}")
    last.click(modifiers=["Shift"])
    text = copied(nb, "Control+c", expected)
    lines = [line(i).split("\t", 1)[1] for i in range(1, ROWS)]
    assert text == "\n".join(lines)


def test_ctrl_f_steps_through_matches_in_view_order(grid_notebook: Notebook, grid: Any) -> None:
    from playwright.sync_api import expect

    nb = grid_notebook
    cell(grid, 0, "id").click()
    nb.page.keyboard.press("Control+f")
    box = grid.locator(".hydroml-find-input")
    expect(box).to_be_focused()
    # The grid's find, not JupyterLab's own search box.
    assert nb.page.locator(".jp-DocumentSearch-overlay:visible").count() == 0
    box.fill("needle")
    count = grid.locator(".hydroml-find-count")
    box.press("Enter")
    expect(count).to_have_text("1 of 3")
    expect(cell(grid, 5, "text")).to_have_class(FOUND)
    box.press("Enter")
    expect(count).to_have_text("2 of 3")
    expect(cell(grid, 1200, "text")).to_have_text("NEEDLE two")
    expect(cell(grid, 1200, "text")).to_have_class(FOUND)
    box.press("Enter")
    expect(count).to_have_text("3 of 3")
    box.press("Enter")
    expect(count).to_have_text("1 of 3")
    box.press("Shift+Enter")
    expect(count).to_have_text("3 of 3")
    expect(cell(grid, 2500, "text")).to_have_text("a needle three")

    # Sorted by id, descending: the first match of the new order is id 2500, at row 499.
    header = grid.locator('.hydroml-header-cell[data-column="id"] .hydroml-header-name')
    header.click()
    header.click()
    expect(cell(grid, 0, "id")).to_have_text(str(ROWS - 1))
    box.press("Enter")
    expect(count).to_have_text("1 of 3")
    expect(cell(grid, 499, "text")).to_have_text("a needle three")
    expect(cell(grid, 499, "id")).to_have_text("2500")
    box.press("Escape")
    expect(grid.locator(".hydroml-find")).to_be_hidden()
    assert grid.locator(".hydroml-found").count() == 0
