"""Formulas cannot exhaust memory: sizes are estimated before anything is built."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.formula import (
    LIMIT_ENV,
    LIMIT_FLOOR,
    memory_limit,
    parse,
    set_memory_limit,
)
from hydroml_jupyter.errors import OperationError

MiB = 2**20
ROWS = 1000

# The formulas of the report (issue 11, item 4) and their relatives: each would build
# from 95 MiB to hundreds of GiB.
REPORTED = [
    pytest.param(" + ".join(["'x' * 99999999"] * 10), "'x' * 99999999", id="ten-terms"),
    pytest.param("'x' * 2000000", "'x' * 2000000 as a column of 1,000 rows", id="constant"),
    pytest.param("s + 'x' * 2000000", "s + 'x' * 2000000", id="column-plus-constant"),
    pytest.param("'x' * 99999999 + s", "'x' * 99999999", id="constant-plus-column"),
    pytest.param("s * 99999999", "s * 99999999", id="column-times-count"),
    pytest.param("s * (i * 100000)", "s * (i * 100000)", id="column-times-count-column"),
    pytest.param("where(i > 5, 'x' * 1000000, s)", "where(", id="where-constant"),
    pytest.param("fillna(gaps, 'x' * 1000000)", "fillna(", id="fillna-constant"),
    pytest.param("coalesce(gaps, 'x' * 1000000)", "coalesce(", id="coalesce-constant"),
    pytest.param("if_else(i > 5, 'x' * 1000000, s)", "if_else(", id="if-else-constant"),
    pytest.param("'%0999999999d' % 1", "'%0999999999d' % 1", id="format-width"),
    pytest.param("'%.999999999f' % 1.5", "'%.999999999f' % 1.5", id="format-precision"),
    pytest.param("o % 1", "o % 1", id="object-column-format"),
    pytest.param("o * 99999999", "o * 99999999", id="object-column-repeat"),
    pytest.param("'x' * round(99999999999)", "'x' * round(99999999999)", id="numpy-count"),
]


@pytest.fixture(autouse=True)
def _automatic_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(LIMIT_ENV, raising=False)
    set_memory_limit(None)
    yield
    set_memory_limit(None)


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "s": ["ab"] * ROWS,
            "i": range(ROWS),
            "gaps": pd.Series(["a", None] * (ROWS // 2)),
            "o": pd.Series(["%0999999999d", "b"] * (ROWS // 2), dtype=object),
        }
    )


def refusal(run: Callable[[], Any]) -> tuple[str, float, float]:
    """Run ``run``, which must raise OperationError: its message, seconds and peak MiB."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(OperationError) as info:
            run()
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()
    return str(info.value), seconds, peak


@pytest.mark.parametrize(("expr", "part"), REPORTED)
def test_growing_formulas_are_refused_before_they_build(
    df: pd.DataFrame, expr: str, part: str
) -> None:
    message, seconds, peak = refusal(lambda: parse(expr).evaluate(df))
    assert message.startswith(f"formula: cannot compute {part}")
    assert "\n" not in message
    assert "too large" in message
    assert re.search(r"too large \(about [\d.,]+ [MG]iB", message), message
    assert re.search(r"over the limit of 64\.\d MiB", message)  # automatic, a small frame
    # tracemalloc counts Python's and numpy's allocations: nothing big was built.
    assert peak < 8, f"{peak:.1f} MiB traced while refusing {expr!r}"
    assert seconds < 5


def test_a_refused_formula_leaves_the_session_unchanged(df: pd.DataFrame) -> None:
    session = hj.Session(df, name="limits")
    session.apply("formula", column="ok", expr="s + '!'")
    before = (session.version, session.position, len(session.history), session.code())
    frame = session.df
    for expr in ("'x' * 2000000", " + ".join(["'x' * 99999999"] * 10), "s * 99999999"):
        message, seconds, peak = refusal(
            lambda expr=expr: session.apply("formula", column="big", expr=expr)
        )
        assert "too large" in message and "\n" not in message
        assert peak < 8 and seconds < 5
    assert (session.version, session.position, len(session.history), session.code()) == before
    pd.testing.assert_frame_equal(session.df, frame)
    assert "big" not in session.df.columns


def test_parts_held_while_others_are_computed_count() -> None:
    # Each term alone fits 1 MiB; together, while the sum is built, they do not.
    set_memory_limit(MiB)
    frame = pd.DataFrame({"a": [1]})
    nested = "'x' * 300000 + ('x' * 300000 + ('x' * 300000 + ('x' * 300000 + 'y')))"
    message, _, peak = refusal(lambda: parse(nested).evaluate(frame))
    assert "other parts held" in message
    assert peak < 2
    assert parse("'x' * 300000 + 'y'").evaluate(frame) == "x" * 300000 + "y"


def test_a_formula_just_under_the_limit_works() -> None:
    set_memory_limit(4 * MiB)
    frame = pd.DataFrame({"s": ["ab"] * 100})
    # 100 rows of 36,000 characters (+ the constant itself): 3.5 MiB of 4.
    value = parse("s + 'x' * 36000").evaluate(frame)
    assert value.str.len().tolist() == [36002] * 100
    assert parse("'y' * 36000").evaluate(frame) == "y" * 36000
    with pytest.raises(OperationError, match=r"s \+ 'x' \* 44000: the result would be too large"):
        parse("s + 'x' * 44000").evaluate(frame)
    with pytest.raises(OperationError, match="'y' \\* 44000 as a column of 100 rows"):
        parse("'y' * 44000").evaluate(frame)


def test_the_limit_setting_and_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = pd.DataFrame({"s": ["ab"] * 10})
    big = "s * 1000000"  # about 19 MiB
    assert parse(big).evaluate(frame).str.len().max() == 2_000_000
    monkeypatch.setenv(LIMIT_ENV, "8MiB")
    assert memory_limit(frame) == 8 * MiB
    with pytest.raises(OperationError, match=r"over the limit of 8\.0 MiB; set \$HYDROML"):
        parse(big).evaluate(frame)
    # The process-wide setting wins over the environment, in bytes or in words.
    assert set_memory_limit(64 * MiB) == 64 * MiB
    assert parse(big).evaluate(frame).str.len().max() == 2_000_000
    assert set_memory_limit("1MiB") == MiB
    with pytest.raises(OperationError, match=r"over the limit of 1\.0 MiB"):
        parse(big).evaluate(frame)
    set_memory_limit("auto")
    monkeypatch.setenv(LIMIT_ENV, "a lot")
    with pytest.raises(OperationError, match=r"\$HYDROML_FORMULA_LIMIT must be a positive number"):
        parse(big).evaluate(frame)
    set_memory_limit(2 * MiB)
    for bad in (0, -5, "12 parsecs", True, 1.5):
        with pytest.raises(OperationError, match="must be a positive number of bytes"):
            set_memory_limit(bad)  # type: ignore[arg-type]
    assert memory_limit(frame) == 2 * MiB  # a refused value changes nothing


def test_the_automatic_limit_follows_the_frame_and_ordinary_formulas_fit(
    df: pd.DataFrame,
) -> None:
    small = pd.DataFrame({"a": [1.0]})
    wide = pd.DataFrame({f"c{i}": [0.0] * 100_000 for i in range(20)})  # 16 MB
    assert memory_limit(small) == 4 * 8 + LIMIT_FLOOR
    assert memory_limit(wide) == 4 * 20 * 800_000 + LIMIT_FLOOR
    # Text as large as the frame itself can still be built from it.
    text = pd.DataFrame({"s": ["abcdefgh"] * 1_000_000, "t": ["ijklmnop"] * 1_000_000})
    assert parse("s + t + upper(s)").evaluate(text).iloc[0] == "abcdefghijklmnopABCDEFGH"
    assert parse("s + '!'").evaluate(df).iloc[0] == "ab!"
    assert parse("s * 3").evaluate(df).iloc[0] == "ababab"
    assert parse("s * (i % 3)").evaluate(df).tolist()[:3] == ["", "ab", "abab"]
    assert parse("where(i > 0, s, 'none')").evaluate(df).iloc[0] == "none"
    assert parse("fillna(gaps, 'z')").evaluate(df).tolist()[:2] == ["a", "z"]
    assert parse("upper(s) + lower(s)").evaluate(df).iloc[0] == "ABab"
    assert parse("strip(s) + slice(s, 1)").evaluate(df).iloc[0] == "abb"
    assert parse("replace(s, 'a', 'xyz')").evaluate(df).iloc[0] == "xyzb"
    assert parse("coalesce(gaps, s, 'z')").evaluate(df).tolist()[:2] == ["a", "ab"]
    assert parse("if_else(i > 0, s, 'none')").evaluate(df).iloc[0] == "none"
    assert parse("o + 'x'").evaluate(df).iloc[1] == "bx"
    assert parse("i * 2 + 1").evaluate(df).iloc[3] == 7
    assert parse("'x' * 3").evaluate(df) == "xxx"


def test_text_functions_count_what_they_build() -> None:
    set_memory_limit(MiB)
    # 1,000 rows of 100 'a's: replacing each 'a' by 11 characters builds 1.1 MB...
    frame = pd.DataFrame({"s": ["a" * 100] * 1000})
    with pytest.raises(OperationError, match=r"cannot compute replace\(s, 'a', 'x{11}'\): the"):
        parse("replace(s, 'a', '" + "x" * 11 + "')").evaluate(frame)
    # ... by 10: 1.0 MB, just under 1 MiB.
    assert parse("replace(s, 'a', '" + "x" * 10 + "')").evaluate(frame).str.len()[0] == 1000
    # Shrinking text never passes the limit however often the text is found.
    assert parse("replace(s, 'a', '')").evaluate(frame)[0] == ""
    # A copy of 1.2 MB of text does not fit either.
    wide = pd.DataFrame({"s": ["ab" * 600] * 1000})
    for expr in ("strip(s)", "slice(s, 1)", "coalesce(s, 'z')"):
        with pytest.raises(OperationError, match=rf"cannot compute {re.escape(expr)}: the result"):
            parse(expr).evaluate(wide)
    assert parse("contains(s, 'a')").evaluate(wide).all()  # booleans: not text


def test_whole_numbers_python_cannot_print_are_refused(df: pd.DataFrame) -> None:
    for expr in ("2 ** 20000", "9 ** 9 ** 9", "(2 ** 9000) * (2 ** 9000)", "2 ** 10 ** 30"):
        with pytest.raises(OperationError, match=r"too large \(a whole number of"):
            parse(expr).evaluate(df)
    assert parse("2 ** 14000").evaluate(df) == 2**14000  # 4,215 digits: still printable
    str(parse("2 ** 14000").evaluate(df))


def test_literals_are_bounded() -> None:
    with pytest.raises(OperationError, match=r"integer literal of 5,000 digits is too long"):
        parse("1" * 5000 + " + a")
    huge = "'" + "x" * 20_000_000 + "'"
    message, seconds, peak = refusal(lambda: parse(huge))
    assert message.startswith("formula: the expression is longer than 10000 characters")
    assert "20,000,002" in message and len(message) < 200
    assert peak < 1 and seconds < 5


def test_text_formatted_by_a_column_is_refused(df: pd.DataFrame) -> None:
    with pytest.raises(OperationError, match="'%' formats text with a constant, not a column"):
        parse("'%s' % s").evaluate(df)
    assert parse("'%05d' % 42").evaluate(df) == "00042"


def test_the_config_option_of_the_magics(shell: Any) -> None:
    from traitlets import TraitError

    from hydroml_jupyter.magics.extension import context_of

    context = context_of(shell)
    assert context is not None
    config = context.config
    frame = pd.DataFrame({"a": [1]})
    shell.run_line_magic("config", "HydroML.formula_limit = '1MiB'")
    try:
        assert memory_limit(frame) == MiB
        with pytest.raises(OperationError, match=r"over the limit of 1\.0 MiB"):
            parse("'x' * 2000000").evaluate(frame)
        with pytest.raises(TraitError, match=r"HydroML\.formula_limit must be a positive number"):
            config.formula_limit = "lots"
        assert config.formula_limit == "1MiB" and memory_limit(frame) == MiB
    finally:
        shell.run_line_magic("config", "HydroML.formula_limit = ''")
    assert memory_limit(frame) == 4 * 8 + LIMIT_FLOOR
