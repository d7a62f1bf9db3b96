"""Property tests of the formula functions strip, replace, contains, startswith, endswith,
slice, coalesce, if_else and days_between.

Random frames (text with quotes, backslashes and line breaks, nullable integers, floats,
datetimes, duplicate index labels) and random, nested calls of these functions: the
session's column, the exported script's column and the same pandas calls written
directly (or, for coalesce, if_else and days_between, row by row in Python) must agree.
The exported script is also checked as the code-safety test checks every script.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hostile import Guard, check_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj

EXAMPLES = int(os.environ.get("HYDROML_EXAMPLES", "300"))

Ref = Callable[[pd.DataFrame], pd.Series]
Call = tuple[str, Ref]

CHARS = st.sampled_from(list("ab -.'\"\\\n\té😀"))
WORDS = st.text(CHARS, max_size=6)
NON_EMPTY = st.text(CHARS, min_size=1, max_size=3)


def quoted(text: str) -> str:
    """``text`` as a formula string literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped.replace("\n", "\\n").replace("\t", "\\t") + "'"


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 8))

    def many(values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(values, min_size=rows, max_size=rows))

    def days() -> list[Any]:
        offsets = many(st.one_of(st.none(), st.integers(-(10**6), 10**6)))
        start = pd.Timestamp("2020-01-01")
        return [None if m is None else start + pd.Timedelta(minutes=m) for m in offsets]

    maybe_text = st.one_of(st.none(), WORDS)
    df = pd.DataFrame(
        {
            "t": pd.Series(many(maybe_text), dtype="str"),
            "o": pd.Series(many(maybe_text), dtype=object),
            "n": pd.Series(many(st.one_of(st.none(), st.integers(-3, 3))), dtype="Int64"),
            "f": pd.Series(many(st.one_of(st.none(), st.floats(-5, 5))), dtype="float64"),
            "i": pd.Series(many(st.integers(-3, 3)), dtype="int64"),
            "d1": pd.Series(days(), dtype="datetime64[ns]"),
            "d2": pd.Series(days(), dtype="datetime64[ns]"),
        }
    )
    if draw(st.booleans()):  # duplicate labels too
        df.index = pd.Index(many(st.integers(0, 3)))
    return df


def column(name: str) -> Call:
    return f"`{name}`", lambda df: df[name]


@st.composite
def texts(draw: st.DrawFn, depth: int = 2) -> Call:
    """A text expression: a text column, or a text function of one."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return column(draw(st.sampled_from(["t", "t", "o"])))
    expr, ref = draw(texts(depth - 1))
    kind = draw(st.sampled_from(["strip", "replace", "slice", "coalesce"]))
    if kind == "strip":
        return f"strip({expr})", lambda df: ref(df).str.strip()
    if kind == "replace":
        old, new = draw(NON_EMPTY), draw(WORDS)
        return (
            f"replace({expr}, {quoted(old)}, {quoted(new)})",
            lambda df: ref(df).str.replace(old, new, regex=False),
        )
    if kind == "slice":
        start = draw(st.integers(-4, 4))
        if draw(st.booleans()):
            return f"slice({expr}, {start})", lambda df: ref(df).str.slice(start)
        stop = draw(st.integers(-4, 4))
        return f"slice({expr}, {start}, {stop})", lambda df: ref(df).str.slice(start, stop)
    word = draw(WORDS)
    return f"coalesce({expr}, {quoted(word)})", lambda df: ref(df).where(ref(df).notna(), word)


@st.composite
def text_tests(draw: st.DrawFn) -> Call:
    expr, ref = draw(texts())
    method = draw(st.sampled_from(["contains", "startswith", "endswith"]))
    word = draw(WORDS)
    if method == "contains":
        return f"contains({expr}, {quoted(word)})", lambda df: ref(df).str.contains(
            word, regex=False
        )
    return f"{method}({expr}, {quoted(word)})", lambda df: getattr(ref(df).str, method)(word)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


Rows = Callable[[pd.DataFrame], list[Any]]


@st.composite
def row_wise(draw: st.DrawFn) -> tuple[str, Rows]:
    """coalesce, if_else and days_between, with the values each row must get."""
    kind = draw(st.sampled_from(["coalesce", "if_else", "days_between"]))
    if kind == "days_between":
        a, b = draw(st.permutations(["d1", "d2"]))

        def days(df: pd.DataFrame) -> list[Any]:
            return [
                None if pd.isna(x) or pd.isna(y) else (y - x).value / 86_400e9
                for x, y in zip(df[a], df[b], strict=True)
            ]

        return f"days_between({a}, {b})", days
    numeric = draw(st.booleans())
    pool = ["n", "f", "i", "2", "-1.5"] if numeric else ["t", "o", "'x'", "'\\n'"]
    if kind == "coalesce":
        first = draw(st.sampled_from(pool[:3] if numeric else pool[:2]))
        rest = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        parts = [first, *rest]

        def first_present(df: pd.DataFrame) -> list[Any]:
            rows = zip(*(_values(df, p) for p in parts), strict=True)
            return [next((v for v in row if not _missing(v)), None) for row in rows]

        return f"coalesce({', '.join(parts)})", first_present
    cond = draw(st.sampled_from(["n > 0", "f > 0", "isnull(t)", "contains(t, 'a')", "n == i"]))
    a, b = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))

    def chosen(df: pd.DataFrame) -> list[Any]:
        tests = hj.engine.formula.parse(cond).evaluate(df)
        rows = zip(tests, _values(df, a), _values(df, b), strict=True)
        return [None if _missing(c) else (x if c else y) for c, x, y in rows]

    return f"if_else({cond}, {a}, {b})", chosen


def _values(df: pd.DataFrame, part: str) -> list[Any]:
    if part in df.columns:
        return list(df[part])
    value = hj.engine.formula.parse(part).evaluate(df)
    return [value] * len(df)


def _session_and_script(df: pd.DataFrame, expr: str) -> pd.Series:
    """The column ``expr`` makes in a session; the script (checked, guarded) makes the same."""
    s = hj.Session(df, name="functions")
    try:
        s.apply("formula", column="r", expr=expr)
        script = s.code(source=False)
        check_script(script, list(s.recipe().steps))
        rebuilt = Guard().run(script, df=df)["df"]
        pd.testing.assert_frame_equal(rebuilt, s.df, check_exact=True)
        return s.df["r"]
    finally:
        s.close()


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(df=frames(), call=st.one_of(texts(), text_tests()))
def test_text_functions_equal_the_pandas_calls(df: pd.DataFrame, call: Call) -> None:
    expr, reference = call
    if expr.startswith("`"):  # a plain column: nothing to test
        return
    got = _session_and_script(df, expr)
    pd.testing.assert_series_equal(got, reference(df), check_exact=True, check_names=False)


@SETTINGS
@given(df=frames(), call=row_wise())
def test_coalesce_if_else_and_days_between_row_by_row(
    df: pd.DataFrame, call: tuple[str, Rows]
) -> None:
    expr, rows = call
    got = _session_and_script(df, expr)
    for value, want in zip(got, rows(df), strict=True):
        if _missing(want):
            assert _missing(value), (expr, list(got), rows(df))
        elif isinstance(want, float) and expr.startswith("days_between"):
            assert abs(value - want) <= 1e-12 * max(1.0, abs(want)), (value, want)
        else:
            assert value == want and not _missing(value), (expr, list(got), rows(df))
