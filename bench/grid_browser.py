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

from tests.browser.lab import LabServer, launch_chromium, open_notebook  # noqa: E402

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
                results.append(result)
        finally:
            browser.close()
            lab.stop()
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
