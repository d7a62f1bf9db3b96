"""The %hydroml magics in a real JupyterLab: `open` shows the studio, `code` adds a cell."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from .lab import LabServer, Notebook, _js

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROWS = 1234
CSV = "magics-people.csv"
SESSION = "magics-people"

# Every cell of the notebook as the model holds it: type and source.
_MODEL_CELLS = _js("""
const panel = findPanel(a.path);
return panel.content.model.toJSON().cells.map((c) => ({
  type: c.cell_type,
  source: Array.isArray(c.source) ? c.source.join('') : c.source,
}));
""")

# True once the model holds ``a.count`` cells and the one at ``a.index`` is code.
_INSERTED = _js("""
const panel = findPanel(a.path);
const cells = panel.content.model.toJSON().cells;
return cells.length === a.count && cells[a.index].cell_type === 'code'
  && (Array.isArray(cells[a.index].source) ? cells[a.index].source.join('')
      : cells[a.index].source).length > 0;
""")


def write_people(lab: LabServer) -> pd.DataFrame:
    """A small CSV in the server's root (the kernel's working folder); return its frame."""
    rng = np.random.default_rng(7)
    score = rng.uniform(0, 100, ROWS).round(1)
    score[::9] = np.nan
    frame = pd.DataFrame(
        {
            "id": np.arange(ROWS),
            "name": [f"person {i}" for i in range(ROWS)],
            "score": score,
        }
    )
    frame.to_csv(lab.root / CSV, index=False)
    return frame


def model_cells(nb: Notebook) -> list[dict[str, Any]]:
    return nb.page.evaluate(_MODEL_CELLS, {"path": nb.path})


def test_open_shows_the_studio_and_code_adds_a_cell_below(lab, notebook_opener) -> None:
    from playwright.sync_api import expect

    frame = write_people(lab)
    nb = notebook_opener("magics.ipynb")
    nb.run_cell(nb.cell_index("%load_ext hydroml_jupyter"))

    opened = nb.cell_index("%hydroml open")
    nb.run_cell(opened)
    assert nb.output(opened).startswith(f"{SESSION}: opened {CSV} (CSV, ")
    studio = nb.page.locator(".hydroml-studio")
    expect(studio).to_have_count(1)
    expect(studio.locator(".hydroml-status")).to_have_text(f"{ROWS:,} rows")
    expect(studio.locator(".hydroml-grid")).to_be_visible()

    applied = nb.cell_index("%hydroml apply")
    nb.run_cell(applied)
    missing = int(frame["score"].isna().sum())
    assert nb.output(applied).startswith(f"{SESSION}: step 1 of 1 · Fill missing score with 0")
    assert missing > 0

    before = model_cells(nb)
    code = nb.cell_index("%hydroml code")
    nb.run_cell(code)
    assert "goes into a new cell below" in nb.output(code)
    nb.page.wait_for_function(
        _INSERTED,
        arg={"path": nb.path, "count": len(before) + 1, "index": code + 1},
        timeout=30_000,
        polling=100,
    )
    after = model_cells(nb)
    # One new code cell right below `%hydroml code`; every other cell as it was.
    assert after[: code + 1] == before[: code + 1]
    assert after[code + 2 :] == before[code + 1 :]
    assert after[code + 1]["type"] == "code"
    script = after[code + 1]["source"]
    assert "import pandas as pd" in script and CSV in script

    check = nb.cell_index("json.dumps(")
    nb.run_cell(check)
    assert script.rstrip("\n") == json.loads(nb.output(check)).rstrip("\n")

    # The script the cell holds rebuilds the session's frame.
    nb.run_cell(code + 1)
    same = nb.cell_index('print("same frame:"')
    nb.run_cell(same)
    assert nb.output(same) == "same frame: True\n"
    assert nb.errors == []
