"""Oracle tests of group_aggregate: every aggregation on groups with missing keys and values,
written out by hand (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from oracle import check, refuse

COVERS = {"group_aggregate"}

# Groups: a = {2, 5}, b = {1, NaN}, missing key = {3, 7}.
GROUPS = pd.DataFrame(
    {"g": ["b", "a", None, "b", "a", None], "v": [1.0, 2.0, 3.0, np.nan, 5.0, 7.0]}
)
KEYS = pd.array(["a", "b", None], dtype="str")


def test_counting_aggregations() -> None:
    expected = pd.DataFrame(
        {
            "g": KEYS,
            "v_count": [2, 1, 2],
            "v_size": [2, 2, 2],
            "v_nunique": [2, 1, 2],
        }
    )
    check(GROUPS, "group_aggregate", expected, by="g", aggs={"v": ["count", "size", "nunique"]})


def test_value_aggregations_skip_missing_values() -> None:
    expected = pd.DataFrame(
        {
            "g": KEYS,
            "v_sum": [7.0, 1.0, 10.0],
            "v_mean": [3.5, 1.0, 5.0],
            "v_median": [3.5, 1.0, 5.0],
            "v_min": [2.0, 1.0, 3.0],
            "v_max": [5.0, 1.0, 7.0],
            "v_first": [2.0, 1.0, 3.0],
            "v_last": [5.0, 1.0, 7.0],
            "v_var": [4.5, np.nan, 8.0],
        }
    )
    aggs = {"v": ["sum", "mean", "median", "min", "max", "first", "last", "var"]}
    check(GROUPS, "group_aggregate", expected, by="g", aggs=aggs)


def test_one_function_keeps_the_column_name() -> None:
    expected = pd.DataFrame({"g": KEYS, "v": [7.0, 1.0, 10.0]})
    check(GROUPS, "group_aggregate", expected, by="g", aggs={"v": "sum"})


def test_sample_std_of_two_values() -> None:
    df = pd.DataFrame({"g": [1, 1, 2], "v": [1.0, 3.0, 4.0]})
    # sqrt(((1-2)**2 + (3-2)**2) / (2 - 1)) = sqrt(2)
    expected = pd.DataFrame({"g": [1, 2], "v": [2.0**0.5, np.nan]})
    check(df, "group_aggregate", expected, by="g", aggs={"v": "std"})


def test_two_keys_sorted() -> None:
    df = pd.DataFrame({"g": [2, 1, 1], "h": ["x", "y", "x"], "v": [1, 2, 3]})
    expected = pd.DataFrame(
        {"g": [1, 1, 2], "h": pd.array(["x", "y", "x"], dtype="str"), "v": [3, 2, 1]}
    )
    check(df, "group_aggregate", expected, by=["g", "h"], aggs={"v": "sum"})


def test_an_empty_frame() -> None:
    df = pd.DataFrame({"g": pd.array([], dtype="str"), "v": pd.array([], dtype="float64")})
    check(df, "group_aggregate", df, by="g", aggs={"v": "sum"})


def test_refusals_name_the_entry() -> None:
    refuse(
        GROUPS,
        "group_aggregate",
        ["unknown aggregation 'avg' for 'v'", "use one of count, sum"],
        by="g",
        aggs={"v": "avg"},
    )
    refuse(GROUPS, "group_aggregate", ["no aggregation for 'v'"], by="g", aggs={"v": []})
    refuse(GROUPS, "group_aggregate", ["group_aggregate: aggs= is empty"], by="g", aggs={})
    refuse(
        GROUPS,
        "group_aggregate",
        ["group_aggregate: by= names no column"],
        by=[],
        aggs={"v": "sum"},
    )
    refuse(
        GROUPS,
        "group_aggregate",
        ["the result column 'g' of aggs 'g': 'count' would clash with a group key ('g')"],
        by="g",
        aggs={"g": "count"},
    )
    refuse(
        GROUPS,
        "group_aggregate",
        ["aggs 'v': ['sum', 'sum'] asks for 'sum' twice", "the column 'v_sum'"],
        by="g",
        aggs={"v": ["sum", "sum"]},
    )


def test_whole_refusal_messages_and_what_they_name() -> None:
    df = pd.DataFrame({"g": ["a"], "x": [1.0], "x_sum": [2.0]})
    cases = [
        (
            {"x": ["sum"], "x_sum": "max"},
            "group_aggregate: aggs 'x': ['sum'] and 'x_sum': 'max': both would make the column "
            "'x_sum'; rename a column first, or keep one of them",
            "x_sum",
            "x_sum",
        ),
        (
            # an entry up to 60 characters long is shown whole
            {"x": ["count", "sum", "mean", "median", "min", "sum"]},
            "group_aggregate: aggs 'x': ['count', 'sum', 'mean', 'median', 'min', 'sum'] asks "
            "for 'sum' twice: both would make the column 'x_sum'; rename a column first, or "
            "keep one of them",
            "x",
            "x_sum",
        ),
        (
            {"x": "avg"},
            "group_aggregate: unknown aggregation 'avg' for 'x'; use one of count, sum, mean, "
            "median, min, max, std, var, first, last, nunique, size",
            "x",
            "avg",
        ),
        ({"x": []}, "group_aggregate: no aggregation for 'x'", "x", None),
    ]
    for aggs, message, column, value in cases:
        error = refuse(df, "group_aggregate", [message], by="g", aggs=aggs)
        assert str(error) == message
        assert (error.column, error.value) == (column, value)
