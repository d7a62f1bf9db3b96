"""The widgets' message protocol, driven as anywidget drives it, without a browser.

Requests go to the widget's ``on_msg`` handler; replies are captured from ``send``. Rows
come back as Arrow IPC and are compared with pandas.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_widgets_view import FILTER_CHOICES, cells, frames, pandas_mask, same_time

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import DataGrid, Sidebar, Studio, studio
from hydroml_jupyter.widgets.base import CSS_PATH, ESM_PATH, SessionWidget, _subscribe

XSS = "<img src=x onerror=alert(1)>"
EXAMPLES = int(os.environ.get("HYDROML_WIDGET_EXAMPLES", "150"))
GRID_TRAITS = ("version", "schema", "error", "total_rows", "row_count", "view", "sort", "filters")
BAR_TRAITS = ("version", "schema", "error", "history", "position", "can_undo", "can_redo")


class Driver:
    """Send requests to a widget as its comm would, and collect what it sends back."""

    def __init__(self, widget: SessionWidget) -> None:
        self.widget = widget
        self.sent: list[tuple[dict[str, Any], list[Any] | None]] = []
        self.ids = itertools.count(1)
        widget.send = self._record  # type: ignore[method-assign]

    def _record(self, content: dict[str, Any], buffers: list[Any] | None = None) -> None:
        json.dumps(content, allow_nan=False)  # every reply is strict JSON
        self.sent.append((content, buffers))

    def ask(self, kind: str, **fields: Any) -> tuple[dict[str, Any], list[Any] | None]:
        request = next(self.ids)
        self.widget._on_message(self.widget, {"kind": kind, "request": request, **fields}, [])
        self.widget.join()
        replies = [(c, b) for c, b in self.sent if c.get("request") == request]
        assert len(replies) == 1, replies  # exactly one reply per request
        return replies[0]

    def ok(self, kind: str, **fields: Any) -> dict[str, Any]:
        content, _ = self.ask(kind, **fields)
        assert content["kind"] != "error", content
        return content

    def error(self, kind: str, **fields: Any) -> str:
        content, buffers = self.ask(kind, **fields)
        assert content["kind"] == "error", content
        assert set(content) == {"kind", "request", "message"} and buffers is None
        assert "\n" not in content["message"]
        return content["message"]

    def rows(self, start: int, stop: int) -> tuple[dict[str, Any], pa.Table]:
        content, buffers = self.ask("rows", start=start, stop=stop)
        assert content["kind"] == "rows", content
        assert buffers is not None and len(buffers) == 1
        return content, pa.ipc.open_stream(buffers[0]).read_all()

    def traits(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: json.loads(json.dumps(getattr(self.widget, name))) for name in names}


def mixed_frame(rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    words = np.where(rng.random(rows) < 0.2, None, rng.choice(["ant", "Bee", "cat", XSS], rows))
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64) * 10,
            "count": pd.array(
                np.where(rng.random(rows) < 0.2, None, rng.integers(0, 9, rows)), dtype="Int64"
            ),
            "price": np.where(rng.random(rows) < 0.2, np.nan, rng.integers(0, 40, rows) / 4),
            "name": pd.array(words, dtype="str"),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], rows), categories=["S", "M", "L"]),
            "when": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, rows), "D")),
            "ok": rng.random(rows) < 0.5,
            3: rng.normal(size=rows),
        },
        index=pd.Index([f"r{i}" for i in rng.permutation(rows)], name="key"),
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    return mixed_frame()


@pytest.fixture
def session(frame: pd.DataFrame) -> Iterator[hj.Session]:
    s = hj.Session(frame, name="proto")
    yield s
    s.close()


@pytest.fixture
def grid(session: hj.Session) -> Iterator[Driver]:
    widget = DataGrid(session)
    yield Driver(widget)
    widget.close()


@pytest.fixture
def st_(session: hj.Session) -> Iterator[Driver]:
    widget = Studio(session)
    yield Driver(widget)
    widget.close()


def values(table: pa.Table, column: str) -> list[Any]:
    out = []
    for v in table.column(column).to_pylist():
        out.append(pd.Timestamp(v) if hasattr(v, "year") else v)
    return out


def expected_values(df: pd.DataFrame, label: Any) -> list[Any]:
    out = []
    for v in df[label].astype(object):
        out.append(None if not isinstance(v, str) and pd.isna(v) else v)
    return out


def check_rows(driver: Driver, expected: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Every window of the widget's view equals ``expected``, at start, middle and end."""
    n = len(expected)
    assert driver.widget.row_count == n
    for start in sorted({0, max(0, n // 2 - 20), max(0, n - 37)}):
        content, table = driver.rows(start, start + 37)
        stop = min(start + 37, n)
        assert (content["start"], content["stop"]) == (start, stop)
        assert content["version"] == driver.widget.version and content["view"] == driver.widget.view
        part = expected.iloc[start:stop]
        assert list(frame.index[content["rows"]]) == list(part.index)
        assert table.column_names == [str(c) for c in frame.columns]
        for label in frame.columns:
            assert values(table, str(label)) == expected_values(part, label), label


# -- windows ---------------------------------------------------------------------------------
def test_initial_state(grid: Driver, frame: pd.DataFrame, session: hj.Session) -> None:
    w = grid.widget
    assert (w._kind, w.session_name, w.version, w.error) == ("grid", "proto", 0, "")
    assert (w.total_rows, w.row_count, w.sort, w.filters) == (len(frame), len(frame), [], [])
    assert w.schema == [
        {"name": "id", "dtype": "int64", "kind": "integer"},
        {"name": "count", "dtype": "Int64", "kind": "integer"},
        {"name": "price", "dtype": "float64", "kind": "float"},
        {"name": "name", "dtype": "str", "kind": "text"},
        {"name": "size", "dtype": "category", "kind": "category"},
        {"name": "when", "dtype": "datetime64[us]", "kind": "datetime"},
        {"name": "ok", "dtype": "bool", "kind": "boolean"},
        {"name": "3", "dtype": "float64", "kind": "float"},
    ]
    assert w.session is session


def test_unsorted_windows(grid: Driver, frame: pd.DataFrame) -> None:
    check_rows(grid, frame, frame)


@pytest.mark.parametrize(
    "sort",
    [
        [("price", False)],
        [("price", True)],
        [("name", False)],
        [("name", True)],
        [("count", True), ("name", False), ("price", True)],
        [("size", True), ("3", False)],
        [("when", True), ("ok", False)],
    ],
    ids=str,
)
def test_sorted_windows(grid: Driver, frame: pd.DataFrame, sort: list) -> None:
    reply = grid.ok("view", sort=[{"column": c, "descending": d} for c, d in sort])
    assert reply["kind"] == "view" and reply["row_count"] == len(frame)
    assert reply["view"] == grid.widget.view and grid.widget.sort[0]["column"] == sort[0][0]
    by = [3 if c == "3" else c for c, _ in sort]
    expected = frame.sort_values(by=by, ascending=[not d for _, d in sort], kind="stable")
    check_rows(grid, expected, frame)


@pytest.mark.parametrize(
    ("item", "mask"),
    [
        ({"column": "price", "op": "between", "value": [2, 6]}, lambda f: f["price"].between(2, 6)),
        (
            {"column": "name", "op": "contains", "value": "a"},
            lambda f: f["name"].str.contains("a", regex=False, na=False),
        ),
        ({"column": "size", "op": "in", "value": ["S", "L"]}, lambda f: f["size"].isin(["S", "L"])),
        ({"column": "count", "op": "is_null"}, lambda f: f["count"].isna()),
        ({"column": "when", "op": "<", "value": "2024-01-10"}, lambda f: f["when"] < "2024-01-10"),
        ({"column": "name", "op": "==", "value": XSS}, lambda f: f["name"] == XSS),
    ],
    ids=lambda v: v["op"] if isinstance(v, dict) else "",
)
def test_filtered_windows(grid: Driver, frame: pd.DataFrame, item: dict, mask: Any) -> None:
    reply = grid.ok("view", filters=[item])
    keep = mask(frame).to_numpy(dtype=bool, na_value=False)
    assert 0 < keep.sum() < len(frame)
    assert reply["row_count"] == keep.sum() == grid.widget.row_count
    assert grid.widget.filters == [{"value": None, **item}]
    check_rows(grid, frame[keep], frame)


def test_sorted_and_filtered_windows(grid: Driver, frame: pd.DataFrame) -> None:
    grid.ok("view", filters=[{"column": "ok", "op": "==", "value": True}])
    grid.ok(
        "view",
        sort=[{"column": "name", "descending": True}, {"column": "price", "descending": False}],
    )
    grid.ok(
        "view",
        filters=[
            {"column": "ok", "op": "==", "value": True},
            {"column": "price", "op": "not_null"},
        ],
    )
    keep = frame["ok"].to_numpy() & frame["price"].notna().to_numpy()
    expected = frame[keep].sort_values(by=["name", "price"], ascending=[False, True], kind="stable")
    check_rows(grid, expected, frame)


def test_stop_is_clipped_and_windows_past_the_end_are_empty(
    grid: Driver, frame: pd.DataFrame
) -> None:
    content, table = grid.rows(len(frame) - 5, len(frame) + 100)
    assert (content["start"], content["stop"], table.num_rows) == (len(frame) - 5, len(frame), 5)
    grid.ok("view", filters=[{"column": "id", "op": "<", "value": 100}])
    content, table = grid.rows(50, 80)
    assert (content["start"], content["stop"], content["rows"], table.num_rows) == (10, 10, [], 0)
    assert table.column_names == [str(c) for c in frame.columns]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"start": -1, "stop": 5}, "start must be an integer >= 0"),
        ({"start": 9, "stop": 5}, "start (9) is after stop (5)"),
        ({"start": 0, "stop": 5001}, "5,001 rows asked for; a window holds at most 5,000"),
        ({"start": "0", "stop": 5}, "start must be an integer"),
        ({"start": 0.0, "stop": 5}, "start must be an integer"),
        ({"start": 0}, "stop must be an integer >= 0, not None"),
    ],
)
def test_bad_windows_get_an_error(grid: Driver, fields: dict, fragment: str) -> None:
    before = grid.traits(GRID_TRAITS)
    assert fragment in grid.error("rows", **fields)
    assert grid.traits(GRID_TRAITS) == before


# -- following the session -------------------------------------------------------------------
def test_changes_from_code_reach_every_widget(session: hj.Session, frame: pd.DataFrame) -> None:
    a, b, c = Driver(DataGrid(session)), Driver(Studio(session)), Driver(Sidebar(session))
    b.ok("view", sort=[{"column": "price"}])
    view_b = b.widget.view
    session.apply("filter_rows", column="ok", op="==", value=True)
    rows = int(frame["ok"].sum())
    for d in (a, b, c):
        assert d.widget.version == session.version == 1
    for d in (a, b):
        assert (d.widget.total_rows, d.widget.row_count) == (rows, rows)
    assert b.widget.view > view_b and b.widget.sort == [{"column": "price", "descending": False}]
    for d in (b, c):
        assert (d.widget.position, d.widget.can_undo, d.widget.can_redo) == (1, True, False)
        assert [h["rows"] for h in d.widget.history] == [len(frame), rows]
    session.undo()
    for d in (a, b, c):
        assert d.widget.version == 2
    assert (c.widget.position, c.widget.can_undo, c.widget.can_redo) == (0, False, True)
    assert a.widget.total_rows == len(frame)
    expected = frame.sort_values("price", kind="stable")
    check_rows(b, expected, frame)
    for d in (a, b, c):
        d.widget.close()


def test_replies_carry_the_current_version_not_a_stale_one(
    grid: Driver, session: hj.Session
) -> None:
    before, _ = grid.rows(0, 5)
    session.apply("drop_columns", columns=["name"])
    content, buffers = grid.ask(
        "rows", start=0, stop=5, version=before["version"], view=before["view"]
    )
    table = pa.ipc.open_stream(buffers[0]).read_all()  # type: ignore[index]
    assert content["version"] == session.version == grid.widget.version == before["version"] + 1
    assert content["view"] == grid.widget.view > before["view"]
    assert "name" not in table.column_names
    assert grid.ok("code", version=0)["version"] == session.version


def test_view_parts_that_no_longer_apply_are_dropped_with_a_reason(
    grid: Driver, session: hj.Session
) -> None:
    grid.ok("view", sort=[{"column": "name"}], filters=[{"column": "price", "op": ">", "value": 1}])
    session.apply("cast", column="price", dtype="str")
    assert grid.widget.sort == [{"column": "name", "descending": False}]
    assert grid.widget.filters == []
    assert "the filter on 'price' was removed: filter_rows: cannot compare text column 'price'" in (
        grid.widget.error
    )
    grid.ok("view", sort=[])
    assert grid.widget.error == ""


# -- session requests -----------------------------------------------------------------------
def test_apply_preview_undo_redo_goto(
    st_: Driver, session: hj.Session, frame: pd.DataFrame
) -> None:
    preview = st_.ok("preview", op="fill_missing", params={"column": "price", "strategy": "median"})
    assert preview["version"] == 0 and session.version == 0
    p = preview["preview"]
    assert (p["op"], p["ok"], p["changed"]["price"]) == (
        "fill_missing",
        True,
        int(frame["price"].isna().sum()),
    )
    assert p["sample"]["columns"] == ["price (before)", "price (after)"]
    assert all(row[0] is None and isinstance(row[1], str) for row in p["sample"]["rows"])
    done = st_.ok("apply", op="fill_missing", params={"column": "price", "strategy": "median"})
    assert done == {"kind": "done", "request": done["request"], "version": 1}
    assert (
        session.df["price"].notna().all()
        and st_.widget.history[-1]["label"] == "Fill missing price by median"
    )
    st_.ok("apply", op="rename", params={"columns": [["3", "three"], ["name", "label"]]})
    assert list(session.df.columns)[-1] == "three" and "label" in session.df.columns
    assert st_.ok("undo")["version"] == 3 and st_.widget.position == 1
    assert st_.ok("redo")["version"] == 4 and st_.widget.position == 2
    assert st_.ok("goto", index=0)["version"] == 5
    pd.testing.assert_frame_equal(session.df, frame)
    assert (st_.widget.position, st_.widget.can_undo, st_.widget.can_redo) == (0, False, True)


def test_params_use_protocol_names(st_: Driver, session: hj.Session) -> None:
    st_.ok("apply", op="scale", params={"columns": ["3"], "method": "minmax"})
    assert session.df[3].min() == 0.0
    st_.ok(
        "apply",
        op="group_aggregate",
        params={"by": ["size"], "aggs": [["3", "max"], ["3", "min"], ["id", "count"]]},
    )
    assert list(session.df.columns) == ["size", "3_max", "3_min", "id"]


def test_a_preview_that_would_fail_says_why(st_: Driver, session: hj.Session) -> None:
    reply = st_.ok("preview", op="scale", params={"columns": ["name"]})
    assert reply["preview"]["ok"] is False
    assert reply["preview"]["error"] == "scale: column 'name' is str, not numeric"
    failing = st_.ok("preview", op="cast", params={"column": "name", "dtype": "Int64"})["preview"]
    assert failing["ok"] is False and failing["failures_total"] == session.df["name"].notna().sum()
    assert failing["failures"][0] == {
        "row": session.df.index[session.df["name"].notna()][0],
        "column": "name",
        "value": session.df["name"].dropna().iloc[0],
    }
    assert session.version == 0


def test_code(st_: Driver, session: hj.Session, frame: pd.DataFrame) -> None:
    st_.ok("apply", op="sort_rows", params={"by": "price", "ascending": False})
    reply = st_.ok("code")
    assert reply["code"] == session.code()
    assert "sort_values(by=['price'], ascending=False, kind='stable')" in reply["code"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx", "json"])
def test_export(
    st_: Driver, session: hj.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    reply = st_.ok("export", format=fmt)
    assert (
        reply["path"] == str(tmp_path / f"proto.{fmt}") and Path(reply["path"]).stat().st_size > 0
    )
    given = st_.ok("export", format=fmt, path=f"out.{fmt}")
    assert given["path"] == str(tmp_path / f"out.{fmt}") and Path(given["path"]).exists()
    read = {
        "csv": pd.read_csv,
        "parquet": pd.read_parquet,
        "xlsx": pd.read_excel,
        "json": pd.read_json,
    }[fmt]
    back = read(reply["path"])
    assert len(back) == len(session.df) and "name" in back.columns


def test_save_as(st_: Driver, session: hj.Session) -> None:
    reply = st_.ok("save_as", name="copy of proto")
    assert reply["session"] == "copy of proto" and reply["version"] == session.version
    new = hj.session("copy of proto")
    assert new.parent == "proto" and new.shape == session.shape
    new.close()


def test_summary_is_keyed_by_protocol_name(st_: Driver, frame: pd.DataFrame) -> None:
    reply = st_.ok("summary", columns=["3", "name"])
    three = reply["summaries"]["3"]
    assert three["summary"]["name"] == "3" and three["summary"]["count"] == len(frame)
    assert three["histogram"]["counts"] and reply["summaries"]["name"]["histogram"] is None
    top = dict((v, c) for v, c in reply["summaries"]["name"]["top_values"])
    assert top[XSS] == (frame["name"] == XSS).sum()


def test_summary_runs_beside_rows(
    st_: Driver, session: hj.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    original = session.column_info

    def slow(column: Any, bins: int = 20) -> Any:
        assert threading.current_thread() is not threading.main_thread()
        release.wait(10)
        return original(column, bins)

    monkeypatch.setattr(session, "column_info", slow)
    st_.widget._on_message(
        st_.widget, {"kind": "summary", "request": 900, "columns": ["price"]}, []
    )
    st_.widget._on_message(st_.widget, {"kind": "rows", "request": 901, "start": 0, "stop": 3}, [])
    assert [c["request"] for c, _ in st_.sent] == [901]  # rows answered while the summary waits
    release.set()
    st_.widget.join()
    assert [c["request"] for c, _ in st_.sent] == [901, 900]
    assert st_.sent[1][0]["kind"] == "summary"


# -- apply_view -----------------------------------------------------------------------------
def test_apply_view_makes_the_frame_equal_the_view(
    st_: Driver, session: hj.Session, frame: pd.DataFrame
) -> None:
    st_.ok(
        "view",
        sort=[{"column": "size", "descending": True}, {"column": "3"}],
        filters=[{"column": "name", "op": "not_null"}, {"column": "price", "op": ">=", "value": 2}],
    )
    shown = frame.iloc[st_.widget.grid_view.positions(0, st_.widget.row_count)]
    reply = st_.ok("apply_view")
    # One change: the view's steps apply all or nothing, in one transaction.
    assert reply["version"] == session.version == 1
    pd.testing.assert_frame_equal(session.df, shown, check_exact=True)
    assert (st_.widget.sort, st_.widget.filters) == ([], [])
    assert st_.widget.row_count == st_.widget.total_rows == len(shown)
    assert [h["label"] for h in st_.widget.history][1:] == [
        "Keep rows where name not null",
        "Keep rows where price >= 2",
        "Sort by size ↓, 3 ↑",
    ]
    namespace: dict[str, Any] = {"df": frame, "pd": pd, "np": np}
    exec(session.code(source=False), namespace)
    pd.testing.assert_frame_equal(namespace["df"], shown, check_exact=True)


def test_apply_view_that_a_later_filter_refuses_changes_nothing() -> None:
    # On the whole frame "o" holds text; once x > 2 has kept only its missing values,
    # filter_rows no longer sees a text column there and refuses.
    objects = pd.DataFrame(
        {"o": pd.Series(["a", "b", None, None], dtype=object), "x": [1, 2, 3, 4]}
    )
    s = hj.Session(objects)
    d = Driver(Studio(s))
    filters = [
        {"column": "x", "op": ">", "value": 2},
        {"column": "o", "op": "contains", "value": "a"},
    ]
    d.ok("view", filters=filters, sort=[{"column": "x", "descending": True}])
    before = (s.version, d.traits(GRID_TRAITS + BAR_TRAITS))
    message = d.error("apply_view")
    assert message == "filter_rows: contains needs a text column; 'o' is object"
    assert (s.version, d.traits(GRID_TRAITS + BAR_TRAITS)) == before
    with pytest.raises(hj.OperationError, match="contains needs a text column"):
        for op in d.widget.grid_view.to_steps():
            s.apply(op)
    s.reset()
    d.ok("view", filters=[], sort=[])
    assert d.error("apply_view") == "apply_view: the view has no sort or filters to apply"
    d.widget.close()
    s.close()


# -- failures change nothing ------------------------------------------------------------------
FAILING = [
    ("apply", {"op": "cast", "params": {"column": "name", "dtype": "Int64"}}, "cast: "),
    (
        "apply",
        {"op": "cast", "params": {"column": "agee", "dtype": "Int64"}},
        "no column named 'agee'",
    ),
    (
        "apply",
        {"op": "fill_missing", "params": {"column": "price", "value": "x"}},
        "'x' is not a number, and 'price'",
    ),
    ("apply", {"op": "nope", "params": {}}, "unknown operation 'nope'"),
    (
        "apply",
        {"op": "rename", "params": {"columns": [["id", "a"], ["id", "b"]]}},
        "has the key 'id' twice",
    ),
    (
        "apply",
        {"op": "rename", "params": {"columns": "id"}},
        "must be a list of [key, value] pairs",
    ),
    ("apply", {"params": {}}, "apply: op must be a non-empty string"),
    ("apply", {"op": "cast", "params": [1]}, "params must be an object"),
    (
        "preview",
        {"op": "scale", "params": {"columns": ["3"], "method": "zz"}},
        "parameter 'method' must be one of",
    ),
    ("undo", {}, "undo: nothing to undo"),
    ("redo", {}, "redo: nothing to redo"),
    ("goto", {"index": 4}, "goto: no step 4; steps are 0 to 0"),
    ("goto", {"index": "1"}, "goto: index must be an integer"),
    ("view", {"sort": [{"column": "pricey"}]}, "no column named 'pricey' (did you mean 'price'?)"),
    (
        "view",
        {"filters": [{"column": "price", "op": ">", "value": "cheap"}]},
        "'cheap' is not a number, and 'price'",
    ),
    (
        "view",
        {"filters": [{"column": "name", "op": "between", "value": [1, 2]}]},
        "cannot compare text column 'name' with the number 1",
    ),
    (
        "view",
        {"sort": [{"column": "price", "descending": "yes"}]},
        "descending must be true or false for 'price'",
    ),
    ("view", {}, "view: give sort, filters or both"),
    ("summary", {"columns": ["nope"]}, "summary: no column named 'nope'"),
    ("summary", {"columns": "price"}, "summary: columns must be a list"),
    (
        "export",
        {"format": "xls"},
        "export: format must be one of csv, parquet, xlsx, json, not 'xls'",
    ),
    ("export", {"format": "csv", "path": "/nonexistent-folder/x.csv"}, "/nonexistent-folder"),
    ("save_as", {"name": "  "}, "save_as: name must be a non-empty string"),
    ("bogus", {}, "unknown request kind 'bogus'; a Studio answers"),
]


@pytest.mark.parametrize(
    ("kind", "fields", "fragment"), FAILING, ids=lambda v: v if isinstance(v, str) else ""
)
def test_failing_requests_change_nothing(
    st_: Driver, session: hj.Session, kind: str, fields: dict, fragment: str
) -> None:
    st_.ok("view", sort=[{"column": "price"}])
    before = (session.version, session.df.copy(), st_.traits(GRID_TRAITS + BAR_TRAITS))
    assert fragment in st_.error(kind, **fields)
    assert session.version == before[0]
    pd.testing.assert_frame_equal(session.df, before[1])
    assert st_.traits(GRID_TRAITS + BAR_TRAITS) == before[2]


def test_malformed_messages_get_one_error_reply(st_: Driver) -> None:
    st_.widget._on_message(st_.widget, {"kind": "code"}, [])
    st_.widget._on_message(st_.widget, {"kind": "code", "request": "7"}, [])
    st_.widget._on_message(st_.widget, ["not", "a", "dict"], [])
    assert [c["kind"] for c, _ in st_.sent] == ["error"] * 3
    assert [c["request"] for c, _ in st_.sent] == [None, "7", None]
    assert "request must be an integer id" in st_.sent[0][0]["message"]


def test_unexpected_exceptions_are_logged_and_answered(
    st_: Driver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(st_.widget.session, "code", lambda: 1 / 0)
    assert st_.error("code") == "code: ZeroDivisionError: division by zero"
    assert "the 'code' request of a Studio failed" in caplog.text


# -- text travels unchanged ---------------------------------------------------------------------
def test_html_travels_unchanged_as_value_and_as_name(session: hj.Session) -> None:
    session.apply("rename", columns={"name": XSS})
    d = Driver(Studio(session))
    assert d.widget.schema[3]["name"] == XSS
    d.ok("view", sort=[{"column": XSS}], filters=[{"column": XSS, "op": "==", "value": XSS}])
    assert d.widget.filters == [{"column": XSS, "op": "==", "value": XSS}]
    _content, table = d.rows(0, 5)
    assert table.column_names[3] == XSS and set(table.column(XSS).to_pylist()) == {XSS}
    summary = d.ok("summary", columns=[XSS])["summaries"][XSS]
    assert summary["summary"]["name"] == XSS and XSS in [v for v, _ in summary["top_values"]]
    preview = d.ok("preview", op="replace", params={"column": XSS, "mapping": [[XSS, "safe"]]})
    assert preview["preview"]["sample"]["columns"] == [f"{XSS} (before)", f"{XSS} (after)"]
    assert preview["preview"]["sample"]["rows"][0] == [XSS, "safe"]
    d.ok("apply", op="text", params={"column": XSS, "action": "strip"})
    assert d.widget.history[-1]["label"] == f"Strip spaces in {XSS}"
    d.widget.close()


# -- construction, lifetime ----------------------------------------------------------------------
def test_a_dataframe_starts_a_session(frame: pd.DataFrame) -> None:
    w = studio(frame, name="from frame")
    assert isinstance(w, Studio) and w.session.name == "from frame" and w._kind == "studio"
    assert hj.session("from frame") is w.session and w.catalog and w.row_count == len(frame)
    w.close()
    g = DataGrid(frame, sort="price", filters=[("ok", "==", True), (3, ">", 0)])
    assert g.sort == [{"column": "price", "descending": False}]
    assert g.filters[1] == {"column": "3", "op": ">", "value": 0}
    g.set_view(sort=[("name", True), "id"], filters=[])
    assert g.sort == [{"column": "name", "descending": True}, {"column": "id", "descending": False}]
    assert g.row_count == len(frame)
    assert Sidebar(frame)._kind == "sidebar"


def test_bad_arguments_raise_helpful_type_errors(frame: pd.DataFrame, session: hj.Session) -> None:
    accepts = "it accepts: name, sort, filters"
    with pytest.raises(TypeError, match=rf"argument 'sorts' \(did you mean 'sort'\?\); {accepts}"):
        DataGrid(frame, sorts=["price"])
    with pytest.raises(TypeError, match=r"Sidebar\(\) got an unexpected keyword argument 'sort'"):
        Sidebar(frame, sort=["price"])
    with pytest.raises(TypeError, match="name= only applies to a DataFrame"):
        Studio(session, name="other")
    with pytest.raises(TypeError, match="needs a Session or a pandas DataFrame, not list"):
        DataGrid([1, 2])  # type: ignore[arg-type]
    with pytest.raises(hj.OperationError, match="'x' is not a number"):
        DataGrid(frame, name="refused", filters=[("price", ">", "x")])
    assert "refused" not in hj.sessions()


def test_set_view_failure_changes_nothing(grid: Driver) -> None:
    grid.widget.set_view(sort="price")
    before = grid.traits(GRID_TRAITS)
    with pytest.raises(hj.OperationError, match="'x' is not a number, and 'price'"):
        grid.widget.set_view(filters=[("price", ">", "x")])
    assert grid.traits(GRID_TRAITS) == before


def test_closing_unsubscribes(session: hj.Session) -> None:
    listeners = len(session._listeners)
    closed = DataGrid(session, sort="price")
    assert len(session._listeners) == listeners + 1
    assert closed.grid_view._orders
    closed.close()
    assert len(session._listeners) == listeners
    assert not closed.grid_view._orders and closed.grid_view._frame.empty
    session.apply("drop_columns", columns=["ok"])  # a closed widget is left alone
    assert closed.version == 0


def test_the_session_holds_its_widgets_weakly(session: hj.Session) -> None:
    widget = Studio(session)
    listener = session._listeners[-1]
    held = [cell.cell_contents for cell in listener.__closure__ or ()]
    assert widget not in held and any(isinstance(h, weakref.ref) and h() is widget for h in held)

    class Stand:  # a widget's stand-in: collected as soon as it is dropped
        def __init__(self) -> None:
            self.calls = 0
            self._dispatch = lambda func: func()

        def _session_changed(self) -> None:
            self.calls += 1

    listeners = len(session._listeners)
    stand = Stand()
    _subscribe(session, stand)  # type: ignore[arg-type]
    session.apply("drop_columns", columns=["ok"])
    assert stand.calls == 1 and len(session._listeners) == listeners + 1
    ref = weakref.ref(stand)
    del stand
    gc.collect()
    assert ref() is None and len(session._listeners) == listeners
    widget.close()


def test_static_assets_are_the_package_bundle() -> None:
    package = Path(hj.__file__).parent
    assert package / "static" / "widget.js" == ESM_PATH
    assert package / "static" / "widget.css" == CSS_PATH
    esm = DataGrid._esm
    if ESM_PATH.is_file():
        assert str(esm) == ESM_PATH.read_text()
    else:
        assert "front end is not built" in str(esm)


# -- the property ------------------------------------------------------------------------------
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(df=frames(), data=st.data())
def test_windows_equal_pandas_for_random_views(df: pd.DataFrame, data: st.DataObject) -> None:
    columns = list(df.columns)
    keys = data.draw(st.lists(st.sampled_from(columns), max_size=3, unique=True))
    descending = [data.draw(st.booleans()) for _ in keys]
    filters = []
    for column in data.draw(st.lists(st.sampled_from(columns), max_size=2)):
        op, values = data.draw(st.sampled_from(FILTER_CHOICES[column]))
        filters.append({"column": column, "op": op, "value": data.draw(values)})
    session = hj.Session(df)
    driver = Driver(DataGrid(session))
    reply = driver.ok(
        "view",
        sort=[{"column": k, "descending": d} for k, d in zip(keys, descending, strict=True)],
        filters=filters,
    )
    keep = np.ones(len(df), dtype=bool)
    for f in filters:
        keep &= pandas_mask(df, f["column"], f["op"], f["value"])
    expected = df[keep]
    if keys:
        expected = expected.sort_values(
            by=keys, ascending=[not d for d in descending], kind="stable"
        )
    assert reply["row_count"] == driver.widget.row_count == len(expected)
    size = data.draw(st.integers(1, 9))
    parts, positions = [], []
    for start in range(0, len(expected) + size, size):
        content, table = driver.rows(start, start + size)
        parts.append(table)
        positions += content["rows"]
    got = pa.concat_tables(parts)
    assert df.index[positions].equals(expected.index)
    assert got.column_names == list(df.columns)
    for label in df.columns:
        got_values = [same_time(v) for v in got.column(label).to_pylist()]
        want = [same_time(v) for v in cells(expected[label])]
        assert got_values == want, label
        assert all(
            type(a) is type(b) for a, b in zip(got_values, want, strict=True) if a is not None
        )
    driver.widget.close()
    session.close()


def test_a_closed_widget_is_collected(session: hj.Session) -> None:
    listeners = len(session._listeners)
    for cls in (DataGrid, Sidebar, Studio):
        widget = cls(session)
        ref = weakref.ref(widget)
        widget.close()
        del widget
        gc.collect()
        assert ref() is None, cls.__name__
    assert len(session._listeners) == listeners
