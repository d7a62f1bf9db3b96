"""Find across a grid's view: every matching cell, in the view's order and filter, one by one.

The walk from match to match (``step`` 1 and -1, wrapping around) is compared with a plain
pandas oracle of which cells match; a newer search stops an older one still running.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_widgets_protocol import Driver

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import DataGrid, ProtocolError
from hydroml_jupyter.widgets import find as find_module
from hydroml_jupyter.widgets.find import search


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    words = rng.choice(["Paris", "nice", "NICE<b>", "Lyon", "", "tab\there"], n).astype(object)
    words[rng.random(n) < 0.1] = None
    price = rng.integers(0, 6, n).astype(float)
    price[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "city": pd.Series(words, dtype="str"),
            "price": price,
            "count": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "flag": rng.random(n) < 0.5,
            "kind": pd.Categorical(rng.choice(["nice one", "other"], n)),
            "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 3, n), "D"),
            "zoned": (
                pd.to_datetime("2024-01-01 23:30", utc=True)
                + pd.to_timedelta(rng.integers(0, 3, n), "D")
            ).tz_convert("Europe/Paris"),
        }
    )


def oracle(df: pd.DataFrame, text: str) -> np.ndarray:
    """Which cells match, as ``(rows, columns)`` booleans, by plain pandas."""
    out = []
    for name in df.columns:
        s = df[name]
        if name in ("city", "kind"):
            hit = s.astype("str").str.lower().str.contains(text.lower(), regex=False)
        elif name in ("when", "zoned"):
            hit = s.dt.strftime("%Y-%m-%d %H:%M:%S").str.contains(text, regex=False)
        elif name == "flag":
            hit = s == (text == "true") if text in ("true", "false") else s & False
        else:
            try:
                hit = s == float(text)
            except ValueError:
                hit = pd.Series(False, index=s.index)
        out.append(hit.fillna(False).to_numpy(dtype=bool))
    return np.column_stack(out)


def expected_cells(df: pd.DataFrame, text: str, view: pd.DataFrame) -> list[tuple[int, str]]:
    """The matching cells in view order: ``(view row, column)``, row by row."""
    cells = oracle(df, text)
    positions = pd.Series(np.arange(len(df)), index=df.index)[view.index].to_numpy()
    return [
        (r, str(df.columns[c])) for r, at in enumerate(positions) for c in np.flatnonzero(cells[at])
    ]


def walk(driver: Driver, text: str, step: int, total: int) -> list[tuple[int, str, int]]:
    first = driver.ok("find", text=text)
    seen = [(first["row"], first["column"], first["index"])]
    for _ in range(total):
        last = seen[-1]
        reply = driver.ok("find", text=text, row=last[0], column=last[1], step=step)
        assert reply["total"] == total
        seen.append((reply["row"], reply["column"], reply["index"]))
    return seen


@pytest.mark.parametrize("text", ["nice", "3", "2024-01-02", "01-03 00:30", "true", "<B>", "\t"])
def test_find_walks_every_match_in_view_order(text: str) -> None:
    df = frame()
    grid = DataGrid(hj.Session(df))
    driver = Driver(grid)
    grid.set_view(sort=[("price", True), "city"], filters=[("count", ">=", 1)])
    shown = df[df["count"] >= 1].sort_values(
        ["price", "city"], ascending=[False, True], kind="stable"
    )
    expected = expected_cells(df, text, shown)
    assert expected, text
    first = driver.ok("find", text=text)
    assert first["total"] == len(expected)
    assert (first["version"], first["view"]) == (grid.version, grid.view)
    forward = walk(driver, text, 1, len(expected))
    assert [(r, c) for r, c, _ in forward] == [*expected, expected[0]]  # wraps around
    assert [i for *_, i in forward] == [*range(1, len(expected) + 1), 1]
    backward = walk(driver, text, -1, len(expected))
    assert [(r, c) for r, c, _ in backward] == [expected[0], *expected[::-1]]
    # step 0 from a cell: the first match at or after it.
    at = expected[len(expected) // 2]
    same = driver.ok("find", text=text, row=at[0], column=at[1], step=0)
    assert (same["row"], same["column"]) == at
    grid.close()


def test_no_match_and_a_new_view() -> None:
    df = frame()
    grid = DataGrid(hj.Session(df))
    driver = Driver(grid)
    none = driver.ok("find", text="zzz")
    assert (none["total"], none["index"], none["row"], none["column"]) == (0, 0, None, None)
    before = driver.ok("find", text="Lyon")["total"]
    grid.set_view(filters=[("city", "==", "Lyon")])
    after = driver.ok("find", text="Lyon")
    assert after["total"] == before and after["view"] == grid.view
    assert after["row"] == 0 and after["column"] == "city"
    grid.set_view(filters=[("city", "==", "Paris")])
    assert driver.ok("find", text="Lyon")["total"] == 0
    grid.close()


def test_bad_find_requests_are_refused_in_one_line() -> None:
    grid = DataGrid(hj.Session(frame()))
    driver = Driver(grid)
    assert "text" in driver.error("find", text="")
    assert "text" in driver.error("find", text=3)
    assert "step" in driver.error("find", text="a", row=0, column="city", step=2)
    assert "citi" in driver.error("find", text="a", row=0, column="citi")
    assert "row" in driver.error("find", text="a", row=-1, column="city")
    grid.close()


class Slow:
    """A value whose text waits until it is released: the search is then still running."""

    entered = threading.Event()
    release = threading.Event()

    def __str__(self) -> str:
        Slow.entered.set()
        Slow.release.wait(30)
        return "slow"


def test_a_newer_search_stops_an_older_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(find_module, "CHUNK", 10)
    df = pd.DataFrame({"thing": pd.Series([Slow(), *["x"] * 99], dtype=object)})
    grid = DataGrid(hj.Session(df))
    driver = Driver(grid)
    grid._on_message(grid, {"kind": "find", "request": 901, "text": "x"}, [])
    assert Slow.entered.wait(30)
    grid._on_message(grid, {"kind": "find", "request": 902, "text": "slow"}, [])
    Slow.release.set()
    grid.join()
    replies: dict[Any, dict[str, Any]] = {c["request"]: c for c, _ in driver.sent}
    assert replies[901]["kind"] == "error" and "stopped" in replies[901]["message"]
    assert replies[902]["kind"] == "find" and replies[902]["total"] == 1
    grid.close()


def test_a_search_stops_when_told() -> None:
    grid = DataGrid(hj.Session(frame()))
    with pytest.raises(ProtocolError, match="stopped"):
        search(grid.grid_view, "nice", stop=lambda: True)
    assert search(grid.grid_view, "nice").total > 0
    grid.close()
