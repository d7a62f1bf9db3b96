"""The frame codec: exact round trips of every pandas dtype a session can hold."""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hydroml_jupyter.store import StoreError, compression, decode_frame, encode_frame


def roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    out = decode_frame(encode_frame(df))
    pd.testing.assert_frame_equal(df, out, check_exact=True)
    return out


def s(values, dtype=None, **kw) -> pd.DataFrame:
    return pd.DataFrame({"col": pd.Series(values, dtype=dtype, **kw)})


CASES = {
    "float64 NaN": s([1.5, np.nan, -0.0, np.inf]),
    "float32": s([1.5, np.nan], dtype="float32"),
    "int64": s([1, -(2**62), 2**62]),
    "uint8": s([0, 255], dtype="uint8"),
    "Int64 NA": s([1, None, 3], dtype="Int64"),
    "boolean NA": s([True, None, False], dtype="boolean"),
    "bool": s([True, False]),
    "str (pandas 3 default)": s(["a", None, "é", ""]),
    "string": s(["a", None], dtype="string"),
    "string[python]": s(["a", None], dtype="string[python]"),
    "str python storage": s(["a", None], dtype=pd.StringDtype("python", na_value=np.nan)),
    "category": s(pd.Categorical(["x", None, "y", "x"])),
    "category ordered": s(
        pd.Categorical(["lo", "hi", None], categories=["lo", "hi"], ordered=True)
    ),
    "category int": s(pd.Categorical([1, 2, None])),
    "datetime64[ns] NaT": s(pd.to_datetime(["2020-01-01 00:00:00.000000001", None])),
    "datetime64[us] NaT": s(pd.to_datetime(["2020-01-01", None]).as_unit("us")),
    "datetime64[s]": s(pd.to_datetime(["2020-01-01", None]).as_unit("s")),
    "tz-aware": s(pd.to_datetime(["2020-03-29 01:30", None]).tz_localize("Europe/Paris")),
    "tz UTC": s(pd.date_range("2020", periods=3, tz="UTC")),
    "timedelta": s(pd.to_timedelta([1, None, 3], unit="s")),
    "period": s(pd.period_range("2020-01", periods=2, freq="M")),
    "interval": s(pd.interval_range(0, 2)),
    "object str None": s(["a", None, "b"], dtype=object),
    "object str NaN": s(["a", np.nan], dtype=object),
    "object str mixed missing": s(["a", None, np.nan, pd.NA, "b"], dtype=object),
    "object int": s([1, None, 3], dtype=object),
    "object bool": s([True, None], dtype=object),
    "object bytes": s([b"\x00\xff", None], dtype=object),
    "object decimal": s([decimal.Decimal("1.25"), None], dtype=object),
    "object date": s([datetime.date(2020, 1, 2), None], dtype=object),
    "object all missing": s([None, None], dtype=object),
    "pyarrow int": s([1, None], dtype="int64[pyarrow]"),
    "RangeIndex start/step": pd.DataFrame({"a": [1, 2, 3]}, index=pd.RangeIndex(10, 16, 2)),
    "RangeIndex named": pd.DataFrame({"a": [1]}, index=pd.RangeIndex(1, name="row")),
    "int index": pd.DataFrame({"a": [1, 2]}, index=[7, 3]),
    "duplicate index": pd.DataFrame({"a": [1, 2]}, index=[7, 7]),
    "string index": pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], name="k")),
    "object string index": pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], dtype=object)),
    "tz index": pd.DataFrame(
        {"a": [1, 2]}, index=pd.date_range("2020", periods=2, tz="Asia/Tokyo")
    ),
    "RangeIndex no columns": pd.DataFrame(index=pd.RangeIndex(3, 9, 2)),
    "float index": pd.DataFrame({"a": [1, 2]}, index=[0.5, 1.5]),
    "datetime index freq": pd.DataFrame({"a": [1, 2]}, index=pd.date_range("2020", periods=2)),
    "MultiIndex": pd.DataFrame(
        {"a": [1, 2]}, index=pd.MultiIndex.from_tuples([(1, "x"), (2, "y")], names=["n", "s"])
    ),
    "empty": pd.DataFrame(),
    "no rows, category kept": s(pd.Categorical([], categories=["b", "a"], ordered=True)),
    "empty typed": pd.DataFrame(
        {"f": pd.Series([], dtype="float64"), "t": pd.Series([], dtype="str")}
    ),
    "index only": pd.DataFrame(index=[1, 2]),
    "unicode/space/int names": pd.DataFrame(
        {"naïve col": [1], "with space": [2], 3: [3], 4.5: [4]}
    ),
    "numbers as text vs int": pd.DataFrame({"1": [1], 1: [2]}),
    "duplicate names": pd.DataFrame([[1, "a"]], columns=["x", "x"]),
    "RangeIndex columns": pd.DataFrame(np.zeros((2, 3))),
    "named columns": pd.DataFrame({"a": [1]}).rename_axis(columns="fields"),
    "index name like column": pd.DataFrame({"a": [1, 2]}, index=pd.Index([5, 6], name="a")),
    "reserved-looking name": pd.DataFrame({"__index_level_0__": [1]}, index=[9]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_exact_roundtrip(name: str) -> None:
    roundtrip(CASES[name])


def test_all_dtypes_in_one_frame() -> None:
    cols = [df.iloc[:, 0].reset_index(drop=True) for df in CASES.values() if df.shape == (2, 1)]
    wide = pd.concat(cols, axis=1, ignore_index=True)
    assert wide.shape[1] > 10
    roundtrip(wide)


def test_large_frame_and_compression_recorded() -> None:
    rng = np.random.default_rng(0)
    n = 200_000
    df = pd.DataFrame({"x": rng.normal(size=n), "s": pd.Series(rng.integers(0, 50, n)).astype(str)})
    body = encode_frame(df)
    schema = pa.ipc.open_stream(pa.py_buffer(body)).schema
    assert b'"compression":"' + compression().encode() + b'"' in schema.metadata[b"hydroml"]
    roundtrip(df)
    repetitive = pd.DataFrame({"x": np.zeros(n), "s": ["same text"] * n})
    assert encode_frame(repetitive).nbytes < repetitive.memory_usage(deep=True).sum() / 20


def test_decoded_frame_is_independent_of_the_original() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    out = roundtrip(df)
    out.loc[0, "a"] = 99
    assert df.loc[0, "a"] == 1


@pytest.mark.parametrize(
    ("df", "words"),
    [
        (pd.DataFrame({"mix": [1, "x"]}), ["'mix'", "int", "str", "row 1"]),
        (pd.DataFrame({"ok": [1, 2], "mix": ["a", 2.5]}), ["'mix'", "str", "float"]),
        (pd.DataFrame({"lists": [[1], [2]]}), ["'lists'", "list"]),
        (pd.DataFrame({"c": [1j, 2j]}), ["'c'", "complex"]),
        (pd.DataFrame({"big": pd.Series([2**80], dtype=object)}), ["'big'"]),
        (pd.DataFrame({"a": [1]}, index=[pd.Timestamp(0)]).T, ["column label", "Timestamp"]),
    ],
)
def test_unstorable_frames_name_the_column(df: pd.DataFrame, words: list[str]) -> None:
    with pytest.raises(StoreError) as info:
        encode_frame(df, where="session 's', step 1: ")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("session 's', step 1: ")
    for word in words:
        assert word in message


def test_multiindex_columns_refused() -> None:
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2)]))
    with pytest.raises(StoreError, match="MultiIndex columns"):
        encode_frame(df)


def test_garbage_body_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot be read"):
        decode_frame(b"not arrow at all")


# -- random frames -----------------------------------------------------------------------
_TEXT = st.one_of(st.none(), st.text(max_size=6))
_FLOAT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
_INT = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))
_STAMP = st.one_of(
    st.none(), st.datetimes(datetime.datetime(1700, 1, 1), datetime.datetime(2200, 1, 1))
)

COLUMN_KINDS = {
    "float": (_FLOAT, lambda v: pd.Series([np.nan if x is None else x for x in v], dtype=float)),
    "int": (st.integers(-(2**63), 2**63 - 1), lambda v: pd.Series(v, dtype="int64")),
    "Int64": (_INT, lambda v: pd.Series(v, dtype="Int64")),
    "boolean": (st.one_of(st.none(), st.booleans()), lambda v: pd.Series(v, dtype="boolean")),
    "bool": (st.booleans(), lambda v: pd.Series(v, dtype=bool)),
    "str": (_TEXT, lambda v: pd.Series(v, dtype="str")),
    "string": (_TEXT, lambda v: pd.Series(v, dtype="string")),
    "object": (_TEXT, lambda v: pd.Series(v, dtype=object)),
    "category": (
        st.sampled_from(["a", "b", None]),
        lambda v: pd.Series(pd.Categorical(v, categories=["b", "a"], ordered=len(v) % 2 == 0)),
    ),
    "datetime": (_STAMP, lambda v: pd.Series(pd.to_datetime(v)).astype("datetime64[us]")),
    "tz": (_STAMP, lambda v: pd.Series(pd.to_datetime(v)).dt.tz_localize("UTC")),
    "timedelta": (
        st.one_of(st.none(), st.integers(-(10**15), 10**15)),
        lambda v: pd.Series(pd.to_timedelta(v, unit="us")),
    ),
}


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(sorted(COLUMN_KINDS)), max_size=6))
    labels = draw(
        st.lists(
            st.one_of(st.text(max_size=5), st.integers(-5, 5)),
            min_size=len(kinds),
            max_size=len(kinds),
            unique_by=lambda x: (type(x), x),
        )
    )
    data = {}
    for label, kind in zip(labels, kinds, strict=True):
        values_strategy, make = COLUMN_KINDS[kind]
        values = draw(st.lists(values_strategy, min_size=rows, max_size=rows))
        data[label] = make(values)
    df = pd.DataFrame(data, index=pd.RangeIndex(rows))
    index_kind = draw(st.sampled_from(["range", "shifted", "int", "str"]))
    if index_kind == "shifted":
        df.index = pd.RangeIndex(5, 5 + 3 * rows, 3)
    elif index_kind == "int":
        df.index = draw(st.lists(st.integers(-100, 100), min_size=rows, max_size=rows))
    elif index_kind == "str":
        df.index = pd.Index(draw(st.lists(st.text(max_size=3), min_size=rows, max_size=rows)))
    return df


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_random_frames_roundtrip_exactly(df: pd.DataFrame) -> None:
    roundtrip(df)
