"""The filter by value in a real JupyterLab: the checklist, its search, the header following it.

A 200,000-row grid whose ``origin`` holds three airports (a text column, not a category),
a few missing values and one markup payload. Checking two airports filters the view in the
kernel; the header's figures then describe the kept rows; the view applied as a step gives
the matching ``filter_rows`` code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .lab import Notebook, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

PAYLOAD = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture(scope="module")
def flights(lab: Any, browser: Any) -> Iterator[tuple[Notebook, dict[str, Any]]]:
    nb = open_notebook(lab, browser, "value_filter.ipynb")
    try:
        nb.run_all(timeout=180)
        facts = json.loads(nb.output(nb.cell_index("facts = {")))
        yield nb, facts
    finally:
        nb.close()


def run(nb: Notebook, marker: str) -> str:
    index = nb.cell_index(marker)
    nb.run_cell(index)
    return nb.output(index)


def items(popover: Any) -> list[list[str]]:
    return popover.locator(".hydroml-values-item").evaluate_all(
        """(labels) => labels.map((l) => [
             l.querySelector('.hydroml-values-value').textContent,
             l.querySelector('.hydroml-values-count').textContent,
             String(l.querySelector('input').checked),
           ])"""
    )


def item(popover: Any, value: str) -> Any:
    return popover.locator(".hydroml-values-item").filter(
        has=popover.page.get_by_text(value, exact=True)
    )


def test_checklist_filters_the_view_and_the_header_follows(
    flights: tuple[Notebook, dict[str, Any]],
) -> None:
    from playwright.sync_api import expect

    nb, facts = flights
    page = nb.page
    grid = page.locator(".hydroml-grid")
    expect(grid.locator(".hydroml-status")).to_have_text("200,000 rows")
    delay_meta = grid.locator('.hydroml-header-cell[data-column="dep_delay"] .hydroml-header-meta')
    expect(delay_meta).to_have_text(f"float64 · {facts['delay_nulls']:,} null")
    origin_label = grid.locator('.hydroml-header-cell[data-column="origin"] .hydroml-mini-label')
    expect(origin_label).to_have_text("4 distinct")

    grid.locator('.hydroml-header-cell[data-column="origin"] .hydroml-filter-button').click()
    popover = grid.locator(".hydroml-filter-popover")
    expect(popover.locator("select.hydroml-filter-op")).to_have_value("values")
    expect(popover.locator(".hydroml-values-item")).to_have_count(4)
    counts = sorted(facts["origin"].items(), key=lambda kv: (-kv[1], kv[0]))
    assert items(popover) == [[value, f"{count:,}", "true"] for value, count in counts]
    expect(popover.locator(".hydroml-values-note")).to_contain_text(
        f"{facts['origin_nulls']:,} missing"
    )

    popover.locator('[data-action="values-none"]').click()
    item(popover, "JFK").locator("input").check()
    item(popover, "LGA").locator("input").check()
    popover.locator('[data-action="filter-apply"]').click()
    expect(popover).to_be_hidden()
    kept = facts["kept_rows"]
    expect(grid.locator(".hydroml-status")).to_contain_text(f"{kept:,} of 200,000 rows")
    assert json.loads(run(nb, "print(json.dumps(g.filters))")) == [
        {"column": "origin", "op": "in", "value": ["JFK", "LGA"]}
    ]
    # The header describes the kept rows now.
    expect(delay_meta).to_have_text(f"float64 · {facts['kept_delay_nulls']:,} null")
    expect(origin_label).to_have_text("2 distinct")
    expect(
        grid.locator('.hydroml-header-cell[data-column="origin"] .hydroml-header-meta')
    ).to_have_text("str · no nulls")

    # Reopened, the checklist shows the filter; the search narrows it in place.
    grid.locator('.hydroml-header-cell[data-column="origin"] .hydroml-filter-button').click()
    expect(popover.locator(".hydroml-values-item")).to_have_count(4)
    assert [row[2] for row in items(popover)] == ["false", "true", "true", "false"]
    popover.locator('input[data-part="search"]').fill("jf")
    expect(popover.locator(".hydroml-values-item")).to_have_count(1)
    assert items(popover) == [["JFK", f"{facts['origin']['JFK']:,}", "true"]]
    popover.locator('[data-action="filter-cancel"]').click()

    # No value ever became markup.
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("() => window.__pwned") is None
    assert not nb.errors, nb.errors

    # Applied as a step: the engine's filter_rows, with its exact code.
    grid.locator('[data-action="apply-view"]').click()
    expect(grid.locator(".hydroml-status")).to_have_text(f"{kept:,} rows")
    line = run(nb, "print(s.code().strip().splitlines()[-1], len(s.df))").strip()
    assert line == f"df = df[df['origin'].isin(['JFK', 'LGA']) & df['origin'].notna()] {kept}"
