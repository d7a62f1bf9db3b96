"""Oracle tests of bin, round and window: values on the edges, missing and infinite values,
nullable integers, single-row groups, ties, and rows computed in another order, with
hand-written expected frames (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

import hydroml_jupyter as hj

COVERS = {"bin", "round", "window"}

INF = float("inf")
NAN = float("nan")


def bins(values: list[object], categories: list[str]) -> pd.Series:
    """An ordered categorical of text labels, as bin makes."""
    return pd.Series(
        pd.Categorical(values, categories=pd.Index(categories, dtype="str"), ordered=True)
    )


# -- bin ---------------------------------------------------------------------------------
AGES = pd.DataFrame(
    {
        "age": [0.0, 18.0, 18.5, 65.0, 120.0, 130.0, -1.0, NAN, INF, -INF],
        "z": range(10),
    }
)
EDGE_LABELS = ["[0, 18]", "(18, 65]", "(65, 120]"]


def test_edges_hold_their_right_end_and_the_lowest_edge() -> None:
    expected = AGES.assign(
        age_bin=bins(
            ["[0, 18]", "[0, 18]", "(18, 65]", "(18, 65]", "(65, 120]"] + [None] * 5, EDGE_LABELS
        )
    )[["age", "age_bin", "z"]]
    check(AGES, "bin", expected, column="age", method="edges", bins=[0, 18, 65, 120])


def test_infinite_edges_take_every_value_and_labels_name_the_bins() -> None:
    df = pd.DataFrame({"x": [-INF, 0.0, 0.5, INF, NAN]})
    expected = df.assign(x_bin=bins(["[-inf, 0]", "[-inf, 0]", "(0, inf]", "(0, inf]", None],
                                    ["[-inf, 0]", "(0, inf]"]))  # fmt: skip
    check(df, "bin", expected, column="x", method="edges", bins=[-INF, 0, INF])
    named = df.assign(sign=bins(["neg", "neg", "pos", "pos", None], ["neg", "pos"]))
    check(df, "bin", named, column="x", method="edges", bins=[-INF, 0, INF], labels=["neg", "pos"],
          into="sign")  # fmt: skip


def test_nullable_integers_and_float_edges() -> None:
    df = pd.DataFrame({"n": pd.array([1, None, 2, 3], dtype="Int64")})
    cats = ["[0.5, 1.5]", "(1.5, 3]"]
    expected = df.assign(n_bin=bins(["[0.5, 1.5]", None, "(1.5, 3]", "(1.5, 3]"], cats))
    check(df, "bin", expected, column="n", method="edges", bins=[0.5, 1.5, 3])


def test_equal_width_bins_as_pandas_labels_them() -> None:
    df = pd.DataFrame({"x": [0.0, 10.0, 20.0, NAN]})
    cats = ["(-0.02, 10.0]", "(10.0, 20.0]"]
    expected = df.assign(x_bin=bins([cats[0], cats[0], cats[1], None], cats))
    check(df, "bin", expected, column="x", method="width", bins=2)
    # A constant column: pandas widens the range by 0.1% either side.
    flat = pd.DataFrame({"x": [3.0, 3.0]})
    cats = ["(2.997, 3.0]", "(3.0, 3.003]"]
    check(flat, "bin", flat.assign(x_bin=bins([cats[0]] * 2, cats)), column="x", bins=2)
    ints = pd.DataFrame({"n": pd.array([1, 2, None, 4], dtype="Int64")})
    cats = ["(0.997, 2.0]", "(2.0, 3.0]", "(3.0, 4.0]"]
    expected = ints.assign(n_bin=bins([cats[0], cats[0], None, cats[2]], cats))
    check(ints, "bin", expected, column="n", method="width", bins=3)


def test_quantile_bins_and_labels() -> None:
    df = pd.DataFrame({"x": [4, 1, 3, 2]})
    cats = ["(0.999, 2.5]", "(2.5, 4.0]"]
    expected = df.assign(x_bin=bins([cats[1], cats[0], cats[1], cats[0]], cats))
    check(df, "bin", expected, column="x", method="quantile", bins=2)
    named = df.assign(half=bins(["hi", "lo", "hi", "lo"], ["lo", "hi"]))
    check(df, "bin", named, column="x", method="quantile", bins=2, labels=["lo", "hi"],
          into="half")  # fmt: skip


def test_into_the_column_itself_or_an_existing_column() -> None:
    df = pd.DataFrame({"a": [1, 5], "x": [1.0, 5.0], "b": [0, 0]})
    cats = ["[0, 2]", "(2, 9]"]
    in_place = pd.DataFrame({"a": [1, 5], "x": bins(cats, cats), "b": [0, 0]})
    check(df, "bin", in_place, column="x", method="edges", bins=[0, 2, 9], into="x")
    # An existing column of the name is replaced and moves right after the column.
    moved = pd.DataFrame({"x": [1.0, 5.0], "a": bins(cats, cats), "b": [0, 0]})
    check(df, "bin", moved, column="x", method="edges", bins=[0, 2, 9], into="a")
    numbered = pd.DataFrame({7: [1.0]})
    check(numbered, "bin", numbered.assign(**{"7_bin": bins(["[0, 2]"], cats)}), column=7,
          method="edges", bins=[0, 2, 9])  # fmt: skip


@pytest.mark.parametrize(
    ("df", "params", "words"),
    [
        (pd.DataFrame({"x": ["a"]}), {"bins": 2}, ["column 'x' is str, not numeric"]),
        (pd.DataFrame({"x": [True]}), {"bins": 2}, ["column 'x' is bool, not numeric"]),
        (AGES, {"method": "edges", "bins": [0, 1, 2], "labels": ["a"]},
         ["1 labels for 2 bins of 'x'"]),
        (AGES, {"bins": 3, "labels": ["a", "b", "a"]}, ["the label 'a' is given twice"]),
        (AGES, {"method": "edges", "bins": [0, 18, 18, 65]},
         ["the edges of 'x' must increase: 18 then 18"]),
        (AGES, {"method": "edges", "bins": [5, 1]}, ["must increase: 5 then 1"]),
        (AGES, {"method": "edges", "bins": [0, NAN, 2]}, ["an edge of 'x' is nan"]),
        (AGES, {"method": "edges", "bins": [0]}, ["need at least two values, not [0]"]),
        (AGES, {"method": "edges", "bins": 3}, ["method 'edges' takes a list of edges", "not 3"]),
        (AGES, {"method": "width", "bins": [0, 1]}, ["method 'width' takes a count", "[0, 1]"]),
        (AGES, {"bins": 0}, ["'x' needs at least 1 bin, not 0"]),
        (AGES, {"method": "quantile", "bins": 1001}, ["1,001 bins of 'x' are too many"]),
        (AGES, {"bins": 3}, ["column 'x' holds inf (row 8)", "width bins need finite values"]),
        (AGES, {"method": "quantile", "bins": 3}, ["holds inf (row 8)", "quantile bins"]),
        (pd.DataFrame({"x": [NAN, NAN]}), {"bins": 2}, ["column 'x' has no values to bin"]),
        (pd.DataFrame({"x": [0.0, 0.0, 0.0, 1.0]}), {"method": "quantile", "bins": 2},
         ["2 quantile bins of 'x' cannot be told apart: the edge 0.0 repeats"]),
        (AGES, {"bins": 2, "into": " "}, ["the new column needs a name"]),
        (AGES, {"bins": 2, "method": "decile"}, ["'method' must be one of 'width'"]),
    ],
)  # fmt: skip
def test_bin_refusals(df: pd.DataFrame, params: dict, words: list[str]) -> None:
    df = df.rename(columns={"age": "x"})
    refuse(df, "bin", ["bin: ", *words], column="x", **params)


# -- round -------------------------------------------------------------------------------
def test_round_halves_to_even_and_keeps_missing_and_infinite_values() -> None:
    df = pd.DataFrame({"x": [0.5, 1.5, 2.5, -2.5, 2.675, NAN, INF, -INF]})
    whole = pd.DataFrame({"x": [0.0, 2.0, 2.0, -2.0, 3.0, NAN, INF, -INF]})
    check(df, "round", whole, columns="x")
    two = pd.DataFrame({"x": [0.5, 1.5, 2.5, -2.5, 2.68, NAN, INF, -INF]})
    check(df, "round", two, columns=["x"], decimals=2)


def test_round_integers_change_only_with_negative_decimals() -> None:
    df = pd.DataFrame({"i": [15, 25, -15, 149], "f": [15.0, 25.0, 1234.5, -0.4]})
    check(df, "round", df, columns=["i"], decimals=3)
    tens = pd.DataFrame({"i": [20, 20, -20, 150], "f": [20.0, 20.0, 1230.0, -0.0]})
    check(df, "round", tens, columns=["i", "f"], decimals=-1)
    # Past the column's largest value everything rounds to 0, exactly.
    check(df[["i"]], "round", pd.DataFrame({"i": [0, 0, 0, 0]}), columns="i", decimals=-20)


def test_round_keeps_nullable_dtypes() -> None:
    df = pd.DataFrame(
        {
            "n": pd.array([15, None, -25], dtype="Int64"),
            "g": pd.array([1.25, None, 2.35], dtype="Float64"),
            "h": np.array([1.25, 0.5, 3.0], dtype="float16"),
        }
    )
    expected = pd.DataFrame(
        {
            "n": pd.array([20, None, -20], dtype="Int64"),
            "g": pd.array([0.0, None, 0.0], dtype="Float64"),
            "h": np.array([0.0, 0.0, 0.0], dtype="float16"),
        }
    )
    check(df, "round", expected, columns=["n", "g", "h"], decimals=-1)
    one = df.assign(g=pd.array([1.2, None, 2.4], dtype="Float64"))
    check(df[["n", "g"]], "round", one[["n", "g"]], columns=["n", "g"], decimals=1)


@pytest.mark.parametrize(
    ("df", "params", "words"),
    [
        (pd.DataFrame({"x": [9223372036854775807]}), {"decimals": -1},
         ["9223372036854775807 in 'x' (row 0) cannot be rounded to -1 decimals in int64"]),
        (pd.DataFrame({"x": [-9223372036854775808]}), {"decimals": -1}, ["overflow"]),
        (pd.DataFrame({"x": np.array([1.0, 1000.5], dtype="float16")}), {"decimals": 2},
         ["1000.5 in 'x' (row 1) cannot be rounded to 2 decimals in float16"]),
        (pd.DataFrame({"x": [1e300]}), {"decimals": 10}, ["1e+300 in 'x' (row 0)", "overflow"]),
        (pd.DataFrame({"x": [1.0]}), {"decimals": 309}, ["decimals=309 for 'x' is out of range"]),
        (pd.DataFrame({"x": ["1.5"]}), {}, ["column 'x' is str, not numeric"]),
        (pd.DataFrame({"x": [True]}), {}, ["column 'x' is bool, not numeric"]),
        (pd.DataFrame({"x": [1.5]}), {"columns": ["x", "x"]}, ["column 'x' is listed twice"]),
        (pd.DataFrame({"x": [1.5]}), {"columns": []}, ["no columns to round"]),
        (pd.DataFrame({"x": [1.5]}), {"columns": ["y"]}, ["no column named 'y'"]),
    ],
)  # fmt: skip
def test_round_refusals(df: pd.DataFrame, params: dict, words: list[str]) -> None:
    refuse(df, "round", ["round: ", *words], **{"columns": ["x"], **params})


# -- window ------------------------------------------------------------------------------
SERIES = pd.DataFrame({"x": [1.0, NAN, 2.0, 4.0, 2.0]})


@pytest.mark.parametrize(
    ("func", "params", "values"),
    [
        ("shift", {}, [NAN, 1.0, NAN, 2.0, 4.0]),
        ("shift", {"periods": -2}, [2.0, 4.0, 2.0, NAN, NAN]),
        ("diff", {}, [NAN, NAN, NAN, 2.0, -2.0]),
        # Missing values are not filled first (pandas 3): the row after one is missing too.
        ("pct_change", {}, [NAN, NAN, NAN, 1.0, -0.5]),
        ("pct_change", {"periods": 2}, [NAN, NAN, 1.0, NAN, 0.0]),
        ("cumsum", {}, [1.0, NAN, 3.0, 7.0, 9.0]),
        ("cummax", {}, [1.0, NAN, 2.0, 4.0, 4.0]),
        ("cummin", {}, [1.0, NAN, 1.0, 1.0, 1.0]),
        ("rank", {}, [1.0, NAN, 2.5, 4.0, 2.5]),
        # min_periods is the window: a window holding a missing value is missing.
        ("rolling_mean", {"window": 2}, [NAN, NAN, NAN, 3.0, 3.0]),
        ("rolling_sum", {}, [NAN, NAN, NAN, NAN, 8.0]),
        ("rolling_sum", {"window": 1}, [1.0, NAN, 2.0, 4.0, 2.0]),
    ],
)
def test_each_function_over_the_whole_column(func: str, params: dict, values: list) -> None:
    expected = SERIES.assign(**{f"x_{func}": values})
    check(SERIES, "window", expected, column="x", func=func, **params)


GROUPS = pd.DataFrame(
    {
        "g": ["a", "b", None, "a", None, "c", "a"],
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "o": [3, 1, 2, 1, 1, 2, 1],
    },
    index=[5, 5, 3, 2, 1, 0, 9],  # not unique, not sorted: results align by position
)


@pytest.mark.parametrize(
    ("func", "params", "values"),
    [
        # Groups: a = rows 0, 3, 6; b = row 1; missing key = rows 2, 4; c = row 5.
        ("shift", {}, [NAN, NAN, NAN, 1.0, 3.0, NAN, 4.0]),
        ("cumsum", {}, [1.0, 2.0, 3.0, 5.0, 8.0, 6.0, 12.0]),
        ("rank", {}, [1.0, 1.0, 1.0, 2.0, 2.0, 1.0, 3.0]),
        ("rolling_mean", {"window": 2}, [NAN, NAN, NAN, 2.5, 4.0, NAN, 5.5]),
        ("pct_change", {}, [NAN, NAN, NAN, 3.0, 5 / 3 - 1, NAN, 0.75]),
    ],
)
def test_within_groups_missing_keys_and_single_rows(func: str, params: dict, values: list) -> None:
    expected = GROUPS.assign(**{f"x_{func}": values})[["g", "x", f"x_{func}", "o"]]
    check(GROUPS, "window", expected, column="x", func=func, by="g", **params)


def test_in_another_order_ties_keep_the_frames_order() -> None:
    # Ordered by o: rows 1, 3, 4, 6 (o = 1, in frame order), then 2, 5 (o = 2), then 0.
    shifted = [6.0, NAN, 7.0, 2.0, 4.0, 3.0, 5.0]
    expected = GROUPS.assign(x_shift=shifted)[["g", "x", "x_shift", "o"]]
    check(GROUPS, "window", expected, column="x", func="shift", order_by="o")
    running = [28.0, 2.0, 21.0, 6.0, 11.0, 27.0, 18.0]
    expected = GROUPS.assign(total=running)[["g", "x", "total", "o"]]
    check(GROUPS, "window", expected, column="x", func="cumsum", order_by=["o"], into="total")


def test_within_groups_and_in_an_order_together() -> None:
    # a ordered by o: rows 3 (o 1), 6 (o 1), 0 (o 3); missing key: rows 4 (o 1), 2 (o 2).
    expected = GROUPS.assign(x_diff=[-6.0, NAN, -2.0, NAN, NAN, NAN, 3.0])
    check(GROUPS, "window", expected[["g", "x", "x_diff", "o"]], column="x", func="diff",
          by="g", order_by="o")  # fmt: skip
    rolled = GROUPS.assign(x_rolling_sum=[8.0, NAN, 8.0, NAN, NAN, NAN, 11.0])
    check(GROUPS, "window", rolled[["g", "x", "x_rolling_sum", "o"]], column="x",
          func="rolling_sum", window=2, by=["g"], order_by=["o", "x"])  # fmt: skip


def test_rolling_within_categories_keeps_the_missing_key_and_skips_unused_ones() -> None:
    # pandas' own grouped rolling drops the rows of a missing categorical key.
    df = pd.DataFrame(
        {
            "c": pd.Categorical(["a", "b", None, "a", None], categories=["a", "b", "z"]),
            "x": [1.0, 2.0, 3.0, 4.0, 5.0],
            "o": [5, 4, 3, 2, 1],
        }
    )
    expected = df.assign(x_rolling_sum=[NAN, NAN, NAN, 5.0, 8.0])[["c", "x", "x_rolling_sum", "o"]]
    check(df, "window", expected, column="x", func="rolling_sum", window=2, by="c")
    ordered = df.assign(x_rolling_mean=[2.5, NAN, 4.0, NAN, NAN])[["c", "x", "x_rolling_mean", "o"]]
    check(df, "window", ordered, column="x", func="rolling_mean", window=2, by="c", order_by="o")


def test_nullable_integers_datetimes_and_text() -> None:
    df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")})
    check(df, "window", df.assign(n_shift=pd.array([None, 1, None], dtype="Int64")), column="n",
          func="shift")  # fmt: skip
    check(df, "window", df.assign(n_cumsum=pd.array([1, None, 4], dtype="Int64")), column="n",
          func="cumsum")  # fmt: skip
    days = pd.DataFrame(
        {"d": pd.array(["2020-01-01", None, "2020-01-03", "2020-01-02"], dtype="datetime64[ns]")}
    )
    gaps = pd.array([None, None, None, pd.Timedelta(days=-1)], dtype="timedelta64[ns]")
    check(days, "window", days.assign(d_diff=gaps), column="d", func="diff")
    words = pd.DataFrame({"s": ["a", None, "c"]})
    expected = words.assign(s_shift=pd.array([None, "a", None], dtype="str"))
    check(words, "window", expected, column="s", func="shift")


def test_into_the_column_itself_and_an_empty_frame() -> None:
    expected = pd.DataFrame({"x": [1.0, NAN, 3.0, 7.0, 9.0]})
    check(SERIES, "window", expected, column="x", func="cumsum", into="x")
    empty = GROUPS.iloc[:0]
    expected = empty.assign(x_rolling_mean=pd.Series([], dtype="float64"))
    check(empty, "window", expected[["g", "x", "x_rolling_mean", "o"]], column="x",
          func="rolling_mean", by="g", order_by="o")  # fmt: skip


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"column": "g", "func": "cumsum"}, ["cumsum needs a numeric or timedelta column; 'g'"]),
        ({"column": "g", "func": "rolling_mean"}, ["rolling_mean needs a numeric column"]),
        ({"func": "cumsum", "periods": 2}, ["periods= goes with shift, diff and pct_change"]),
        ({"func": "shift", "window": 5}, ["window= goes with rolling_mean and rolling_sum"]),
        ({"func": "rolling_sum", "window": 0}, ["window over 'x' must be at least 1 row, not 0"]),
        ({"func": "shift", "by": []}, ["by= names no column"]),
        ({"func": "shift", "order_by": []}, ["order_by= names no column"]),
        ({"func": "shift", "by": ["h"]}, ["no column named 'h'"]),
        ({"func": "shift", "into": ""}, ["the new column needs a name"]),
        ({"func": "lag"}, ["'func' must be one of 'shift'"]),
    ],
)
def test_window_refusals(params: dict, words: list[str]) -> None:
    refuse(GROUPS, "window", ["window: ", *words], **{"column": "x", **params})


def test_a_preview_counts_the_values_outside_the_edges() -> None:
    s = hj.Session(AGES)
    try:
        preview = s.preview("bin", column="age", method="edges", bins=[0, 18, 65, 120])
        assert preview.ok and preview.columns_added == ["age_bin"]
        # 130, -1, inf and -inf lie outside; the missing value is not counted.
        assert preview.notes == ["4 values lie outside the edges of age: missing"]
        inside = s.preview("bin", column="age", method="edges", bins=[-INF, INF])
        assert inside.notes == []
        assert s.preview("bin", column="age", method="edges", bins=[0, 18, 200]).notes == [
            "3 values lie outside the edges of age: missing"
        ]
    finally:
        s.close()
