"""The column menu and the studio's layout in a real JupyterLab: names told apart by their
spaces, sort, hide and show, pin, move, rename in place, copy the name, a quick action, and
the studio's height."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def menu_notebook(lab: Any, browser: Any) -> Iterator[Notebook]:
    nb = open_notebook(lab, browser, "column_menu.ipynb")
    try:
        nb.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url(""))
        nb.run_all(timeout=120)
        yield nb
    finally:
        nb.close()


@pytest.fixture
def studio(menu_notebook: Notebook) -> Any:
    """A freshly displayed studio over the session as it is now."""
    from playwright.sync_api import expect

    nb = menu_notebook
    nb.run_cell(nb.cell_index("st = hj.studio(s)"))
    root = nb.page.locator(".hydroml-studio")
    expect(root).to_have_count(1)
    expect(root.locator('.hydroml-cell[data-row="0"][data-column="city"]')).to_have_text("Oslo")
    return root


def session(nb: Notebook) -> dict[str, Any]:
    index = nb.cell_index('"columns"')
    nb.run_cell(index)
    return json.loads(nb.output(index))


def css_string(text: str) -> str:
    """``text`` as a CSS string's contents (quotes, backslashes and line breaks escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")


def header(root: Any, column: str) -> Any:
    return root.locator(f'.hydroml-grid .hydroml-header-cell[data-column="{css_string(column)}"]')


def menu_item(root: Any, column: str, action: str) -> None:
    header(root, column).locator(".hydroml-menu-button").click()
    root.locator(f'.hydroml-column-menu [data-action="{action}"]').click()


def headers(root: Any) -> list[str]:
    return root.locator(".hydroml-grid .hydroml-header-cell").evaluate_all(
        "(cells) => cells.map((c) => c.dataset.column)"
    )


def test_names_that_differ_in_spaces_or_hold_line_breaks_are_told_apart(studio: Any) -> None:
    labels = studio.locator(".hydroml-header-label")
    texts = labels.all_inner_texts()
    assert texts[:3] == ["city", "city␠", "two↵lines"]
    assert [labels.nth(i).get_attribute("title") for i in range(3)] == texts[:3]
    # A row number and its tooltip count from 1 alike.
    first = studio.locator('.hydroml-rownum[data-row="0"]')
    assert first.inner_text() == "1" and first.get_attribute("title") == "frame row 1"


def test_sort_hide_show_pin_and_move_from_the_menu(studio: Any, menu_notebook: Notebook) -> None:
    from playwright.sync_api import expect

    menu_item(studio, "price", "sort-desc")
    expect(studio.locator('.hydroml-cell[data-row="0"][data-column="price"]')).to_have_text("30")
    menu_item(studio, "price", "sort-clear")
    expect(studio.locator('.hydroml-cell[data-row="0"][data-column="price"]')).to_have_text("1.5")

    menu_item(studio, "qty", "hide")
    assert "qty" not in headers(studio)
    menu_item(studio, "city", "show-all")
    assert "qty" in headers(studio)

    menu_item(studio, "qty", "move-left")
    assert headers(studio)[2:5] == ["two\nlines", "qty", "price"]

    menu_item(studio, "last", "pin")
    assert headers(studio)[0] == "last"
    scroll = studio.locator(".hydroml-grid .hydroml-scroll")
    left = header(studio, "last").bounding_box()["x"]
    scroll.evaluate("(el) => { el.scrollLeft = 400; }")
    studio.page.wait_for_timeout(100)
    # The pinned column stays where it was; the others moved under it.
    assert abs(header(studio, "last").bounding_box()["x"] - left) <= 1
    pinned = studio.locator('.hydroml-cell[data-row="0"][data-column="last"]')
    expect(pinned).to_have_class(re.compile(r"\bhydroml-pinned\b"))
    assert abs(pinned.bounding_box()["x"] - left) <= 1
    assert session(menu_notebook)["version"] == 0  # the view only: no step


def test_rename_in_place_and_copy_the_name(studio: Any, menu_notebook: Notebook) -> None:
    from playwright.sync_api import expect

    menu_item(studio, "two\nlines", "copy-name")
    copied = studio.page.evaluate("() => navigator.clipboard.readText()")
    assert copied == "two\nlines"

    before = session(menu_notebook)
    menu_item(studio, "city ", "rename")
    box = studio.locator(".hydroml-rename-box")
    expect(box).to_have_value("city ")
    box.fill("town")
    box.press("Enter")
    expect(header(studio, "town")).to_have_count(1)
    after = session(menu_notebook)
    assert after["version"] == before["version"] + 1
    assert after["columns"][1] == "town" and "city " not in after["columns"]


def test_a_quick_action_opens_its_form_pre_filled(studio: Any) -> None:
    from playwright.sync_api import expect

    menu_item(studio, "price", "quick-fill")
    sidebar = studio.locator(".hydroml-sidebar")
    expect(sidebar.locator('button[data-tab="ops"]')).to_have_attribute("aria-selected", "true")
    expect(sidebar.locator(".hydroml-op-select")).to_have_value("fill_missing")
    expect(sidebar.locator('.hydroml-form [data-param="column"]')).to_have_value("price")


def test_the_studio_height_drags_and_goes_full(studio: Any) -> None:
    page = studio.page
    height = studio.bounding_box()["height"]
    assert abs(height - 520) <= 1
    studio.locator(".hydroml-height-grip").evaluate("(el) => el.scrollIntoView({block: 'center'})")
    grip = studio.locator(".hydroml-height-grip").bounding_box()
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 150, steps=5)
    page.mouse.up()
    assert abs(studio.bounding_box()["height"] - 670) <= 2
    # More rows show in the taller grid.
    assert studio.locator(".hydroml-grid .hydroml-scroll").evaluate("(el) => el.clientHeight") > 500
    studio.locator('button[data-action="full-height"]').click()
    viewport = page.viewport_size["height"]
    assert abs(studio.bounding_box()["height"] - (viewport - 48)) <= 2
    # Back from full height: the height dragged to.
    studio.locator('button[data-action="full-height"]').click()
    assert abs(studio.bounding_box()["height"] - 670) <= 2
