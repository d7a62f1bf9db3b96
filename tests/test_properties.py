"""Property tests: random operation sequences, then undo-all, redo-all, code and recipe.

Every example builds a random mixed frame, applies random (often invalid)
operations, and checks that:

- an operation that fails leaves the session exactly as it was;
- undoing everything gives the original frame exactly;
- redoing everything gives the final frame exactly;
- ``exec(s.code(source=False))`` gives the final frame exactly;
- the recipe, through JSON, replayed on the original gives the final frame exactly.

``HYDROML_EXAMPLES`` sets the number of examples (default 300).
"""

from __future__ import annotations

import os
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from families import collect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.engine import BatchError
from hydroml_jupyter.engine.ops.base import kind_of
from hydroml_jupyter.engine.ops.rows import Comparison

EXAMPLES = int(os.environ.get("HYDROML_EXAMPLES", "300"))
#: The strategies of operation families kept in ``tests/ops_*.py``.
FAMILIES = collect("PROPERTY")

WORDS = ["x", "Y", " y ", "zz", "a b", "", "ÄÖ", "1", "2.5", "true", "no", "2021-03-04"]
NEW_NAMES = ["new", "ratio", "f", "s", "col 2", "größe", 7]


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 12))
    maybe_float = st.one_of(
        st.none(), st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 2))
    )
    maybe_int = st.one_of(st.none(), st.integers(-5, 5))
    maybe_word = st.one_of(st.none(), st.sampled_from(WORDS))
    maybe_day = st.one_of(st.none(), st.integers(0, 1000))
    data = {
        "f": pd.Series(draw(st.lists(maybe_float, min_size=rows, max_size=rows)), dtype="float64"),
        "i": pd.Series(
            draw(st.lists(st.integers(-3, 3), min_size=rows, max_size=rows)), dtype="int64"
        ),
        "n": pd.Series(draw(st.lists(maybe_int, min_size=rows, max_size=rows)), dtype="Int64"),
        "s": pd.Series(draw(st.lists(maybe_word, min_size=rows, max_size=rows)), dtype="str"),
        "c": pd.Series(
            draw(st.lists(st.sampled_from(["lo", "mid", "hi"]), min_size=rows, max_size=rows)),
            dtype="category",
        ),
        "d": pd.Series(
            [
                None if v is None else pd.Timestamp("2020-01-01") + pd.Timedelta(days=v)
                for v in draw(st.lists(maybe_day, min_size=rows, max_size=rows))
            ],
            dtype="datetime64[ns]",
        ),
        "b": pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype="bool"),
    }
    df = pd.DataFrame(data)
    if draw(st.booleans()):
        df.index = pd.Index(
            draw(st.lists(st.integers(0, 10**6), min_size=rows, max_size=rows, unique=True))
        )
    return df


def _columns(df: pd.DataFrame, kinds: str | None = None) -> list:
    return [c for c in df.columns if kinds is None or kind_of(df[c].dtype) in kinds]


def _value_for(draw: st.DrawFn, series: pd.Series) -> object:
    values = series.dropna().unique().tolist()
    if values and draw(st.booleans()):
        value = draw(st.sampled_from(values))
        return value.item() if isinstance(value, np.generic) else value
    kind = kind_of(series.dtype)
    if kind in "iuf":
        return draw(st.sampled_from([0, 1, -2, 2.5]))
    if kind == "M":
        return draw(st.sampled_from(["2020-06-01", "2021-01-01"]))
    return draw(st.sampled_from([*WORDS, 3]))


@st.composite
def operations(draw: st.DrawFn, df: pd.DataFrame) -> tuple[str, dict]:
    cols = _columns(df) or ["missing"]
    any_col = st.sampled_from(cols)
    numeric = _columns(df, "iuf") or cols
    op = draw(st.sampled_from(sorted(hj.catalog())))
    column = draw(any_col)
    if op == "rename":
        return op, {"columns": {column: draw(st.sampled_from(NEW_NAMES))}}
    if op == "cast":
        dtype = draw(
            st.sampled_from(
                [
                    "int64",
                    "Int64",
                    "float64",
                    "str",
                    "category",
                    "bool",
                    "boolean",
                    "datetime64[ns]",
                    "datetime64[ns, UTC]",
                    "datetime64[us, Europe/Paris]",
                    "Float64",
                    "int8",
                ]
            )
        )
        return op, {
            "column": column,
            "dtype": dtype,
            "errors": draw(st.sampled_from(["raise", "coerce"])),
        }
    if op == "fill_missing":
        strategy = draw(
            st.sampled_from(["value", "mean", "median", "mode", "ffill", "bfill", "interpolate"])
        )
        params = {"column": column, "strategy": strategy}
        if strategy == "value":
            params["value"] = _value_for(draw, df[column]) if column in df else 0
        elif strategy in ("mean", "median", "mode") and draw(st.booleans()):
            params["by"] = [draw(any_col)]
        return op, params
    if op == "drop_columns":
        return op, {"columns": draw(st.lists(any_col, min_size=1, max_size=2, unique=True))}
    if op == "drop_missing":
        subset = draw(st.one_of(st.none(), st.lists(any_col, min_size=1, max_size=2, unique=True)))
        return op, {"columns": subset, "how": draw(st.sampled_from(["any", "all"]))}
    if op == "filter_rows":
        test = draw(st.sampled_from(get_args(Comparison)))
        series = df[column] if column in df else pd.Series([], dtype=float)
        if test in ("is_null", "not_null"):
            value = None
        elif test == "between":
            value = sorted([_value_for(draw, series), _value_for(draw, series)], key=str)
        elif test in ("in", "not_in"):
            value = [_value_for(draw, series) for _ in range(draw(st.integers(1, 3)))]
        elif test in ("contains", "startswith", "endswith"):
            value = draw(st.sampled_from(["x", "y", " ", "a"]))
        else:
            value = _value_for(draw, series)
        return op, {"column": column, "op": test, "value": value}
    if op == "sort_rows":
        by = draw(st.lists(any_col, min_size=1, max_size=2, unique=True))
        return op, {"by": by, "ascending": draw(st.booleans())}
    if op == "dedupe":
        subset = draw(st.one_of(st.none(), st.lists(any_col, min_size=1, max_size=2, unique=True)))
        return op, {"subset": subset, "keep": draw(st.sampled_from(["first", "last", "none"]))}
    if op == "replace":
        series = df[column] if column in df else pd.Series([], dtype=float)
        return op, {
            "column": column,
            "mapping": {_value_for(draw, series): _value_for(draw, series)},
        }
    if op == "text":
        return op, {
            "column": column,
            "action": draw(st.sampled_from(["strip", "lower", "upper", "title"])),
        }
    if op == "formula":
        template = draw(
            st.sampled_from(
                [
                    "{n} * 2 + 1",
                    "abs({n}) - {m}",
                    "where({n} > 0, {n}, 0)",
                    "{n} / {m}",
                    "round({n} / 3, 2)",
                    "lower({c})",
                    "len({c})",
                    "year({c})",
                    "{n} > 1 & {m} < 2",
                    "isnull({c})",
                    "fillna({n}, 0)",
                    "clip({n}, -1, 1)",
                    "sqrt(abs({n}))",
                ]
            )
        )
        quote = lambda c: f"`{c}`"  # noqa: E731
        expr = template.format(
            n=quote(draw(st.sampled_from(numeric))),
            m=quote(draw(st.sampled_from(numeric))),
            c=quote(column),
        )
        return op, {"column": draw(st.sampled_from([*NEW_NAMES, column])), "expr": expr}
    if op == "one_hot":
        return op, {"column": column, "drop_first": draw(st.booleans())}
    if op == "scale":
        columns = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=2, unique=True))
        return op, {
            "columns": columns,
            "method": draw(st.sampled_from(["standard", "minmax", "robust"])),
        }
    if op == "group_aggregate":
        funcs = st.one_of(
            st.sampled_from(["sum", "mean", "count", "max", "first", "nunique"]),
            st.lists(
                st.sampled_from(["min", "median", "size"]), min_size=1, max_size=2, unique=True
            ),
        )
        return op, {"by": [column], "aggs": {draw(st.sampled_from(numeric)): draw(funcs)}}
    if op in FAMILIES:
        return FAMILIES[op](draw, df)
    raise AssertionError(f"no parameter strategy for operation {op!r}: add one here")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(original=frames(), data=st.data(), budget=st.sampled_from([None, 0]))
def test_random_sequences_undo_redo_code_recipe(original, data, budget) -> None:
    s = hj.Session(original, name="prop", memory_budget=budget)
    applied = 0
    for _ in range(data.draw(st.integers(1, 8), label="length")):
        op, params = data.draw(operations(s.df), label="operation")
        before, version, steps = s.df, s.version, len(s.history)
        try:
            s.apply(op, **params)
            applied += 1
        except hj.OperationError as exc:
            assert "\n" not in str(exc)
            assert s.version == version and len(s.history) == steps
            assert_same(s.df, before)
    final = s.df
    assert s.position == applied

    ns = {"df": original}
    exec(s.code(source=False), ns)
    assert_same(ns["df"], final)

    replayed = hj.Recipe.from_json(s.recipe().to_json()).apply(original)
    assert_same(replayed, final)

    while s.can_undo:
        s.undo()
    assert_same(s.df, original)
    while s.can_redo:
        s.redo()
    assert_same(s.df, final)
    s.goto(0)
    assert_same(s.df, original)
    s.goto(applied)
    assert_same(s.df, final)
    s.close()


@pytest.mark.parametrize("budget", [None, 0])
def test_original_is_never_touched(budget) -> None:
    df = pd.DataFrame({"a": [1.0, None], "b": ["x", None]})
    copy = df.copy(deep=True)
    s = hj.Session(df, memory_budget=budget)
    s.apply("fill_missing", column="a", strategy="value", value=0)
    s.apply("fill_missing", column="b", strategy="value", value="y")
    frame = s.df
    frame.loc[0, "a"] = 99  # changing the returned frame does not reach the session
    ns = {"df": df}
    exec(s.code(source=False), ns)
    assert_same(df, copy)
    assert s.df.loc[0, "a"] == 1.0
    s.close()


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(original=frames(), data=st.data())
def test_a_batch_equals_its_steps_and_a_failing_batch_changes_nothing(original, data) -> None:
    one_by_one = hj.Session(original, name="prop-steps")
    ops = []
    for _ in range(data.draw(st.integers(1, 6), label="length")):
        op, params = data.draw(operations(one_by_one.df), label="operation")
        try:
            one_by_one.apply(op, **params)
        except hj.OperationError:
            continue
        ops.append((op, params))

    batch = hj.Session(original, name="prop-batch")
    version = batch.version
    steps = batch.apply_all(ops)
    assert [st_.index for st_ in steps] == list(range(1, len(ops) + 1))
    assert batch.version == version + (1 if ops else 0)  # one change for the whole batch
    assert_same(batch.df, one_by_one.df)
    assert batch.code() == one_by_one.code()

    batch.goto(0)  # the batch's steps become a redo branch the failing batch must keep
    before = (batch.version, batch.position, batch.can_redo, [s.label for s in batch.history])
    frame = batch.df
    at = data.draw(st.integers(0, len(ops)), label="failing position")
    bad = ("drop_columns", {"columns": ["no such column"]})
    with pytest.raises(BatchError) as err:
        batch.apply_all([*ops[:at], bad, *ops[at:]])
    assert err.value.index == at and err.value.op == "drop_columns"
    assert str(err.value).startswith(f"operation {at + 1} of {len(ops) + 1}: drop_columns:")
    after = (batch.version, batch.position, batch.can_redo, [s.label for s in batch.history])
    assert after == before
    assert_same(batch.df, frame)
    one_by_one.close()
    batch.close()
