"""Test strategies of the numeric operations: bin, round and window.

The property strategies pick a numeric column when the frame has one and parameters
that mostly fit it (edges that increase, one label per bin, a rolling window for the
rolling functions), with groups and orders from any column; now and then they pick a
text column, repeated edges, a label too many or a parameter the function does not
take, to be refused.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hostile import texts
from hypothesis import strategies as st

from hydroml_jupyter.engine.ops.base import kind_of
from hydroml_jupyter.engine.ops.window import _FUNCS, _PERIODS, _ROLLING

Op = tuple[str, dict[str, Any]]

NEW_NAMES = ["bin", "w", "f", "s", "größe", 7]
EDGES = [-100, -1.5, 0, 0.5, 1, 2, 3, 10, 100]


def _numeric(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if kind_of(df[c].dtype) in "iuf"]


def _column(draw: st.DrawFn, df: pd.DataFrame) -> Any:
    numeric = _numeric(df)
    if numeric and draw(st.integers(0, 7)):
        return draw(st.sampled_from(numeric))
    return draw(st.sampled_from(list(df.columns) or ["missing"]))


def _some(draw: st.DrawFn, df: pd.DataFrame, most: int = 2) -> list[Any]:
    cols = list(df.columns) or ["missing"]
    return draw(st.lists(st.sampled_from(cols), min_size=1, max_size=most, unique=True))


def _edges(draw: st.DrawFn, df: pd.DataFrame, column: Any) -> list[float]:
    pool = list(EDGES)
    if column in df.columns and kind_of(df[column].dtype) in "iuf":
        pool += [v.item() if hasattr(v, "item") else v for v in df[column].dropna().unique()]
    edges = sorted(set(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=5))))
    if draw(st.integers(0, 9)) == 0:
        edges = list(reversed(edges)) if len(edges) > 1 else [*edges, *edges]
    if draw(st.integers(0, 5)) == 0:
        edges = [float("-inf"), *edges, float("inf")]
    return edges


def _bin(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    column = _column(draw, df)
    method = draw(st.sampled_from(["width", "quantile", "edges"]))
    params: dict[str, Any] = {"column": column, "method": method}
    if method == "edges":
        params["bins"] = _edges(draw, df, column)
        count = len(params["bins"]) - 1
    else:
        params["bins"] = count = draw(st.integers(1, 4))
    if draw(st.booleans()):
        extra = 1 if draw(st.integers(0, 9)) == 0 else 0
        params["labels"] = [f"b{k}" for k in range(max(count, 0) + extra)]
    if draw(st.booleans()):
        params["into"] = draw(st.sampled_from([*NEW_NAMES, column]))
    return "bin", params


def _round(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    numeric = _numeric(df) or list(df.columns) or ["missing"]
    columns = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=2, unique=True))
    return "round", {"columns": columns, "decimals": draw(st.integers(-2, 3))}


def _window(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    column = _column(draw, df)
    func = draw(st.sampled_from(_FUNCS))
    params: dict[str, Any] = {"column": column, "func": func}
    if func in _PERIODS and draw(st.booleans()):
        params["periods"] = draw(st.integers(-2, 3))
    if func in _ROLLING and draw(st.booleans()):
        params["window"] = draw(st.integers(1, 4))
    if draw(st.integers(0, 9)) == 0:
        params["periods" if func not in _PERIODS else "window"] = 2
    if draw(st.booleans()):
        params["by"] = _some(draw, df, 2)
    if draw(st.booleans()):
        params["order_by"] = _some(draw, df, 2)
    if draw(st.booleans()):
        params["into"] = draw(st.sampled_from([*NEW_NAMES, column]))
    return "window", params


PROPERTY = {"bin": _bin, "round": _round, "window": _window}


def _hostile_bin(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(_numeric(df) or cols))
    method = draw(st.sampled_from(["width", "quantile", "edges"]))
    bins: int | list[float]
    if method == "edges":
        floats = st.floats(allow_nan=False, allow_infinity=True)
        bins = sorted(set(draw(st.lists(floats, min_size=2, max_size=4))))
    else:
        bins = draw(st.integers(1, 4))
    params: dict[str, Any] = {"column": column, "method": method, "bins": bins}
    count = len(bins) - 1 if isinstance(bins, list) else bins
    if draw(st.booleans()):
        params["labels"] = draw(st.lists(texts(), min_size=count, max_size=count, unique=True))
    if draw(st.booleans()):
        params["into"] = draw(st.one_of(texts(1), st.sampled_from(cols)))
    return "bin", params


def _hostile_round(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    numeric = _numeric(df) or cols
    columns = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=2, unique=True))
    return "round", {"columns": columns, "decimals": draw(st.integers(-3, 3))}


def _hostile_window(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(_numeric(df) or cols))
    func = draw(st.sampled_from(_FUNCS))
    params: dict[str, Any] = {"column": column, "func": func}
    some = st.lists(st.sampled_from(cols), min_size=1, max_size=2, unique=True)
    if draw(st.booleans()):
        params["by"] = draw(some)
    if draw(st.booleans()):
        params["order_by"] = draw(some)
    if func in _ROLLING:
        params["window"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        params["into"] = draw(st.one_of(texts(1), st.sampled_from(cols)))
    return "window", params


HOSTILE = {"bin": _hostile_bin, "round": _hostile_round, "window": _hostile_window}

#: The pandas attributes the numeric operations' code (and fill_missing's by=) uses.
API = {"cut", "qcut", "cat", "rename_categories", "categories", "columns", "insert", "get_loc"}
API |= {"shift", "diff", "pct_change", "cumsum", "cummax", "cummin", "rank", "rolling", "sum"}
API |= {"droplevel", "sort_index", "set_axis", "transform", "merge", "size", "to_frame", "ngroup"}
#: Parameters whose values are fixed words, never written into the code as text.
ENUMS = {"func"}
