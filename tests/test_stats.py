"""Tests of the statistics layer: exact values, edge cases and properties against pandas."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hydroml_jupyter.analysis import (
    KINDS,
    ColumnInfo,
    column_info,
    column_summary,
    histogram,
    missing,
    summary,
)

XSS = "<img src=x onerror=alert(1)>"


def strict_json(obj: object) -> str:
    return json.dumps(obj, allow_nan=False)


# ---------------------------------------------------------------- column_summary: exact values


def test_float_summary_matches_pandas() -> None:
    s = pd.Series([1.0, 2.0, 2.0, None, 5.0], name="x")
    r = column_summary(s)
    assert (r.name, r.dtype, r.kind) == ("x", "float64", "numeric")
    assert (r.count, r.nulls, r.distinct) == (4, 1, 3)
    assert r.null_share == pytest.approx(0.2)
    assert (r.min, r.max) == (1.0, 5.0)
    assert r.mean == pytest.approx(s.mean(), rel=1e-15)
    assert r.std == pytest.approx(s.std(), rel=1e-15)
    assert r.top == [(2.0, 2), (1.0, 1), (5.0, 1)]
    assert all(type(v) is float for v, _ in r.top)


def test_int_summary_python_scalars_and_top_limit() -> None:
    s = pd.Series([3, 1, 3, 2, 2, 7, 9], name="i")
    r = column_summary(s, top=2)
    assert r.top == [(2, 2), (3, 2)]
    assert type(r.min) is int and (r.min, r.max) == (1, 9)
    assert r.mean == pytest.approx(s.mean())
    assert r.std == pytest.approx(s.std())


def test_large_int_range_uses_exact_counts() -> None:
    s = pd.Series([10**15, -(10**15), 10**15, 5], dtype="int64")
    r = column_summary(s)
    assert r.distinct == 3 and r.top[0] == (10**15, 2)
    assert (r.min, r.max) == (-(10**15), 10**15)


@pytest.mark.parametrize("dtype", ["str", "object", "string[pyarrow]", pd.ArrowDtype(pa.string())])
def test_text_ties_broken_by_value(dtype: object) -> None:
    s = pd.Series(["b", "a", "c", "a", "b", None], dtype=dtype)
    r = column_summary(s)
    assert r.kind == "text"
    assert (r.count, r.nulls, r.distinct) == (5, 1, 3)
    assert r.top == [("a", 2), ("b", 2), ("c", 1)]
    assert (r.min, r.max) == ("a", "c")
    assert r.mean is None and r.std is None


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_text_many_ties_pick_smallest_values(dtype: object) -> None:
    values = [f"v{i:04d}" for i in range(500)]
    rng = np.random.default_rng(1)
    s = pd.Series(rng.permutation(values), dtype=dtype)
    assert column_summary(s, top=3).top == [("v0000", 1), ("v0001", 1), ("v0002", 1)]


def test_float_many_ties_pick_smallest_values() -> None:
    s = pd.Series(np.random.default_rng(2).permutation(np.arange(100.0)))
    s = pd.concat([s, pd.Series([50.0])], ignore_index=True)
    assert column_summary(s, top=3).top == [(50.0, 2), (0.0, 1), (1.0, 1)]


def test_low_cardinality_float_hash_path() -> None:
    s = pd.Series(np.tile([0.5, -1.0, 2.25], 10_000))
    r = column_summary(s)
    assert r.distinct == 3 and (r.min, r.max) == (-1.0, 2.25)
    assert r.top == [(-1.0, 10_000), (0.5, 10_000), (2.25, 10_000)]


def test_boolean_numpy() -> None:
    r = column_summary(pd.Series([True, False, True, True]))
    assert r.kind == "boolean"
    assert r.mean == 0.75 and r.std is None
    assert (r.min, r.max) == (False, True)
    assert r.top == [(True, 3), (False, 1)]


# ---------------------------------------------------------------- edge cases


def test_empty_series_and_frame() -> None:
    r = column_summary(pd.Series([], dtype="float64", name="e"))
    assert (r.count, r.nulls, r.null_share, r.distinct) == (0, 0, 0.0, 0)
    assert r.min is None and r.mean is None and r.top == []
    assert histogram(pd.Series([], dtype="float64")) is None
    assert summary(pd.DataFrame()).shape == (0, 10)
    table = summary(pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": []}))
    assert table["count"].tolist() == [0, 0]
    rep = missing(pd.DataFrame({"a": pd.Series([], dtype="float64")}))
    assert (rep.total_rows, rep.complete_rows, len(rep.patterns)) == (0, 0, 0)
    assert rep.by_column["share"].tolist() == [0.0]
    strict_json(rep.to_dict())


@pytest.mark.parametrize("dtype", ["float64", "object", "Int64", "str", "datetime64[ns]"])
def test_all_null_column(dtype: str) -> None:
    s = pd.Series([None, None, None], dtype=dtype)
    r = column_summary(s)
    assert (r.count, r.nulls, r.null_share, r.distinct) == (0, 3, 1.0, 0)
    assert r.min is None and r.max is None and r.mean is None and r.top == []
    assert histogram(s) is None
    strict_json(column_info(s).to_dict())


def test_single_row() -> None:
    r = column_summary(pd.Series([4.5]))
    assert (r.count, r.distinct, r.min, r.max, r.mean) == (1, 1, 4.5, 4.5, 4.5)
    assert r.std is None
    assert r.to_dict()["std"] is None


def test_constant_column_single_bin() -> None:
    h = histogram(pd.Series([3.0] * 7 + [None]))
    assert h is not None
    assert h.counts == [7] and h.edges == [3.0, 3.0]
    r = column_summary(pd.Series([3.0] * 7))
    assert r.std == 0.0 and r.distinct == 1


def test_inf_values() -> None:
    s = pd.Series([1.0, np.inf, 2.0, -np.inf, np.nan, 3.0])
    r = column_summary(s)
    assert (r.count, r.nulls, r.distinct) == (5, 1, 5)
    assert (r.min, r.max) == (-np.inf, np.inf)
    assert r.mean is None  # inf + -inf is undefined
    assert r.std is None
    d = r.to_dict()
    assert (d["min"], d["max"]) == ("-inf", "inf")
    strict_json(d)
    h = histogram(s, bins=2)
    assert h is not None and h.ignored == 2
    assert h.counts == [1, 2] and h.edges == [1.0, 2.0, 3.0]
    only_inf = histogram(pd.Series([np.inf, -np.inf]))
    assert only_inf is not None and only_inf.counts == [] and only_inf.ignored == 2
    assert column_summary(pd.Series([1.0, np.inf])).mean == np.inf


def test_huge_finite_range_histogram() -> None:
    h = histogram(pd.Series([-1e308, 1e308, 0.0]), bins=2)
    assert h is not None and h.counts == [1, 2]
    assert h.edges[0] == -1e308 and h.edges[-1] == 1e308


@pytest.mark.parametrize(
    ("dtype", "values", "kind"),
    [
        ("Int64", [1, None, 3, 3], "numeric"),
        ("Float64", [1.5, None, 3.0, 3.0], "numeric"),
        ("int64[pyarrow]", [1, None, 3, 3], "numeric"),
        ("boolean", [True, None, False, False], "boolean"),
        ("bool[pyarrow]", [True, None, False, False], "boolean"),
    ],
)
def test_nullable_dtypes(dtype: str, values: list[object], kind: str) -> None:
    s = pd.Series(values, dtype=dtype)
    r = column_summary(s)
    assert r.kind == kind and r.dtype == str(s.dtype)
    assert (r.count, r.nulls, r.distinct) == (int(s.count()), 1, int(s.nunique()))
    if kind == "numeric":
        assert r.mean == pytest.approx(float(s.mean()))
        assert r.std == pytest.approx(float(s.std()))
        assert r.top[0] == (3, 2)
        assert histogram(s) is not None
    else:
        assert r.mean == pytest.approx(1 / 3)
        assert r.top == [(False, 2), (True, 1)]
        assert histogram(s) is None
    strict_json(column_info(s).to_dict())


def test_category() -> None:
    s = pd.Series(pd.Categorical(["y", "x", "y", None], categories=["z", "y", "x"]))
    r = column_summary(s)
    assert r.kind == "category"
    assert (r.count, r.nulls, r.distinct) == (3, 1, 2)  # unused category "z" not counted
    assert r.top == [("y", 2), ("x", 1)]
    assert r.min is None and r.max is None  # unordered
    ordered = s.cat.as_ordered()
    r2 = column_summary(ordered)
    assert (r2.min, r2.max) == ("y", "x")  # category order, unused "z" skipped
    ties = pd.Series(pd.Categorical(["b", "a"], categories=["b", "a"]))
    assert column_summary(ties).top == [("b", 1), ("a", 1)]  # ties in category order


def test_object_mixed_types_do_not_crash() -> None:
    s = pd.Series([1, "a", 2.5, None, "a", (1, 2)], dtype=object, name="mix")
    r = column_summary(s)
    assert r.kind == "other"
    assert (r.count, r.nulls, r.distinct) == (5, 1, 4)
    assert r.min is None and r.max is None
    assert r.top[0] == ("a", 2)
    assert len(r.top) == 4
    info = column_info(s)
    assert info.histogram is None
    strict_json(info.to_dict())
    assert "<td>" in info._repr_html_()


def test_object_unhashable_values() -> None:
    s = pd.Series([{"a": 1}, {"a": 1}, None], dtype=object)
    r = column_summary(s)
    assert (r.count, r.nulls) == (2, 1)
    strict_json(r.to_dict())


def test_datetime_with_nat() -> None:
    s = pd.Series(pd.to_datetime(["2021-01-03", None, "2021-01-01", "2021-01-03"]))
    r = column_summary(s)
    assert r.kind == "datetime"
    assert (r.count, r.nulls, r.distinct) == (3, 1, 2)
    assert (r.min, r.max) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-03"))
    assert r.mean == s.mean() and r.std is None
    assert r.top == [(pd.Timestamp("2021-01-03"), 2), (pd.Timestamp("2021-01-01"), 1)]
    d = r.to_dict()
    assert d["min"] == "2021-01-01T00:00:00" and d["top"][0] == ["2021-01-03T00:00:00", 2]
    h = histogram(s, bins=2)
    assert h is not None and h.kind == "datetime" and h.unit == str(np.datetime_data(s.dtype)[0])
    assert h.counts == [1, 2]
    assert h.labels[0] == "2021-01-01T00:00:00" and h.labels[-1] == "2021-01-03T00:00:00"


def test_datetime_mean_is_exact_at_ns() -> None:
    base = pd.Timestamp("2200-01-01")
    s = pd.Series([base, base + pd.Timedelta(3, "ns")]).astype("datetime64[ns]")
    assert column_summary(s).mean == base + pd.Timedelta(2, "ns")  # 1.5 ns rounds half-even


def test_timezone_aware_datetime() -> None:
    s = pd.Series(pd.to_datetime(["2021-06-01 12:00", "2021-06-02 12:00", None]))
    s = s.dt.tz_localize("Europe/Paris")
    r = column_summary(s)
    assert r.kind == "datetime" and r.dtype == str(s.dtype)
    assert r.min == s.min() and r.max == s.max() and r.mean == s.mean()
    assert str(r.min.tz) == "Europe/Paris"
    assert r.to_dict()["min"] == "2021-06-01T12:00:00+02:00"
    h = histogram(s, bins=4)
    assert h is not None and sum(h.counts) == 2
    assert h.labels[0] == "2021-06-01T12:00:00+02:00"


def test_arrow_timestamp() -> None:
    s = pd.Series(pd.to_datetime(["2021-01-01", None, "2021-01-02"])).astype(
        pd.ArrowDtype(pa.timestamp("us"))
    )
    r = column_summary(s)
    assert r.kind == "datetime" and (r.count, r.nulls) == (2, 1)
    assert r.min == pd.Timestamp("2021-01-01")


def test_timedelta() -> None:
    s = pd.Series(pd.to_timedelta(["1h", "3h", None, "3h"]))
    r = column_summary(s)
    assert r.kind == "timedelta"
    assert (r.min, r.max) == (pd.Timedelta("1h"), pd.Timedelta("3h"))
    assert r.mean == s.mean() and r.std == s.std()
    assert r.top[0] == (pd.Timedelta("3h"), 2)
    assert histogram(s) is None
    strict_json(r.to_dict())


def test_integer_histogram_one_bin_per_value() -> None:
    h = histogram(pd.Series([1, 2, 2, 4]), bins=20)
    assert h is not None
    assert h.counts == [1, 2, 0, 1] and h.edges == [0.5, 1.5, 2.5, 3.5, 4.5]
    wide = histogram(pd.Series(np.arange(1000)), bins=10)
    assert wide is not None and wide.counts == [100] * 10
    with pytest.raises(ValueError, match="bins"):
        histogram(pd.Series([1.0]), bins=0)


def test_histogram_matches_numpy() -> None:
    vals = np.random.default_rng(3).normal(size=1000)
    h = histogram(pd.Series(vals), bins=7)
    counts, edges = np.histogram(vals, bins=7)
    assert h is not None and h.counts == counts.tolist()
    np.testing.assert_allclose(h.edges, edges)
    assert histogram(pd.Series([True, False])) is None
    assert histogram(pd.Series(["a"])) is None


def test_unicode_and_html_escaping() -> None:
    df = pd.DataFrame({"naïve 名前 🌊": ["é", None, "ü"], XSS: ["<script>x</script>", None, "b"]})
    info = column_info(df[XSS])
    assert isinstance(info, ColumnInfo)
    out = info._repr_html_()
    assert "<img" not in out and "<script>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "&lt;script&gt;" in out
    assert column_info(df["naïve 名前 🌊"]).summary.name == "naïve 名前 🌊"
    rep_html = missing(df)._repr_html_()
    assert "<img" not in rep_html and "&lt;img" in rep_html
    hist_html = column_info(pd.Series([1.0, 2.0, 3.0], name=XSS))._repr_html_()
    assert "<img" not in hist_html and "bin" in hist_html
    assert list(summary(df).index) == list(df.columns)


def test_to_dict_is_strict_json_for_every_kind() -> None:
    df = pd.DataFrame(
        {
            "f": [1.0, np.nan, np.inf],
            "i": [1, 2, 3],
            "b": [True, False, True],
            "d": pd.to_datetime(["2020-01-01", None, "2020-01-02"]),
            "t": pd.to_timedelta(["1s", None, "2s"]),
            "s": ["a", None, "b"],
            "c": pd.Categorical(["x", "y", None]),
            "o": pd.Series([1, "a", None], dtype=object),
        }
    )
    kinds = set()
    for col in df.columns:
        info = column_info(df[col])
        kinds.add(info.summary.kind)
        strict_json(info.to_dict())
    assert kinds == set(KINDS)


# ---------------------------------------------------------------- summary


def test_summary_agrees_with_column_summary() -> None:
    df = pd.DataFrame(
        {"a": [1.0, 2.0, 2.0, None], "b": ["x", "y", None, None], "c": [True, True, False, True]}
    )
    table = summary(df)
    assert list(table.columns) == [
        "dtype",
        "count",
        "nulls",
        "null_share",
        "distinct",
        "min",
        "max",
        "mean",
        "std",
        "top",
    ]
    assert list(table.index) == ["a", "b", "c"]
    for col in df.columns:
        r = column_summary(df[col])
        row = table.loc[col]
        assert (row["dtype"], row["count"], row["nulls"], row["distinct"]) == (
            r.dtype,
            r.count,
            r.nulls,
            r.distinct,
        )
        assert row["top"] == (r.top[0][0] if r.top else None)
    assert table.loc["b", "top"] == "x"
    assert table.loc["a", "mean"] == pytest.approx(5 / 3)


def test_summary_duplicate_and_non_string_labels() -> None:
    df = pd.DataFrame([[1, "a", 3.0]], columns=[0, 0, "x"])
    table = summary(df)
    assert list(table.index) == [0, 0, "x"]
    assert table["dtype"].tolist() == ["int64", "str", "float64"]


# ---------------------------------------------------------------- missing


def test_missing_exact() -> None:
    df = pd.DataFrame(
        {
            "a": [1, None, None, 4, None],
            "b": ["x", None, "z", "w", None],
            "c": [1, 2, 3, 4, 5],
        }
    )
    rep = missing(df)
    assert (rep.total_rows, rep.complete_rows, rep.distinct_patterns) == (5, 2, 3)
    assert list(rep.by_column.index) == ["a", "b", "c"]
    assert rep.by_column["nulls"].tolist() == [3, 2, 0]
    assert rep.by_column["share"].tolist() == [0.6, 0.4, 0.0]
    assert rep.patterns["columns"].tolist() == [(), ("a", "b"), ("a",)]
    assert rep.patterns["rows"].tolist() == [2, 2, 1]
    assert rep.patterns["share"].tolist() == [0.4, 0.4, 0.2]
    d = rep.to_dict()
    strict_json(d)
    assert d["patterns"][1] == {"columns": ["a", "b"], "rows": 2, "share": 0.4}
    assert missing(df, patterns=1).patterns["rows"].tolist() == [2]


def test_missing_no_nulls_and_by_column_order() -> None:
    df = pd.DataFrame({"x": [1, 2], "y": [3.0, None], "z": [None, None]})
    rep = missing(df)
    assert list(rep.by_column.index) == ["z", "y", "x"]
    assert rep.complete_rows == 0
    full = missing(pd.DataFrame({"x": [1, 2, 3]}))
    assert full.patterns["columns"].tolist() == [()]
    assert full.patterns["rows"].tolist() == [3] and full.complete_rows == 3


def test_missing_more_than_63_null_columns() -> None:
    rng = np.random.default_rng(4)
    n, k = 400, 150
    data = rng.random((n, k))
    data[rng.random((n, k)) < 0.01] = np.nan
    df = pd.DataFrame(data, columns=[f"c{i}" for i in range(k)])
    rep = missing(df, patterns=None)
    mask = df.isna().to_numpy()
    expected = pd.Series([tuple(df.columns[row.nonzero()[0]]) for row in mask]).value_counts()
    got = dict(zip(rep.patterns["columns"], rep.patterns["rows"], strict=True))
    assert got == expected.to_dict()
    assert rep.patterns["rows"].sum() == n
    assert rep.complete_rows == int((~mask.any(axis=1)).sum())
    assert rep.distinct_patterns == len(expected)


# ---------------------------------------------------------------- properties

_columns = st.sampled_from(["float", "int", "text", "bool", "Int64", "object"])


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    kinds = draw(st.lists(_columns, min_size=0, max_size=5))
    cols: dict[str, pd.Series] = {}
    for i, kind in enumerate(kinds):
        if kind == "float":
            vals = draw(
                st.lists(
                    st.one_of(
                        st.none(), st.sampled_from([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, 1e300])
                    ),
                    min_size=n,
                    max_size=n,
                )
            )
            col = pd.Series([np.nan if v is None else v for v in vals], dtype="float64")
        elif kind == "int":
            col = pd.Series(
                draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype="int64"
            )
        elif kind == "Int64":
            col = pd.Series(
                draw(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=n, max_size=n)),
                dtype="Int64",
            )
        elif kind == "bool":
            col = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        elif kind == "text":
            col = pd.Series(
                draw(st.lists(st.one_of(st.none(), st.text(max_size=3)), min_size=n, max_size=n)),
                dtype="str",
            )
        else:
            col = pd.Series(
                draw(
                    st.lists(
                        st.one_of(st.none(), st.integers(0, 3), st.text(max_size=2)),
                        min_size=n,
                        max_size=n,
                    )
                ),
                dtype=object,
            )
        cols[f"c{i}"] = col
    return pd.DataFrame(cols, index=range(n))


@settings(max_examples=150, deadline=None)
@given(frames())
def test_summary_counts_agree_with_pandas(df: pd.DataFrame) -> None:
    table = summary(df)
    assert list(table.index) == list(df.columns)
    for col in df.columns:
        s = df[col]
        row = table.loc[col]
        assert row["count"] == s.count()
        assert row["nulls"] == s.isna().sum()
        assert row["distinct"] == s.nunique()
        assert row["null_share"] == (s.isna().sum() / len(s) if len(s) else 0.0)
        r = column_summary(s, top=3)
        vc = s.value_counts()
        assert [c for _, c in r.top] == vc.head(3).tolist()
        if len(vc) and r.kind in ("numeric", "text", "boolean"):
            assert r.min == s.min() and r.max == s.max()
        strict_json(column_info(s).to_dict())


@settings(max_examples=150, deadline=None)
@given(frames())
def test_missing_patterns_sum_to_total_rows(df: pd.DataFrame) -> None:
    rep = missing(df, patterns=None)
    assert rep.total_rows == len(df)
    assert int(rep.patterns["rows"].sum()) == len(df)
    assert rep.complete_rows == int((~df.isna().any(axis=1)).sum())
    assert rep.by_column["nulls"].to_dict() == df.isna().sum().to_dict()
    assert math.isclose(float(rep.patterns["share"].sum()), 1.0) or len(df) == 0
    for cols, rows in zip(rep.patterns["columns"], rep.patterns["rows"], strict=True):
        mask = df.isna()
        want = mask[list(cols)].all(axis=1) & ~mask.drop(columns=list(cols)).any(axis=1)
        assert int(want.sum()) == rows
