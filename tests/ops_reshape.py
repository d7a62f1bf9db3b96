"""Test strategies of the reshaping operations: pivot, melt, reorder_columns and sample.

The property strategies are mostly valid, so random sequences mix these reshapes with
the other operations: they pick columns from the frame as it is after earlier steps
(a pivot or melt changes the columns completely). Keys may be floats with missing
values, categories, datetimes or booleans.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hostile import texts
from hypothesis import strategies as st

from hydroml_jupyter.engine.ops.base import kind_of
from hydroml_jupyter.engine.ops.pivot import PIVOT_FUNCS

Op = tuple[str, dict[str, Any]]

#: Aggregations that take any column, and those that need numbers.
_ANY_FUNCS = ["count", "first", "last", "nunique", "min", "max"]
_NUMBER_FUNCS = ["mean", "median", "sum", "std", "var"]
_NAMES = ["variable", "value", "key", "f", "s", "col 2", 7]


def _cols(df: pd.DataFrame) -> list[Any]:
    return list(df.columns) or ["missing"]


def _pick(draw: st.DrawFn, pool: list[Any], low: int, high: int) -> list[Any]:
    return draw(st.lists(st.sampled_from(pool), min_size=low, max_size=high, unique=True))


def _pivot(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    cols = _cols(df)
    index = _pick(draw, cols, 1, 2)
    rest = [c for c in cols if c not in index] or cols
    columns = draw(st.sampled_from(rest))
    left = [c for c in rest if c != columns] or rest
    values = _pick(draw, left, 1, 2)
    numeric = all(c in df and kind_of(df[c].dtype) in "iufb" for c in values)
    funcs = _ANY_FUNCS + (_NUMBER_FUNCS if numeric or draw(st.integers(0, 9)) == 0 else [])
    params: dict[str, Any] = {"index": index, "columns": columns, "values": values}
    if draw(st.booleans()) or not numeric:
        params["aggfunc"] = draw(st.sampled_from(funcs))
    return "pivot", params


def _melt(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    cols = _cols(df)
    id_vars = _pick(draw, cols, 0, 2)
    rest = [c for c in cols if c not in id_vars]
    params: dict[str, Any] = {"id_vars": id_vars}
    if rest and draw(st.booleans()):
        params["value_vars"] = _pick(draw, rest, 1, 3)
    if draw(st.booleans()):
        params["var_name"] = draw(st.sampled_from(_NAMES))
    if draw(st.booleans()):
        params["value_name"] = draw(st.sampled_from(["value", "amount", 3, "größe"]))
    return "melt", params


def _reorder_columns(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    return "reorder_columns", {"columns": _pick(draw, _cols(df), 1, 3)}


def _sample(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    seed = draw(st.integers(0, 5))
    if draw(st.booleans()):
        return "sample", {"n": draw(st.integers(0, len(df) + 1)), "seed": seed}
    return "sample", {"frac": draw(st.sampled_from([0, 0.25, 0.5, 1, 1.5])), "seed": seed}


PROPERTY = {
    "pivot": _pivot,
    "melt": _melt,
    "reorder_columns": _reorder_columns,
    "sample": _sample,
}


def _hostile_pivot(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    index = _pick(draw, cols, 1, 2)
    columns = draw(st.sampled_from(cols))
    values = _pick(draw, cols, 1, 2)
    aggfunc = draw(st.one_of(st.sampled_from(PIVOT_FUNCS), texts()))
    return "pivot", {"index": index, "columns": columns, "values": values, "aggfunc": aggfunc}


def _hostile_melt(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    params: dict[str, Any] = {"id_vars": _pick(draw, cols, 0, 2)}
    if draw(st.booleans()):
        params["value_vars"] = _pick(draw, cols, 1, 2)
    params["var_name"] = draw(st.one_of(texts(1), st.integers(-5, 5)))
    params["value_name"] = draw(st.one_of(texts(1), st.integers(-5, 5)))
    return "melt", params


def _hostile_reorder_columns(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    return "reorder_columns", {"columns": _pick(draw, [*cols, draw(texts())], 1, 3)}


def _hostile_sample(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    size = draw(
        st.one_of(
            st.fixed_dictionaries({"n": st.integers(-2, 8)}),
            st.fixed_dictionaries({"frac": st.floats(allow_nan=True, allow_infinity=True)}),
        )
    )
    return "sample", {**size, "seed": draw(st.sampled_from([0, 1, 2**32 - 1, 2**32, -1]))}


HOSTILE = {
    "pivot": _hostile_pivot,
    "melt": _hostile_melt,
    "reorder_columns": _hostile_reorder_columns,
    "sample": _hostile_sample,
}

#: The pandas attributes the reshapes' code uses.
API = {"unstack", "columns", "format", "melt", "sample", "tolist"}
