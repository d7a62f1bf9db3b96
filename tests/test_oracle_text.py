"""Oracle tests of split and extract: new text columns right after the column they read,
the rest in the last column, missing values kept, with hand-written expected frames (see
tests/oracle.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import check, refuse

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.split import MAX_PATTERN, Split
from hydroml_jupyter.magics.recipe import parse_line
from hydroml_jupyter.widgets.forms import form

COVERS = {"split", "extract"}

NA = np.nan


def text(values: list[object]) -> pd.Series:
    return pd.Series(values, dtype="str")


NAMES = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "name": text(["Ada King Lovelace", "Bob", None, "", " lead"]),
        "x": [0.5, 1.0, 1.5, 2.0, 2.5],
    }
)


def test_split_the_last_column_takes_the_rest_and_the_new_ones_follow_the_source() -> None:
    expected = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "name": NAMES["name"],
            "first": text(["Ada", "Bob", NA, "", ""]),
            "last": text(["King Lovelace", NA, NA, NA, "lead"]),
            "x": [0.5, 1.0, 1.5, 2.0, 2.5],
        }
    )
    check(NAMES, "split", expected, column="name", sep=" ", into=["first", "last"])


def test_split_fewer_parts_than_names_leaves_the_later_columns_missing() -> None:
    df = pd.DataFrame({"d": text(["2020-01-02", "2021-03", None])})
    expected = pd.DataFrame(
        {
            "d": df["d"],
            "y": text(["2020", "2021", NA]),
            "m": text(["01", "03", NA]),
            "day": text(["02", NA, NA]),
        }
    )
    check(df, "split", expected, column="d", sep="-", into=["y", "m", "day"])
    # No value has a second part at all: the column is still made, all missing.
    one = pd.DataFrame({"d": text(["2020", None])})
    check(
        one,
        "split",
        pd.DataFrame({"d": one["d"], "a": text(["2020", NA]), "b": text([NA, NA])}),
        column="d",
        sep="-",
        into=["a", "b"],
    )


def test_split_keeps_empty_parts_and_cuts_from_the_left() -> None:
    # Separators side by side give an empty part; "aaa" at "aa" is cut once, at the left.
    df = pd.DataFrame({"s": text(["a,,b", ",a", "aaa"])}, index=[10, 5, 7])
    expected = pd.DataFrame(
        {
            "s": df["s"],
            "p": text(["a", "", "aaa"]),
            "q": text(["", "a", NA]),
            "r": text(["b", NA, NA]),
        },
        index=[10, 5, 7],
    )
    check(df, "split", expected, column="s", sep=",", into=["p", "q", "r"])
    twice = pd.DataFrame({"s": text(["aaa"])})
    check(
        twice,
        "split",
        pd.DataFrame({"s": twice["s"], "p": text([""]), "q": text(["a"])}),
        column="s",
        sep="aa",
        into=["p", "q"],
    )


def test_split_with_a_regular_expression() -> None:
    df = pd.DataFrame({"s": text(["a ,b;  c", "x", None])})
    expected = pd.DataFrame(
        {"s": df["s"], 0: text(["a", "x", NA]), "rest": text(["b;  c", NA, NA])}
    )
    check(df, "split", expected, column="s", sep=r"\s*[,;]\s*", into=[0, "rest"], regex=True)
    # Without regex the same text is a literal separator: nothing matches.
    literal = pd.DataFrame({"s": df["s"], 0: text(["a ,b;  c", "x", NA]), "rest": text([NA] * 3)})
    check(df, "split", literal, column="s", sep=r"\s*[,;]\s*", into=[0, "rest"])


@pytest.mark.parametrize(
    "dtype", ["str", object, "category", "string", pd.ArrowDtype(pa.string())], ids=str
)
def test_split_and_extract_make_str_columns_from_every_text_dtype(dtype: object) -> None:
    df = pd.DataFrame({"s": pd.Series(["k=v", None, "k"], dtype=dtype), "n": [1, 2, 3]})
    split = pd.DataFrame(
        {"s": df["s"], "k": text(["k", NA, "k"]), "v": text(["v", NA, NA]), "n": [1, 2, 3]}
    )
    check(df, "split", split, column="s", sep="=", into=["k", "v"])
    extract = pd.DataFrame({"s": df["s"], "v": text(["v", NA, NA]), "n": [1, 2, 3]})
    check(df, "extract", extract, column="s", pattern="=(.*)", into=["v"])


def test_split_and_extract_on_an_empty_frame_and_an_all_missing_column() -> None:
    empty = pd.DataFrame({"s": text([])})
    check(
        empty,
        "split",
        pd.DataFrame({"s": empty["s"], "a": text([]), "b": text([])}),
        column="s",
        sep=" ",
        into=["a", "b"],
    )
    check(
        empty,
        "extract",
        pd.DataFrame({"s": empty["s"], "a": text([])}),
        column="s",
        pattern="(x)",
        into=["a"],
    )
    missing = pd.DataFrame({"s": pd.Series([None, None], dtype=object)})
    check(
        missing,
        "split",
        pd.DataFrame({"s": missing["s"], "a": text([NA, NA]), "b": text([NA, NA])}),
        column="s",
        sep=" ",
        into=["a", "b"],
    )


def test_extract_groups_non_matches_and_optional_groups() -> None:
    df = pd.DataFrame(
        {"code": text(["AB-12", "x CD-3 y", "none", None, "EF-"]), "n": [1, 2, 3, 4, 5]}
    )
    expected = pd.DataFrame(
        {
            "code": df["code"],
            "letters": text(["AB", "CD", NA, NA, "EF"]),
            "number": text(["12", "3", NA, NA, NA]),
            "n": [1, 2, 3, 4, 5],
        }
    )
    check(
        df,
        "extract",
        expected,
        column="code",
        pattern=r"([A-Z]+)-(\d+)?",
        into=["letters", "number"],
    )
    # Named groups count as any other; the names in into win.
    check(
        df,
        "extract",
        expected,
        column="code",
        pattern=r"(?P<a>[A-Z]+)-(?P<b>\d+)?",
        into=["letters", "number"],
    )


def test_hostile_names_separators_and_patterns() -> None:
    hostile = "x\n__import__('os')  #'\""
    df = pd.DataFrame({hostile: text(["a\nb\u2028c", None])})
    expected = pd.DataFrame(
        {hostile: df[hostile], "a\r": text(["a", NA]), "\u202e#": text(["b\u2028c", NA])}
    )
    check(df, "split", expected, column=hostile, sep="\n", into=["a\r", "\u202e#"])
    extract = pd.DataFrame({hostile: df[hostile], "'''": text(["b", NA])})
    check(df, "extract", extract, column=hostile, pattern="\n(.)", into=["'''"])


def test_refusals_name_the_parameter_and_the_value() -> None:
    df = pd.DataFrame({"s": text(["a b"]), "n": [1]})
    refuse(df, "split", ["split: sep is empty", "'s'"], column="s", sep="", into=["a", "b"])
    refuse(df, "split", ["into needs two names or more", "['a']"], column="s", sep=" ", into=["a"])
    refuse(df, "split", ["column 'n' already exists"], column="s", sep=" ", into=["a", "n"])
    refuse(df, "split", ["column 's' already exists"], column="s", sep=" ", into=["s", "b"])
    refuse(df, "split", ["'a' is named twice in into"], column="s", sep=" ", into=["a", "a"])
    refuse(df, "split", ["name 2 of into is empty"], column="s", sep=" ", into=["a", " "])
    refuse(df, "split", ["column 'n' is int64, not text"], column="n", sep=" ", into=["a", "b"])
    refuse(df, "split", ["no column named 'z'"], column="z", sep=" ", into=["a", "b"])
    refuse(
        df,
        "split",
        ["sep '(' is not a valid regular expression: missing )"],
        column="s",
        sep="(",
        into=["a", "b"],
        regex=True,
    )
    refuse(
        df,
        "split",
        ["sep '(-)' captures 1 group", "(?:...)"],
        column="s",
        sep="(-)",
        into=["a", "b"],
        regex=True,
    )
    refuse(
        df,
        "split",
        [f"sep is longer than {MAX_PATTERN:,} characters"],
        column="s",
        sep="-" * 1001,
        into=["a", "b"],
    )
    refuse(
        df,
        "extract",
        ["pattern '(a)(b)' has 2 group(s) but into names 1 column(s)"],
        column="s",
        pattern="(a)(b)",
        into=["x"],
    )
    refuse(df, "extract", ["pattern 'a' has 0 group(s)"], column="s", pattern="a", into=["x"])
    refuse(
        df,
        "extract",
        ["pattern '[' is not a valid regular expression: unterminated character set"],
        column="s",
        pattern="[",
        into=["x"],
    )
    refuse(df, "extract", ["column 'n' already exists"], column="s", pattern="(a)", into=["n"])
    refuse(
        df,
        "extract",
        ["pattern is longer than 1,000 characters"],
        column="s",
        pattern="(a)" * 400,
        into=["x"],
    )


def test_short_forms_labels_and_the_step_code() -> None:
    assert parse_line('split name " " -> first last') == (
        "split",
        {"column": "name", "sep": " ", "into": ["first", "last"]},
    )
    assert parse_line(r'split s "\s*;" -> a, b --regex') == (
        "split",
        {"column": "s", "sep": r"\s*;", "into": ["a", "b"], "regex": True},
    )
    assert parse_line(r'extract code "([A-Z]+)-(\d+)" -> letters 7') == (
        "extract",
        {"column": "code", "pattern": r"([A-Z]+)-(\d+)", "into": ["letters", 7]},
    )
    # The sidebar: a value input for sep, which keeps a quoted space (a text input trims it).
    params = {p["name"]: p for p in form("split")["params"]}
    assert params["sep"]["type"] == "value" and params["into"]["type"] == "value"
    assert params["column"]["kinds"] == ["text", "category"]
    s = hj.Session(NAMES, name="labels")
    s.apply("split", column="name", sep=" ", into=["first", "last"])
    s.apply("extract", column="first", pattern=r"^(\w)", into=["initial"])
    assert [step.label for step in s.history[1:]] == [
        "Split name at ' ' into first, last",
        r"Extract initial from first with '^(\\w)'",
    ]
    assert list(s.df.columns) == ["id", "name", "first", "initial", "last", "x"]
    s.undo()
    s.undo()
    pd.testing.assert_frame_equal(s.df, NAMES)
    s.redo()
    assert list(s.df.columns) == ["id", "name", "first", "last", "x"]
    s.close()


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.text(st.sampled_from("ab ,é😀\n"), max_size=7)), max_size=8
    ),
    sep=st.text(st.sampled_from("ab ,é"), min_size=1, max_size=3),
    count=st.integers(2, 4),
)
def test_the_arrow_cut_equals_pandas_split(values: list[str | None], sep: str, count: int) -> None:
    # Arrow columns are cut by pyarrow; the exported code uses pandas' str.split.
    series = text(values)
    op = Split(column="s", sep=sep, into=[f"p{i}" for i in range(count)])
    fast = op._parts(series)
    slow = op._parts(series.astype(object)).set_axis(fast.columns, axis=1)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    expected = pd.DataFrame(
        {
            i: text(
                [
                    (v.split(sep, count - 1) + [None] * count)[i] if v is not None else None
                    for v in values
                ]
            )
            for i in range(count)
        }
    )
    pd.testing.assert_frame_equal(fast, expected, check_exact=True)
