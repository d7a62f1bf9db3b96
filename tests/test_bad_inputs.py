"""Bad input gives one specific, one-line OperationError and leaves the session untouched."""

from __future__ import annotations

import pandas as pd
import pytest

import hydroml_jupyter as hj


@pytest.fixture
def session():
    df = pd.DataFrame(
        {
            "age": ["31", "x", "45", None, "n/a", "12.5", "7", "??"],
            "price": [1.5, None, 3.0, 4.0, None, 2.0, 1.0, 0.5],
            "name": ["ann", " bob", None, "cy", "dee", "eve", "fay", "gus"],
            "unit price": [1, 2, 3, 4, 5, 6, 7, 8],
            "count": [1.0, 2.0, None, 4.0, 5.0, None, 7.0, 8.0],
            "größe": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "when": [
                "2020-01-01",
                "2020-02-30",
                None,
                "2021-05-05",
                "x",
                "2022-01-01",
                "2023-01-01",
                "2024-01-01",
            ],
        }
    )
    s = hj.Session(df, name="bad")
    yield s
    s.close()


CASES = [
    # (op, params, words the message must contain)
    ("rename", {"columns": {"agee": "b"}}, ["rename", "'agee'", "did you mean 'age'"]),
    ("rename", {"columns": {"age": "price"}}, ["two columns named 'price'"]),
    ("rename", {"columns": {"age": " "}}, ["new name of 'age' is empty"]),
    ("rename", {"columns": "age"}, ["'columns' must be a dict", "'age'"]),
    ("rename", {"cols": {"a": "b"}}, ["unknown parameter 'cols'", "did you mean 'columns'"]),
    ("rename", {}, ["missing parameter 'columns'"]),
    (
        "cast",
        {"column": "age", "dtype": "Int64"},
        [
            "3 values in 'age' are not numbers",
            "'x' (row 1)",
            "'n/a' (row 4)",
            "'??' (row 7)",
            "errors='coerce'",
        ],
    ),
    (
        "cast",
        {"column": "age", "dtype": "Int64", "errors": "coerce"},
        ["not whole numbers", "'12.5' (row 5)"],
    ),
    (
        "cast",
        {"column": "count", "dtype": "int64"},
        ["int64 cannot hold missing values", "'count' has 2 (rows 2, 5)", "Int64"],
    ),
    ("cast", {"column": "price", "dtype": "Int64"}, ["not whole numbers", "1.5 (row 0)"]),
    ("cast", {"column": "price", "dtype": "decimal"}, ["unknown dtype 'decimal'"]),
    (
        "cast",
        {"column": "when", "dtype": "datetime64[ns]"},
        ["2 values in 'when' are not dates", "'2020-02-30' (row 1)"],
    ),
    ("cast", {"column": "unit price", "dtype": "int8", "format": "%Y"}, ["format= only applies"]),
    (
        "cast",
        {"column": "age", "dtype": "Int64", "errors": "ignore"},
        ["'errors' must be one of 'raise', 'coerce'", "'ignore'"],
    ),
    ("fill_missing", {"column": "name", "strategy": "mean"}, ["'name' is str, not numeric"]),
    ("fill_missing", {"column": "price", "strategy": "value"}, ["needs value="]),
    ("fill_missing", {"column": "name", "value": 0}, ["0 is not text", "'name' is str"]),
    ("fill_missing", {"column": "price", "strategy": "avg"}, ["'strategy' must be one of"]),
    (
        "fill_missing",
        {"column": "price", "strategy": "value", "value": "zero"},
        ["'zero' is not a number", "'price' is float64"],
    ),
    ("drop_columns", {"columns": ["age", "nope"]}, ["no column named 'nope'"]),
    ("drop_columns", {"columns": []}, ["no columns to drop"]),
    ("drop_missing", {"how": "some"}, ["'how' must be one of 'any', 'all'"]),
    (
        "filter_rows",
        {"column": "price", "op": ">", "value": "cheap"},
        ["'cheap' is not a number", "'price' is float64"],
    ),
    ("filter_rows", {"column": "price", "op": "~", "value": 1}, ["'op' must be one of"]),
    (
        "filter_rows",
        {"column": "price", "op": "between", "value": 3},
        ["between needs value=[low, high]"],
    ),
    ("filter_rows", {"column": "price", "op": "contains", "value": "1"}, ["needs a text column"]),
    (
        "filter_rows",
        {"column": "name", "op": "<", "value": 3},
        ["cannot compare text column 'name'"],
    ),
    ("filter_rows", {"column": "name", "op": "in", "value": "ann"}, ["in needs a list"]),
    ("sort_rows", {"by": ["price", "cost"]}, ["no column named 'cost'"]),
    ("sort_rows", {"by": ["price"], "ascending": [True, False]}, ["2 values for 1 columns"]),
    ("dedupe", {"keep": "both"}, ["'keep' must be one of"]),
    ("replace", {"column": "name", "mapping": {}}, ["mapping= is empty"]),
    ("text", {"column": "price", "action": "strip"}, ["'price' is float64, not text"]),
    ("text", {"column": "name", "action": "shout"}, ["'action' must be one of"]),
    ("formula", {"column": "x", "expr": "__import__('os').system('echo hacked')"}, ["formula"]),
    ("formula", {"column": "x", "expr": "price.__class__"}, ["formula"]),
    ("formula", {"column": "x", "expr": "price +"}, ["formula"]),
    (
        "formula",
        {"column": "x", "expr": "pricee * 2"},
        ["no column named 'pricee'", "did you mean 'price'"],
    ),
    ("formula", {"column": "x", "expr": "open('/etc/passwd')"}, ["unknown function 'open'"]),
    ("formula", {"column": "x", "expr": "name + 1"}, ["formula"]),
    ("one_hot", {"column": "nope"}, ["no column named 'nope'"]),
    ("scale", {"columns": ["name"]}, ["'name' is str, not numeric"]),
    ("scale", {"columns": ["unit price"], "method": "zscore"}, ["'method' must be one of"]),
    (
        "group_aggregate",
        {"by": ["name"], "aggs": {"price": "average"}},
        ["unknown aggregation 'average' for 'price'"],
    ),
    ("group_aggregate", {"by": ["name"], "aggs": {"name": "count"}}, ["clash with a group key"]),
    ("unknown_op", {}, ["unknown operation 'unknown_op'"]),
    ("fill_mising", {}, ["did you mean 'fill_missing'"]),
]


@pytest.mark.parametrize(
    ("op", "params", "words"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_refused_with_a_specific_message(session, op, params, words) -> None:
    before, version, steps = session.df, session.version, len(session.history)
    with pytest.raises(hj.OperationError) as info:
        session.apply(op, **params)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert session.version == version
    assert len(session.history) == steps
    pd.testing.assert_frame_equal(session.df, before, check_exact=True)


def test_error_names_the_column_and_value(session) -> None:
    with pytest.raises(hj.OperationError) as info:
        session.apply("cast", column="age", dtype="float64")
    assert info.value.op == "cast"
    assert info.value.column == "age"
    assert info.value.value == "x"


def test_empty_frame() -> None:
    s = hj.Session(
        pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="str")})
    )
    s.apply("fill_missing", column="a", strategy="median")
    s.apply("cast", column="b", dtype="Int64")
    with pytest.raises(hj.OperationError, match="no values to take the mode"):
        s.apply("fill_missing", column="a", strategy="mode")
    with pytest.raises(hj.OperationError, match="no values to scale"):
        s.apply("scale", columns=["a"])
    assert s.shape == (0, 2)
    s.close()


def test_frames_a_session_cannot_hold() -> None:
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(hj.SourceError, match="'a' appears more than once"):
        hj.Session(dup)
    multi = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))
    with pytest.raises(hj.SourceError, match="MultiIndex"):
        hj.Session(multi)
    with pytest.raises(hj.SourceError, match="Timestamp"):
        hj.Session(pd.DataFrame([[1]], columns=[pd.Timestamp("2020-01-01")]))
    with pytest.raises(TypeError, match="not list"):
        hj.Session([1, 2])


def test_unicode_and_spaces_in_names_round_trip() -> None:
    df = pd.DataFrame({"unit price": [1.0, None], "größe": ["a ", None], 3: [1, 2]})
    s = hj.Session(df)
    s.apply("rename", columns={"unit price": "preis €", 3: "drei"})
    s.apply("fill_missing", column="preis €", strategy="value", value=0.0)
    s.apply("text", column="größe", action="strip")
    ns = {"df": df}
    exec(s.code(source=False), ns)
    pd.testing.assert_frame_equal(ns["df"], s.df, check_exact=True)
    s.close()
