"""Oracle tests of fill_missing and drop_missing: every strategy and every kind of missing value
(None, NaN, pd.NA, NaT), with hand-written expected frames (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

import hydroml_jupyter as hj

COVERS = {"fill_missing", "drop_missing"}

GAPS = pd.DataFrame({"x": [np.nan, 1.0, np.nan, 3.0, np.nan]})


def test_fill_with_a_value_of_each_kind() -> None:
    check(
        pd.DataFrame({"x": [1.0, np.nan]}),
        "fill_missing",
        pd.DataFrame({"x": [1.0, 0.0]}),
        column="x",
        value=0,
    )
    nullable = pd.DataFrame({"x": pd.array([None, 2], dtype="Int64")})
    filled = pd.DataFrame({"x": pd.array([-9223372036854775808, 2], dtype="Int64")})
    check(nullable, "fill_missing", filled, column="x", value=-9223372036854775808)
    words = pd.DataFrame({"x": ["a", None, ""]})
    # The empty string is a value, not a missing one: it stays.
    check(
        words,
        "fill_missing",
        pd.DataFrame({"x": pd.array(["a", "?", ""], dtype="str")}),
        column="x",
        value="?",
    )
    check(
        words,
        "fill_missing",
        pd.DataFrame({"x": pd.array(["a", "", ""], dtype="str")}),
        column="x",
        value="",
    )
    dates = pd.DataFrame({"x": pd.array(["2020-01-01", None], dtype="datetime64[us]")})
    check(
        dates,
        "fill_missing",
        pd.DataFrame({"x": pd.array(["2020-01-01", "2021-06-30"], dtype="datetime64[us]")}),
        column="x",
        value=pd.Timestamp("2021-06-30"),
    )
    flags = pd.DataFrame({"x": pd.array([True, None], dtype="boolean")})
    check(
        flags,
        "fill_missing",
        pd.DataFrame({"x": pd.array([True, False], dtype="boolean")}),
        column="x",
        value=False,
    )


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA], ids=repr)
def test_fill_an_object_column_whatever_its_missing_value(missing: object) -> None:
    df = pd.DataFrame({"x": pd.array([1, missing, "a"], dtype=object)})
    expected = pd.DataFrame({"x": pd.array([1, 0, "a"], dtype=object)})
    check(df, "fill_missing", expected, column="x", value=0)


def test_mean_and_median() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 4.0, 10.0]})
    check(
        df, "fill_missing", pd.DataFrame({"x": [1.0, 5.0, 4.0, 10.0]}), column="x", strategy="mean"
    )
    check(
        df,
        "fill_missing",
        pd.DataFrame({"x": [1.0, 4.0, 4.0, 10.0]}),
        column="x",
        strategy="median",
    )
    whole = pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64")})
    expected = pd.DataFrame({"x": pd.array([1, 2, 3], dtype="Int64")})
    check(whole, "fill_missing", expected, column="x", strategy="mean")
    check(whole, "fill_missing", expected, column="x", strategy="median")


def test_an_integer_column_without_gaps_takes_any_mean() -> None:
    df = pd.DataFrame({"x": [1, 2]})
    check(df, "fill_missing", pd.DataFrame({"x": [1, 2]}), column="x", strategy="mean")


def test_a_mean_that_is_not_whole_is_refused_for_integers() -> None:
    df = pd.DataFrame({"x": pd.array([1, None, 2], dtype="Int64")})
    refuse(
        df,
        "fill_missing",
        ["the mean of 'x' is 1.5, not a whole number", "the column is Int64", "cast it to float64"],
        column="x",
        strategy="mean",
    )
    refuse(
        df,
        "fill_missing",
        ["the median of 'x' is 1.5, not a whole number"],
        column="x",
        strategy="median",
    )


def test_mode_takes_the_smallest_of_a_tie() -> None:
    df = pd.DataFrame({"x": ["b", None, "a", "a", "b"]})
    expected = pd.DataFrame({"x": pd.array(["b", "a", "a", "a", "b"], dtype="str")})
    check(df, "fill_missing", expected, column="x", strategy="mode")
    numbers = pd.DataFrame({"x": [3.0, np.nan, 3.0, 1.0]})
    check(
        numbers,
        "fill_missing",
        pd.DataFrame({"x": [3.0, 3.0, 3.0, 1.0]}),
        column="x",
        strategy="mode",
    )


def test_ffill_bfill_and_interpolate_leave_the_open_ends() -> None:
    check(
        GAPS,
        "fill_missing",
        pd.DataFrame({"x": [np.nan, 1.0, 1.0, 3.0, 3.0]}),
        column="x",
        strategy="ffill",
    )
    check(
        GAPS,
        "fill_missing",
        pd.DataFrame({"x": [1.0, 1.0, 3.0, 3.0, np.nan]}),
        column="x",
        strategy="bfill",
    )
    # Linear between known values; a leading gap stays, a trailing one takes the last value.
    check(
        GAPS,
        "fill_missing",
        pd.DataFrame({"x": [np.nan, 1.0, 2.0, 3.0, 3.0]}),
        column="x",
        strategy="interpolate",
    )


def test_ffill_of_dates_and_text() -> None:
    df = pd.DataFrame(
        {
            "d": pd.array(["2020-01-01", None], dtype="datetime64[s]"),
            "t": ["a", None],
        }
    )
    dates = pd.DataFrame(
        {
            "d": pd.array(["2020-01-01", "2020-01-01"], dtype="datetime64[s]"),
            "t": pd.array(["a", None], dtype="str"),
        }
    )
    check(df, "fill_missing", dates, column="d", strategy="ffill")
    text = pd.DataFrame(
        {
            "d": pd.array(["2020-01-01", None], dtype="datetime64[s]"),
            "t": pd.array(["a", "a"], dtype="str"),
        }
    )
    check(df, "fill_missing", text, column="t", strategy="ffill")


def test_fill_an_empty_column() -> None:
    df = pd.DataFrame({"x": pd.array([], dtype="float64")})
    check(df, "fill_missing", df, column="x", strategy="mean")
    check(df, "fill_missing", df, column="x", value=1.5)


@pytest.mark.parametrize(
    ("df", "params", "words"),
    [
        (GAPS, {"strategy": "value"}, ["strategy 'value' needs value="]),
        (GAPS, {"strategy": "ffill", "value": 1}, ["value= only goes with strategy 'value'"]),
        (GAPS, {"value": True}, ["True is not a number", "'x' is float64"]),
        (GAPS, {"value": "0"}, ["'0' is not a number", "'x' is float64"]),
        (
            pd.DataFrame({"x": ["a", None]}),
            {"value": 0},
            ["0 is not text", "'x' is str", "fill with the text '0'"],
        ),
        (
            pd.DataFrame({"x": ["a", None]}),
            {"strategy": "interpolate"},
            ["column 'x' is str, not numeric"],
        ),
        (
            pd.DataFrame({"x": [np.nan, np.nan]}),
            {"strategy": "mode"},
            ["column 'x' has no values to take the mode of"],
        ),
        (
            pd.DataFrame({"x": pd.array([1, None], dtype="Int64")}),
            {"value": 2.5},
            ["fill_missing: column 'x'", "2.5", "Int64"],
        ),
    ],
)
def test_fill_refusals(df: pd.DataFrame, params: dict, words: list[str]) -> None:
    refuse(df, "fill_missing", ["fill_missing", *words], column="x", **params)


# -- drop_missing ------------------------------------------------------------------------------
MIXED = pd.DataFrame(
    {
        "a": [1.0, np.nan, np.nan, 4.0, 5.0],
        "b": ["x", None, "", "y", None],
        "c": pd.array(
            ["2020-01-01", None, "2020-01-02", None, "2020-01-03"], dtype="datetime64[s]"
        ),
    }
)


def expected_rows(rows: list[int]) -> pd.DataFrame:
    """MIXED's rows at these labels, written out."""
    a = {0: 1.0, 1: np.nan, 2: np.nan, 3: 4.0, 4: 5.0}
    b = {0: "x", 1: None, 2: "", 3: "y", 4: None}
    c = {0: "2020-01-01", 1: None, 2: "2020-01-02", 3: None, 4: "2020-01-03"}
    return pd.DataFrame(
        {
            "a": [a[r] for r in rows],
            "b": pd.array([b[r] for r in rows], dtype="str"),
            "c": pd.array([c[r] for r in rows], dtype="datetime64[s]"),
        },
        index=rows,
    )


@pytest.mark.parametrize(
    ("params", "rows"),
    [
        ({}, [0]),
        ({"how": "all"}, [0, 2, 3, 4]),
        ({"columns": ["a", "c"], "how": "all"}, [0, 2, 3, 4]),
        ({"columns": ["a", "c"]}, [0, 4]),
        ({"columns": "b"}, [0, 2, 3]),
        ({"columns": ["c"]}, [0, 2, 4]),
    ],
)
def test_drop_rows_missing_any_or_all(params: dict, rows: list[int]) -> None:
    # NaN, None and NaT are missing; the empty string in row 2 is a value.
    check(MIXED, "drop_missing", expected_rows(rows), **params)


def test_drop_nullable_missing_values() -> None:
    df = pd.DataFrame(
        {
            "a": pd.array([1, None, 3], dtype="Int64"),
            "b": pd.array([None, True, False], dtype="boolean"),
        }
    )
    expected = pd.DataFrame(
        {"a": pd.array([3], dtype="Int64"), "b": pd.array([False], dtype="boolean")}, index=[2]
    )
    check(df, "drop_missing", expected)


def test_drop_from_an_empty_frame_and_refusals() -> None:
    empty = pd.DataFrame({"a": pd.array([], dtype="float64")})
    check(empty, "drop_missing", empty)
    refuse(MIXED, "drop_missing", ["drop_missing: no column named 'd'"], columns=["a", "d"])
    refuse(MIXED, "drop_missing", ["'how' must be one of 'any', 'all'", "'some'"], how="some")


# -- fill_missing within groups (by=) ------------------------------------------------------
GROUPED = pd.DataFrame(
    {
        "g": ["a", "a", "a", "b", "b", None, None, "c"],
        "x": [1.0, np.nan, 4.0, np.nan, 10.0, 2.0, np.nan, np.nan],
    }
)


@pytest.mark.parametrize(
    ("strategy", "filled"),
    [
        # a: 1, 4 -> 2.5; b: 10; the missing key is a group: 2; c has no values: stays missing.
        ("mean", [1.0, 2.5, 4.0, 10.0, 10.0, 2.0, 2.0, np.nan]),
        ("median", [1.0, 2.5, 4.0, 10.0, 10.0, 2.0, 2.0, np.nan]),
        # a tie (1 and 4 once each): the smallest.
        ("mode", [1.0, 1.0, 4.0, 10.0, 10.0, 2.0, 2.0, np.nan]),
    ],
)
def test_fill_within_groups(strategy: str, filled: list[float]) -> None:
    expected = GROUPED.assign(x=filled)
    check(GROUPED, "fill_missing", expected, column="x", strategy=strategy, by="g")


def test_fill_within_groups_of_two_columns_keeps_the_index() -> None:
    df = pd.DataFrame(
        {
            "g": ["a", "a", "a", "a"],
            "h": pd.array([1, 1, 2, None], dtype="Int64"),
            "x": pd.array([None, 4, 6, None], dtype="Int64"),
        },
        index=[3, 3, 1, 0],
    )
    expected = df.assign(x=pd.array([4, 4, 6, None], dtype="Int64"))
    check(df, "fill_missing", expected, column="x", strategy="median", by=["g", "h"])


def test_mode_within_groups_of_text_and_categories() -> None:
    df = pd.DataFrame(
        {
            "g": [1, 1, 1, 1, 2, 2, 2],
            "t": ["b", "a", "b", None, None, "z", "y"],
            "c": pd.Categorical(["lo", None, "hi", "hi", None, "lo", "hi"],
                                categories=["lo", "hi"]),
        }
    )  # fmt: skip
    text = df.assign(t=pd.array(["b", "a", "b", "b", "y", "z", "y"], dtype="str"))
    check(df, "fill_missing", text, column="t", strategy="mode", by="g")
    # Categories are smallest in their own order: lo before hi.
    cats = df.assign(
        c=pd.Categorical(["lo", "hi", "hi", "hi", "lo", "lo", "hi"], categories=["lo", "hi"])
    )
    check(df, "fill_missing", cats, column="c", strategy="mode", by="g")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"strategy": "ffill", "by": "g"}, ["by= goes with strategy mean, median or mode",
                                            "not 'ffill'"]),
        ({"value": 0, "by": "g"}, ["not 'value'"]),
        ({"strategy": "mean", "by": []}, ["column 'x': by= names no column"]),
        ({"strategy": "mean", "by": ["g", "x"]}, ["column 'x' cannot be one of its own groups"]),
        ({"strategy": "mean", "by": "k"}, ["no column named 'k'"]),
    ],
)  # fmt: skip
def test_fill_within_groups_refusals(params: dict, words: list[str]) -> None:
    refuse(GROUPED, "fill_missing", ["fill_missing: ", *words], column="x", **params)


def test_a_group_mean_that_is_not_whole_is_refused_for_integers() -> None:
    df = pd.DataFrame({"g": ["a", "b", "b", "b"], "x": pd.array([None, 1, 2, None], dtype="Int64")})
    refuse(
        df,
        "fill_missing",
        ["the mean of 'x' where g='b' is 1.5, not a whole number", "cast it to float64"],
        column="x",
        strategy="mean",
        by="g",
    )


def test_a_preview_counts_the_values_left_missing_in_empty_groups() -> None:
    s = hj.Session(GROUPED)
    try:
        preview = s.preview("fill_missing", column="x", strategy="mean", by="g")
        assert preview.changed == {"g": 0, "x": 3}
        assert preview.notes == ["1 value stays missing in x: its group has no values"]
        assert s.preview("fill_missing", column="x", strategy="mean").notes == []
    finally:
        s.close()
    two = pd.DataFrame({"g": ["a", "a", "c", "d"], "x": [1.0, np.nan, np.nan, np.nan]})
    s = hj.Session(two)
    try:
        notes = s.preview("fill_missing", column="x", strategy="mode", by="g").notes
        assert notes == ["2 values stay missing in x: their groups have no values"]
    finally:
        s.close()
