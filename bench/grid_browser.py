"""Benchmark the Data Studio grid in a real browser: from asking for a far row to painted cells.

Run from the repository root (needs Debian's ``chromium`` and the ``test`` extra)::

    python bench/grid_browser.py                 # 1M and 5M rows
    python bench/grid_browser.py --rows 5000000 --json grid_browser.json

It starts JupyterLab with the browser-test harness (``tests/browser/lab.py``), opens a
notebook that builds the engine benchmark's frame (12 mixed columns) and shows
``hj.studio(df)``, then, in the page, scrolls the grid so that row R is at the top and
measures with ``performance.now()`` until R's cells hold their text and a frame has been
painted. Each target row lies in a block of rows never fetched before, so every figure
includes the kernel round trip (request, window, Arrow IPC, decode, render). The targets
include row 4,999,900 of 5M (or the same fraction of other sizes).

Then, on the same studio, each timed in the page from the user's action to painted cells:

* **first paint**: from running the cell that shows ``hj.studio(df)`` to its first rows;
* **Ctrl+End**: from the key to the last row's cells;
* **first sorted page**: from a click on the ``price`` (float) and then the ``city``
  (text) header to the first rows of that order (each column sorted for the first time,
  so the kernel computes the order afresh, four seconds apart so that the previous
  sort's full order is done);
* **find**: from Enter in the find bar (a word that is in one city in 12) to its first
  match highlighted, with "k of N";
* **value filter**: from *Apply* in ``city``'s checklist (one city checked) to the kept rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.lab import LabServer, _js, launch_chromium, open_notebook  # noqa: E402

# Scroll so that ``row`` is the first row in view, then wait for its painted cells.
_JUMP = """async ({row, rows}) => {
  const root = document.querySelector('.hydroml-studio');
  const scroll = root.querySelector('.hydroml-scroll');
  const cell = () => root.querySelector(`.hydroml-cell[data-row="${row}"][data-column="price"]`);
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const start = performance.now();
  // The grid's own scaled mapping (js/src/scroll.ts): 24 px rows, a spacer of at most 10M px.
  const content = rows * 24;
  const spacer = Math.min(content, 10000000);
  const maxScroll = scroll.scrollHeight - scroll.clientHeight;
  const viewport = spacer - maxScroll;
  const offset = Math.max(0, Math.min((row - 2) * 24, content - viewport));
  scroll.scrollTop = content > spacer ? (offset / (content - viewport)) * maxScroll : offset;
  for (;;) {
    await frame();
    const el = cell();
    if (el && !el.classList.contains('hydroml-loading')) break;
    if (performance.now() - start > 30000) throw new Error(`row ${row} never painted`);
  }
  await frame();
  return performance.now() - start;
}"""


# Run the active cell (the studio's) and wait for a new studio's first rows.
_FIRST_PAINT = """async () => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const old = new Set(document.querySelectorAll('.hydroml-studio'));
  const start = performance.now();
  window.jupyterapp.commands.execute('notebook:run-cell');
  for (;;) {
    await frame();
    const fresh = [...document.querySelectorAll('.hydroml-studio')].filter((e) => !old.has(e));
    const cell = fresh.length > 0
      && fresh[0].querySelector('.hydroml-cell[data-row="0"][data-column="price"]');
    if (cell && !cell.classList.contains('hydroml-loading')) break;
    if (performance.now() - start > 120000) throw new Error('the studio never painted');
  }
  await frame();
  return performance.now() - start;
}"""

# Do an action in the last studio, then wait until ``done`` holds and a frame is painted.
_TIMED = """async ({action, done, arg}) => {
  const all = document.querySelectorAll('.hydroml-studio');
  const root = all[all.length - 1];
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const act = new Function('root', 'arg', action);
  const check = new Function('root', 'arg', done);
  const start = performance.now();
  act(root, arg);
  for (;;) {
    await frame();
    if (check(root, arg)) break;
    if (performance.now() - start > 120000) throw new Error('timed out: ' + done);
  }
  await frame();
  return performance.now() - start;
}"""

_PAINTED = """const c = root.querySelector(
  `.hydroml-cell[data-row="${arg.row}"][data-column="${arg.column}"]`);
return Boolean(c) && !c.classList.contains('hydroml-loading')"""


def make_notebook(rows: int, folder: Path) -> Path:
    cells = [
        nbformat.v4.new_code_cell(
            "import sys\n"
            f"sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
            "from engine import make_frame\n"
            "import hydroml_jupyter as hj\n"
            f"df = make_frame({rows})"
        ),
        nbformat.v4.new_code_cell("hj.studio(df)"),
    ]
    path = folder / f"grid-{rows}.ipynb"
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})
    nbformat.write(notebook, path)
    return path


def timed(page: Any, action: str, done: str, **arg: Any) -> float:
    """Milliseconds from ``action`` (JS with ``root``, ``arg``) until ``done`` is true."""
    return float(page.evaluate(_TIMED, {"action": action, "done": done, "arg": arg}))


def row_zero_changes(page: Any, action: str) -> float:
    """Milliseconds from ``action`` until row 0's ``score`` cell shows another painted value."""
    before = page.evaluate(
        """() => { const all = document.querySelectorAll('.hydroml-studio');
        return all[all.length - 1]
          .querySelector('.hydroml-cell[data-row="0"][data-column="score"]').textContent; }"""
    )
    done = (
        'const c = root.querySelector(\'.hydroml-cell[data-row="0"][data-column="score"]\');'
        " return Boolean(c) && !c.classList.contains('hydroml-loading')"
        " && c.textContent !== arg.before"
    )
    return timed(page, action, done, before=before)


def interactions(nb: Any, rows: int) -> dict[str, float]:
    """Time Ctrl+End, the first sorted pages, a value filter and find on a fresh studio."""
    page = nb.page
    out: dict[str, float] = {}
    page.evaluate(_js("findPanel(a.path).content.activeCellIndex = 1;"), {"path": nb.path})
    out["first_paint_ms"] = float(page.evaluate(_FIRST_PAINT))
    key = (
        "const g = root.querySelector('.hydroml-grid'); g.focus();"
        " g.dispatchEvent(new KeyboardEvent('keydown', {key: '%s', ctrlKey: true, bubbles: true}))"
    )
    ctrl_end = key % "End"
    out["ctrl_end_ms"] = timed(page, ctrl_end, _PAINTED, row=rows - 1, column="price")
    home = key % "Home"
    timed(page, home, _PAINTED, row=0, column="price")
    for column, name in (("price", "float"), ("city", "string")):
        # The kernel is left to finish what came before (the previous sort's full order runs
        # on in the background), so each first page is timed on an idle kernel.
        page.wait_for_timeout(4000)
        click = (
            f'root.querySelector(\'.hydroml-header-cell[data-column="{column}"]'
            " .hydroml-header-name').click()"
        )
        out[f"sorted_page_{name}_ms"] = row_zero_changes(page, click)
    opened = key % "f"
    timed(page, opened, "return !root.querySelector('.hydroml-find').hidden")
    page.locator(".hydroml-find-input").last.fill("sydney")
    enter = (
        "root.querySelector('.hydroml-find-input').dispatchEvent("
        "new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))"
    )
    found = (
        "return / of /.test(root.querySelector('.hydroml-find-count').textContent)"
        " && Boolean(root.querySelector('.hydroml-found'))"
    )
    out["find_ms"] = timed(page, enter, found)
    page.locator('.hydroml-header-cell[data-column="city"] .hydroml-filter-button').last.click()
    popover = page.locator(".hydroml-filter-popover").last
    popover.locator(".hydroml-values-item").first.wait_for(timeout=120_000)
    popover.locator('[data-action="values-none"]').click()
    popover.locator(".hydroml-values-item").filter(
        has=page.get_by_text("Nairobi", exact=True)
    ).locator("input").check()
    apply = "root.querySelector('.hydroml-filter-popover [data-action=\"filter-apply\"]').click()"
    kept = (
        "const s = root.querySelector('.hydroml-status');"
        ' const c = root.querySelector(\'.hydroml-cell[data-row="0"][data-column="city"]\');'
        " return / of /.test(s.textContent) && Boolean(c)"
        " && !c.classList.contains('hydroml-loading') && c.textContent === 'Nairobi'"
    )
    out["value_filter_ms"] = timed(page, apply, kept)
    return out


def bench_size(lab: LabServer, browser: Any, rows: int, folder: Path) -> dict[str, Any]:
    nb = open_notebook(lab, browser, make_notebook(rows, folder))
    try:
        nb.run_all(timeout=600)
        page = nb.page
        page.wait_for_selector('.hydroml-studio .hydroml-cell[data-row="0"]', timeout=60_000)
        targets = [rows - 100, rows // 2 + 7_777, rows // 3 + 3_333, rows // 7 + 1_111,
                   rows - 40_000, rows // 5 * 4 + 555, rows // 9 + 99]  # fmt: skip
        times = [page.evaluate(_JUMP, {"row": r, "rows": rows}) for r in targets]
        return {
            "rows": rows,
            "far_row": targets[0],
            "far_row_ms": times[0],
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "all_ms": times,
            **interactions(nb, rows),
        }
    finally:
        nb.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--json", metavar="PATH", help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        lab = LabServer(Path(tmp) / "lab")
        lab.start()
        browser = launch_chromium(playwright)
        try:
            for rows in args.rows:
                result = bench_size(lab, browser, rows, Path(tmp))
                print(
                    f"{rows:,} rows: row {result['far_row']:,} painted "
                    f"{result['far_row_ms']:.0f} ms after asking; over 7 cold far jumps "
                    f"median {result['median_ms']:.0f} ms, max {result['max_ms']:.0f} ms",
                    flush=True,
                )
                print(
                    f"  first paint {result['first_paint_ms']:.0f} ms, Ctrl+End "
                    f"{result['ctrl_end_ms']:.0f} ms, first sorted page "
                    f"{result['sorted_page_float_ms']:.0f} ms (float) "
                    f"{result['sorted_page_string_ms']:.0f} ms (string), value filter "
                    f"{result['value_filter_ms']:.0f} ms, find {result['find_ms']:.0f} ms",
                    flush=True,
                )
                results.append(result)
        finally:
            browser.close()
            lab.stop()
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
