"""Tests of the formula language: parsing, evaluation, exported code and safety."""

from __future__ import annotations

import builtins
import contextlib
import doctest
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hydroml_jupyter.engine import formula as formula_module
from hydroml_jupyter.engine.formula import FUNCTIONS, Formula, parse
from hydroml_jupyter.errors import OperationError


def make_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.5, np.nan, -2.0, 0.0, 4.25],
            "n": pd.array([1, None, 3, -4, 0], dtype="Int64"),
            "i": [3, 1, 0, -2, 7],
            "s": ["Ab", None, "cD", "", "e f"],
            "d": pd.to_datetime(["2024-01-31", "2023-12-01", None, "2020-02-29", "1999-07-04"]),
            "b": [True, False, True, False, True],
            "unit price": [10.0, 2.5, 0.0, 7.0, 1.0],
            "größe": [180, 165, 172, 190, 158],
        },
        index=[10, 11, 12, 13, 14],
    )


@pytest.fixture
def df() -> pd.DataFrame:
    return make_frame()


def run_code(f: Formula, df: pd.DataFrame) -> Any:
    """Evaluate the generated code (tests only: the code is ours, not the user's)."""
    return eval(f.code("df"), {"df": df, "pd": pd, "np": np})


def quietly(func: Any, *args: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def assert_identical(got: Any, want: Any) -> None:
    if isinstance(got, pd.Series):
        assert isinstance(want, pd.Series)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        if isinstance(got.dtype, np.dtype) and got.dtype.kind == "f":
            assert got.to_numpy().tobytes() == want.to_numpy().tobytes()
    else:
        assert not isinstance(want, pd.Series | pd.DataFrame)
        assert type(got) is type(want)
        if isinstance(got, float | np.floating):
            assert np.asarray(got).tobytes() == np.asarray(want).tobytes()  # NaN and -0.0 too
        else:
            assert got is want or got == want


def assert_mirrored(expr: str, df: pd.DataFrame) -> None:
    f = parse(expr)
    try:
        got = quietly(f.evaluate, df)
    except OperationError:
        with pytest.raises(Exception):  # noqa: B017 - any error will do
            quietly(run_code, f, df)
        return
    assert_identical(got, quietly(run_code, f, df))


# --- parsing and precedence ------------------------------------------------

PRECEDENCE = [
    ("a", "df['a']"),
    ("`unit price`", "df['unit price']"),
    ("`größe`", "df['größe']"),
    ("`it``s`", "df['it`s']"),
    ("a + b * c", "(df['a'] + (df['b'] * df['c']))"),
    ("(a + b) * c", "((df['a'] + df['b']) * df['c'])"),
    ("a - b - c", "((df['a'] - df['b']) - df['c'])"),
    ("a / b // c % d", "(((df['a'] / df['b']) // df['c']) % df['d'])"),
    ("a ** b ** c", "(df['a'] ** (df['b'] ** df['c']))"),
    ("-a ** 2", "-(df['a'] ** 2)"),
    ("(-a) ** 2", "((-df['a']) ** 2)"),
    ("2 ** -a", "(2 ** -df['a'])"),
    ("-a * b", "(-df['a'] * df['b'])"),
    ("--a", "--df['a']"),
    ("+a", "+df['a']"),
    ("a > 1 & b < 2", "((df['a'] > 1) & (df['b'] < 2))"),
    ("a | b & c", "(df['a'] | (df['b'] & df['c']))"),
    ("a & b | c & d", "((df['a'] & df['b']) | (df['c'] & df['d']))"),
    ("~a == b", "~(df['a'] == df['b'])"),
    ("~a & b", "(~df['a'] & df['b'])"),
    ("a & ~b", "(df['a'] & ~df['b'])"),
    ("~~a", "~~df['a']"),
    ("a + 1 >= b * 2", "((df['a'] + 1) >= (df['b'] * 2))"),
    ("a != 'x'", "(df['a'] != 'x')"),
    ('"it\'s" == a', "(\"it's\" == df['a'])"),
    ("'a\\nb\\t\\\\\\'\\\"'", "'a\\nb\\t\\\\\\'\"'"),
    ("1.5 + .5 + 1e-3 + 12", "(((1.5 + 0.5) + 0.001) + 12)"),
    ("True & False", "(True & False)"),
    ("abs(a)", "abs(df['a'])"),
    ("abs(a - b)", "abs(df['a'] - df['b'])"),
    ("round(a)", "np.round(df['a'])"),
    ("round(a / 3, -1)", "np.round(df['a'] / 3, -1)"),
    ("log(a) + exp(b) + sqrt(c)", "((np.log(df['a']) + np.exp(df['b'])) + np.sqrt(df['c']))"),
    ("clip(a, -1, 2.5)", "df['a'].clip(-1, 2.5)"),
    ("clip(-a, 0, 1)", "(-df['a']).clip(0, 1)"),
    ("clip(a * 2, 0, 1)", "(df['a'] * 2).clip(0, 1)"),
    ("clip(5, 0, 1)", "np.clip(5, 0, 1)"),
    ("where(a > 0, a, 0)", "df['a'].where(df['a'] > 0, 0)"),
    ("where(a > 0, 'pos', b)", "pd.Series('pos', index=df.index).where(df['a'] > 0, df['b'])"),
    ("isnull(a) | isnull(b)", "(pd.isna(df['a']) | pd.isna(df['b']))"),
    ("fillna(a, b + 1)", "df['a'].fillna(df['b'] + 1)"),
    ("lower(s) + upper(s)", "(df['s'].str.lower() + df['s'].str.upper())"),
    ("len(s)", "df['s'].str.len()"),
    ("year(d) * 100 + month(d)", "((df['d'].dt.year * 100) + df['d'].dt.month)"),
    ("day(`due date`)", "df['due date'].dt.day"),
    ("abs", "df['abs']"),
    ("log + 1", "(df['log'] + 1)"),
    ("  a\n+\tb  ", "(df['a'] + df['b'])"),
    ("((((a))))", "df['a']"),
]


@pytest.mark.parametrize(("expr", "code"), PRECEDENCE)
def test_code(expr: str, code: str) -> None:
    assert parse(expr).code() == code


def test_code_var_and_bad_var() -> None:
    assert parse("a + 1").code("sales") == "(sales['a'] + 1)"
    for bad in ("1df", "df.x", "import", ""):
        with pytest.raises(OperationError, match=r"^formula: "):
            parse("a").code(bad)


def test_columns_and_is_column() -> None:
    f = parse("b + `a` * where(b > 0, c, a) + 1")
    assert f.columns == ["b", "a", "c"]
    assert f.is_column
    g = parse("1 + 2 * abs(-3)")
    assert g.columns == []
    assert not g.is_column
    assert f.expr == "b + `a` * where(b > 0, c, a) + 1"
    assert repr(g) == "Formula('1 + 2 * abs(-3)')"


def test_literals() -> None:
    assert parse("12").evaluate(make_frame()) == 12
    assert type(parse("12").evaluate(make_frame())) is int
    assert type(parse("1e3").evaluate(make_frame())) is float
    assert parse("'a\\'b'").evaluate(make_frame()) == "a'b"
    assert parse('"tab\\there"').evaluate(make_frame()) == "tab\there"
    assert parse("True").evaluate(make_frame()) is True


def test_functions_listed() -> None:
    assert list(FUNCTIONS) == sorted(
        [
            "abs",
            "round",
            "log",
            "exp",
            "sqrt",
            "clip",
            "where",
            "isnull",
            "fillna",
            "lower",
            "upper",
            "len",
            "year",
            "month",
            "day",
            "strip",
            "replace",
            "contains",
            "startswith",
            "endswith",
            "slice",
            "coalesce",
            "days_between",
            "if_else",
        ]
    )


def test_docstrings() -> None:
    result = doctest.testmod(formula_module)
    assert result.attempted > 0
    assert result.failed == 0


# --- evaluation --------------------------------------------------------------


def test_evaluate_matches_pandas(df: pd.DataFrame) -> None:
    x, n, i, s, d, b = df["x"], df["n"], df["i"], df["s"], df["d"], df["b"]
    price, size = df["unit price"], df["größe"]
    cases: list[tuple[str, Any]] = [
        ("x + n * 2", x + n * 2),
        ("`unit price` * `größe` / 100", price * size / 100),
        ("-i ** 2", -(i**2)),
        ("i // 2 + i % 3", i // 2 + i % 3),
        ("x > 0 & b | isnull(x)", ((x > 0) & b) | pd.isna(x)),
        ("~b", ~b),
        ("abs(n)", abs(n)),
        ("round(x * 1.234, 1)", np.round(x * 1.234, 1)),
        ("sqrt(`größe`)", np.sqrt(size)),
        ("clip(x, -1, 1)", x.clip(-1, 1)),
        ("where(x > 0, x, 0)", x.where(x > 0, 0)),
        ("where(n > 0, 'pos', 'other')", pd.Series("pos", index=df.index).where(n > 0, "other")),
        ("fillna(n, 0)", n.fillna(0)),
        ("fillna(s, 'missing')", s.fillna("missing")),
        ("upper(s) + '!'", s.str.upper() + "!"),
        ("len(s)", s.str.len()),
        ("year(d)", d.dt.year),
        ("month(d) + day(d)", d.dt.month + d.dt.day),
        ("s == 'cD'", s == "cD"),
        ("i / 0", i / 0),
    ]
    for expr, want in cases:
        with np.errstate(all="ignore"):
            pd.testing.assert_series_equal(parse(expr).evaluate(df), want, check_exact=True)


def test_where_with_missing_condition_takes_the_else_value(df: pd.DataFrame) -> None:
    result = parse("where(n > 0, 1, 0)").evaluate(df)
    assert result.tolist() == [1, 0, 1, 0, 0]  # n is NA in row 11: the condition is NA
    assert result.index.equals(df.index)


def test_constant_results(df: pd.DataFrame) -> None:
    assert parse("1 + 2 * 3").evaluate(df) == 7
    assert parse("2 ** -1").evaluate(df) == 0.5
    assert parse("'a' + 'b'").evaluate(df) == "ab"
    assert parse("1 < 2").evaluate(df) is True
    assert parse("log(1)").evaluate(df) == 0.0


def test_compute_error_names_the_subexpression(df: pd.DataFrame) -> None:
    with pytest.raises(OperationError) as info:
        parse("x * 2 + (s + 1)").evaluate(df)
    message = str(info.value)
    assert message.startswith("formula: cannot compute (s + 1): operation 'add' not supported")
    assert "\n" not in message
    assert info.value.op == "formula"
    for expr in ("lower(x)", "year(s)", "where(x, 1, 0)", "1 // 0", "~1.5", "x & 'a'"):
        with pytest.raises(OperationError, match=r"^formula: cannot compute "):
            parse(expr).evaluate(df)


def test_unknown_column(df: pd.DataFrame) -> None:
    with pytest.raises(OperationError) as info:
        parse("`unit prce` + 1").evaluate(df)
    assert str(info.value) == "formula: no column named 'unit prce' (did you mean 'unit price'?)"
    assert info.value.column == "unit prce"
    with pytest.raises(OperationError, match=r"^formula: no column named 'zzz'$"):
        parse("zzz").check(df.columns)
    parse("x + `größe`").check(list(df.columns))


def test_duplicate_column_names() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(OperationError, match="several columns named 'a'"):
        parse("a + 1").evaluate(frame)


def test_size_guards(df: pd.DataFrame) -> None:
    for expr in ("9 ** 9 ** 9", "'x' * 10 ** 9", "s * 100000000", "10 ** 9 * 'ab'"):
        with pytest.raises(OperationError, match="too large"):
            parse(expr).evaluate(df)
    assert parse("2 ** 100").evaluate(df) == 2**100
    assert parse("s * 2").evaluate(df).tolist()[0] == "AbAb"


def test_evaluate_does_not_mutate(df: pd.DataFrame) -> None:
    before = df.copy(deep=True)
    for expr in [e for e, _ in PRECEDENCE[:3]] + MIRRORED:
        with contextlib.suppress(OperationError):
            quietly(parse(expr).evaluate, df)
    pd.testing.assert_frame_equal(df, before, check_exact=True)


# --- exactness contract: evaluate() == eval(code()) --------------------------

MIRRORED = [
    "x + 1",
    "x + n",
    "n * i - 3",
    "i / 2",
    "i // 3",
    "i % 3",
    "x ** 2",
    "i ** 2",
    "-x ** 2",
    "(-x) ** 2",
    "2 ** x",
    "n ** 2",
    "x / i",
    "i / 0",
    "x // 0",
    "x > 1 & n < 2",
    "x > 1 | b",
    "~b",
    "~(n > 0)",
    "b & n > 0",
    "abs(x - 3)",
    "abs(n)",
    "round(x)",
    "round(x * 1.2345, 2)",
    "round(n, -1)",
    "round(2.5)",
    "log(x)",
    "exp(n)",
    "sqrt(i)",
    "clip(x, 0, 1)",
    "clip(n, -1, 1.5)",
    "clip(-x, 0, 1)",
    "clip(7, 0, 5)",
    "where(x > 0, x, -x)",
    "where(n > 0, 1, 0)",
    "where(b, 'yes', 'no')",
    "where(x > 0, 1.5, n)",
    "isnull(x) | isnull(n)",
    "isnull(3)",
    "fillna(x, 0)",
    "fillna(n, i)",
    "fillna(s, 'none')",
    "lower(s)",
    "upper(s) + s",
    "len(s) * 2",
    "year(d) - 2000",
    "month(d) + day(d)",
    "`unit price` * `größe`",
    "s == 'Ab'",
    "s + 1",
    "s * i",
    "1 + 2 * 3 ** 2",
    "1 / 3",
    "7 // 2 - 7 % 2",
    "1 // 0",
    "log(0)",
    "sqrt(-1.0)",
    "True + True",
    "~True",
    "'ab' * 3",
    "abs(-2.5)",
]


@pytest.mark.parametrize("expr", MIRRORED)
def test_code_gives_the_same_value(expr: str, df: pd.DataFrame) -> None:
    assert_mirrored(expr, df)


NUMERIC = ["x", "n", "i", "b", "`unit price`", "`größe`"]
LITERALS = ["0", "1", "2", "3", "10", "0.5", "1.5", ".25", "1e-3", "2.0", "True", "False"]


def _wrap(draw: st.DrawFn, text: str) -> str:
    return f"({text})" if draw(st.integers(0, 9)) < 8 else text


@st.composite
def expressions(draw: st.DrawFn, depth: int = 4, need_column: bool = False) -> str:
    if depth == 0 or draw(st.integers(0, 9)) < 2:
        if need_column or draw(st.booleans()):
            return draw(st.sampled_from(NUMERIC))
        return draw(st.sampled_from(LITERALS))
    sub = expressions(depth=depth - 1)
    kind = draw(st.sampled_from(["binary", "binary", "compare", "unary", "call"]))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "&", "|"]))
        left = draw(expressions(depth=depth - 1, need_column=need_column))
        # Exponents stay leaves, so that 9 ** 9 ** 9 cannot hang eval().
        right = draw(expressions(depth=0) if op == "**" else sub)
        return f"{_wrap(draw, left)} {op} {_wrap(draw, right)}"
    if kind == "compare":
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        left = draw(expressions(depth=depth - 1, need_column=need_column))
        return f"{_wrap(draw, left)} {op} {_wrap(draw, draw(sub))}"
    if kind == "unary":
        op = draw(st.sampled_from(["-", "+", "~"]))
        return f"{op}({draw(expressions(depth=depth - 1, need_column=need_column))})"
    func = draw(
        st.sampled_from(["abs", "round", "log", "exp", "sqrt", "clip", "where", "isnull", "fillna"])
    )
    first = draw(expressions(depth=depth - 1, need_column=need_column or func == "fillna"))
    if func == "round":
        digits = draw(st.sampled_from(["", ", 0", ", 1", ", 2", ", -1"]))
        return f"round({first}{digits})"
    if func == "clip":
        lo, hi = draw(st.sampled_from([("0", "1"), ("-1", "2.5"), ("-0.5", "10")]))
        return f"clip({first}, {lo}, {hi})"
    if func == "where":
        cond = draw(expressions(depth=depth - 1, need_column=True))
        op = draw(st.sampled_from(["<", ">=", "!="]))
        return f"where({cond} {op} {draw(sub)}, {first}, {draw(sub)})"
    if func == "fillna":
        return f"fillna({first}, {draw(sub)})"
    return f"{func}({first})"


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(0, 6))
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    small = st.integers(-5, 5)
    x = draw(st.lists(floats, min_size=size, max_size=size))
    n = draw(st.lists(st.none() | small, min_size=size, max_size=size))
    i = draw(st.lists(small, min_size=size, max_size=size))
    b = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    price = draw(st.lists(floats, min_size=size, max_size=size))
    big = draw(st.lists(st.integers(-1000, 1000), min_size=size, max_size=size))
    start = draw(st.integers(-3, 3))
    return pd.DataFrame(
        {
            "x": pd.Series(x, dtype="float64"),
            "n": pd.array(n, dtype="Int64"),
            "i": pd.Series(i, dtype="int64"),
            "b": pd.Series(b, dtype="bool"),
            "unit price": pd.Series(price, dtype="float64"),
            "größe": pd.Series(big, dtype="int64"),
        }
    ).set_axis(pd.RangeIndex(start, start + size))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions(), frame=frames())
def test_random_formulas_are_mirrored(expr: str, frame: pd.DataFrame) -> None:
    try:
        parse(expr)
    except OperationError as exc:
        assert str(exc).startswith("formula: ")
        return
    before = frame.copy(deep=True)
    assert_mirrored(expr, frame)
    pd.testing.assert_frame_equal(frame, before, check_exact=True)


# --- malformed and malicious input -------------------------------------------

BAD = [
    ("__import__('os').system('x')", "'__'"),
    ("a.__class__", "unexpected '.' at position 1"),
    ("a.b", "unexpected '.'"),
    ("df['a']", "unexpected '\\['"),
    ("a[0]", "unexpected '\\['"),
    ("lambda: 1", "'lambda'"),
    ("open('f')", "unknown function 'open' at position 0.*; functions: abs, clip"),
    ("exec('1')", "unknown function 'exec'"),
    ("eval('1')", "unknown function 'eval'"),
    ("compile('1', 'f', 'eval')", "unknown function 'compile'"),
    ("getattr(a, 'b')", "unknown function 'getattr'"),
    ("a if b else c", "'if'"),
    ("[1,2]", "unexpected '\\['"),
    ("{1:2}", "unexpected '\\{'"),
    ("a; b", "unexpected ';'"),
    ("a = 1", "'='"),
    ("@", "unexpected '@'"),
    ("a @ b", "unexpected '@'"),
    ("a..b", "unexpected '.'"),
    ("'abc", "unterminated string"),
    ("'ab\nc'", "unterminated string"),
    ("`abc", "unterminated backtick"),
    ("``", "empty column name"),
    ("'\\x41'", "unsupported escape"),
    ("(a + 1", "unmatched '\\('"),
    ("a + 1)", "unmatched '\\)'"),
    ("abs(a", "unmatched '\\('"),
    ("a < b < c", "cannot be chained"),
    ("a == b != c", "cannot be chained"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("a +", "unexpected end of expression"),
    ("a b", "unexpected 'b'"),
    ("1a", "unexpected 'a'"),
    ("a + ~b", "unexpected '~'"),
    ("(" * 10_000 + "a" + ")" * 10_000, "longer than 10000"),
    ("(" * 200 + "a" + ")" * 200, "nested too deeply"),
    ("-" * 300 + "a", "nested too deeply"),
    ("+".join(["a"] * 150), "nested too deeply"),
    ("a__b", "'__'"),
    ("__class__", "'__'"),
    ("_a__", "'__'"),
    ("not a", "use '~'"),
    ("a and b", "use '&'"),
    ("a or b", "use '\\|'"),
    ("None", "isnull"),
    ("größe + 1", "backticks"),
    ("1e999", "too large"),
    ("abs(a, b)", "abs\\(\\) takes 1 argument \\(x\\), got 2"),
    ("round()", "round\\(\\) takes 1 or 2 arguments \\(x, n\\), got 0"),
    ("round(a, b)", "whole number literal for n"),
    ("round(a, 1.5)", "whole number literal for n"),
    ("clip(a, b, 1)", "number literal for lo"),
    ("clip(a, 0)", "clip\\(\\) takes 3 arguments"),
    ("where(True, a, b)", "where\\(\\) needs a column for cond, not a constant"),
    ("lower('A')", "lower\\(\\) needs a column, not a constant"),
    ("fillna(1, a)", "fillna\\(\\) needs a column"),
    ("year(2024)", "year\\(\\) needs a column"),
    ("abs(a,)", "unexpected '\\)'"),
    ("`a`(1)", "unexpected '\\('"),
    ("a `x\ny`", "unexpected column 'x\\\\ny' at position 2"),
    ("a(1)", "unknown function 'a'"),
    ("!a", "unexpected '!'"),
    ("a ! b", "unexpected '!'"),
]


@pytest.mark.parametrize(("expr", "pattern"), BAD)
def test_bad_input(expr: str, pattern: str) -> None:
    with pytest.raises(OperationError) as info:
        parse(expr)
    message = str(info.value)
    assert message.startswith("formula: ")
    assert "\n" not in message
    assert len(message) < 400
    assert info.value.op == "formula"
    assert re.search(pattern, message), message


def test_not_text() -> None:
    with pytest.raises(OperationError, match=r"^formula: the expression must be text"):
        parse(42)  # type: ignore[arg-type]


def test_depth_limit_boundary() -> None:
    parse("(" * 90 + "a" + ")" * 90)
    parse("+".join(["a"] * 90))


def test_nothing_reaches_eval(monkeypatch: pytest.MonkeyPatch, df: pd.DataFrame) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval, exec or compile was called")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(pd, "eval", forbidden)
    monkeypatch.setattr(pd.DataFrame, "eval", forbidden)
    monkeypatch.setattr(pd.DataFrame, "query", forbidden)
    formula_module._parse.cache_clear()
    for expr in MIRRORED + [e for e, _ in PRECEDENCE] + [e for e, _ in BAD]:
        try:
            f = parse(expr)
            f.code()
            f.columns  # noqa: B018
            quietly(f.evaluate, df)
        except OperationError:
            pass
