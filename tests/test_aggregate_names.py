"""group_aggregate never lets two results share a name: it refuses, naming both entries."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine import make_operation
from hydroml_jupyter.errors import OperationError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": ["a", "b", "a"],
            1: [1, 2, 3],
            "1": [10.0, 20.0, 30.0],
            "x": [1, 2, 3],
            "x_sum": [5, 6, 7],
        }
    )


def refused(df: pd.DataFrame, by: Any, aggs: dict) -> str:
    with pytest.raises(OperationError) as info:
        make_operation("group_aggregate", {"by": by, "aggs": aggs}).apply(df)
    message = str(info.value)
    assert message.startswith("group_aggregate: ") and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("aggs", "first", "second", "name"),
    [
        ({1: "sum", "1": "mean"}, "1: 'sum'", "'1': 'mean'", "'1'"),
        ({"x": ["sum"], "x_sum": "max"}, "'x': ['sum']", "'x_sum': 'max'", "'x_sum'"),
        (
            {"x_sum": "max", "x": ["sum", "mean"]},
            "'x_sum': 'max'",
            "'x': ['sum', 'mean']",
            "'x_sum'",
        ),
    ],
)
def test_results_with_one_name_are_refused_naming_both(
    df: pd.DataFrame, aggs: dict, first: str, second: str, name: str
) -> None:
    message = refused(df, "k", aggs)
    assert f"aggs {first} and {second}" in message
    assert f"both would make the column {name}" in message


def test_a_function_listed_twice_is_refused(df: pd.DataFrame) -> None:
    message = refused(df, "k", {"x": ["sum", "mean", "sum"]})
    assert "aggs 'x': ['sum', 'mean', 'sum'] asks for 'sum' twice" in message
    assert "'x_sum'" in message


@pytest.mark.parametrize(
    ("by", "aggs", "result", "entry", "key"),
    [
        (["k"], {"k": "count"}, "'k'", "'k': 'count'", "'k'"),
        ([1], {"1": "sum"}, "'1'", "'1': 'sum'", "1"),
        (["k", "x_sum"], {"x": ["sum"]}, "'x_sum'", "'x': ['sum']", "'x_sum'"),
    ],
)
def test_a_result_named_like_a_group_key_is_refused(
    df: pd.DataFrame, by: list, aggs: dict, result: str, entry: str, key: str
) -> None:
    message = refused(df, by, aggs)
    assert (
        f"the result column {result} of aggs {entry} would clash with a group key ({key})"
        in message
    )


def test_the_session_is_unchanged_after_a_refusal(df: pd.DataFrame) -> None:
    session = hj.Session(df, name="agg-names")
    before = (session.version, session.position, len(session.history))
    with pytest.raises(OperationError, match="aggs 1: 'sum' and '1': 'mean'"):
        session.apply("group_aggregate", by="k", aggs={1: "sum", "1": "mean"})
    assert (session.version, session.position, len(session.history)) == before
    pd.testing.assert_frame_equal(session.df, df)


def test_distinct_names_still_aggregate_and_one_letter_more_clashes(df: pd.DataFrame) -> None:
    aggs: dict = {"x": ["sum", "mean"], 1: "max", "1": ["min"], "x_sum": ["size"]}
    op = make_operation("group_aggregate", {"by": "k", "aggs": aggs})
    expected = pd.DataFrame(
        {
            "k": ["a", "b"],
            "x_sum": [4, 2],
            "x_mean": [2.0, 2.0],
            "1": [3, 2],
            "1_min": [10.0, 20.0],
            "x_sum_size": [2, 1],
        }
    )
    pd.testing.assert_frame_equal(op.apply(df), expected)
    namespace = {"df": df, "pd": pd}
    exec(op.code("df"), namespace)  # the exported step rebuilds the same frame
    pd.testing.assert_frame_equal(namespace["df"], expected)
    # One function alone keeps the column's name: "x_sum" is then made twice.
    message = refused(df, "k", {**aggs, "x_sum": "size"})
    assert "aggs 'x': ['sum', 'mean'] and 'x_sum': 'size'" in message
