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


# (op, params, the column the error names (its ``column``), words the message must hold).
# The words name the column or parameter at fault, the value, and the reason.
CASES = [
    (
        "rename",
        {"columns": {"agee": "b"}},
        "agee",
        ["rename: no column named 'agee'", "did you mean 'age'"],
    ),
    (
        "rename",
        {"columns": {"age": "price"}},
        "price",
        ["renaming would give two columns named 'price'"],
    ),
    ("rename", {"columns": {"age": " "}}, "age", ["the new name of 'age' is empty"]),
    ("rename", {"columns": "age"}, None, ["parameter 'columns' must be a dict, not 'age'"]),
    (
        "rename",
        {"cols": {"a": "b"}},
        None,
        ["unknown parameter 'cols'", "did you mean 'columns'", "expected columns"],
    ),
    ("rename", {}, None, ["rename: missing parameter 'columns'"]),
    (
        "cast",
        {"column": "age", "dtype": "Int64"},
        "age",
        [
            "3 values in 'age' are not numbers",
            "'x' (row 1), 'n/a' (row 4), '??' (row 7)",
            "use errors='coerce' to make them missing",
        ],
    ),
    (
        "cast",
        {"column": "age", "dtype": "Int64", "errors": "coerce"},
        "age",
        ["1 value(s) in 'age' are not whole numbers", "'12.5' (row 5)", "cast to float64"],
    ),
    (
        "cast",
        {"column": "count", "dtype": "int64"},
        "count",
        ["int64 cannot hold missing values", "'count' has 2 (rows 2, 5)", "use Int64"],
    ),
    (
        "cast",
        {"column": "price", "dtype": "Int64"},
        "price",
        ["2 value(s) in 'price' are not whole numbers", "1.5 (row 0)"],
    ),
    (
        "cast",
        {"column": "price", "dtype": "decimal"},
        None,
        ["unknown dtype 'decimal'", "use one of"],
    ),
    (
        "cast",
        {"column": "when", "dtype": "datetime64[ns]"},
        "when",
        ["2 values in 'when' are not dates", "'2020-02-30' (row 1), 'x' (row 4)"],
    ),
    (
        "cast",
        {"column": "unit price", "dtype": "int8", "format": "%Y"},
        None,
        ["format= only applies to datetime dtypes"],
    ),
    (
        "cast",
        {"column": "age", "dtype": "Int64", "errors": "ignore"},
        None,
        ["parameter 'errors' must be one of 'raise', 'coerce', not 'ignore'"],
    ),
    (
        "fill_missing",
        {"column": "name", "strategy": "mean"},
        "name",
        ["column 'name' is str, not numeric"],
    ),
    (
        "fill_missing",
        {"column": "price", "strategy": "value"},
        "price",
        ["filling 'price' with strategy 'value' needs value="],
    ),
    (
        "fill_missing",
        {"column": "name", "value": 0},
        "name",
        ["0 is not text, and 'name' is str", "fill with the text '0'"],
    ),
    (
        "fill_missing",
        {"column": "price", "strategy": "avg"},
        None,
        ["parameter 'strategy' must be one of", "not 'avg'"],
    ),
    (
        "fill_missing",
        {"column": "price", "strategy": "value", "value": "zero"},
        "price",
        ["'zero' is not a number, and 'price' is float64"],
    ),
    (
        "fill_missing",
        {"column": "unit price", "strategy": "median", "value": 1},
        "unit price",
        ["value= only goes with strategy 'value', not 'median'"],
    ),
    (
        "drop_columns",
        {"columns": ["age", "nope"]},
        "nope",
        ["drop_columns: no column named 'nope'"],
    ),
    ("drop_columns", {"columns": []}, None, ["drop_columns: no columns to drop"]),
    (
        "drop_missing",
        {"how": "some"},
        None,
        ["parameter 'how' must be one of 'any', 'all', not 'some'"],
    ),
    (
        "drop_missing",
        {"columns": ["pric"]},
        "pric",
        ["no column named 'pric'", "did you mean 'price'"],
    ),
    (
        "filter_rows",
        {"column": "price", "op": ">", "value": "cheap"},
        "price",
        ["'cheap' is not a number, and 'price' is float64"],
    ),
    (
        "filter_rows",
        {"column": "price", "op": "~", "value": 1},
        None,
        ["parameter 'op' must be one of", "not '~'"],
    ),
    (
        "filter_rows",
        {"column": "price", "op": "between", "value": 3},
        "price",
        ["between needs value=[low, high], not 3"],
    ),
    (
        "filter_rows",
        {"column": "price", "op": "contains", "value": "1"},
        "price",
        ["contains needs a text column; 'price' is float64"],
    ),
    (
        "filter_rows",
        {"column": "name", "op": "<", "value": 3},
        "name",
        ["cannot compare text column 'name' with the number 3"],
    ),
    (
        "filter_rows",
        {"column": "name", "op": "in", "value": "ann"},
        "name",
        ["in needs a list, not 'ann'"],
    ),
    (
        "filter_rows",
        {"column": "name", "op": "is_null", "value": "x"},
        "name",
        ["is_null takes no value"],
    ),
    ("filter_rows", {"column": "name", "op": "=="}, "name", ["'==' needs a value"]),
    (
        "filter_rows",
        {"column": "when", "op": "contains", "value": 1},
        "when",
        ["contains needs a string, not 1"],
    ),
    ("sort_rows", {"by": ["price", "cost"]}, "cost", ["sort_rows: no column named 'cost'"]),
    (
        "sort_rows",
        {"by": ["price"], "ascending": [True, False]},
        None,
        ["ascending has 2 values for 1 columns"],
    ),
    ("dedupe", {"keep": "both"}, None, ["parameter 'keep' must be one of", "not 'both'"]),
    ("dedupe", {"subset": []}, None, ["dedupe: subset= names no column"]),
    (
        "replace",
        {"column": "name", "mapping": {}},
        "name",
        ["mapping= is empty: nothing to replace in 'name'"],
    ),
    (
        "text",
        {"column": "price", "action": "strip"},
        "price",
        ["column 'price' is float64, not text"],
    ),
    (
        "text",
        {"column": "name", "action": "shout"},
        None,
        ["parameter 'action' must be one of", "not 'shout'"],
    ),
    (
        "formula",
        {"column": "x", "expr": "__import__('os').system('echo hacked')"},
        None,
        ["names containing '__' are not allowed: '__import__' at position 0"],
    ),
    ("formula", {"column": "x", "expr": "price.__class__"}, None, ["unexpected '.' at position 5"]),
    (
        "formula",
        {"column": "x", "expr": "price +"},
        None,
        ["unexpected end of expression at position 7"],
    ),
    (
        "formula",
        {"column": "x", "expr": "pricee * 2"},
        "pricee",
        ["no column named 'pricee'", "did you mean 'price'"],
    ),
    (
        "formula",
        {"column": "x", "expr": "open('/etc/passwd')"},
        None,
        ["unknown function 'open' at position 0", "functions: abs, clip"],
    ),
    ("formula", {"column": "x", "expr": "name + 1"}, None, ["cannot compute name + 1"]),
    ("formula", {"column": " ", "expr": "price"}, " ", ["the new column needs a name"]),
    ("one_hot", {"column": "nope"}, "nope", ["one_hot: no column named 'nope'"]),
    ("scale", {"columns": ["name"]}, "name", ["scale: column 'name' is str, not numeric"]),
    (
        "scale",
        {"columns": ["unit price"], "method": "zscore"},
        None,
        ["parameter 'method' must be one of", "not 'zscore'"],
    ),
    ("scale", {"columns": ["count", "count"]}, None, ["a column is listed twice"]),
    (
        "group_aggregate",
        {"by": ["name"], "aggs": {"price": "average"}},
        "price",
        ["unknown aggregation 'average' for 'price'", "use one of count"],
    ),
    (
        "group_aggregate",
        {"by": ["name"], "aggs": {"name": "count"}},
        "name",
        ["the result column 'name' of aggs 'name': 'count' would clash with a group key"],
    ),
    ("unknown_op", {}, None, ["unknown operation 'unknown_op'", "known: bin, cast"]),
    ("fill_mising", {}, None, ["unknown operation 'fill_mising'", "did you mean 'fill_missing'"]),
]


@pytest.mark.parametrize(
    ("op", "params", "column", "words"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_refused_with_a_specific_message(session, op, params, column, words) -> None:
    before, version, steps = session.df, session.version, len(session.history)
    with pytest.raises(hj.OperationError) as info:
        session.apply(op, **params)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, ValueError)
    assert message.startswith(f"{op}: ") or op not in hj.catalog(), message
    assert info.value.column == column, (info.value.column, message)
    if isinstance(column, str) and column.strip():
        assert repr(column) in message, f"{column!r} not in {message!r}"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert session.version == version
    assert len(session.history) == steps
    pd.testing.assert_frame_equal(session.df, before, check_exact=True)


# Valid inputs at the edge of what each operation takes: (op, params, the column to look at,
# its values afterwards, written out). Each must be accepted, and the exported script must
# give the same frame.
GOOD = [
    ("rename", {"columns": {"age": "âge 1", "unit price": 7}}, "âge 1", None),
    ("rename", {"columns": {"price": "price"}}, "price", None),
    (
        "cast",
        {"column": "age", "dtype": "Float64", "errors": "coerce"},
        "age",
        [31.0, None, 45.0, None, None, 12.5, 7.0, None],
    ),
    ("cast", {"column": "unit price", "dtype": "int8"}, "unit price", [1, 2, 3, 4, 5, 6, 7, 8]),
    ("cast", {"column": "unit price", "dtype": "boolean", "errors": "coerce"}, "unit price", None),
    (
        "fill_missing",
        {"column": "name", "value": ""},
        "name",
        ["ann", " bob", "", "cy", "dee", "eve", "fay", "gus"],
    ),
    (
        "fill_missing",
        {"column": "count", "value": -0.0},
        "count",
        [1.0, 2.0, -0.0, 4.0, 5.0, -0.0, 7.0, 8.0],
    ),
    ("fill_missing", {"column": "price", "strategy": "median"}, "price", None),
    ("filter_rows", {"column": "price", "op": "between", "value": [1.5, 1.5]}, "price", [1.5]),
    ("filter_rows", {"column": "price", "op": "==", "value": 0.5}, "price", [0.5]),
    ("filter_rows", {"column": "price", "op": "in", "value": []}, "price", []),
    ("filter_rows", {"column": "name", "op": "contains", "value": ""}, "name", None),
    ("filter_rows", {"column": "name", "op": "startswith", "value": " "}, "name", [" bob"]),
    ("filter_rows", {"column": "name", "op": ">=", "value": "fay"}, "name", ["fay", "gus"]),
    ("filter_rows", {"column": "unit price", "op": "!=", "value": 1.0}, "unit price", None),
    ("sort_rows", {"by": "größe", "ascending": [False]}, "größe", None),
    ("dedupe", {"subset": "name", "keep": "none"}, "name", None),
    ("replace", {"column": "name", "mapping": {None: "?", "ann": None}}, "name", None),
    ("text", {"column": "name", "action": "title"}, "name", None),
    ("drop_columns", {"columns": "größe"}, "price", None),
    ("drop_missing", {"columns": "count", "how": "all"}, "count", None),
    ("formula", {"column": 3, "expr": "`unit price` * `größe`"}, 3, None),
    ("formula", {"column": "unit price", "expr": "-`unit price` ** 2"}, "unit price", None),
    ("one_hot", {"column": "name", "drop_first": True}, "name_ann", None),
    ("scale", {"columns": "unit price", "method": "robust"}, "unit price", None),
    ("group_aggregate", {"by": "price", "aggs": {"count": ["size"]}}, "count_size", None),
]


@pytest.mark.parametrize(
    ("op", "params", "column", "values"), GOOD, ids=[f"{g[0]}-{i}" for i, g in enumerate(GOOD)]
)
def test_valid_edge_input_is_accepted(session, op, params, column, values) -> None:
    original = session.df
    session.apply(op, **params)
    assert session.version == 1
    assert column in session.df.columns
    if values is not None:
        got = [None if pd.isna(v) else v for v in session.df[column]]
        assert got == values
        assert [str(v) for v in got] == [str(v) for v in values]  # -0.0 stays -0.0
    namespace = {"df": original}
    exec(session.code(source=False), namespace)
    pd.testing.assert_frame_equal(namespace["df"], session.df, check_exact=True)


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
