"""Oracle tests of formula columns: each operator, precedence, each function and missing values,
with the expected column written out by hand (see tests/oracle.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

COVERS = {"formula"}

BASE = pd.DataFrame(
    {
        "a": [7, -7, 0],
        "b": [2, 2, 3],
        "f": [1.5, np.nan, -0.5],
        "s": ["Ab", None, ""],
        "n": pd.array([1, None, 3], dtype="Int64"),
        "d": pd.array(["2020-02-29", None, "2021-12-31"], dtype="datetime64[s]"),
        "unit price": [10, 20, 30],
    }
)


def gives(expr: str, values: list, dtype: str, column: str = "r") -> None:
    """``column = expr`` on BASE gives ``values`` of ``dtype``, in the session and the script."""
    expected = BASE.assign(**{column: pd.array(values, dtype=dtype)})
    check(BASE, "formula", expected, column=column, expr=expr)


ARITHMETIC = [
    ("a + b", [9, -5, 3], "int64"),
    ("a - b", [5, -9, -3], "int64"),
    ("a * b", [14, -14, 0], "int64"),
    ("a / b", [3.5, -3.5, 0.0], "float64"),
    # Floor division and modulo round toward minus infinity, as in Python.
    ("a // b", [3, -4, 0], "int64"),
    ("a % b", [1, 1, 0], "int64"),
    ("a ** b", [49, 49, 0], "int64"),
    ("b ** 0.5", [math.sqrt(2), math.sqrt(2), math.sqrt(3)], "float64"),
    ("`unit price` * 2", [20, 40, 60], "int64"),
    ("1e3", [1000.0, 1000.0, 1000.0], "float64"),
    ("0.1 + 0.2", [0.30000000000000004] * 3, "float64"),
    ("'x'", ["x", "x", "x"], "str"),
    ("True", [True, True, True], "bool"),
]

PRECEDENCE = [
    ("1 + 2 * 3", [7, 7, 7], "int64"),
    ("(1 + 2) * 3", [9, 9, 9], "int64"),
    ("10 - 4 - 3", [3, 3, 3], "int64"),
    ("100 / 10 / 5", [2.0, 2.0, 2.0], "float64"),
    ("7 // 2 * 2", [6, 6, 6], "int64"),
    ("2 ** 3 ** 2", [512, 512, 512], "int64"),
    ("-2 ** 2", [-4, -4, -4], "int64"),
    ("-a ** 2", [-49, -49, 0], "int64"),
    ("(-a) ** 2", [49, 49, 0], "int64"),
    ("2 ** -1", [0.5, 0.5, 0.5], "float64"),
    ("a - -b", [9, -5, 3], "int64"),
    # & and | bind looser than comparisons here (unlike Python), and & before |.
    ("a > b & b < 3", [True, False, False], "bool"),
    ("a > 0 | b == 3", [True, False, True], "bool"),
    ("a < 0 | a > 0 & b == 3", [False, True, False], "bool"),
    ("(a < 0 | a > 0) & b == 3", [False, False, False], "bool"),
    ("~(a > 0)", [False, True, True], "bool"),
    # ~ binds looser than a comparison: ~a > 0 is ~(a > 0).
    ("~a > 0", [False, True, True], "bool"),
    ("a & b", [2, 0, 0], "int64"),
]

COMPARISONS = [
    ("a == 7", [True, False, False]),
    ("a != 7", [False, True, True]),
    ("a < 0", [False, True, False]),
    ("a <= 0", [False, True, True]),
    ("a > 0", [True, False, False]),
    ("a >= 0", [True, False, True]),
    ("b == 2", [True, True, False]),
    ("s == ''", [False, False, True]),
]


@pytest.mark.parametrize(("expr", "values", "dtype"), ARITHMETIC + PRECEDENCE, ids=repr)
def test_operators_and_precedence(expr: str, values: list, dtype: str) -> None:
    gives(expr, values, dtype)


@pytest.mark.parametrize(("expr", "values"), COMPARISONS, ids=repr)
def test_comparisons_at_equal_values(expr: str, values: list) -> None:
    gives(expr, values, "bool")


MISSING = [
    ("f + 1", [2.5, np.nan, 0.5], "float64"),
    # A missing value is unequal to everything, so != holds and every other comparison fails.
    ("f > 0", [True, False, False], "bool"),
    ("f == 1.5", [True, False, False], "bool"),
    ("f != 1.5", [False, True, True], "bool"),
    # pd.NA propagates through nullable integers.
    ("n + 1", [2, None, 4], "Int64"),
    ("n > 1", [False, None, True], "boolean"),
    ("n == 1", [True, None, False], "boolean"),
    ("s + 'x'", ["Abx", None, "x"], "str"),
    ("s * 2", ["AbAb", None, ""], "str"),
    ("isnull(f)", [False, True, False], "bool"),
    ("isnull(s)", [False, True, False], "bool"),
    ("isnull(n)", [False, True, False], "bool"),
    ("isnull(d)", [False, True, False], "bool"),
    ("fillna(f, 0)", [1.5, 0.0, -0.5], "float64"),
    ("fillna(s, '?')", ["Ab", "?", ""], "str"),
    ("fillna(n, -1)", [1, -1, 3], "Int64"),
    ("fillna(f, a)", [1.5, -7.0, -0.5], "float64"),
]


@pytest.mark.parametrize(("expr", "values", "dtype"), MISSING, ids=repr)
def test_missing_values(expr: str, values: list, dtype: str) -> None:
    gives(expr, values, dtype)


FUNCTIONS = [
    ("abs(a)", [7, 7, 0], "int64"),
    ("abs(f)", [1.5, np.nan, 0.5], "float64"),
    # numpy rounds half to even.
    ("round(f)", [2.0, np.nan, -0.0], "float64"),
    ("round(2.5)", [2.0, 2.0, 2.0], "float64"),
    ("round(3.5)", [4.0, 4.0, 4.0], "float64"),
    ("round(`unit price` / 3, 1)", [3.3, 6.7, 10.0], "float64"),
    ("round(a * 10, -1)", [70, -70, 0], "int64"),
    ("log(1)", [0.0, 0.0, 0.0], "float64"),
    ("log(b)", [math.log(2), math.log(2), math.log(3)], "float64"),
    ("exp(0)", [1.0, 1.0, 1.0], "float64"),
    ("sqrt(b)", [math.sqrt(2), math.sqrt(2), math.sqrt(3)], "float64"),
    ("sqrt(-1)", [np.nan, np.nan, np.nan], "float64"),
    ("clip(a, -1, 1)", [1, -1, 0], "int64"),
    ("clip(a, 0, 7)", [7, 0, 0], "int64"),
    ("clip(f, -0.5, 1.5)", [1.5, np.nan, -0.5], "float64"),
    ("clip(5, 0, 3)", [3, 3, 3], "int64"),
    ("where(a > 0, a, 0)", [7, 0, 0], "int64"),
    ("where(a >= 0, 'pos', 'neg')", ["pos", "neg", "pos"], "str"),
    ("where(f > 0, f, b)", [1.5, 2.0, 3.0], "float64"),
    ("lower(s)", ["ab", None, ""], "str"),
    ("upper(s)", ["AB", None, ""], "str"),
    ("len(s)", [2.0, np.nan, 0.0], "float64"),
    ("year(d)", [2020.0, np.nan, 2021.0], "float64"),
    ("month(d)", [2.0, np.nan, 12.0], "float64"),
    ("day(d)", [29.0, np.nan, 31.0], "float64"),
]


# The script computes sqrt(-1) without the session's np.errstate.
@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
@pytest.mark.parametrize(("expr", "values", "dtype"), FUNCTIONS, ids=repr)
def test_functions(expr: str, values: list, dtype: str) -> None:
    gives(expr, values, dtype)


def test_division_by_zero() -> None:
    gives("a / 0", [np.inf, -np.inf, np.nan], "float64")
    gives("f / 0", [np.inf, np.nan, -np.inf], "float64")
    gives("a // 0", [np.inf, -np.inf, np.nan], "float64")
    gives("a % 0", [np.nan, np.nan, np.nan], "float64")
    refuse(
        BASE,
        "formula",
        ["formula: cannot compute 0 / 0: division by zero"],
        column="r",
        expr="0 / 0",
    )


def test_a_formula_can_replace_a_column_in_place() -> None:
    expected = BASE.assign(a=[14, -14, 0])
    check(BASE, "formula", expected, column="a", expr="a * 2")
    with_space = BASE.assign(**{"unit price": [2, 2, 3]})
    check(BASE, "formula", with_space, column="unit price", expr="b")


def test_an_empty_frame() -> None:
    df = pd.DataFrame({"a": pd.array([], dtype="int64")})
    check(df, "formula", df.assign(r=pd.array([], dtype="int64")), column="r", expr="a * 2")


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("a > 1 > 0", ["comparisons cannot be chained", "position 6"]),
        ("a +", ["formula: ", "end of expression"]),
        ("(a", ["unmatched '('", "position 0"]),
        ("a)", ["unmatched ')'", "position 1"]),
        ("a.b", ["unexpected", "position 1"]),
        ("nope(a)", ["unknown function 'nope'", "functions: abs, clip"]),
        ("round(a, 1.5)", ["round() needs a whole number literal for n, got '1.5'"]),
        ("round(a, b)", ["round() needs a whole number literal for n, got 'b'"]),
        ("clip(a, 0)", ["clip() takes 3 arguments (x, lo, hi), got 2"]),
        ("abs()", ["abs() takes 1 argument (x), got 0"]),
        ("where(True, 1, 2)", ["where() needs a column for cond, not a constant"]),
        ("lower('A')", ["lower() needs a column, not a constant"]),
        ("c + 1", ["no column named 'c'"]),
        ("s + 1", ["cannot compute s + 1"]),
        ("a not b", ["'not' is not supported (use '~' for not) at position 2"]),
        ("", ["empty expression"]),
    ],
)
def test_refusals(expr: str, words: list[str]) -> None:
    refuse(BASE, "formula", ["formula: ", *words], column="r", expr=expr)


def test_the_new_column_needs_a_name() -> None:
    refuse(BASE, "formula", ["the new column needs a name"], column=" ", expr="a")


# -- text, missing-value and date functions -----------------------------------------------
TEXTS = pd.DataFrame(
    {
        "t": pd.array([" Ab-ab ", None, "ab", ""], dtype="str"),
        "n": pd.array([1, None, 3, None], dtype="Int64"),
        "f": [1.5, np.nan, np.nan, 4.0],
        "d1": pd.array(
            ["2020-01-01", "2020-03-01", None, "2021-01-01 12:00"], dtype="datetime64[ns]"
        ),
        "d2": pd.array(
            ["2020-01-02", "2020-02-01", "2020-01-01", "2020-01-01"], dtype="datetime64[ns]"
        ),
    }
)

NEW_FUNCTIONS = [
    ("strip(t)", ["Ab-ab", None, "ab", ""], "str"),
    # Case matters, and the text is found literally ('.' is a dot, not any character).
    ("replace(t, 'ab', 'X')", [" Ab-X ", None, "X", ""], "str"),
    ("replace(t, '-', '')", [" Abab ", None, "ab", ""], "str"),
    ("replace(t, '.', '!')", [" Ab-ab ", None, "ab", ""], "str"),
    ("replace(t, 'b', 'bb')", [" Abb-abb ", None, "abb", ""], "str"),
    # A missing text contains nothing, starts and ends with nothing (str columns).
    ("contains(t, 'ab')", [True, False, True, False], "bool"),
    ("contains(t, '.')", [False, False, False, False], "bool"),
    ("contains(t, '')", [True, False, True, True], "bool"),
    ("startswith(t, ' ')", [True, False, False, False], "bool"),
    ("endswith(t, 'b')", [False, False, True, False], "bool"),
    # slice is a Python slice: from start up to (not including) stop, negatives from the end.
    ("slice(t, 1, 3)", ["Ab", None, "b", ""], "str"),
    ("slice(t, -3)", ["ab ", None, "ab", ""], "str"),
    ("slice(t, 0, -1)", [" Ab-ab", None, "a", ""], "str"),
    ("slice(t, 5, 1)", ["", None, "", ""], "str"),
    ("coalesce(f, n, 0)", [1.5, 0.0, 3.0, 4.0], "Float64"),
    ("coalesce(f, 9)", [1.5, 9.0, 9.0, 4.0], "float64"),
    ("coalesce(t, 'none')", [" Ab-ab ", "none", "ab", ""], "str"),
    ("coalesce(n, 7)", [1, 7, 3, 7], "Int64"),
    # The parts' common dtype; a constant ends the list (it is never missing).
    ("coalesce(t, 1)", [" Ab-ab ", 1, "ab", ""], "object"),
    ("coalesce(f, -1, n)", [1.5, -1.0, -1.0, 4.0], "float64"),
    ("coalesce(n, f)", [1.0, None, 3.0, 4.0], "Float64"),
    ("coalesce(n, 2.5)", [1.0, 2.5, 3.0, 2.5], "Float64"),
    # if_else is missing where its condition is; where takes the second branch there.
    ("if_else(n > 1, 'big', 'small')", ["small", None, "big", None], "str"),
    ("where(n > 1, 'big', 'small')", ["small", "small", "big", "small"], "str"),
    ("if_else(n > 1, n, -n)", [-1, None, 3, None], "Int64"),
    # The common dtype of both branches, whatever the rows take.
    ("if_else(n > 1, n, 0.5)", [0.5, None, 3.0, None], "Float64"),
    ("if_else(n > 5, 'x', n)", [1, None, 3, None], "object"),
    ("if_else(f > 2, f, 0)", [0.0, 0.0, 0.0, 4.0], "float64"),
    ("if_else(contains(t, '-'), slice(t, 1, 3), t)", ["Ab", None, "ab", ""], "str"),
    # b - a in days, fractions kept: 2020 is a leap year.
    ("days_between(d2, d1)", [-1.0, 29.0, np.nan, 366.5], "float64"),
    ("days_between(d1, d2)", [1.0, -29.0, np.nan, -366.5], "float64"),
    ("days_between(d1, d1)", [0.0, 0.0, np.nan, 0.0], "float64"),
]


@pytest.mark.parametrize(("expr", "values", "dtype"), NEW_FUNCTIONS, ids=repr)
def test_text_missing_and_date_functions(expr: str, values: list, dtype: str) -> None:
    expected = TEXTS.assign(r=pd.array(values, dtype=dtype))
    check(TEXTS, "formula", expected, column="r", expr=expr)


def test_text_functions_on_object_and_category_columns() -> None:
    df = pd.DataFrame(
        {
            "o": pd.Series([" a ", None, "b"], dtype=object),
            "c": pd.Series([" a ", None, "b"], dtype="category"),
        }
    )
    # Object columns keep pandas' object results (missing stays missing); a category's
    # text tests are plain booleans.
    stripped = df.assign(r=pd.Series(["a", None, "b"], dtype=object))
    check(df, "formula", stripped, column="r", expr="strip(o)")
    tested = df.assign(q=pd.Series([True, np.nan, False], dtype=object))
    check(df, "formula", tested, column="q", expr="startswith(o, ' ')")
    check(df, "formula", df.assign(q=[True, False, False]), column="q", expr="startswith(c, ' ')")


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("replace(t, '', 'x')", ["replace() needs some text for old, not ''", "position 11"]),
        ("replace(t, 'a', 1)", ["replace() needs a text literal for new, got '1'"]),
        ("replace(t, 'a')", ["replace() takes 3 arguments (x, old, new), got 2"]),
        ("contains(t, t)", ["contains() needs a text literal for text, got 't'"]),
        ("startswith('ab', 'a')", ["startswith() needs a column, not a constant"]),
        ("slice(t, 1.5)", ["slice() needs a whole number literal for start, got '1.5'"]),
        ("slice(t, 1, n)", ["slice() needs a whole number literal for stop, got 'n'"]),
        ("slice(t)", ["slice() takes 2 or 3 arguments (x, start, stop), got 1"]),
        ("coalesce(f)", ["coalesce() takes 2 or more arguments (a, b, ...), got 1"]),
        ("coalesce(1, f)", ["coalesce() needs a column for a, not a constant"]),
        ("if_else(True, 1, 2)", ["if_else() needs a column for cond, not a constant"]),
        ("if_else(n > 1, 1)", ["if_else() takes 3 arguments (cond, a, b), got 2"]),
        ("strip('a')", ["strip() needs a column, not a constant"]),
        ("if_else(f, 1, 2)", ["cannot compute if_else(f, 1, 2): the condition is float64, not"]),
        ("strip(f)", ["cannot compute strip(f): Can only use .str accessor with string values"]),
        ("days_between(d1, 1)", ["days_between() needs a column for b, not a constant"]),
        (
            "days_between(t, d1)",
            ["cannot compute days_between(t, d1): the first argument is str, not a datetime"],
        ),
        ("days_between(d1, f)", ["the second argument is float64, not a datetime"]),
    ],
)
def test_refusals_of_the_new_functions(expr: str, words: list[str]) -> None:
    refuse(TEXTS, "formula", ["formula: ", *words], column="r", expr=expr)


def test_hostile_text_in_the_new_functions_stays_a_literal() -> None:
    name = "t\n__import__('os')  #"
    df = pd.DataFrame({name: pd.array(["a'\n\"b", None, "\\x"], dtype="str")})
    expr = (
        "replace(`t\n__import__('os')  #`, '\\n', '\\'); import os #') + slice(`"
        + name.replace("`", "``")
        + "`, 0, 1)"
    )
    expected = df.assign(
        **{"r\u2028": pd.array(["a''); import os #\"ba", None, "\\x\\"], dtype="str")}
    )
    check(df, "formula", expected, column="r\u2028", expr=expr)
    flags = df.assign(q=[True, False, False])
    check(df, "formula", flags, column="q", expr=f"contains(`{name}`, '\\'\\n')")
