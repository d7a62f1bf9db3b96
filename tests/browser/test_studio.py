"""The Data Studio in a real JupyterLab: a million rows, sorting, sidebar steps, hostile text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .lab import DARK, LIGHT, Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROWS = 1_000_000
PAYLOAD = "<img src=x onerror=window.__pwned=1>"
BOLD = "<b>bold</b>"


def shown(value: float) -> str:
    """How the grid writes the notebook's floats (two decimals at most): no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def body_cell(root: Any, row: int, column: str) -> Any:
    return root.locator(f'.hydroml-cell[data-row="{row}"][data-column="{column}"]')


def set_input(locator: Any, value: str) -> None:
    """Choose ``value`` in a ``<select>`` or type it into a text input."""
    if locator.evaluate("(el) => el.tagName") == "SELECT":
        locator.select_option(value)
    else:
        locator.fill(value)
        locator.dispatch_event("change")


def assert_no_error(root: Any) -> None:
    shown_errors = [t.strip() for t in root.locator(".hydroml-error:visible").all_inner_texts()]
    assert not any(shown_errors), shown_errors


_BLANK_BAND = """(el) => {
  const scroll = el.querySelector('.hydroml-scroll');
  const box = scroll.getBoundingClientRect();
  const visibleBottom = box.top + scroll.clientTop + scroll.clientHeight;
  const rowBottoms = [...el.querySelectorAll('.hydroml-rownum')]
    .map((n) => n.getBoundingClientRect())
    .filter((r) => r.height > 0)
    .map((r) => r.bottom);
  return Math.round(visibleBottom - Math.max(box.top, ...rowBottoms));
}"""


def assert_rows_fill_the_grid(studio: Studio) -> None:
    """The rendered rows reach the bottom of the grid's visible area (no blank band)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    root = studio.root.element_handle()
    try:
        studio.page.wait_for_function(
            f"(el) => ({_BLANK_BAND})(el) <= 1", arg=root, timeout=10_000, polling=100
        )
    except PlaywrightTimeout:
        band = root.evaluate(_BLANK_BAND)
        raise AssertionError(f"the grid leaves a blank band of {band}px under its rows") from None


@dataclass
class Studio:
    nb: Notebook
    facts: dict[str, Any]

    @property
    def page(self) -> Any:
        return self.nb.page

    @property
    def root(self) -> Any:
        return self.page.locator(".hydroml-studio")

    def run(self, marker: str) -> str:
        """Run the cell whose source contains ``marker``; return its output text."""
        index = self.nb.cell_index(marker)
        self.nb.run_cell(index)
        return self.nb.output(index)


@pytest.fixture(scope="module")
def studio_notebook(lab: Any, browser: Any) -> Iterator[Studio]:
    """The studio notebook, run once: the 1M-row session and the facts pandas computes."""
    nb = open_notebook(lab, browser, "studio.ipynb")
    try:
        nb.run_all(timeout=180)
        facts = json.loads(nb.output(nb.cell_index("facts = {")))
        assert facts["rows"] == ROWS
        yield Studio(nb, facts)
    finally:
        nb.close()


@pytest.fixture
def studio(studio_notebook: Studio) -> Studio:
    """A freshly displayed studio (no sort, no filter, first rows in view)."""
    from playwright.sync_api import expect

    studio_notebook.run("hj.studio(s)")
    expect(studio_notebook.root).to_have_count(1)
    expect(studio_notebook.root.locator(".hydroml-status")).to_contain_text("1,000,000")
    expect(body_cell(studio_notebook.root, 0, "id")).to_have_text("0")
    return studio_notebook


def test_a_million_rows_render_and_ctrl_end_reaches_the_last(studio: Studio) -> None:
    from playwright.sync_api import expect

    root = studio.root
    expect(root.locator(".hydroml-grid")).to_be_visible()
    expect(root.locator(".hydroml-sidebar")).to_be_visible()
    expect(root.locator(".hydroml-scroll")).to_be_visible()
    assert_rows_fill_the_grid(studio)

    root.locator(".hydroml-grid").focus()
    studio.page.keyboard.press("Control+End")
    expect(body_cell(root, ROWS - 1, "id")).to_have_text(str(ROWS - 1))
    expect(body_cell(root, ROWS - 1, "x")).to_have_text(shown(studio.facts["last_x"]))
    expect(root.locator(f'.hydroml-rownum[data-row="{ROWS - 1}"]')).to_be_visible()

    studio.page.keyboard.press("Control+Home")
    expect(body_cell(root, 0, "id")).to_have_text("0")
    assert_no_error(root)


def test_sorting_from_the_header_matches_pandas(studio: Studio) -> None:
    from playwright.sync_api import expect

    root = studio.root
    root.locator('.hydroml-header-cell[data-column="x"] .hydroml-header-name').click()
    expect(body_cell(root, 0, "id")).to_have_text(str(studio.facts["first_id_by_x"]))
    expect(body_cell(root, 0, "x")).to_have_text(shown(studio.facts["first_x_by_x"]))
    expect(root.locator(".hydroml-status")).to_contain_text("1,000,000")
    assert_no_error(root)


def test_markup_in_values_and_column_names_stays_text(studio: Studio) -> None:
    from playwright.sync_api import expect

    root = studio.root
    expect(body_cell(root, 0, "payload")).to_have_text(PAYLOAD)
    header = root.locator(f'.hydroml-header-cell[data-column="{BOLD}"]')
    expect(header.locator(".hydroml-header-name")).to_have_text(BOLD)
    assert header.locator("b").count() == 0
    assert root.locator("img").count() == 0
    # Nowhere on the page: an <img src=x> would have fired its onerror.
    assert studio.page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert studio.page.evaluate("() => window.__pwned") is None


def test_sidebar_steps_reach_the_session_and_undo(studio: Studio) -> None:
    from playwright.sync_api import expect

    root = studio.root
    sidebar = root.locator(".hydroml-sidebar")
    sidebar.locator('button[data-tab="ops"]').click()
    op = sidebar.locator("select.hydroml-op-select")

    # Rename name -> label.
    op.select_option("rename")
    pairs = sidebar.locator(".hydroml-mapping-row:visible")
    if pairs.count() == 0:
        sidebar.locator('button[data-action="add-pair"]:visible').click()
    pair = pairs.first
    set_input(pair.locator('[data-part="key"]'), "name")
    set_input(pair.locator('[data-part="value"]'), "label")
    sidebar.locator('button[data-action="apply"]:visible').click()
    expect(root.locator('.hydroml-header-cell[data-column="label"]')).to_be_visible()
    expect(root.locator('.hydroml-header-cell[data-column="name"]')).to_have_count(0)
    assert_no_error(root)

    # Fill the missing scores with 0 (row 0's score is missing).
    op.select_option("fill_missing")
    set_input(sidebar.locator('[data-param="column"]:visible'), "score")
    set_input(sidebar.locator('[data-param="strategy"]:visible'), "value")
    set_input(sidebar.locator('[data-param="value"]:visible'), "0")
    sidebar.locator('button[data-action="apply"]:visible').click()
    expect(body_cell(root, 0, "score")).to_have_text("0")
    assert_no_error(root)

    columns = "['id', 'x', 'label', 'score', 'payload', '<b>bold</b>']"
    assert studio.run("print(list(s.df.columns)") == f"{columns} 0\n"

    sidebar.locator('button[data-tab="history"]').click()
    expect(sidebar.locator('.hydroml-history-item[data-index="2"]')).to_be_visible()
    sidebar.locator('button[data-action="undo"]:visible').first.click()
    expect(body_cell(root, 0, "score")).not_to_have_text("0")
    assert studio.run('print(f"position=') == "position=1\n"
    assert studio.run("print(list(s.df.columns)") == f"{columns} 100000\n"

    sidebar.locator('button[data-tab="code"]').click()
    expect(sidebar.locator("pre.hydroml-code")).to_contain_text("rename(columns=")
    expect(sidebar.locator("pre.hydroml-code")).not_to_contain_text("fillna")
    assert_no_error(root)


def test_screenshots_in_light_and_dark_themes(studio: Studio) -> None:
    root = studio.root
    try:
        studio.nb.set_theme(LIGHT)
        assert_rows_fill_the_grid(studio)
        light = studio.nb.screenshot("studio-light", root)
        studio.nb.set_theme(DARK)
        assert_rows_fill_the_grid(studio)
        dark = studio.nb.screenshot("studio-dark", root)
    finally:
        studio.nb.set_theme(LIGHT)
    assert light.stat().st_size > 0
    assert dark.stat().st_size > 0
    assert light.read_bytes() != dark.read_bytes()


_EXPORT_CELL = """\
import shutil
from pathlib import Path

import hydroml_jupyter as hj

folder = Path("export-check")
shutil.rmtree(folder, ignore_errors=True)
folder.mkdir()
(folder / "tiny.csv").write_text("a,b\\n1,x\\n2,y\\n")
s = hj.open("export-check/tiny.csv", name="tiny_export", fresh=True)
hj.studio(s)
"""


def test_export_proposes_a_new_name_and_asks_before_overwriting(
    notebook_opener: Any, lab: Any, tmp_path: Any
) -> None:
    """Code → CSV on a session opened from tiny.csv never writes tiny.csv behind one's back."""
    from playwright.sync_api import expect

    source = tmp_path / "export.ipynb"
    cell = {"cell_type": "code", "execution_count": None, "id": "export", "metadata": {},
            "outputs": [], "source": _EXPORT_CELL}  # fmt: skip
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    source.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": kernel},
                                  "nbformat": 4, "nbformat_minor": 5}))  # fmt: skip
    nb = notebook_opener(source)
    nb.run_all(timeout=120)
    folder = lab.root / "export-check"
    csv = "a,b\n1,x\n2,y\n"
    root = nb.page.locator(".hydroml-studio")
    expect(root).to_have_count(1)
    sidebar = root.locator(".hydroml-sidebar")
    sidebar.locator('button[data-tab="code"]').click()
    name = sidebar.locator("input.hydroml-export-name")
    note = sidebar.locator(".hydroml-panel-code .hydroml-note")
    confirm = sidebar.locator(".hydroml-export-confirm")

    # A new name beside the source is proposed, and written only on Export.
    sidebar.locator('button[data-action="export-csv"]').click()
    expect(name).to_have_value("export-check/tiny-clean.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["tiny.csv"]
    sidebar.locator('button[data-action="export-write"]').click()
    expect(note).to_have_text(f"Written to {folder / 'tiny-clean.csv'}")
    assert (folder / "tiny-clean.csv").read_text() == csv
    sidebar.locator('button[data-action="export-csv"]').click()
    expect(name).to_have_value("export-check/tiny-clean-2.csv")

    # An existing file is replaced only after the person confirms.
    (folder / "tiny-clean.csv").write_text("keep me\n")
    name.fill("export-check/tiny-clean.csv")
    sidebar.locator('button[data-action="export-write"]').click()
    expect(confirm).to_be_visible()
    expect(confirm.locator(".hydroml-export-question")).to_have_text(
        "export-check/tiny-clean.csv exists. Replace it?"
    )
    assert (folder / "tiny-clean.csv").read_text() == "keep me\n"
    confirm.locator('button[data-action="export-overwrite"]').click()
    expect(note).to_have_text(f"Written to {folder / 'tiny-clean.csv'}")
    assert (folder / "tiny-clean.csv").read_text() == csv

    # The source itself is refused outright: no question, nothing written.
    sidebar.locator('button[data-action="export-csv"]').click()
    expect(name).to_have_value("export-check/tiny-clean-2.csv")
    before = (folder / "tiny.csv").stat().st_mtime_ns
    name.fill("export-check/tiny.csv")
    sidebar.locator('button[data-action="export-write"]').click()
    expect(sidebar.locator(".hydroml-export-error")).to_contain_text(
        "it is the source of session 'tiny_export'"
    )
    expect(confirm).to_be_hidden()
    assert (folder / "tiny.csv").stat().st_mtime_ns == before
    assert sorted(p.name for p in folder.iterdir()) == ["tiny-clean.csv", "tiny.csv"]
