"""The grid's diff preview: the previewed frame kept in the kernel and served in windows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from test_widgets_protocol import Driver

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import Sidebar, Studio
from hydroml_jupyter.widgets.previewgrid import kept


def frame(rows: int = 1000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    price = rng.integers(0, 50, rows).astype(float)
    price[::7] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "price": price,
            "city": pd.array(rng.choice(["Oslo", "Rome", None], rows), dtype="str"),
            "qty": rng.integers(1, 5, rows),
        },
        index=pd.Index([f"r{i}" for i in range(rows)]),
    )


@pytest.fixture
def session() -> Iterator[hj.Session]:
    s = hj.Session(frame(), name="diffgrid")
    yield s
    s.close()


@pytest.fixture
def st_(session: hj.Session) -> Iterator[Driver]:
    widget = Studio(session)
    yield Driver(widget)
    widget.close()


def window(driver: Driver, preview: int, start: int, stop: int) -> tuple[dict[str, Any], pa.Table]:
    content, buffers = driver.ask("preview_rows", preview=preview, start=start, stop=stop)
    assert content["kind"] == "preview_rows", content
    assert buffers is not None and len(buffers) == 1
    return content, pa.ipc.open_stream(buffers[0]).read_all()


def test_fill_missing_marks_exactly_the_filled_cells(st_: Driver, session: hj.Session) -> None:
    reply = st_.ok(
        "preview",
        op="fill_missing",
        params={"column": "price", "strategy": "value", "value": -1},
        grid=True,
    )
    grid = reply["grid"]
    assert grid["row_count"] == 1000 and grid["aligned"] and grid["rows_removed"] == 0
    changes = {f["name"]: f["change"] for f in grid["schema"]}
    assert changes == {"id": "same", "price": "changed", "city": "same", "qty": "same"}
    content, table = window(st_, grid["id"], 100, 200)
    assert (content["start"], content["stop"], content["rows"]) == (100, 200, list(range(100, 200)))
    # Rows 105, 112, ... had no price: offsets 5, 12, ... of the window, and nothing else.
    assert content["changed"] == {"price": [i - 100 for i in range(105, 200, 7)]}
    assert table.column("price").to_pylist()[5] == -1
    assert session.version == 0 and session.df["price"].isna().sum() == 143


def test_dropped_columns_and_rows_stay_visible_and_counted(st_: Driver) -> None:
    reply = st_.ok("preview", op="drop_columns", params={"columns": ["city"]}, grid=True)
    schema = reply["grid"]["schema"]
    # The removed column is shown where it was, with its old values.
    assert [(f["name"], f["change"]) for f in schema] == [
        ("id", "same"), ("price", "same"), ("city", "removed"), ("qty", "same"),
    ]  # fmt: skip
    _, table = window(st_, reply["grid"]["id"], 0, 3)
    assert table.column("city").to_pylist() == ["Oslo", None, "Oslo"]

    dropped = st_.ok("preview", op="drop_missing", params={"columns": ["price"]}, grid=True)["grid"]
    assert dropped["rows_removed"] == 143 and dropped["row_count"] == 857 and dropped["aligned"]
    content, table = window(st_, dropped["id"], 0, 10)
    assert content["changed"] == {}
    assert table.column("id").to_pylist() == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]


def test_a_new_column_is_marked_added(st_: Driver) -> None:
    reply = st_.ok(
        "preview", op="formula", params={"column": "total", "expr": "price * qty"}, grid=True
    )
    assert reply["grid"]["schema"][-1] == {
        "name": "total", "dtype": "float64", "kind": "float", "change": "added",
    }  # fmt: skip


def test_the_preview_ends_on_discard_apply_or_the_next_preview(
    st_: Driver, session: hj.Session
) -> None:
    params = {"column": "price", "strategy": "value", "value": 0}
    first = st_.ok("preview", op="fill_missing", params=params, grid=True)["grid"]["id"]
    second = st_.ok("preview", op="fill_missing", params=params, grid=True)["grid"]["id"]
    assert st_.error("preview_rows", preview=first, start=0, stop=5) == (
        f"preview_rows: preview {first} has ended"
    )
    window(st_, second, 0, 5)
    st_.ok("preview_end", preview=second)
    assert kept(st_.widget) is None
    assert "has ended" in st_.error("preview_rows", preview=second, start=0, stop=5)

    third = st_.ok("preview", op="fill_missing", params=params, grid=True)["grid"]["id"]
    st_.ok("apply", op="fill_missing", params=params)
    # The frame is dropped with the change, not only when asked for next.
    assert kept(st_.widget) is None and session.version == 1
    assert "has ended" in st_.error("preview_rows", preview=third, start=0, stop=5)


def test_a_failing_operation_keeps_nothing(st_: Driver) -> None:
    reply = st_.ok("preview", op="cast", params={"column": "city", "dtype": "Int64"}, grid=True)
    assert reply["preview"]["ok"] is False and "grid" not in reply
    assert kept(st_.widget) is None


def test_a_sidebar_alone_previews_without_keeping(session: hj.Session) -> None:
    widget = Sidebar(session)
    try:
        reply = Driver(widget).ok(
            "preview", op="fill_missing", params={"column": "price", "strategy": "mean"}, grid=True
        )
        assert "grid" not in reply and kept(widget) is None
    finally:
        widget.close()


def test_reordered_rows_compare_by_index_label(session: hj.Session) -> None:
    widget = Studio(session)
    try:
        driver = Driver(widget)
        grid = driver.ok("preview", op="sort_rows", params={"by": ["price"]}, grid=True)["grid"]
        assert grid["aligned"] and grid["rows_removed"] == 0
        content, table = window(driver, grid["id"], 0, 50)
        assert content["changed"] == {}
        prices = table.column("price").to_pylist()
        assert prices == sorted(prices)
    finally:
        widget.close()


def test_rows_that_do_not_align_are_shown_without_cell_marks() -> None:
    melted = pd.DataFrame({"k": [1, 1, 2], "v": [1.0, 2.0, 3.0], "w": [4.0, 5.0, 6.0]})
    s = hj.Session(melted, name="melted")
    widget = Studio(s)
    try:
        driver = Driver(widget)
        grid = driver.ok("preview", op="melt", params={"id_vars": ["k"]}, grid=True)["grid"]
        assert not grid["aligned"] and grid["row_count"] == 6 and grid["rows_removed"] == 0
        # v and w are gone and have no rows to align with: shown empty.
        assert [(f["name"], f["change"]) for f in grid["schema"]] == [
            ("k", "same"), ("v", "removed"), ("w", "removed"), ("variable", "added"),
            ("value", "added"),
        ]  # fmt: skip
        content, table = window(driver, grid["id"], 0, 6)
        assert content["changed"] == {} and table.column("v").to_pylist() == [None] * 6
    finally:
        widget.close()
        s.close()


def test_the_preview_keeps_the_grids_filters_and_sort(st_: Driver) -> None:
    st_.ok(
        "view",
        filters=[{"column": "city", "op": "==", "value": "Oslo"}],
        sort=[{"column": "price", "descending": True}],
    )
    params = {"column": "price", "strategy": "value", "value": 1000}
    grid = st_.ok("preview", op="fill_missing", params=params, grid=True)["grid"]
    data = frame()
    oslo = data[data["city"] == "Oslo"]
    assert grid["row_count"] == len(oslo) and grid["rows_removed"] == 0
    content, table = window(st_, grid["id"], 0, 200)
    prices = table.column("price").to_pylist()
    # The filled prices sort first now; they are the changed cells, and the rows are Oslo's.
    filled = int(oslo["price"].isna().sum())
    assert 0 < filled < 200
    assert prices[:filled] == [1000] * filled and prices[filled:] == sorted(prices[filled:])[::-1]
    assert content["changed"] == {"price": list(range(filled))}
    assert set(table.column("city").to_pylist()) == {"Oslo"}
    assert [data.index[r] for r in content["rows"]][:filled] == list(
        oslo.index[oslo["price"].isna()]
    )


def test_a_filter_on_a_column_the_operation_removes_is_left_out(st_: Driver) -> None:
    st_.ok("view", filters=[{"column": "city", "op": "==", "value": "Rome"}])
    reply = st_.ok("preview", op="drop_columns", params={"columns": ["city"]}, grid=True)
    assert reply["grid"]["row_count"] == 1000
    assert any(
        note.startswith("the grid's filter on 'city' is left out of the preview")
        for note in reply["preview"]["notes"]
    )
