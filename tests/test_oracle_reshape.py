"""Oracle tests of the reshaping operations: pivot, melt, reorder_columns and sample,
written out by hand (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.pivot import MAX_COLUMNS

COVERS = {"pivot", "melt", "reorder_columns", "sample"}

# Delays by carrier and month: AA flew in months 1 and 2 (twice in 1), UA only in 2,
# one flight has no carrier and one has no month.
FLIGHTS = pd.DataFrame(
    {
        "carrier": ["AA", "AA", "AA", "UA", None, "UA"],
        "month": [1.0, 1.0, 2.0, 2.0, 1.0, np.nan],
        "delay": [10, 20, 5, 7, 3, 9],
        "dist": [100.0, 300.0, 200.0, np.nan, 50.0, 80.0],
    },
    index=[10, 11, 12, 13, 14, 15],
)
CARRIERS = pd.array(["AA", "UA", None], dtype="str")


# -- pivot ------------------------------------------------------------------------------
def test_pivot_keeps_missing_keys_as_a_row_and_a_column() -> None:
    # Text names from str(): 1.0 -> '1.0', the missing month -> 'nan'; rows sorted by
    # carrier with the missing carrier last; a combination without rows is NaN.
    expected = pd.DataFrame(
        {
            "carrier": CARRIERS,
            "1.0": [15.0, np.nan, 3.0],
            "2.0": [5.0, 7.0, np.nan],
            "nan": [np.nan, 9.0, np.nan],
        }
    )
    check(FLIGHTS, "pivot", expected, index="carrier", columns="month", values="delay")


def test_pivot_of_several_values_names_columns_value_then_key() -> None:
    expected = pd.DataFrame(
        {
            "carrier": CARRIERS,
            "delay_1.0": [30, np.nan, 3],
            "delay_2.0": [5, 7, np.nan],
            "delay_nan": [np.nan, 9, np.nan],
            "dist_1.0": [400.0, np.nan, 50.0],
            "dist_2.0": [200.0, 0.0, np.nan],  # the sum of no value is 0
            "dist_nan": [np.nan, 80.0, np.nan],
        }
    )
    check(
        FLIGHTS,
        "pivot",
        expected,
        index=["carrier"],
        columns="month",
        values=["delay", "dist"],
        aggfunc="sum",
    )


def test_pivot_counts_become_float_where_a_combination_is_missing() -> None:
    expected = pd.DataFrame(
        {
            "month": [1.0, 2.0, np.nan],
            "AA": [2.0, 1.0, np.nan],
            "UA": [np.nan, 0.0, 1.0],  # UA's month-2 distance is missing: counted 0
            "nan": [1.0, np.nan, np.nan],
        }
    )
    check(
        FLIGHTS, "pivot", expected, index="month", columns="carrier", values="dist", aggfunc="count"
    )


def test_pivot_on_two_index_columns_and_integer_keys() -> None:
    df = pd.DataFrame(
        {"a": ["x", "x", "y"], "b": [True, False, True], "k": [2, 10, 2], "v": [1, 2, 3]}
    )
    # Keys sort as numbers (2 before 10), not as their text.
    expected = pd.DataFrame(
        {
            "a": ["x", "x", "y"],
            "b": [False, True, True],
            "2": [np.nan, 1.0, 3.0],
            "10": [2.0, np.nan, np.nan],
        }
    )
    check(df, "pivot", expected, index=["a", "b"], columns="k", values="v", aggfunc="max")


def test_pivot_on_categories_makes_no_row_or_column_for_an_unseen_category() -> None:
    df = pd.DataFrame(
        {
            "size": pd.Categorical(["lo", "hi", "lo"], categories=["lo", "mid", "hi"]),
            "kind": pd.Categorical(["x", "y", "y"], categories=["x", "y", "z"]),
            "v": [1, 2, 3],
        }
    )
    expected = pd.DataFrame(
        {
            # The index column keeps its categories; rows follow the categories' order.
            "size": pd.Categorical(["lo", "hi"], categories=["lo", "mid", "hi"]),
            "x": [1.0, np.nan],
            "y": [3.0, 2.0],
        }
    )
    check(df, "pivot", expected, index="size", columns="kind", values="v", aggfunc="median")


def test_pivot_on_datetime_keys_names_columns_as_str_writes_them() -> None:
    df = pd.DataFrame(
        {
            "day": pd.Series(["2020-01-02", None, "2020-01-02"], dtype="datetime64[ns]"),
            "g": [1, 1, 2],
            "v": [1.5, 2.5, 3.5],
        }
    )
    expected = pd.DataFrame({"g": [1, 2], "2020-01-02 00:00:00": [1.5, 3.5], "NaT": [2.5, np.nan]})
    check(df, "pivot", expected, index="g", columns="day", values="v", aggfunc="first")


def test_pivot_of_no_rows_keeps_the_index_columns() -> None:
    expected = pd.DataFrame({"carrier": pd.array([], dtype="str")})
    check(FLIGHTS.iloc[:0], "pivot", expected, index="carrier", columns="month", values="delay")


def test_pivot_refuses_keys_that_make_one_name() -> None:
    df = pd.DataFrame({"g": [1, 1], "k": pd.Series([1, "1"], dtype=object), "v": [1, 2]})
    refuse(
        df,
        "pivot",
        ["pivot:", "keys 1 and '1'", "column 'k'", "'1'"],
        index="g",
        columns="k",
        values="v",
    )
    named = pd.DataFrame({"g": [1, 2], "k": ["g", "h"], "v": [1, 2]})
    refuse(named, "pivot", ["key 'g'", "index column 'g'"], index="g", columns="k", values="v")


def test_pivot_refuses_more_columns_than_the_limit_with_the_count() -> None:
    wide = pd.DataFrame({"g": 0, "k": np.arange(MAX_COLUMNS + 1), "v": 1.0})
    refuse(
        wide,
        "pivot",
        ["column 'k'", "10,001 distinct values", "more than 10,000"],
        index="g",
        columns="k",
        values="v",
    )
    # Two value columns double the width: 5,001 keys make 10,002 columns.
    half = pd.DataFrame({"g": 0, "k": np.arange(MAX_COLUMNS // 2 + 1), "v": 1.0, "w": 2.0})
    refuse(
        half,
        "pivot",
        ["5,001 distinct values × 2 value columns", "10,002 columns"],
        index="g",
        columns="k",
        values=["v", "w"],
    )
    at_limit = pd.DataFrame({"g": 0, "k": np.arange(MAX_COLUMNS), "v": 1.0})
    s = hj.Session(at_limit)
    s.apply("pivot", index="g", columns="k", values="v")
    assert s.df.shape == (1, MAX_COLUMNS + 1)
    s.close()


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"index": "carrier", "columns": "carrier", "values": "delay"},
            ["column 'carrier' is named twice"],
        ),
        (
            {"index": ["carrier", "carrier"], "columns": "month", "values": "delay"},
            ["'carrier' is named twice"],
        ),
        (
            {"index": "carrier", "columns": "month", "values": "month"},
            ["'month' is in values and in columns"],
        ),
        (
            {"index": "carrier", "columns": "month", "values": "delya"},
            ["no column named 'delya'", "'delay'"],
        ),
        ({"index": [], "columns": "month", "values": "delay"}, ["index= names no column"]),
        ({"index": "carrier", "columns": "month", "values": []}, ["values= names no column"]),
        (
            {"index": "carrier", "columns": "month", "values": "delay", "aggfunc": "size"},
            ["unknown aggregation 'size'"],
        ),
        (
            {"index": "month", "columns": "delay", "values": "carrier"},
            ["mean of column 'carrier' (str)"],
        ),
    ],
)
def test_pivot_refusals(params: dict, words: list[str]) -> None:
    refuse(FLIGHTS, "pivot", ["pivot: ", *words], **params)


# -- melt -------------------------------------------------------------------------------
WIDE = pd.DataFrame({"id": ["a", "b"], "jan": [1, 2], "feb": [3, None]}, index=[7, 9])


def test_melt_every_other_column_column_by_column() -> None:
    expected = pd.DataFrame(
        {
            "id": ["a", "b", "a", "b"],
            "variable": ["jan", "jan", "feb", "feb"],
            "value": [1.0, 2.0, 3.0, np.nan],  # int64 and float64 meet as float64
        }
    )
    check(WIDE, "melt", expected, id_vars="id")


def test_melt_named_columns_with_new_names_and_no_id() -> None:
    expected = pd.DataFrame({"month": ["feb", "feb"], 0: [3.0, np.nan]})
    check(WIDE, "melt", expected, id_vars=[], value_vars="feb", var_name="month", value_name=0)


def test_melt_keeps_integer_labels_as_integers_in_an_object_column() -> None:
    df = pd.DataFrame({"id": ["a"], 2020: [1], "total": [5]})
    expected = pd.DataFrame(
        {"id": ["a", "a"], "variable": pd.Series([2020, "total"], dtype=object), "value": [1, 5]}
    )
    check(df, "melt", expected, id_vars="id")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"id_vars": "id", "var_name": "id"}, ["var_name='id' is also an id column"]),
        ({"id_vars": "id", "value_name": "id"}, ["value_name='id' is also an id column"]),
        (
            {"id_vars": "id", "var_name": "x", "value_name": "x"},
            ["var_name and value_name are both 'x'"],
        ),
        ({"id_vars": "id", "value_name": "jan"}, ["value_name='jan' is a column of the frame"]),
        ({"id_vars": "id", "var_name": " "}, ["var_name= is empty"]),
        ({"id_vars": "id", "value_vars": []}, ["value_vars= names no column"]),
        (
            {"id_vars": "id", "value_vars": ["jan", "id"]},
            ["column 'id' is in id_vars and in value_vars"],
        ),
        ({"id_vars": ["id", "id"]}, ["column 'id' is in id_vars twice"]),
        ({"id_vars": ["id", "jan", "feb"]}, ["no column is left to melt"]),
        ({"id_vars": "idd"}, ["no column named 'idd'", "'id'"]),
    ],
)
def test_melt_refusals(params: dict, words: list[str]) -> None:
    refuse(WIDE, "melt", ["melt: ", *words], **params)


# -- reorder_columns --------------------------------------------------------------------
def test_reorder_puts_columns_first_and_keeps_the_rest_in_order() -> None:
    df = pd.DataFrame({"a": [1], 5: ["x"], "c": [2.5], "d": [True]})
    expected = pd.DataFrame({"d": [True], 5: ["x"], "a": [1], "c": [2.5]})
    check(df, "reorder_columns", expected, columns=["d", 5])
    check(df, "reorder_columns", df.copy(), columns="a")  # already first: nothing moves


def test_reorder_refusals() -> None:
    df = pd.DataFrame({"name": [1], "email": [2]})
    refuse(
        df,
        "reorder_columns",
        ["reorder_columns: column 'email' is named twice"],
        columns=["email", "name", "email"],
    )
    refuse(
        df,
        "reorder_columns",
        ["no column named 'emial'", "did you mean 'email'"],
        columns=["emial"],
    )
    refuse(df, "reorder_columns", ["columns= names no column"], columns=[])


# -- sample -----------------------------------------------------------------------------
ROWS = pd.DataFrame({"x": [0, 1, 2, 3, 4], "s": list("abcde")}, index=[50, 51, 52, 53, 54])


def test_sample_keeps_the_rows_the_seed_picks_with_their_labels() -> None:
    # numpy's RandomState(1) draws positions 2, 1, 4 for three of five rows.
    expected = ROWS.iloc[[2, 1, 4]]
    check(ROWS, "sample", expected, n=3, seed=1)
    check(ROWS, "sample", ROWS.iloc[[2, 0]], frac=0.4)  # seed 0; 0.4 of 5 rows is 2


def test_sample_of_every_row_or_none() -> None:
    check(ROWS, "sample", ROWS.iloc[[2, 0, 1, 3, 4]], frac=1)
    check(ROWS, "sample", ROWS.iloc[[]], n=0, seed=7)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"n": 6}, ["n=6 is more rows than the frame has (5)"]),
        ({"n": -1}, ["n=-1 is negative"]),
        ({}, ["give n= (a number of rows) or frac="]),
        ({"n": 2, "frac": 0.5}, ["not both (n=2, frac=0.5)"]),
        ({"frac": 1.5}, ["frac=1.5 is not between 0 and 1"]),
        ({"frac": float("nan")}, ["frac=nan is not between 0 and 1"]),
        ({"n": 1, "seed": 2**32}, ["seed=4294967296 is not between 0 and 4,294,967,295"]),
        ({"n": 1, "seed": -1}, ["seed=-1 is not between 0"]),
    ],
)
def test_sample_refusals(params: dict, words: list[str]) -> None:
    refuse(ROWS, "sample", ["sample: ", *words], **params)
