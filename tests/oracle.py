"""Helpers of the oracle tests (tests/test_oracle_*.py).

An oracle test gives an operation a hand-made input at a boundary and compares the
result with a hand-written expected frame, twice: the session's frame, and the frame the
exported script computes from the same input. A fault the operation and its code share
(``>=`` acting as ``>``) fails both, where comparing them with each other would not.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hydroml_jupyter as hj


def same(got: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    """Assert ``got`` equals ``expected`` exactly: values, dtypes, index and column order."""
    try:
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}\n got:\n{got!r}\n expected:\n{expected!r}") from None


def check(df: pd.DataFrame, op: str, expected: pd.DataFrame, /, **params: Any) -> None:
    """Apply ``op`` in a session and run its exported script; both must give ``expected``.

    The input frame must come out of both untouched.
    """
    original = df.copy(deep=True)
    session = hj.Session(df)
    try:
        session.apply(op, **params)
        same(session.df, expected, f"session {op}({params})")
        namespace: dict[str, Any] = {"df": df}
        exec(session.code(source=False), namespace)
        same(namespace["df"], expected, f"script of {op}({params})")
    finally:
        session.close()
    same(df, original, "the input frame")


def refuse(df: pd.DataFrame, op: str, words: list[str], /, **params: Any) -> hj.OperationError:
    """Assert ``op`` is refused with a one-line message holding every one of ``words``.

    The session must be left as it was. Returns the error for further checks.
    """
    session = hj.Session(df)
    try:
        before = session.df
        with pytest.raises(hj.OperationError) as info:
            session.apply(op, **params)
        message = str(info.value)
        assert "\n" not in message, message
        for word in words:
            assert word in message, f"{word!r} not in {message!r}"
        assert session.version == 0
        assert len(session.history) == 1
        same(session.df, before, "the session after a refusal")
    finally:
        session.close()
    return info.value
