"""Test strategies of split and extract (see tests/families.py).

The property strategies are mostly valid: a text column of the frame as it is, a
separator or pattern its values hold, and new names, now and then one that is taken or
a pattern whose groups do not fit. The hostile ones draw names, separators and
patterns from all of Unicode.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from hostile import texts
from hypothesis import strategies as st

from hydroml_jupyter.engine.ops.kinds import is_text

Op = tuple[str, dict[str, Any]]

_SEPS = [" ", ",", "-", "a", "x", "y ", "ä"]
_REGEX_SEPS = [r"\s+", r"[ ,]", r"\d", r"y|\.", r"x*", "(", "(-)"]
_PATTERNS = [r"(\w)", r"(\w+)\s*(\w*)", r"^(.)(.)?", r"(x)|(y)", r"(\d+)", r"(?P<k>[a-z])"]
_BAD_PATTERNS = ["(", "a"]
_NEW = ["first", "last", "p", "rest", "größe", 7]


def _text_column(draw: st.DrawFn, df: pd.DataFrame) -> Any:
    text = [c for c in df.columns if is_text(df[c])]
    return draw(st.sampled_from(text or list(df.columns) or ["missing"]))


def _names(draw: st.DrawFn, df: pd.DataFrame, count: int) -> list[Any]:
    """New names; now and then one the frame has (to be refused)."""
    pool = _NEW if draw(st.integers(0, 9)) else [*_NEW, *df.columns]
    return draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count, unique=True))


def _split(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    column = _text_column(draw, df)
    regex = draw(st.booleans())
    sep = draw(st.sampled_from(_REGEX_SEPS if regex else _SEPS))
    params: dict[str, Any] = {
        "column": column,
        "sep": sep,
        "into": _names(draw, df, draw(st.integers(2, 3))),
    }
    if regex or draw(st.booleans()):
        params["regex"] = regex
    return "split", params


def _extract(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    pattern = draw(st.sampled_from(_PATTERNS if draw(st.integers(0, 9)) else _BAD_PATTERNS))
    try:
        groups = re.compile(pattern).groups
    except re.error:
        groups = 1
    count = max(1, groups + draw(st.sampled_from([0, 0, 0, 1])))
    return "extract", {
        "column": _text_column(draw, df),
        "pattern": pattern,
        "into": _names(draw, df, count),
    }


def _hostile_split(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    regex = draw(st.booleans())
    sep = draw(st.one_of(texts(1), st.sampled_from(_REGEX_SEPS)))
    into = draw(st.lists(texts(1), min_size=2, max_size=3, unique=True))
    return "split", {
        "column": draw(st.sampled_from(cols)),
        "sep": sep,
        "into": into,
        "regex": regex,
    }


def _hostile_extract(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    pattern = draw(st.one_of(texts(1).map(lambda t: f"({re.escape(t)})"), texts(1)))
    into = draw(st.lists(texts(1), min_size=1, max_size=2, unique=True))
    return "extract", {"column": draw(st.sampled_from(cols)), "pattern": pattern, "into": into}


PROPERTY = {"split": _split, "extract": _extract}
HOSTILE = {"split": _hostile_split, "extract": _hostile_extract}
#: What the exported code of split and extract uses, and of the text formula functions.
API = {
    *["split", "extract", "reindex", "columns", "get_loc", "insert"],
    *["slice", "mask", "isna", "case_when", "Timedelta"],
}
