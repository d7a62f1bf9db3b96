"""Oracle tests of one_hot and scale: inputs whose results are exact in binary floating point,
written out by hand (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

import hydroml_jupyter as hj

COVERS = {"one_hot", "scale"}

KEYS = pd.DataFrame({"k": ["b", "a", None, "b"], "v": [1, 2, 3, 4]})


def test_one_hot_puts_sorted_dummies_last_and_missing_rows_nowhere() -> None:
    expected = pd.DataFrame(
        {
            "v": [1, 2, 3, 4],
            "k_a": [False, True, False, False],
            "k_b": [True, False, False, True],
        }
    )
    check(KEYS, "one_hot", expected, column="k")
    first_dropped = pd.DataFrame({"v": [1, 2, 3, 4], "k_b": [True, False, False, True]})
    check(KEYS, "one_hot", first_dropped, column="k", drop_first=True)


def test_one_hot_of_numbers_and_unused_categories() -> None:
    numbers = pd.DataFrame({"k": [1, 2, 1]})
    check(
        numbers,
        "one_hot",
        pd.DataFrame({"k_1": [True, False, True], "k_2": [False, True, False]}),
        column="k",
    )
    categories = pd.DataFrame({"k": pd.Categorical(["x"], categories=["x", "y"])})
    check(categories, "one_hot", pd.DataFrame({"k_x": [True], "k_y": [False]}), column="k")


def test_one_hot_of_an_empty_column() -> None:
    df = pd.DataFrame({"k": pd.array([], dtype="str"), "v": pd.array([], dtype="int64")})
    check(df, "one_hot", pd.DataFrame({"v": pd.array([], dtype="int64")}), column="k")


def test_one_hot_refuses_too_many_values_naming_the_count() -> None:
    df = pd.DataFrame({"k": [f"v{i}" for i in range(1001)]})
    refuse(
        df,
        "one_hot",
        ["one_hot: column 'k' has 1,001 distinct values, more than 1,000 columns"],
        column="k",
    )
    # 1,000 exactly is allowed: one True per row, on the diagonal.
    session = hj.Session(pd.DataFrame({"k": [f"v{i:04d}" for i in range(1000)]}))
    session.apply("one_hot", column="k")
    assert session.df.shape == (1000, 1000)
    assert list(session.df.columns[[0, -1]]) == ["k_v0000", "k_v0999"]
    assert (session.df.to_numpy() == np.eye(1000, dtype=bool)).all()
    session.close()


@pytest.mark.parametrize(
    ("method", "values", "scaled"),
    [
        # mean 2, population std 1
        ("standard", [1.0, 3.0, np.nan], [-1.0, 1.0, np.nan]),
        # min 0, max 10
        ("minmax", [0.0, 5.0, 10.0], [0.0, 0.5, 1.0]),
        # median 2, quartiles 1 and 3
        ("robust", [0.0, 1.0, 2.0, 3.0, 4.0], [-1.0, -0.5, 0.0, 0.5, 1.0]),
        # median 0, quartiles 0 and 0.25
        ("robust", [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 4.0]),
    ],
)
def test_scale_methods(method: str, values: list, scaled: list) -> None:
    check(
        pd.DataFrame({"k": values}),
        "scale",
        pd.DataFrame({"k": scaled}),
        columns="k",
        method=method,
    )


def test_scale_integers_nullable_and_several_columns() -> None:
    ints = pd.DataFrame({"k": [1, 3], "j": [0, 10]})
    check(
        ints,
        "scale",
        pd.DataFrame({"k": [0.0, 1.0], "j": [0.0, 1.0]}),
        columns=["k", "j"],
        method="minmax",
    )
    nullable = pd.DataFrame({"k": pd.array([1, 3, None], dtype="Int64")})
    check(
        nullable,
        "scale",
        pd.DataFrame({"k": pd.array([-1.0, 1.0, None], dtype="Float64")}),
        columns="k",
    )


@pytest.mark.parametrize(
    ("df", "params", "words"),
    [
        (pd.DataFrame({"k": [5, 5]}), {}, ["column 'k' has no spread (standard divisor is 0.0)"]),
        (
            pd.DataFrame({"k": [5.0, 5.0, np.nan]}),
            {"method": "minmax"},
            ["column 'k' has no spread (minmax divisor is 0.0)"],
        ),
        (pd.DataFrame({"k": [np.nan]}), {}, ["column 'k' has no values to scale"]),
        (pd.DataFrame({"k": [True, False]}), {}, ["column 'k' is bool, not numeric"]),
        (pd.DataFrame({"k": [1, 2]}), {"columns": ["k", "k"]}, ["a column is listed twice"]),
        (pd.DataFrame({"k": [1, 2]}), {"columns": []}, ["no columns to scale"]),
    ],
)
def test_scale_refusals(df: pd.DataFrame, params: dict, words: list[str]) -> None:
    refuse(df, "scale", ["scale: ", *words], **{"columns": "k", **params})
