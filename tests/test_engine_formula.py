"""The formula parser's limits and the parts its errors name, against hand-written answers.

Added where mutation testing of engine/formula (scripts/mutation.sh) found faults no test
noticed: the nesting limit one level either side, and the sub-expression a failure names.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.formula import parse
from hydroml_jupyter.errors import OperationError

TOO_DEEP = "formula: the expression is nested too deeply (more than 100 levels) at position"


@pytest.mark.parametrize(
    ("deepest_ok", "too_deep", "position"),
    [
        ("-" * 99 + "a", "-" * 100 + "a", 100),
        ("(" * 99 + "a" + ")" * 99, "(" * 100 + "a" + ")" * 100, 100),
        ("abs(" * 49 + "a" + ")" * 49, "abs(" * 50 + "a" + ")" * 50, 200),
        (" + ".join(["a"] * 100), " + ".join(["a"] * 101), 0),
    ],
    ids=["signs", "parentheses", "calls", "sums"],
)
def test_the_nesting_limit_one_level_either_side(
    deepest_ok: str, too_deep: str, position: int
) -> None:
    parse(deepest_ok)
    with pytest.raises(OperationError) as info:
        parse(too_deep)
    assert str(info.value).startswith(f"{TOO_DEEP} {position} in ")


@pytest.mark.parametrize(
    ("expr", "part"),
    [
        ("a * 2 + (s + 1)", "(s + 1)"),
        ("-s", "-s"),
        ("lower(a)", "lower(a)"),
        ("a + abs(s)", "abs(s)"),
        ("(s) + 1", "(s) + 1"),
        ("1 / 0 + a", "1 / 0"),
        ("a +\n  (s\t+ 1)", "(s + 1)"),
    ],
)
def test_a_failure_names_the_part_that_failed(expr: str, part: str) -> None:
    session = hj.Session(pd.DataFrame({"a": [1, 2], "s": ["x", "y"]}))
    with pytest.raises(OperationError) as info:
        session.apply("formula", column="r", expr=expr)
    session.close()
    assert str(info.value).startswith(f"formula: cannot compute {part}: ")
    assert (info.value.op, info.value.value) == ("formula", part)


def test_a_column_named_twice_is_refused_naming_it() -> None:
    with pytest.raises(OperationError) as info:
        parse("a + 1").evaluate(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    assert str(info.value) == "formula: the frame has several columns named 'a'"
    assert (info.value.op, info.value.column) == ("formula", "a")
