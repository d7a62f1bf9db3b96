"""Oracle tests of replace and text: exact matches only, missing values kept, Unicode case
rules, with hand-written expected frames (see tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

COVERS = {"replace", "text"}


def test_replace_matches_whole_values_only() -> None:
    df = pd.DataFrame({"x": ["a", "ab", None, "A"]})
    expected = pd.DataFrame({"x": pd.array(["z", "ab", None, "A"], dtype="str")})
    check(df, "replace", expected, column="x", mapping={"a": "z"})


def test_replace_is_one_pass_not_a_chain() -> None:
    # 1 → 10 and 2 → 1: the new 1 is not replaced again.
    df = pd.DataFrame({"x": [1, 2, 3]})
    check(df, "replace", pd.DataFrame({"x": [10, 1, 3]}), column="x", mapping={1: 10, 2: 1})


def test_replace_a_missing_value_and_in_float_columns() -> None:
    words = pd.DataFrame({"x": ["a", None]})
    check(
        words,
        "replace",
        pd.DataFrame({"x": pd.array(["a", "m"], dtype="str")}),
        column="x",
        mapping={None: "m"},
    )
    floats = pd.DataFrame({"x": [1.0, 2.0, np.nan]})
    check(floats, "replace", pd.DataFrame({"x": [10.0, 2.0, np.nan]}), column="x", mapping={1: 10})


def test_replace_does_not_take_true_for_one() -> None:
    df = pd.DataFrame({"x": [1, 0]})
    check(df, "replace", pd.DataFrame({"x": [1, 0]}), column="x", mapping={True: 5})
    flags = pd.DataFrame({"x": [True, False]})
    check(flags, "replace", pd.DataFrame({"x": [False, False]}), column="x", mapping={True: False})


def test_replace_refusals() -> None:
    df = pd.DataFrame({"x": ["a"]})
    refuse(df, "replace", ["replace: mapping= is empty"], column="x", mapping={})
    refuse(df, "replace", ["replace: no column named 'y'"], column="y", mapping={"a": "b"})
    refuse(df, "replace", ["'mapping' must be a dict", "'a'"], column="x", mapping="a")


TEXTS = pd.DataFrame({"x": [" a b ", "\tc\n", None, "ÄÖ straße", "hello wORLD", "o'neil x2y"]})


# Arrow's case rules: ß upper-cases to ẞ (Python's str.upper gives SS).
@pytest.mark.parametrize(
    ("action", "values"),
    [
        ("strip", ["a b", "c", None, "ÄÖ straße", "hello wORLD", "o'neil x2y"]),
        ("lower", [" a b ", "\tc\n", None, "äö straße", "hello world", "o'neil x2y"]),
        ("upper", [" A B ", "\tC\n", None, "ÄÖ STRAẞE", "HELLO WORLD", "O'NEIL X2Y"]),
        ("title", [" A B ", "\tC\n", None, "Äö Straße", "Hello World", "O'Neil X2Y"]),
    ],
)
def test_text_actions(action: str, values: list) -> None:
    expected = pd.DataFrame({"x": pd.array(values, dtype="str")})
    check(TEXTS, "text", expected, column="x", action=action)


def test_text_on_categories_an_all_missing_column_and_an_empty_one() -> None:
    categories = pd.DataFrame({"x": pd.Categorical(["a ", " b"])})
    check(
        categories,
        "text",
        pd.DataFrame({"x": pd.Series(["a", "b"], dtype=object)}),
        column="x",
        action="strip",
    )
    nothing = pd.DataFrame({"x": pd.array([None, None], dtype=object)})
    check(nothing, "text", nothing, column="x", action="upper")
    empty = pd.DataFrame({"x": pd.array([], dtype="str")})
    check(empty, "text", empty, column="x", action="lower")


def test_text_refuses_columns_that_are_not_text() -> None:
    refuse(
        pd.DataFrame({"x": [1.5]}),
        "text",
        ["text: column 'x' is float64, not text", "cast it to str first"],
        column="x",
        action="strip",
    )
    refuse(
        pd.DataFrame({"x": pd.array([1, 2], dtype=object)}),
        "text",
        ["column 'x' is object, not text"],
        column="x",
        action="upper",
    )
    refuse(
        pd.DataFrame({"x": ["a"]}),
        "text",
        ["'action' must be one of 'strip', 'lower', 'upper', 'title'", "'shout'"],
        column="x",
        action="shout",
    )
