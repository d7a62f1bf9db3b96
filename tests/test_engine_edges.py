"""Engine internals at their edges, against hand-written answers: the formula tokenizer and its
error messages, the checks on operation parameters, and a history restored from its steps.

Added where mutation testing (scripts/mutation.sh) found faults no test noticed.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.formula import parse
from hydroml_jupyter.engine.formula._tokens import tokenize
from hydroml_jupyter.engine.history import History
from hydroml_jupyter.engine.ops.base import make_operation, short_repr
from hydroml_jupyter.engine.ops.params import describe_type, digits, leading, unwritable
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.errors import OperationError

# -- the formula tokenizer ---------------------------------------------------------------------
TOKENS = [
    (".5", [("num", 0.5, 0, 2)]),
    ("1e3", [("num", 1000.0, 0, 3)]),
    ("1e", [("num", 1, 0, 1), ("name", "e", 1, 2)]),
    ("2E-3", [("num", 0.002, 0, 4)]),
    ("1.e2", [("num", 100.0, 0, 4)]),
    ("7", [("num", 7, 0, 1)]),
    ("'a\\'b'", [("str", "a'b", 0, 6)]),
    ('"x\\ty\\n\\\\"', [("str", "x\ty\n\\", 0, 10)]),
    ("`a``b`", [("col", "a`b", 0, 6)]),
    ("` x `", [("col", " x ", 0, 5)]),
    ("True", [("num", True, 0, 4)]),
    ("False", [("num", False, 0, 5)]),
    ("x_1", [("name", "x_1", 0, 3)]),
    ("a<=b", [("name", "a", 0, 1), ("op", "<=", 1, 3), ("name", "b", 3, 4)]),
    ("a**-b", [("name", "a", 0, 1), ("op", "**", 1, 3), ("op", "-", 3, 4), ("name", "b", 4, 5)]),
    ("a//b", [("name", "a", 0, 1), ("op", "//", 1, 3), ("name", "b", 3, 4)]),
    (
        "f(a, 1)",
        [
            ("name", "f", 0, 1),
            ("(", "(", 1, 2),
            ("name", "a", 2, 3),
            (",", ",", 3, 4),
            ("num", 1, 5, 6),
            (")", ")", 6, 7),
        ],
    ),
    ("1.5.2", [("num", 1.5, 0, 3), ("num", 0.2, 3, 5)]),
]


@pytest.mark.parametrize(("expr", "tokens"), TOKENS, ids=[t[0] for t in TOKENS])
def test_tokens(expr: str, tokens: list[tuple[str, Any, int, int]]) -> None:
    got = [(t.kind, t.value, t.pos, t.end) for t in tokenize(expr)]
    assert got == [*tokens, ("end", "", len(expr), len(expr))]
    assert [type(t[1]) for t in got[:-1]] == [type(t[1]) for t in tokens]


# The whole message: what is wrong, where, and in which expression.
FORMULA_ERRORS = [
    ("a = 1", "unexpected '=' (use '==' to compare) at position 2 in 'a = 1'"),
    ("!a", "unexpected '!' (use '~' for not, '!=' for not equal) at position 0 in '!a'"),
    (
        "größe",
        "unexpected 'ö' (write column names with such characters in backticks, e.g. `größe`) "
        "at position 2 in 'größe'",
    ),
    ("a $ b", "unexpected '$' at position 2 in 'a $ b'"),
    ("'abc", 'unterminated string starting at position 0 in "\'abc"'),
    ("'ab\nc'", "unterminated string starting at position 0 in \"'ab\\nc'\""),
    ("`abc", "unterminated backtick column name starting at position 0 in '`abc'"),
    ("``", "empty column name `` at position 0 in '``'"),
    (
        "'a\\qb'",
        "unsupported escape '\\\\q' in string (allowed: \\\\ \\' \\\" \\n \\t) at position 2 "
        "in \"'a\\\\qb'\"",
    ),
    ("1e999", "number '1e999' is too large at position 0 in '1e999'"),
    ("a__b", "names containing '__' are not allowed: 'a__b' at position 0 in 'a__b'"),
    ("not a", "'not' is not supported (use '~' for not) at position 0 in 'not a'"),
    ("a and b", "'and' is not supported (use '&' for and) at position 2 in 'a and b'"),
    ("a or b", "'or' is not supported (use '|' for or) at position 2 in 'a or b'"),
    (
        "None",
        "'None' is not supported (None is not supported; use isnull(x) or fillna(x, v)) "
        "at position 0 in 'None'",
    ),
    (
        "x if y",
        "'if' is a Python keyword, not a column (write `if` in backticks for a column of that "
        "name) at position 2 in 'x if y'",
    ),
    ("", "empty expression in ''"),
    ("a +", "unexpected end of expression at position 3 in 'a +'"),
    ("(a", "unmatched '(' at position 0 in '(a'"),
    ("abs(a", "unmatched '(' of abs() at position 3 in 'abs(a'"),
]


@pytest.mark.parametrize(("expr", "message"), FORMULA_ERRORS, ids=[e[0] for e in FORMULA_ERRORS])
def test_formula_error_messages(expr: str, message: str) -> None:
    with pytest.raises(OperationError) as info:
        parse(expr)
    assert str(info.value) == f"formula: {message}"
    assert info.value.op == "formula"


def test_integer_literals_are_bounded_in_digits() -> None:
    parse("9" * 300)
    with pytest.raises(OperationError) as info:
        parse("9" * 301)
    assert "integer literal of 301 digits is too long (at most 300) at position 0" in str(
        info.value
    )
    # a long expression is shown cut to 60 characters in the message
    assert f"in '{'9' * 57}...'" in str(info.value)


# -- operation parameters ----------------------------------------------------------------------
def test_digits_and_leading() -> None:
    assert [digits(v) for v in (0, 9, 10, -999, 10**4300 - 1, 10**4300)] == [1, 1, 2, 3, 4300, 4301]
    assert leading(10**20) == "100000000000…"
    assert leading(-123) == "-123…"
    assert leading(123456789012345, 3) == "123…"


def test_describe_type() -> None:
    assert describe_type(list[str] | str | None) == "a list of a string or a string or None"
    assert describe_type(Literal["a", 1]) == "one of 'a', 1"
    assert describe_type(dict[str, int]) == "a dict"
    assert describe_type(Any) == "a plain value"
    assert [describe_type(t) for t in (float, bool, int)] == [
        "a number",
        "True or False",
        "an integer",
    ]


def test_unwritable_values() -> None:
    assert unwritable(10**4300 - 1) is None
    assert unwritable({"a": [1, {"b": -(10**4300)}]}) == (
        "an integer of 4,301 digits (-100000000000…); at most 4,300 digits fit in a recipe"
    )
    nested: Any = 1
    for _ in range(33):
        nested = [nested]
    assert unwritable(nested) == "nested more than 32 levels deep"
    assert unwritable(nested[0]) is None


def test_short_repr() -> None:
    assert short_repr("x" * 50) == "'" + "x" * 38 + "…"
    assert short_repr("x" * 38) == "'" + "x" * 38 + "'"
    assert short_repr(10**5000) == "100000000000… (5,001 digits)"
    assert short_repr(1.5) == "1.5"


@pytest.mark.parametrize(
    ("params", "message", "column"),
    [
        (
            {"column": "a" * 50, "mapping": {1: 10**5000}},
            "replace: mapping for column '" + "a" * 38 + "… is an integer of 5,001 digits "
            "(100000000000…); at most 4,300 digits fit in a recipe",
            "a" * 50,
        ),
        (
            {"column": 7, "mapping": {1: -(10**4300)}},
            "replace: mapping for column 7 is an integer of 4,301 digits (-100000000000…); "
            "at most 4,300 digits fit in a recipe",
            7,
        ),
        (
            {"column": "x", "mapping": {(1, 2): 3}},
            "replace: mapping for column 'x' is a dict with the key (1, 2); a key is one value "
            "(a string, number, True/False, None or timestamp)",
            "x",
        ),
    ],
)
def test_unwritable_parameters_are_refused_naming_them(
    params: dict, message: str, column: object
) -> None:
    with pytest.raises(OperationError) as info:
        make_operation("replace", params)
    assert str(info.value) == message
    assert info.value.column == column


def test_a_parameter_of_no_column_is_named_alone() -> None:
    with pytest.raises(OperationError) as info:
        make_operation("sort_rows", {"by": ["a"], "ascending": [True] * 2 + [10**5000]})
    assert str(info.value).startswith("sort_rows: ascending is an integer of 5,001 digits")


# -- a history restored from its steps ---------------------------------------------------------
def steps() -> list[tuple[Any, tuple[int, int], float]]:
    return [
        (make_operation("formula", {"column": "b", "expr": "a * 2"}), (3, 2), 0.5),
        (make_operation("filter_rows", {"column": "a", "op": ">", "value": 1}), (2, 2), 0.25),
    ]


ORIGINAL = pd.DataFrame({"a": [1, 2, 3]})
AFTER_ONE = pd.DataFrame({"a": [1, 2, 3], "b": [2, 4, 6]})
AFTER_TWO = pd.DataFrame({"a": [2, 3], "b": [4, 6]}, index=[1, 2])


def test_a_restored_history_replays_its_frames() -> None:
    history = History.restore(ORIGINAL, steps(), 2, None)
    assert len(history) == 3 and history.cursor == 2
    assert [e.label for e in history] == ["", "b = a * 2", "Keep rows where a > 1"]
    assert [e.code for e in history][1:] == ["df['b'] = (df['a'] * 2)", "df = df[df['a'] > 1]"]
    assert [e.params for e in history][1] == {"column": "b", "expr": "a * 2"}
    assert [e.shape for e in history] == [(3, 1), (3, 2), (2, 2)]
    assert [e.duration for e in history] == [0.0, 0.5, 0.25]
    pd.testing.assert_frame_equal(history.frame(), AFTER_TWO, check_exact=True)
    pd.testing.assert_frame_equal(history.frame(1), AFTER_ONE, check_exact=True)
    pd.testing.assert_frame_equal(history.frame(0), ORIGINAL, check_exact=True)


def test_a_restored_history_takes_the_current_frame_as_given() -> None:
    given = pd.DataFrame({"a": [9], "b": [9]})
    history = History.restore(ORIGINAL, steps(), 2, given)
    assert history.frame() is given
    assert history.rebuilds == 0
    assert history.kept == [0, 2]
    # the first step is rebuilt when asked for, from the original
    pd.testing.assert_frame_equal(history.frame(1), AFTER_ONE, check_exact=True)
    assert history.rebuilds == 1


def test_a_restored_history_at_the_original_ignores_a_current_frame() -> None:
    history = History.restore(ORIGINAL, steps(), 0, pd.DataFrame({"a": [9]}))
    assert history.frame() is ORIGINAL
    assert history.kept == [0]


@pytest.mark.parametrize("cursor", [-1, 3])
def test_a_cursor_outside_the_restored_history_is_refused(cursor: int) -> None:
    with pytest.raises(ValueError, match=rf"^cursor {cursor} is outside the history \(0 to 2\)$"):
        History.restore(ORIGINAL, steps(), cursor, None)


def test_the_columns_an_operation_reads() -> None:
    formula = make_operation("formula", {"column": "r", "expr": "a + `b c` * a"})
    assert formula.columns_used() == ["a", "b c"]
    aggregate = make_operation("group_aggregate", {"by": "g", "aggs": {"x": "sum", 3: "max"}})
    assert aggregate.columns_used() == ["g", "x", 3]
    assert make_operation("dedupe", {}).columns_used() == []
    assert make_operation("drop_missing", {"columns": "a"}).columns_used() == ["a"]


# -- from a mutation sample of the operations ----------------------------------------------------
def refusal(df: pd.DataFrame, op: str, /, **params: Any) -> OperationError:
    session = hj.Session(df)
    with pytest.raises(OperationError) as info:
        session.apply(op, **params)
    session.close()
    return info.value


@pytest.mark.parametrize(
    ("df", "op", "params", "message", "column", "value"),
    [
        (
            pd.DataFrame({"x": pd.to_timedelta([1, 2], unit="s")}),
            "cast",
            {"column": "x", "dtype": "Int64"},
            "cast: column 'x' is timedelta64[us]; it cannot become Int64",
            "x",
            None,
        ),
        (
            pd.DataFrame({"x": pd.array([1, None, 2], dtype="Int64")}),
            "fill_missing",
            {"column": "x", "strategy": "mean"},
            "fill_missing: the mean of 'x' is 1.5, not a whole number, and the column is Int64; "
            "cast it to float64 first",
            "x",
            1.5,
        ),
        (
            pd.DataFrame({"x": [1.0]}),
            "filter_rows",
            {"column": "x", "op": "between", "value": 3},
            "filter_rows: column 'x': between needs value=[low, high], not 3",
            "x",
            3,
        ),
        (
            pd.DataFrame({"x": [1.0]}),
            "sort_rows",
            {"by": ["x"], "ascending": [True, False]},
            "sort_rows: ascending has 2 values for 1 columns",
            None,
            [True, False],
        ),
        (
            pd.DataFrame({"x": [1.0]}),
            "filter_rows",
            {"column": "x", "op": ">", "value": "big"},
            "filter_rows: 'big' is not a number, and 'x' is float64",
            "x",
            "big",
        ),
        (
            pd.DataFrame({"x": ["a"]}),
            "filter_rows",
            {"column": "x", "op": ">", "value": 2},
            "filter_rows: cannot compare text column 'x' with the number 2",
            "x",
            2,
        ),
        (
            pd.DataFrame({"k": [1, 2]}),
            "scale",
            {"columns": ["k", "k"]},
            "scale: a column is listed twice",
            None,
            ["k", "k"],
        ),
        (
            pd.DataFrame({"k": [1, 2]}),
            "scale",
            {"columns": []},
            "scale: no columns to scale",
            None,
            None,
        ),
        (
            pd.DataFrame({"k": [5, 5]}),
            "scale",
            {"columns": ["k"]},
            "scale: column 'k' has no spread (standard divisor is 0.0); nothing to scale",
            "k",
            None,
        ),
    ],
)
def test_refusals_in_full_with_what_they_name(
    df: pd.DataFrame, op: str, params: dict, message: str, column: object, value: object
) -> None:
    error = refusal(df, op, **params)
    assert (str(error), error.column, error.value) == (message, column, value)


def test_text_tests_on_an_object_column_with_missing_values() -> None:
    df = pd.DataFrame({"x": pd.Series(["zab", "b", "ab", None, "a.b"], dtype=object)})
    for op, value, kept in [
        ("endswith", "ab", ["zab", "ab"]),
        ("contains", ".", ["a.b"]),
        ("startswith", "z", ["zab"]),
    ]:
        session = hj.Session(df)
        session.apply("filter_rows", column="x", op=op, value=value)
        assert session.df["x"].tolist() == kept
        session.close()


def test_infinite_parameters_survive_a_recipe_in_json() -> None:
    recipe = Recipe(
        steps=(
            make_operation("filter_rows", {"column": "x", "op": "<", "value": float("inf")}),
            make_operation("fill_missing", {"column": "x", "value": float("-inf")}),
        )
    )
    text = recipe.to_json()
    assert '"value": {\n          "$float": "inf"\n        }' in text
    back = Recipe.from_json(text)
    assert [op.params["value"] for op in back.steps] == [float("inf"), float("-inf")]


def test_a_restored_history_keeps_its_memory_budget() -> None:
    assert History.restore(ORIGINAL, steps(), 1, None, memory_budget=123).memory_budget == 123


def test_a_label_names_every_group_key() -> None:
    operation = make_operation("group_aggregate", {"by": ["g", "h"], "aggs": {"x": "sum"}})
    assert operation.label() == "Group by g, h: sum(x)"
