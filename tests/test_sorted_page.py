"""A sort's first page before its full order: exactly the rows the full stable sort puts first.

``first_positions`` is compared with ``DataFrame.sort_values(kind="stable")`` (ties, missing
values, several keys, filters) on frames with few distinct values, so the cut at rank ``k``
falls inside runs of ties; the view is checked to answer its first page before the full
order and every later window from the full order, both equal to pandas.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import pages as pages_module
from hydroml_jupyter.widgets.sorting import first_positions
from hydroml_jupyter.widgets.view import GridView

KINDS = ("f", "i", "m", "b", "s", "d", "u")


def column(kind: str, codes: list[int | None]) -> pd.Series:
    """A column of ``kind`` whose order follows ``codes`` (``None`` is missing where it can be)."""
    if kind == "f":
        return pd.Series([np.nan if c is None else c / 2 - 1 for c in codes], dtype="float64")
    if kind == "i":
        return pd.Series([(c or 0) - 2 for c in codes], dtype="int64")
    if kind == "u":
        return pd.Series([c or 0 for c in codes], dtype="uint8")
    if kind == "m":
        return pd.Series(codes, dtype="Int64")
    if kind == "b":
        return pd.Series([bool((c or 0) % 2) for c in codes], dtype="bool")
    if kind == "s":
        words = ["", "a", "B", "ab", "é", "b"]
        return pd.Series([None if c is None else words[c % 6] for c in codes], dtype="str")
    stamps = pd.to_datetime([None if c is None else f"2024-01-0{c % 9 + 1}" for c in codes])
    return pd.Series(stamps)


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str], list[bool], int, np.ndarray | None]:
    rows = draw(st.integers(0, 60))
    nkeys = draw(st.integers(1, 3))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=nkeys, max_size=nkeys))
    values = st.one_of(st.none(), st.integers(0, draw(st.integers(0, 6))))
    frame = pd.DataFrame(
        {
            f"{kind}{i}": column(kind, draw(st.lists(values, min_size=rows, max_size=rows)))
            for i, kind in enumerate(kinds)
        }
    )
    frame.index = pd.RangeIndex(rows) * 3 + 7  # positions, not labels, are compared
    ascending = draw(st.lists(st.booleans(), min_size=nkeys, max_size=nkeys))
    k = draw(st.integers(0, rows + 2))
    keep = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=rows, max_size=rows)))
    rows_kept = None if keep is None else np.flatnonzero(np.array(keep, dtype=bool))
    return frame, list(frame.columns), ascending, k, rows_kept


@settings(max_examples=400, deadline=None)
@given(cases())
def test_first_rows_are_those_of_the_full_stable_sort(case: tuple) -> None:
    frame, by, ascending, k, rows = case
    kept = frame if rows is None else frame.iloc[rows]
    positions = pd.Series(np.arange(len(frame)), index=frame.index)
    expected = positions[kept.sort_values(by=by, ascending=ascending, kind="stable").index]
    got = first_positions([frame[c] for c in by], ascending, k, rows)
    assert got is not None
    assert got.dtype == np.int64
    assert got.tolist() == expected.to_numpy()[:k].tolist()


def test_kinds_without_a_selection_say_so() -> None:
    codes = pd.Series(["b", "a", None, "a"], dtype="category")
    assert first_positions([codes], [True], 2) is None
    mixed = pd.Series([1, "a", None], dtype=object)
    assert first_positions([mixed], [True], 1) is None
    numbers = pd.Series([2.0, 1.0, 2.0])
    assert first_positions([numbers, codes.iloc[:3]], [True, True], 2) is None


def test_a_nan_held_as_a_value_sorts_in_full() -> None:
    values = np.array([1.0, np.nan, 2.0, np.nan])
    s = pd.Series(pd.arrays.FloatingArray(values, np.array([False, False, False, True])))
    expected = s.sort_values(kind="stable").index.tolist()
    assert first_positions([s], [True], 3) is None  # rank 3 is NaN (a value here, not NA)
    assert first_positions([s], [True], 2).tolist() == expected[:2]


# -- the view -----------------------------------------------------------------------------------
@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Let a 5,000-row frame take the first-page path, with 50-row pages."""
    monkeypatch.setattr(pages_module, "FIRST_PAGE_FROM", 1_000)
    monkeypatch.setattr(pages_module, "FIRST_PAGE", 50)
    return 50


def big_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 5_000
    price = rng.integers(0, 40, n).astype(float)
    price[rng.random(n) < 0.1] = np.nan
    city = pd.Series(rng.choice(["Lyon", "Nice", " Lyon", "Paris"], n), dtype="str")
    city[rng.random(n) < 0.05] = None
    return pd.DataFrame({"price": price, "city": city, "qty": rng.integers(0, 3, n)})


@pytest.mark.parametrize(
    ("sort", "filters"),
    [
        ([("price", False)], []),
        ([("city", True)], []),
        ([("city", False), ("price", True)], [("qty", "==", 1)]),
        ([("qty", True), ("city", False), ("price", False)], []),
    ],
)
def test_view_pages_equal_the_full_sort(small_pages: int, sort: list, filters: list) -> None:
    frame = big_frame()
    view = GridView(hj.Session(frame))
    view.set(
        sort=[{"column": c, "descending": d} for c, d in sort],
        filters=[{"column": c, "op": op, "value": v} for c, op, v in filters],
    )
    kept = frame
    for c, op, v in filters:
        assert op == "=="
        kept = kept[kept[c] == v]
    expected = kept.sort_values(
        by=[c for c, _ in sort], ascending=[not d for _, d in sort], kind="stable"
    ).index.to_numpy()
    assert view.row_count == len(expected)
    first = view.rows(0, small_pages)
    assert first.positions.tolist() == expected[:small_pages].tolist()
    assert view.ready(0, small_pages)
    # Past the first page the window waits for the full order: the same rows as pandas.
    middle = view.rows(len(expected) // 2, len(expected) // 2 + 100)
    assert middle.positions.tolist() == expected[len(expected) // 2 :][:100].tolist()
    assert view.wait_sorted(30)
    assert view.ready(0, len(expected))
    assert view.positions(0, len(expected)).tolist() == expected.tolist()
    assert view.full_index()[3].tolist() == expected.tolist()


def test_the_first_page_is_answered_before_the_full_order(
    small_pages: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = big_frame()
    release = threading.Event()
    original = pages_module.sort_positions

    def slow(*args: object, **kwargs: object) -> np.ndarray:
        release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(pages_module, "sort_positions", slow)
    view = GridView(hj.Session(frame), sort=[{"column": "price", "descending": True}])
    expected = frame.sort_values("price", ascending=False, kind="stable").index.to_numpy()
    assert view.ready(0, small_pages)
    assert not view.ready(0, small_pages + 1)
    assert view.rows(0, small_pages).positions.tolist() == expected[:small_pages].tolist()
    assert not view.wait_sorted(0.05)
    release.set()
    assert view.wait_sorted(30)
    assert view.rows(100, 200).positions.tolist() == expected[100:200].tolist()


def test_a_new_version_drops_a_sort_still_running(small_pages: int) -> None:
    frame = big_frame()
    session = hj.Session(frame)
    view = GridView(session, sort=[{"column": "city", "descending": False}])
    session.apply("fill_missing", column="city", strategy="value", value="Zed")
    expected = session.df.sort_values("city", kind="stable").index.to_numpy()
    assert view.positions(0, len(frame)).tolist() == expected.tolist()


def test_a_rows_request_past_the_first_page_is_answered_once_sorted(
    small_pages: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_widgets_protocol import Driver

    frame = big_frame()
    release = threading.Event()
    original = pages_module.sort_positions

    def slow(*args: object, **kwargs: object) -> np.ndarray:
        release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(pages_module, "sort_positions", slow)
    grid = hj.DataGrid(hj.Session(frame))
    driver = Driver(grid)
    driver.ok("view", sort=[{"column": "city", "descending": True}])
    expected = frame.sort_values("city", ascending=False, kind="stable").index.to_numpy()
    first, _ = driver.rows(0, small_pages)
    assert first["rows"] == expected[:small_pages].tolist()
    # Past the first page: no reply until the full order is known, and the kernel is free.
    grid._on_message(grid, {"kind": "rows", "request": 500, "start": 3000, "stop": 3100}, [])
    assert not [c for c, _ in driver.sent if c.get("request") == 500]
    assert driver.ok("view", filters=[])["row_count"] == len(frame)
    release.set()
    grid.join()
    (late,) = [c for c, _ in driver.sent if c.get("request") == 500]
    assert late["kind"] == "rows" and late["rows"] == expected[3000:3100].tolist()
    grid.close()
