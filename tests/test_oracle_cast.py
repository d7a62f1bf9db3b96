"""Oracle tests of cast: every integer type at its limits and one past, every boolean word,
missing values, dates (naive, formatted, tz-aware), text and empty columns.

Expected frames are written out by hand (see tests/oracle.py); each case runs the session
and the exported script on the same input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from oracle import check, refuse

from hydroml_jupyter.engine.ops.cast import BOOL_WORDS, DTYPES

COVERS = {"cast"}

# (dtype, minimum, maximum), written out rather than read from numpy.
LIMITS = [
    ("int8", -128, 127),
    ("int16", -32768, 32767),
    ("int32", -2147483648, 2147483647),
    ("int64", -9223372036854775808, 9223372036854775807),
    ("uint8", 0, 255),
    ("uint16", 0, 65535),
    ("uint32", 0, 4294967295),
    ("uint64", 0, 18446744073709551615),
]
NULLABLE = {"int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64"}
NULLABLE |= {"uint8": "UInt8", "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}
TYPES = [(t, lo, hi) for t, lo, hi in LIMITS] + [(NULLABLE[t], lo, hi) for t, lo, hi in LIMITS]
#: The integer types cast converts to; the others (unsigned) it must refuse by name.
CASTABLE = [t for t in TYPES if t[0] in DTYPES]
REFUSED = [t[0] for t in TYPES if t[0] not in DTYPES]


@pytest.mark.parametrize(("dtype", "low", "high"), CASTABLE, ids=[t[0] for t in CASTABLE])
def test_text_at_each_integer_types_limits_fits(dtype: str, low: int, high: int) -> None:
    df = pd.DataFrame({"x": [str(low), str(high)]})
    check(
        df, "cast", pd.DataFrame({"x": pd.array([low, high], dtype=dtype)}), column="x", dtype=dtype
    )


@pytest.mark.parametrize(("dtype", "low", "high"), CASTABLE, ids=[t[0] for t in CASTABLE])
def test_numbers_at_each_integer_types_limits_fit(dtype: str, low: int, high: int) -> None:
    df = pd.DataFrame({"x": pd.array([low, high], dtype="int64")})
    check(
        df, "cast", pd.DataFrame({"x": pd.array([low, high], dtype=dtype)}), column="x", dtype=dtype
    )


# int64 is left out of "one past" from text: see the tests below.
PAST = [t for t in CASTABLE if t[0].lower() not in ("int64", "uint64")]


@pytest.mark.parametrize(("dtype", "low", "high"), PAST, ids=[t[0] for t in PAST])
def test_one_past_either_limit_is_refused_naming_the_value(dtype: str, low: int, high: int) -> None:
    below = pd.DataFrame({"x": [str(low - 1), str(high)]})
    refuse(
        below,
        "cast",
        [f"'{low - 1}' (row 0) in 'x' does not fit in {dtype}"],
        column="x",
        dtype=dtype,
    )
    above = pd.DataFrame({"x": [str(low), str(high + 1)]})
    refuse(
        above,
        "cast",
        [f"'{high + 1}' (row 1) in 'x' does not fit in {dtype}"],
        column="x",
        dtype=dtype,
    )


def test_one_below_int64_is_refused() -> None:
    df = pd.DataFrame({"x": ["-9223372036854775809", "0"]})
    for dtype in ("int64", "Int64"):
        refuse(
            df,
            "cast",
            [f"'-9223372036854775809' (row 0) in 'x' does not fit in {dtype}"],
            column="x",
            dtype=dtype,
        )


def test_one_above_int64_is_refused_naming_the_value() -> None:
    # pd.to_numeric gives such a column back as text: the range is checked on the text.
    df = pd.DataFrame({"x": ["-1", "9223372036854775808"]})
    for dtype in ("int64", "Int64"):
        refuse(
            df,
            "cast",
            [f"cast: '9223372036854775808' (row 1) in 'x' does not fit in {dtype}"],
            column="x",
            dtype=dtype,
        )
    with_missing = pd.DataFrame({"x": ["-1", None, "9223372036854775808"]}, index=[4, 5, 6])
    refuse(
        with_missing,
        "cast",
        ["'9223372036854775808' (row 6) in 'x' does not fit in int64"],
        column="x",
        dtype="int64",
    )


def test_past_int64_through_float_is_refused_not_wrapped() -> None:
    # Coerced, or next to a value that is not whole, the column passes through float64,
    # where 2**63 and 2**63 - 1 are the same number: the text decides.
    refuse(
        pd.DataFrame({"x": ["-1", "9223372036854775808"]}),
        "cast",
        ["'9223372036854775808' (row 1) in 'x' does not fit in Int64"],
        column="x",
        dtype="Int64",
        errors="coerce",
    )
    refuse(
        pd.DataFrame({"x": ["-9223372036854775809", "x"]}),
        "cast",
        ["'-9223372036854775809' (row 0) in 'x' does not fit in Int64"],
        column="x",
        dtype="Int64",
        errors="coerce",
    )
    refuse(
        pd.DataFrame({"x": ["9223372036854775807", "9223372036854775808", "1.0"]}),
        "cast",
        ["'9223372036854775808' (row 1) in 'x' does not fit in int64"],
        column="x",
        dtype="int64",
    )


def test_digits_lost_through_float_are_refused() -> None:
    df = pd.DataFrame({"x": ["9007199254740993", "1.0"]})
    for dtype in ("int64", "Int64"):
        refuse(
            df,
            "cast",
            [f"'9007199254740993' (row 0) in 'x' would lose digits through float64 in {dtype}"],
            column="x",
            dtype=dtype,
        )
    exact = pd.DataFrame({"x": ["9007199254740992", "1.0"]})
    check(
        exact,
        "cast",
        pd.DataFrame({"x": pd.array([9007199254740992, 1], dtype="int64")}),
        column="x",
        dtype="int64",
    )


def test_unsigned_sources_at_their_maximum() -> None:
    df = pd.DataFrame({"x": pd.array([0, 255], dtype="uint8")})
    refuse(df, "cast", ["255 (row 1) in 'x' does not fit in int8"], column="x", dtype="int8")
    check(
        df,
        "cast",
        pd.DataFrame({"x": pd.array([0, 255], dtype="int16")}),
        column="x",
        dtype="int16",
    )
    big = pd.DataFrame({"x": np.array([0, 18446744073709551615], dtype="uint64")})
    refuse(
        big,
        "cast",
        ["18446744073709551615 (row 1) in 'x' does not fit in Int64"],
        column="x",
        dtype="Int64",
    )


@pytest.mark.parametrize("dtype", REFUSED)
def test_unsigned_targets_are_refused_by_name(dtype: str) -> None:
    refuse(
        pd.DataFrame({"x": [1]}),
        "cast",
        [f"unknown dtype {dtype!r}", "Int64"],
        column="x",
        dtype=dtype,
    )


# Int64 has its own test below.
SMALL = LIMITS[:3]


@pytest.mark.parametrize(("dtype", "low", "high"), SMALL, ids=[t[0] for t in SMALL])
def test_nullable_integers_keep_missing_values(dtype: str, low: int, high: int) -> None:
    df = pd.DataFrame({"x": [str(low), None, str(high)]})
    target = NULLABLE[dtype]
    expected = pd.DataFrame({"x": pd.array([low, None, high], dtype=target)})
    check(df, "cast", expected, column="x", dtype=target)
    words = [f"{dtype} cannot hold missing values", "'x' has 1 (row 1)", "use Int64"]
    refuse(df, "cast", words, column="x", dtype=dtype)


def test_int64_refuses_missing_values() -> None:
    df = pd.DataFrame({"x": ["1", None, None]})
    words = ["int64 cannot hold missing values", "'x' has 2 (rows 1, 2)", "use Int64"]
    refuse(df, "cast", words, column="x", dtype="int64")


def test_int64_with_a_missing_value_keeps_every_digit() -> None:
    df = pd.DataFrame({"x": ["9007199254740993", None, "-9223372036854775808"]})
    expected = pd.DataFrame(
        {"x": pd.array([9007199254740993, None, -9223372036854775808], dtype="Int64")}
    )
    check(df, "cast", expected, column="x", dtype="Int64")


def test_whole_floats_and_text_forms_of_whole_numbers() -> None:
    df = pd.DataFrame({"x": [" 12 ", "1e2", "-0", "+5"]})
    check(
        df,
        "cast",
        pd.DataFrame({"x": pd.array([12, 100, 0, 5], dtype="int64")}),
        column="x",
        dtype="int64",
    )
    floats = pd.DataFrame({"x": [127.0, -128.0]})
    check(
        floats,
        "cast",
        pd.DataFrame({"x": pd.array([127, -128], dtype="int8")}),
        column="x",
        dtype="int8",
    )
    refuse(
        pd.DataFrame({"x": [1.0, 128.0]}),
        "cast",
        ["128.0 (row 1) in 'x' does not fit in int8"],
        column="x",
        dtype="int8",
    )
    refuse(
        pd.DataFrame({"x": ["1", "2.5"]}),
        "cast",
        ["1 value(s) in 'x' are not whole numbers", "'2.5' (row 1)", "cast to float64"],
        column="x",
        dtype="Int16",
    )
    refuse(
        pd.DataFrame({"x": ["inf"]}),
        "cast",
        ["'inf' (row 0) in 'x' does not fit in Int64"],
        column="x",
        dtype="Int64",
    )


def test_floats() -> None:
    df = pd.DataFrame({"x": ["1.5", None, "-0.25", "inf", "1e308"]})
    expected = pd.DataFrame({"x": [1.5, np.nan, -0.25, np.inf, 1e308]})
    check(df, "cast", expected, column="x", dtype="float64")
    check(
        df,
        "cast",
        pd.DataFrame({"x": pd.array([1.5, None, -0.25, np.inf, 1e308], dtype="Float64")}),
        column="x",
        dtype="Float64",
    )
    small = pd.DataFrame({"x": ["1.5", "x"]})
    coerced = pd.DataFrame({"x": pd.array([1.5, np.nan], dtype="float32")})
    check(small, "cast", coerced, column="x", dtype="float32", errors="coerce")
    refuse(
        small,
        "cast",
        ["1 value in 'x' is not a number: 'x' (row 1)", "errors='coerce'"],
        column="x",
        dtype="float32",
    )


def test_many_bad_values_are_counted_and_five_listed() -> None:
    df = pd.DataFrame({"x": ["a", "b", "1", "c", "d", "e", "f", "g"]})
    refuse(
        df,
        "cast",
        [
            "7 values in 'x' are not numbers",
            "'a' (row 0), 'b' (row 1), 'c' (row 3), 'd' (row 4), 'e' (row 5) and 2 more",
        ],
        column="x",
        dtype="float64",
    )


# -- booleans --------------------------------------------------------------------------------
TRUE_WORDS = ["true", "t", "yes", "y", "1", "1.0"]
FALSE_WORDS = ["false", "f", "no", "n", "0", "0.0"]


def test_the_boolean_words_are_exactly_these() -> None:
    words = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)
    assert words == BOOL_WORDS


@pytest.mark.parametrize("dtype", ["bool", "boolean"])
def test_every_boolean_word_any_case_and_spacing(dtype: str) -> None:
    words = [*TRUE_WORDS, *FALSE_WORDS, " TRUE ", "Yes", "\tN\n", "F"]
    answers = [True] * 6 + [False] * 6 + [True, True, False, False]
    check(
        pd.DataFrame({"x": words}),
        "cast",
        pd.DataFrame({"x": pd.array(answers, dtype=dtype)}),
        column="x",
        dtype=dtype,
    )


@pytest.mark.parametrize(
    "word", ["2", "on", "off", "", " ", "truee", "0.5", "-1", "1.00", "nan", "None", "oui"]
)
def test_words_that_are_not_booleans_are_refused(word: str) -> None:
    refuse(
        pd.DataFrame({"x": ["yes", word]}),
        "cast",
        ["1 value in 'x' is not a true/false word", f"{word!r} (row 1)", "errors='coerce'"],
        column="x",
        dtype="boolean",
    )


def test_booleans_from_numbers_and_missing_values() -> None:
    ints = pd.DataFrame({"x": [1, 0]})
    check(ints, "cast", pd.DataFrame({"x": [True, False]}), column="x", dtype="bool")
    floats = pd.DataFrame({"x": [1.0, 0.0, np.nan]})
    check(
        floats,
        "cast",
        pd.DataFrame({"x": pd.array([True, False, None], dtype="boolean")}),
        column="x",
        dtype="boolean",
    )
    refuse(
        floats,
        "cast",
        ["bool cannot hold missing values", "'x' has 1 (row 2)", "use boolean"],
        column="x",
        dtype="bool",
    )
    nullable = pd.DataFrame({"x": pd.array([1, 0, None], dtype="Int64")})
    check(
        nullable,
        "cast",
        pd.DataFrame({"x": pd.array([True, False, None], dtype="boolean")}),
        column="x",
        dtype="boolean",
    )
    refuse(
        pd.DataFrame({"x": [2, 1]}),
        "cast",
        ["'x' is not a true/false word: 2 (row 0)"],
        column="x",
        dtype="bool",
    )
    coerced = pd.DataFrame({"x": pd.array([True, None, None], dtype="boolean")})
    check(
        pd.DataFrame({"x": ["yes", None, "maybe"]}),
        "cast",
        coerced,
        column="x",
        dtype="boolean",
        errors="coerce",
    )


# -- dates -------------------------------------------------------------------------------------
def test_dates_with_leap_days_and_missing_values() -> None:
    df = pd.DataFrame({"x": ["2020-02-29", None, "2021-12-31"]})
    expected = pd.DataFrame(
        {"x": pd.array(["2020-02-29", None, "2021-12-31"], dtype="datetime64[ns]")}
    )
    check(df, "cast", expected, column="x", dtype="datetime64[ns]")
    refuse(
        pd.DataFrame({"x": ["2021-02-29", "2020-13-01"]}),
        "cast",
        ["2 values in 'x' are not dates", "'2021-02-29' (row 0), '2020-13-01' (row 1)"],
        column="x",
        dtype="datetime64[ns]",
    )


def test_dates_in_a_format_and_each_unit() -> None:
    df = pd.DataFrame({"x": ["31/01/2020", "29/02/2020"]})
    for unit in ("s", "ms", "us", "ns"):
        dtype = f"datetime64[{unit}]"
        expected = pd.DataFrame({"x": pd.array(["2020-01-31", "2020-02-29"], dtype=dtype)})
        check(df, "cast", expected, column="x", dtype=dtype, format="%d/%m/%Y")
    refuse(
        df,
        "cast",
        ["2 values in 'x' are not dates in format '%m/%d/%Y'", "'31/01/2020' (row 0)"],
        column="x",
        dtype="datetime64[s]",
        format="%m/%d/%Y",
    )


def test_tz_aware_dates() -> None:
    aware = pd.DataFrame({"x": pd.array(["2020-01-31 10:00"], dtype="datetime64[us, UTC]")})
    check(
        aware,
        "cast",
        pd.DataFrame({"x": pd.array(["2020-01-31 10:00:00+00:00"], dtype="str")}),
        column="x",
        dtype="str",
    )
    refuse(
        aware,
        "cast",
        ["column 'x' is datetime64[us, UTC]; it cannot become Int64"],
        column="x",
        dtype="Int64",
    )
    refuse(
        aware,
        "cast",
        ["'x' is datetime64[us, UTC]; it cannot become float32"],
        column="x",
        dtype="float32",
    )


# -- text and categories ------------------------------------------------------------------------
def test_text_keeps_missing_values_missing() -> None:
    nullable = pd.DataFrame({"x": pd.array([1, None], dtype="Int64")})
    check(
        nullable,
        "cast",
        pd.DataFrame({"x": pd.array(["1", None], dtype="str")}),
        column="x",
        dtype="str",
    )
    floats = pd.DataFrame({"x": [1.5, np.nan]})
    check(
        floats,
        "cast",
        pd.DataFrame({"x": pd.array(["1.5", None], dtype="string")}),
        column="x",
        dtype="string",
    )
    words = pd.DataFrame({"x": ["b", "a", None, "b"]})
    expected = pd.DataFrame({"x": pd.Categorical(["b", "a", None, "b"], categories=["a", "b"])})
    check(words, "cast", expected, column="x", dtype="category")


def test_booleans_to_numbers() -> None:
    df = pd.DataFrame({"x": [True, False]})
    check(df, "cast", pd.DataFrame({"x": pd.array([1, 0], dtype="Int8")}), column="x", dtype="Int8")
    check(df, "cast", pd.DataFrame({"x": [1.0, 0.0]}), column="x", dtype="float64")


@pytest.mark.parametrize("dtype", ["bool", "Int64", "float64", "datetime64[ns]", "category"])
def test_an_empty_column_casts_to_every_kind(dtype: str) -> None:
    df = pd.DataFrame({"x": pd.array([], dtype="str")})
    empty = pd.Series([], dtype=dtype)
    if dtype == "category":
        empty = pd.Series(pd.Categorical([], categories=pd.Index([], dtype="str")))
    check(df, "cast", pd.DataFrame({"x": empty}), column="x", dtype=dtype)


def test_cast_refusals_name_the_parameter() -> None:
    df = pd.DataFrame({"x": ["1"]})
    refuse(df, "cast", ["unknown dtype 'int'", "use one of int8"], column="x", dtype="int")
    refuse(
        df,
        "cast",
        ["format= only applies to datetime dtypes"],
        column="x",
        dtype="Int64",
        format="%Y",
    )
    refuse(df, "cast", ["no column named 'y'"], column="y", dtype="Int64")


# -- whole messages ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "dtype", "message"),
    [
        (
            ["2021-02-29", "2020-13-01"],
            "datetime64[ns]",
            "cast: 2 values in 'x' are not dates: '2021-02-29' (row 0), '2020-13-01' (row 1); "
            "use errors='coerce' to make them missing",
        ),
        (
            ["a", "b", "c", "d", "e"],
            "Int64",
            "cast: 5 values in 'x' are not numbers: 'a' (row 0), 'b' (row 1), 'c' (row 2), "
            "'d' (row 3), 'e' (row 4); use errors='coerce' to make them missing",
        ),
        (
            ["yes", "maybe", "perhaps"],
            "bool",
            "cast: 2 values in 'x' are not true/false words: 'maybe' (row 1), 'perhaps' (row 2); "
            "use errors='coerce' to make them missing",
        ),
        (
            ["maybe"],
            "boolean",
            "cast: 1 value in 'x' is not a true/false word: 'maybe' (row 0); "
            "use errors='coerce' to make them missing",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:Could not infer format:UserWarning")
def test_whole_refusal_messages(values: list, dtype: str, message: str) -> None:
    error = refuse(pd.DataFrame({"x": values}), "cast", [message], column="x", dtype=dtype)
    assert str(error) == message
    assert error.column == "x"
