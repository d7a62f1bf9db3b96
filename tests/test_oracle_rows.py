"""Oracle tests of filter_rows, sort_rows and dedupe: hand-made boundaries, hand-written results.

Each case runs the operation in a session and its exported script on the same input, and
compares both with the expected frame written out below (see tests/oracle.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

COVERS = {"filter_rows", "sort_rows", "dedupe"}

NUMBERS = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan]})
NULLABLE = pd.DataFrame({"x": pd.array([1, 2, 3, None], dtype="Int64")})
WORDS = pd.DataFrame({"x": ["a", "b", "c", None]})
UTC = pd.DataFrame(
    {"x": pd.array(["2020-01-01", "2020-01-02", "2020-01-03", None], dtype="datetime64[us, UTC]")}
)


# The value compared is equal to one row (the middle one) for every operator, so ``<`` and
# ``<=`` (``>`` and ``>=``) differ by exactly that row, and the missing row never matches.
EQUAL_VALUE = [
    ("==", [1]),
    ("!=", [0, 2]),
    ("<", [0]),
    ("<=", [0, 1]),
    (">", [2]),
    (">=", [1, 2]),
]


@pytest.mark.parametrize(("op", "rows"), EQUAL_VALUE)
def test_each_comparison_at_an_equal_float(op: str, rows: list[int]) -> None:
    expected = pd.DataFrame({"x": [float(v + 1) for v in rows]}, index=rows)
    check(NUMBERS, "filter_rows", expected, column="x", op=op, value=2)


@pytest.mark.parametrize(("op", "rows"), EQUAL_VALUE)
def test_each_comparison_at_an_equal_nullable_integer(op: str, rows: list[int]) -> None:
    expected = pd.DataFrame({"x": pd.array([v + 1 for v in rows], dtype="Int64")}, index=rows)
    check(NULLABLE, "filter_rows", expected, column="x", op=op, value=2)


@pytest.mark.parametrize(("op", "rows"), EQUAL_VALUE)
def test_each_comparison_at_an_equal_word(op: str, rows: list[int]) -> None:
    expected = pd.DataFrame({"x": pd.array(["abc"[i] for i in rows], dtype="str")}, index=rows)
    check(WORDS, "filter_rows", expected, column="x", op=op, value="b")


@pytest.mark.parametrize(("op", "rows"), EQUAL_VALUE)
def test_each_comparison_at_an_equal_aware_timestamp(op: str, rows: list[int]) -> None:
    days = {0: "2020-01-01", 1: "2020-01-02", 2: "2020-01-03"}
    expected = pd.DataFrame(
        {"x": pd.array([days[i] for i in rows], dtype="datetime64[us, UTC]")}, index=rows
    )
    check(
        UTC, "filter_rows", expected, column="x", op=op, value=pd.Timestamp("2020-01-02", tz="UTC")
    )


def test_a_date_given_as_text_compares_with_an_aware_column() -> None:
    expected = pd.DataFrame(
        {"x": pd.array(["2020-01-02", "2020-01-03"], dtype="datetime64[us, UTC]")}, index=[1, 2]
    )
    check(UTC, "filter_rows", expected, column="x", op=">=", value="2020-01-02")


def test_integer_column_at_its_extremes() -> None:
    df = pd.DataFrame({"x": pd.array([-(2**63), 0, 2**63 - 1], dtype="int64")})
    top = pd.DataFrame({"x": pd.array([2**63 - 1], dtype="int64")}, index=[2])
    check(df, "filter_rows", top, column="x", op=">=", value=2**63 - 1)
    bottom = pd.DataFrame({"x": pd.array([-(2**63)], dtype="int64")}, index=[0])
    check(df, "filter_rows", bottom, column="x", op="<=", value=-(2**63))


def test_between_includes_both_ends() -> None:
    expected = pd.DataFrame({"x": [1.0, 2.0]}, index=[0, 1])
    check(NUMBERS, "filter_rows", expected, column="x", op="between", value=[1, 2])
    single = pd.DataFrame({"x": [2.0]}, index=[1])
    check(NUMBERS, "filter_rows", single, column="x", op="between", value=[2, 2])
    empty = pd.DataFrame({"x": pd.array([], dtype="float64")}, index=pd.Index([], dtype="int64"))
    check(NUMBERS, "filter_rows", empty, column="x", op="between", value=[3, 1])


def test_between_words() -> None:
    expected = pd.DataFrame({"x": pd.array(["b", "c"], dtype="str")}, index=[1, 2])
    check(WORDS, "filter_rows", expected, column="x", op="between", value=["b", "c"])


def test_in_and_not_in() -> None:
    check(
        NUMBERS,
        "filter_rows",
        pd.DataFrame({"x": [1.0, 3.0]}, index=[0, 2]),
        column="x",
        op="in",
        value=[3, 1, 7],
    )
    check(
        NUMBERS,
        "filter_rows",
        pd.DataFrame({"x": [2.0]}, index=[1]),
        column="x",
        op="not_in",
        value=[3, 1],
    )
    nothing = pd.DataFrame({"x": pd.array([], dtype="float64")}, index=pd.Index([], dtype="int64"))
    check(NUMBERS, "filter_rows", nothing, column="x", op="in", value=[])
    # not_in an empty list keeps every row but the missing one.
    check(
        NUMBERS,
        "filter_rows",
        pd.DataFrame({"x": [1.0, 2.0, 3.0]}),
        column="x",
        op="not_in",
        value=[],
    )


@pytest.mark.parametrize("frame", [NUMBERS, WORDS], ids=["float", "str"])
def test_a_missing_value_in_an_in_list_does_not_match_missing_rows(frame: pd.DataFrame) -> None:
    first = frame["x"].iloc[0]
    expected = pd.DataFrame({"x": pd.array([first], dtype=frame["x"].dtype)}, index=[0])
    check(frame, "filter_rows", expected, column="x", op="in", value=[first, None])


def test_text_tests_are_literal_and_case_sensitive() -> None:
    df = pd.DataFrame({"x": ["a.b", "A.B", "ab", None, ""]})
    check(
        df,
        "filter_rows",
        pd.DataFrame({"x": pd.array(["a.b"], dtype="str")}, index=[0]),
        column="x",
        op="contains",
        value=".b",
    )
    check(
        df,
        "filter_rows",
        pd.DataFrame({"x": pd.array(["A.B"], dtype="str")}, index=[1]),
        column="x",
        op="startswith",
        value="A",
    )
    check(
        df,
        "filter_rows",
        pd.DataFrame({"x": pd.array(["ab"], dtype="str")}, index=[2]),
        column="x",
        op="endswith",
        value="ab",
    )
    # The empty string is in every text, and missing values still never match.
    check(
        df,
        "filter_rows",
        pd.DataFrame({"x": pd.array(["a.b", "A.B", "ab", ""], dtype="str")}, index=[0, 1, 2, 4]),
        column="x",
        op="contains",
        value="",
    )


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT], ids=repr)
def test_is_null_and_not_null_see_every_kind_of_missing(missing: object) -> None:
    # A column of mixed values stays an object column holding the missing value as given.
    df = pd.DataFrame({"x": pd.array(["a", missing, 0], dtype=object)})
    nulls = pd.DataFrame({"x": pd.Series([missing], index=[1], dtype=object)})
    check(df, "filter_rows", nulls, column="x", op="is_null")
    values = pd.DataFrame({"x": pd.array(["a", 0], dtype=object)}, index=[0, 2])
    check(df, "filter_rows", values, column="x", op="not_null")


@pytest.mark.parametrize(
    ("frame", "other", "kept"),
    [
        (pd.DataFrame({"x": [1.0, np.nan]}), 2, pd.DataFrame({"x": [1.0]})),
        (
            pd.DataFrame({"x": pd.array([1, None], dtype="Int64")}),
            2,
            pd.DataFrame({"x": pd.array([1], dtype="Int64")}),
        ),
        (
            pd.DataFrame({"x": pd.array(["a", None], dtype="str")}),
            "b",
            pd.DataFrame({"x": pd.array(["a"], dtype="str")}),
        ),
        (
            pd.DataFrame({"x": pd.array(["a", None], dtype="string")}),
            "b",
            pd.DataFrame({"x": pd.array(["a"], dtype="string")}),
        ),
        (
            pd.DataFrame({"x": pd.array(["2020-01-01", None], dtype="datetime64[ns]")}),
            "2021-01-01",
            pd.DataFrame({"x": pd.array(["2020-01-01"], dtype="datetime64[ns]")}),
        ),
        (
            pd.DataFrame({"x": pd.Categorical(["a", None])}),
            "b",
            pd.DataFrame({"x": pd.Categorical(["a"], categories=["a"])}),
        ),
    ],
    ids=["NaN", "NA", "str", "string", "NaT", "category"],
)
def test_not_equal_never_keeps_a_missing_value(
    frame: pd.DataFrame, other: object, kept: pd.DataFrame
) -> None:
    check(frame, "filter_rows", kept, column="x", op="!=", value=other)


def test_filter_an_empty_frame() -> None:
    df = pd.DataFrame({"x": pd.array([], dtype="float64")})
    check(df, "filter_rows", df, column="x", op=">", value=1)


def test_filter_booleans() -> None:
    df = pd.DataFrame({"x": [True, False, True]})
    check(
        df, "filter_rows", pd.DataFrame({"x": [False]}, index=[1]), column="x", op="==", value=False
    )


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"op": ">", "value": "2"}, ["'2' is not a number", "'x' is float64"]),
        ({"op": "between", "value": [1]}, ["between needs value=[low, high]", "[1]"]),
        ({"op": "is_null", "value": 1}, ["is_null takes no value"]),
        ({"op": "<"}, ["'<' needs a value"]),
        ({"op": "not_in", "value": 1}, ["not_in needs a list, not 1"]),
        ({"op": "startswith", "value": "a"}, ["startswith needs a text column", "float64"]),
    ],
)
def test_filter_refusals_name_what_is_wrong(params: dict, words: list[str]) -> None:
    refuse(NUMBERS, "filter_rows", ["filter_rows", *words], column="x", **params)


def test_filter_refuses_a_number_for_text_and_text_for_dates() -> None:
    refuse(
        WORDS,
        "filter_rows",
        ["cannot compare text column 'x' with the number 2"],
        column="x",
        op=">=",
        value=2,
    )
    refuse(
        WORDS, "filter_rows", ["endswith needs a string, not 1"], column="x", op="endswith", value=1
    )
    refuse(
        UTC,
        "filter_rows",
        ["'soon' is not a date", "'x' is datetime64[us, UTC]"],
        column="x",
        op="<",
        value="soon",
    )


# -- sort_rows ---------------------------------------------------------------------------------
SORTABLE = pd.DataFrame({"k": [2.0, np.nan, 1.0, 2.0, 1.0], "t": ["b", "a", None, "a", "c"]})


def test_sort_is_stable_with_missing_values_last() -> None:
    up = pd.DataFrame(
        {"k": [1.0, 1.0, 2.0, 2.0, np.nan], "t": pd.array([None, "c", "b", "a", "a"], dtype="str")}
    )
    up.index = pd.Index([2, 4, 0, 3, 1])
    check(SORTABLE, "sort_rows", up, by="k")
    down = pd.DataFrame(
        {"k": [2.0, 2.0, 1.0, 1.0, np.nan], "t": pd.array(["b", "a", None, "c", "a"], dtype="str")}
    )
    down.index = pd.Index([0, 3, 2, 4, 1])
    check(SORTABLE, "sort_rows", down, by="k", ascending=False)


def test_sort_words_missing_last_both_ways() -> None:
    up = pd.DataFrame(
        {
            "k": [np.nan, 2.0, 2.0, 1.0, 1.0],
            "t": pd.array(["a", "a", "b", "c", None], dtype="str"),
        }
    )
    up.index = pd.Index([1, 3, 0, 4, 2])
    check(SORTABLE, "sort_rows", up, by=["t"])
    down = pd.DataFrame(
        {
            "k": [1.0, 2.0, np.nan, 2.0, 1.0],
            "t": pd.array(["c", "b", "a", "a", None], dtype="str"),
        }
    )
    down.index = pd.Index([4, 0, 1, 3, 2])
    check(SORTABLE, "sort_rows", down, by="t", ascending=False)


def test_sort_by_two_keys_each_its_own_direction() -> None:
    expected = pd.DataFrame(
        {
            "k": [1.0, 1.0, 2.0, 2.0, np.nan],
            "t": pd.array(["c", None, "b", "a", "a"], dtype="str"),
        }
    )
    expected.index = pd.Index([4, 2, 0, 3, 1])
    check(SORTABLE, "sort_rows", expected, by=["k", "t"], ascending=[True, False])


def test_sort_an_empty_frame_and_refusals() -> None:
    empty = pd.DataFrame({"a": pd.array([], dtype="int64")})
    check(empty, "sort_rows", empty, by="a")
    refuse(SORTABLE, "sort_rows", ["sort_rows: by= names no column"], by=[])
    refuse(
        SORTABLE,
        "sort_rows",
        ["ascending has 1 values for 2 columns"],
        by=["k", "t"],
        ascending=[True],
    )
    refuse(SORTABLE, "sort_rows", ["sort_rows: no column named 'K'"], by="K")


# -- dedupe ------------------------------------------------------------------------------------
DUPLICATES = pd.DataFrame(
    {"a": [1.0, 1.0, 2.0, 1.0, np.nan, np.nan], "b": ["x", "x", "x", "y", None, None]}
)


def test_dedupe_keeps_first_last_or_none() -> None:
    # Two missing values are the same value for dedupe: rows 4 and 5 are duplicates.
    first = pd.DataFrame(
        {"a": [1.0, 2.0, 1.0, np.nan], "b": pd.array(["x", "x", "y", None], dtype="str")}
    )
    first.index = pd.Index([0, 2, 3, 4])
    check(DUPLICATES, "dedupe", first)
    last = first.set_axis(pd.Index([1, 2, 3, 5]))
    check(DUPLICATES, "dedupe", last, keep="last")
    none = pd.DataFrame({"a": [2.0, 1.0], "b": pd.array(["x", "y"], dtype="str")}, index=[2, 3])
    check(DUPLICATES, "dedupe", none, keep="none")


def test_dedupe_on_a_subset() -> None:
    expected = pd.DataFrame(
        {"a": [1.0, 2.0, np.nan], "b": pd.array(["x", "x", None], dtype="str")}, index=[0, 2, 4]
    )
    check(DUPLICATES, "dedupe", expected, subset="a")
    only = pd.DataFrame({"a": [2.0], "b": pd.array(["x"], dtype="str")}, index=[2])
    check(DUPLICATES, "dedupe", only, subset=["a"], keep="none")


def test_dedupe_an_empty_frame() -> None:
    empty = pd.DataFrame({"a": pd.array([], dtype="int64")})
    check(empty, "dedupe", empty)


def test_dedupe_refuses_an_empty_subset_naming_it() -> None:
    refuse(DUPLICATES, "dedupe", ["dedupe: subset= names no column"], subset=[])
    refuse(DUPLICATES, "dedupe", ["no column named 'c'"], subset=["a", "c"])
