"""The grid's view without widgets: row orders, filters, windows as Arrow, caches.

The frames, filters and masks of the property test in ``test_widgets_protocol`` live here.

Every order is compared with ``DataFrame.sort_values(kind="stable")`` and every filter with
a plain pandas boolean mask, on frames of mixed dtypes with nulls and a non-range index.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.base import make_operation
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.widgets import ProtocolError
from hydroml_jupyter.widgets import sorting as sorting_module
from hydroml_jupyter.widgets.arrow import FrameEncoder
from hydroml_jupyter.widgets.sorting import sort_positions
from hydroml_jupyter.widgets.view import GridView


# -- shared with test_widgets_protocol --------------------------------------------------------
def pandas_mask(df: pd.DataFrame, column: object, op: str, value: object) -> np.ndarray:
    s = df[column]
    result = {
        "between": lambda: s.between(*value),
        "contains": lambda: s.str.contains(value, regex=False, na=False),
        "startswith": lambda: s.str.startswith(value, na=False),
        "endswith": lambda: s.str.endswith(value, na=False),
        "in": lambda: s.isin(value) & s.notna(),
        "not_in": lambda: ~s.isin(value) & s.notna(),
        "is_null": s.isna,
        "not_null": s.notna,
        "==": lambda: s == value,
        "!=": lambda: (s != value) & s.notna(),
        "<=": lambda: s <= value,
        ">=": lambda: s >= value,
        ">": lambda: s > value,
        "<": lambda: s < value,
    }[op]()
    return result.to_numpy(dtype=bool, na_value=False)


def cells(series: pd.Series) -> list[object]:
    """The values of a column as ``Table.to_pylist`` gives them (missing values None)."""
    out: list[object] = []
    for value in series.astype(object):
        if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
        elif isinstance(value, np.generic):
            out.append(value.item())
        else:
            out.append(value)
    return out


def same_time(value: object) -> object:
    """Arrow gives ``datetime`` for microseconds and ``Timestamp`` for nanoseconds."""
    return pd.Timestamp(value) if isinstance(value, datetime.datetime) else value


WORDS = ["a", "B", "ab", "é", "", "ba"]


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 40))

    def column(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=rows, max_size=rows))

    df = pd.DataFrame(
        {
            "i": pd.Series(column(st.integers(-2, 2)), dtype="int64"),
            "n": pd.Series(column(st.one_of(st.none(), st.integers(-2, 2))), dtype="Int64"),
            "f": pd.Series(
                column(st.one_of(st.none(), st.sampled_from([-1.5, -0.0, 0.0, 2.0, np.inf]))),
                dtype="float64",
            ),
            "s": pd.Series(column(st.one_of(st.none(), st.sampled_from(WORDS))), dtype="str"),
            "c": pd.Categorical(
                column(st.one_of(st.none(), st.sampled_from(["z", "y", "x"]))),
                categories=["z", "y", "x"],
            ),
            "b": pd.Series(column(st.booleans()), dtype="bool"),
            "d": pd.Series(
                [
                    None if v is None else pd.Timestamp("2024-01-01") + pd.Timedelta(days=v)
                    for v in column(st.one_of(st.none(), st.integers(0, 3)))
                ],
                dtype="datetime64[ns]",
            ),
        },
    )
    df.index = pd.Index(draw(st.permutations(range(rows))), dtype="int64") * 7 - 3
    return df


FILTER_CHOICES = {
    "i": [(">", st.integers(-2, 2)), ("in", st.lists(st.integers(-2, 2), max_size=3))],
    "n": [
        ("is_null", st.none()),
        ("<=", st.integers(-2, 2)),
        ("not_in", st.lists(st.integers(-2, 2), max_size=2)),
    ],
    "f": [
        ("between", st.lists(st.sampled_from([-1.5, 0.0, 2.0]), min_size=2, max_size=2)),
        ("not_null", st.none()),
        ("!=", st.sampled_from([0.0, 2.0])),
    ],
    "s": [
        ("contains", st.sampled_from(["a", "b", "é"])),
        ("in", st.lists(st.sampled_from(WORDS), max_size=3)),
        ("endswith", st.sampled_from(["a", "b"])),
        ("is_null", st.none()),
    ],
    "c": [("==", st.sampled_from(["z", "y", "x"])), ("not_null", st.none())],
    "b": [("==", st.booleans())],
    "d": [(">", st.sampled_from(["2024-01-01", "2024-01-03"])), ("is_null", st.none())],
}


def table(buffer: object) -> pa.Table:
    return pa.ipc.open_stream(buffer).read_all()


def assert_window(got: pa.Table, expected: pd.DataFrame) -> None:
    assert got.column_names == [str(c) for c in expected.columns]
    assert got.num_rows == len(expected)
    for label in expected.columns:
        values = got.column(str(label)).to_pylist()
        want = cells(expected[label])
        assert len(values) == len(want)
        for got_value, want_value in zip(values, want, strict=True):
            a, b = same_time(got_value), same_time(want_value)
            assert (a == b and type(a) is type(b)) or (a is None and b is None), (label, a, b)


def mixed(rows: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    missing = rng.random(rows) < 0.15
    words = np.where(rng.random(rows) < 0.15, None, rng.choice(["a", "B", "ab", "é", ""], rows))
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 6, rows), "D")
    return pd.DataFrame(
        {
            "i": rng.integers(-3, 4, rows),
            "n": pd.array(np.where(missing, None, rng.integers(0, 5, rows)), dtype="Int64"),
            "f": np.where(rng.random(rows) < 0.15, np.nan, rng.integers(0, 6, rows) / 2),
            "s": pd.array(words, dtype="str"),
            "c": pd.Categorical(
                rng.choice(["lo", "hi", None], rows), categories=["lo", "mid", "hi"]
            ),
            "d": days.where(rng.random(rows) >= 0.1),
            "b": rng.random(rows) < 0.5,
            7: rng.normal(size=rows),
        },
        index=pd.Index(rng.permutation(rows) * 3 + 1000, name="id"),
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    return mixed()


def whole(view: GridView) -> pd.DataFrame:
    return view.frame.iloc[view.positions(0, view.row_count)]


# -- sorting ---------------------------------------------------------------------------------
SORTS = [
    [("f", False)],
    [("f", True)],
    [("s", False)],
    [("s", True)],
    [("n", True)],
    [("i", False)],
    [("c", True)],
    [("d", True)],
    [("b", False)],
    [(7, True)],
    [("n", True), ("s", False)],
    [("c", False), ("f", True), ("i", False)],
    [("b", True), ("d", False), ("s", True)],
]


@pytest.mark.parametrize(
    "keys", SORTS, ids=lambda k: ",".join(f"{c}{'-' if d else '+'}" for c, d in k)
)
def test_sort_equals_stable_sort_values(frame: pd.DataFrame, keys: list) -> None:
    view = GridView(hj.Session(frame), sort=[{"column": str(c), "descending": d} for c, d in keys])
    expected = frame.sort_values(
        by=[c for c, _ in keys], ascending=[not d for _, d in keys], kind="stable"
    )
    pd.testing.assert_frame_equal(whole(view), expected, check_exact=True)


@pytest.mark.parametrize(
    "values",
    [
        np.array([3, 1, 2, 1, 3, 1], dtype=np.int64),
        np.array([2**62, -(2**62), 0, 2**62], dtype=np.int64),  # keys too wide to combine
        np.array([3, 1, 2, 1], dtype=np.uint64),
        np.array([True, False, True, False]),
        np.array([1.0, np.nan, -0.0, 0.0, np.inf, 1.0]),
        np.array(["2024-01-02", "NaT", "2024-01-01", "2024-01-02"], dtype="datetime64[ns]"),
        np.array([1, None, "x"], dtype=object)[:2],
    ],
)
@pytest.mark.parametrize("ascending", [True, False])
def test_one_key_order_on_every_numpy_path(values: np.ndarray, ascending: bool) -> None:
    series = pd.Series(values)
    expected = series.sort_values(ascending=ascending, kind="stable").index.to_numpy()
    assert sort_positions([series], [ascending]).tolist() == expected.tolist()


def test_masked_and_arrow_columns_sort_like_pandas() -> None:
    for series in (
        pd.Series([2, None, 1, 2, None], dtype="Int64"),
        pd.Series([0.5, None, 0.5, -1.0], dtype="Float64"),
        pd.Series([True, None, False], dtype="boolean"),
        pd.Series([3, 1, None], dtype="int64[pyarrow]"),
        pd.Series(pd.to_datetime(["2024-01-02", None, "2024-01-01"]).tz_localize("UTC")),
    ):
        for ascending in (True, False):
            expected = series.sort_values(ascending=ascending, kind="stable").index
            got = sort_positions([series], [ascending])
            assert got.tolist() == expected.tolist(), (series.dtype, ascending)


def test_unsortable_column_is_named(frame: pd.DataFrame) -> None:
    frame = frame.assign(
        mess=pd.Series([1, "a"] * (len(frame) // 2), dtype=object, index=frame.index)
    )
    view = GridView(hj.Session(frame))
    with pytest.raises(ProtocolError, match=r"sort: cannot sort by 'mess': '<' not supported"):
        view.set(sort=[{"column": "mess", "descending": True}])
    assert view.sort == []
    with pytest.raises(TypeError):
        frame.sort_values("mess", kind="stable")


# -- filtering -------------------------------------------------------------------------------
FILTERS = [
    ("f", "between", [0.5, 1.5]),
    ("s", "contains", "a"),
    ("s", "in", ["B", "é"]),
    ("n", "is_null", None),
    ("n", "not_in", [0, 1]),
    ("c", "==", "hi"),
    ("d", ">=", "2024-01-03"),
    ("b", "==", True),
    ("7", ">", 0),
    ("s", "startswith", "a"),
]


@pytest.mark.parametrize("item", FILTERS, ids=lambda f: f"{f[0]}{f[1]}")
def test_filter_equals_boolean_mask(frame: pd.DataFrame, item: tuple) -> None:
    column, op, value = item
    view = GridView(hj.Session(frame), filters=[{"column": column, "op": op, "value": value}])
    label = 7 if column == "7" else column
    expected = frame[pandas_mask(frame, label, op, value)]
    assert len(expected) not in (0, len(frame))
    pd.testing.assert_frame_equal(whole(view), expected, check_exact=True)
    engine = make_operation("filter_rows", {"column": label, "op": op, "value": value})
    pd.testing.assert_frame_equal(whole(view), engine.apply(frame), check_exact=True)
    assert view.row_count == len(expected)


def test_sorted_and_filtered(frame: pd.DataFrame) -> None:
    view = GridView(
        hj.Session(frame),
        sort=[{"column": "s", "descending": True}, {"column": "f"}],
        filters=[
            {"column": "f", "op": "not_null"},
            {"column": "i", "op": "between", "value": [-1, 2]},
        ],
    )
    keep = pandas_mask(frame, "f", "not_null", None) & pandas_mask(frame, "i", "between", [-1, 2])
    expected = frame[keep].sort_values(by=["s", "f"], ascending=[False, True], kind="stable")
    pd.testing.assert_frame_equal(whole(view), expected, check_exact=True)


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"column": "f", "op": ">", "value": "abc"}, "'abc' is not a number, and 'f'"),
        ({"column": "i", "op": "contains", "value": "a"}, "contains needs a text column; 'i'"),
        ({"column": "f", "op": "between", "value": [1]}, "between needs value=[low, high]"),
        ({"column": "nope", "op": "==", "value": 1}, "no column named 'nope'"),
        ({"column": "s", "op": "~", "value": 1}, "unknown op '~' for 's'"),
        ({"column": "s", "op": "==", "value": {"a": 1}}, "the value for 's' must be"),
        ({"column": "f", "op": "==", "value": float("nan")}, "must be finite"),
        ({"column": "s", "op": "==", "value": 1, "x": 2}, "unknown key 'x'"),
    ],
)
def test_bad_filters_name_the_column_and_value(
    frame: pd.DataFrame, item: dict, fragment: str
) -> None:
    view = GridView(hj.Session(frame), filters=[{"column": "b", "op": "==", "value": True}])
    before = (view.filters, view.view, view.row_count)
    with pytest.raises((ProtocolError, OperationError)) as info:
        view.set(filters=[item])
    assert fragment in str(info.value)
    assert (view.filters, view.view, view.row_count) == before


# -- caches ----------------------------------------------------------------------------------
def test_changing_filters_does_not_sort_again(
    frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = sorting_module.sort_positions

    def counting(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr("hydroml_jupyter.widgets.view.sort_positions", counting)
    session = hj.Session(frame)
    view = GridView(session, sort=[{"column": "f"}])
    assert len(calls) == 1
    for low in (0, 1, 2, 0):
        view.set(filters=[{"column": "i", "op": ">=", "value": low}])
    view.set(filters=[])
    assert len(calls) == 1
    session.apply("fill_missing", column="f", strategy="value", value=0.0)
    assert view.row_count == len(frame)  # brought to the new version: sorts again, once
    view.positions(0, 10)
    assert len(calls) == 2


def test_view_never_copies_the_frame(frame: pd.DataFrame) -> None:
    session = hj.Session(frame)
    view = GridView(
        session, sort=[{"column": "s"}], filters=[{"column": "b", "op": "==", "value": True}]
    )
    assert view.frame.index.equals(frame.index)  # frame order, not view order
    assert np.shares_memory(view.frame["f"].to_numpy(), session.df["f"].to_numpy())
    index = view._current_index()
    assert index is not None and index.dtype == np.int64


def test_construction_reads_no_column(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("a whole column was read")

    monkeypatch.setattr("hydroml_jupyter.widgets.view.sort_positions", boom)
    monkeypatch.setattr("hydroml_jupyter.analysis.column_info", boom)
    view = GridView(hj.Session(frame))
    assert view.row_count == len(frame) and view._current_index() is None


# -- windows ---------------------------------------------------------------------------------
def test_window_is_exactly_the_rows_asked_for(frame: pd.DataFrame) -> None:
    view = GridView(hj.Session(frame), sort=[{"column": "f", "descending": True}])
    expected = frame.sort_values("f", ascending=False, kind="stable")
    for start, stop in ((0, 17), (100, 150), (230, 240), (239, 500), (240, 260)):
        ipc, positions = view.window(start, stop)
        got = table(ipc)
        assert positions.dtype == np.int64
        assert_window(got, expected.iloc[start:stop])
        assert frame.index[positions].equals(expected.index[start:stop])


def test_arrow_types_are_the_same_in_every_window() -> None:
    rows = 60
    df = pd.DataFrame(
        {
            "f": [np.nan] * 30 + [1.5] * 30,
            "n": pd.array([None] * 30 + [4] * 30, dtype="Int64"),
            "s": pd.Series([None] * 30 + ["x"] * 30, dtype="str"),
            "o": [None] * 30 + [1, "a", 2.5] * 10,  # mixed objects: text
            "oi": pd.Series([None] * 30 + list(range(30)), dtype=object),  # ints and None
            "t": pd.Series([None] * 30 + [pd.Timestamp("2024-01-01", tz="UTC")] * 30),
            "c": pd.Categorical([None] * 30 + ["k"] * 30),
            "p": pd.period_range("2024-01", periods=rows, freq="M"),
        }
    )
    view = GridView(hj.Session(df))
    schemas = [table(view.window(a, b)[0]).schema for a, b in ((0, 10), (25, 35), (50, 60))]
    assert schemas[0] == schemas[1] == schemas[2]
    types = dict(zip(schemas[0].names, schemas[0].types, strict=True))
    assert types["o"] == pa.large_string() and types["c"] == pa.large_string()
    assert types["oi"] == pa.int64() and types["f"] == pa.float64()
    assert types["p"] == pa.large_string()
    last = table(view.window(50, 60)[0])
    assert last.column("o").to_pylist() == [str(v) for v in df["o"].iloc[50:60]]
    assert last.column("oi").to_pylist() == list(range(20, 30))
    assert table(view.window(0, 5)[0]).column("o").to_pylist() == [None] * 5
    assert last.column("p").to_pylist() == [str(p) for p in df["p"].iloc[50:60]]


def test_window_cost_does_not_grow_with_the_frame() -> None:
    small, big = pd.DataFrame({"a": np.arange(1000)}), pd.DataFrame({"a": np.arange(2_000_000)})
    for df in (small, big):
        enc = FrameEncoder(df, ["a"])
        got = table(enc.encode(np.array([5, 3, 999])))
        assert got.column("a").to_pylist() == [5, 3, 999]


def test_bad_windows(frame: pd.DataFrame) -> None:
    view = GridView(hj.Session(frame))
    for start, stop, fragment in (
        (-1, 5, "start must be an integer >= 0"),
        (5, 2, "start (5) is after stop (2)"),
        (0, 5001, "at most 5,000"),
        ("0", 5, "start must be an integer"),
        (True, 5, "start must be an integer"),
        (0, None, "stop must be an integer"),
    ):
        with pytest.raises(ProtocolError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            view.window(start, stop)  # type: ignore[arg-type]


# -- following the session -------------------------------------------------------------------
def test_dropped_column_leaves_the_view_with_a_reason(frame: pd.DataFrame) -> None:
    session = hj.Session(frame)
    view = GridView(
        session,
        sort=[{"column": "s"}, {"column": "f", "descending": True}],
        filters=[{"column": "f", "op": "not_null"}, {"column": "b", "op": "==", "value": True}],
    )
    before = view.view
    session.apply("drop_columns", columns=["f"])
    assert view.sort == [{"column": "s", "descending": False}]
    assert view.filters == [{"column": "b", "op": "==", "value": True}]
    assert view.take_problems() == [
        "the filter on 'f' was removed: filters: no column named 'f'",
        "the sort by 'f' was removed: sort: no column named 'f'",
    ]
    expected = session.df[session.df["b"]].sort_values("s", kind="stable")
    pd.testing.assert_frame_equal(whole(view), expected)
    assert view.view > before and view.take_problems() == []


def test_to_steps_make_the_frame_equal_the_view(frame: pd.DataFrame) -> None:
    session = hj.Session(frame)
    view = GridView(
        session,
        sort=[{"column": "c", "descending": True}, {"column": "7"}],
        filters=[{"column": "s", "op": "not_null"}, {"column": "f", "op": "<", "value": 2}],
    )
    expected = whole(view)
    steps = view.to_steps()
    assert [op.name for op in steps] == ["filter_rows", "filter_rows", "sort_rows"]
    assert steps[-1].params == {"by": ["c", 7], "ascending": [False, True]}
    for op in steps:
        session.apply(op)
    pd.testing.assert_frame_equal(session.df, expected, check_exact=True)
