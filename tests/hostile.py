r"""Hostile inputs for generated code, and the checks a generated script must pass.

Strategies draw column names and values from all of Unicode, biased toward line
breaks, quotes, backslashes, ``#`` and control characters, and hostile parameters
for every registered operation. :func:`check_script` reads a script's syntax tree
and comments; :class:`Guard` runs it with almost no builtins while a profile hook
records every call the script itself makes.
"""

from __future__ import annotations

import ast
import builtins
import io
import sys
import tokenize
import unicodedata
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, get_args

import numpy as np
import pandas as pd
from families import collect, union
from hypothesis import strategies as st

from hydroml_jupyter.engine.ops.base import catalog, kind_of
from hydroml_jupyter.engine.ops.cast import DTYPES
from hydroml_jupyter.engine.ops.rows import Comparison

SCRIPT = "<hydroml-exported-script>"
ATTACK = "open('x.txt','w').write('1')"
HOSTILE = f"price\n{ATTACK}  #"

#: Every character Python, an editor or a log viewer may take as the end of a line.
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
NASTY = [
    *BREAKS,
    *["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x9f", "\t", "\u202e", "\u2066", "\ufeff"],
    *["'", '"', "\\", "#", "`", "``", "'''", '"""', "\\n", "\\x", "{", "}", "%", "(", ")", ";"],
    *[" ", "é", "ß", "\U0001f600", "١", "df", "pd", "import os", ATTACK, "__import__('os')"],
]


# -- strategies ------------------------------------------------------------------------
def texts(min_size: int = 0) -> st.SearchStrategy[str]:
    """Text from all of Unicode (no lone surrogates), often built from hostile pieces."""
    char = st.characters(codec="utf-8")
    return st.one_of(
        st.text(char, min_size=min_size, max_size=8),
        st.lists(
            st.one_of(st.sampled_from(NASTY), char), min_size=max(1, min_size), max_size=5
        ).map("".join),
    )


SCALARS = st.one_of(
    texts(),
    st.integers(-3, 3),
    st.sampled_from([2**63, -(2**64) + 1, 10**1200, 0.1, -0.0, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)

_KINDS = ["float64", "int64", "Int64", "str", "object", "category", "datetime64[ns]", "bool"]


def _column(draw: st.DrawFn, kind: str, rows: int) -> pd.Series:
    def many(values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(values, min_size=rows, max_size=rows))

    text = st.one_of(st.none(), texts())
    match kind:
        case "float64":
            return pd.Series(many(st.one_of(st.none(), st.floats(-1e6, 1e6))), dtype=kind)
        case "int64":
            return pd.Series(many(st.integers(-5, 5)), dtype=kind)
        case "Int64":
            return pd.Series(many(st.one_of(st.none(), st.integers(-5, 5))), dtype=kind)
        case "str" | "category":
            return pd.Series(many(text), dtype=kind)
        case "object":
            return pd.Series(many(text), dtype=object)
        case "datetime64[ns]":
            days = many(st.one_of(st.none(), st.integers(0, 1000)))
            return pd.Series(
                [
                    None if d is None else pd.Timestamp("2020-01-01") + pd.Timedelta(days=d)
                    for d in days
                ],
                dtype=kind,
            )
        case _:
            return pd.Series(many(st.booleans()), dtype=kind)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 6))
    names = draw(st.lists(texts(), min_size=2, max_size=4, unique=True))
    kinds = [  # a number and a text column first: most operations need one of them
        draw(st.sampled_from(_KINDS[:3])),
        draw(st.sampled_from(_KINDS[3:6])),
        *draw(st.lists(st.sampled_from(_KINDS), min_size=len(names) - 2, max_size=len(names) - 2)),
    ]
    return pd.DataFrame({n: _column(draw, k, rows) for n, k in zip(names, kinds, strict=True)})


def _existing(draw: st.DrawFn, df: pd.DataFrame, column: Any) -> Any:
    """A value of ``column`` (as a plain Python value), or a hostile one."""
    if column in df.columns and len(df) and draw(st.booleans()):
        value = draw(st.sampled_from(list(df[column].dropna()) or [0]))
        return value.item() if isinstance(value, np.generic) else value
    return draw(SCALARS)


def _columns(df: pd.DataFrame, kinds: str | None = None) -> list[Any]:
    return [c for c in df.columns if kinds is None or kind_of(df[c].dtype) in kinds]


def _some(draw: st.DrawFn, choices: list[Any]) -> list[Any]:
    return draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))


def _backticked(column: Any) -> str:
    return "`" + str(column).replace("`", "``") + "`"


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return "'" + escaped.replace("\t", "\\t").replace("\r", "") + "'"


FORMULAS = [
    "{n} * 2 + 1",
    "abs({n}) -\r\n{m}",
    "where({n} > 0, {n}, 0)\u2028",
    "{n}\x0b/\x0c{m}",
    "{c} + {s}",
    "lower({c})",
    "len({c})",
    "where(isnull({c}), {s}, {c})",
    "fillna({c}, {s})",
    "{c} == {s}",
]

Op = tuple[str, dict[str, Any]]


def _rename(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    new = draw(st.one_of(texts(1), st.integers(-5, 5)))
    return "rename", {"columns": {draw(st.sampled_from(cols)): new}}


def _drop_columns(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    return "drop_columns", {"columns": _some(draw, cols)}


def _cast(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    dtype = draw(st.one_of(st.sampled_from(DTYPES), texts()))
    params = {"column": draw(st.sampled_from(cols)), "dtype": dtype}
    params["errors"] = draw(st.sampled_from(["raise", "coerce"]))
    if dtype.startswith("datetime") or draw(st.integers(0, 9)) == 0:
        params["format"] = draw(st.one_of(st.none(), st.just("%Y-%m-%d"), texts()))
    return "cast", params


def _fill_missing(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(cols))
    strategy = draw(
        st.sampled_from(["value", "mean", "median", "mode", "ffill", "bfill", "interpolate"])
    )
    params = {"column": column, "strategy": strategy}
    if strategy == "value":
        params["value"] = _existing(draw, df, column)
    elif strategy in ("mean", "median", "mode") and draw(st.booleans()):
        params["by"] = _some(draw, cols)
    return "fill_missing", params


def _drop_missing(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    subset = draw(st.one_of(st.none(), st.just(_some(draw, cols))))
    return "drop_missing", {"columns": subset, "how": draw(st.sampled_from(["any", "all"]))}


def _filter_rows(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(cols))
    test = draw(st.sampled_from(get_args(Comparison)))
    value: Any
    if test in ("is_null", "not_null"):
        value = None
    elif test == "between":
        value = [_existing(draw, df, column), _existing(draw, df, column)]
    elif test in ("in", "not_in"):
        value = [_existing(draw, df, column) for _ in range(draw(st.integers(1, 3)))]
    elif test in ("contains", "startswith", "endswith"):
        value = draw(texts())
    else:
        value = _existing(draw, df, column)
    return "filter_rows", {"column": column, "op": test, "value": value}


def _sort_rows(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    by = _some(draw, cols)
    ascending = draw(
        st.one_of(st.booleans(), st.lists(st.booleans(), min_size=len(by), max_size=len(by)))
    )
    return "sort_rows", {"by": by, "ascending": ascending}


def _dedupe(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    subset = draw(st.one_of(st.none(), st.just(_some(draw, cols))))
    return "dedupe", {"subset": subset, "keep": draw(st.sampled_from(["first", "last", "none"]))}


def _replace(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(cols))
    pairs = draw(st.integers(1, 3))
    mapping = {_existing(draw, df, column): _existing(draw, df, column) for _ in range(pairs)}
    return "replace", {"column": column, "mapping": mapping}


def _text(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    action = draw(st.sampled_from(["strip", "lower", "upper", "title"]))
    return "text", {"column": draw(st.sampled_from(cols)), "action": action}


def _formula(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    named = [c for c in cols if isinstance(c, str) and c] or ["missing"]
    numeric = [c for c in _columns(df, "iuf") if isinstance(c, str) and c] or named
    text = [c for c in _columns(df, "TOc") if isinstance(c, str) and c] or named
    expr = draw(st.sampled_from(FORMULAS)).format(
        n=_backticked(draw(st.sampled_from(numeric))),
        m=_backticked(draw(st.sampled_from(numeric))),
        c=_backticked(draw(st.sampled_from(text))),
        s=_string(draw(texts())),
    )
    column = draw(st.one_of(texts(1), st.sampled_from(cols)))
    return "formula", {"column": column, "expr": expr}


def _one_hot(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    return "one_hot", {"column": draw(st.sampled_from(cols)), "drop_first": draw(st.booleans())}


def _scale(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    method = draw(st.sampled_from(["standard", "minmax", "robust"]))
    return "scale", {"columns": _some(draw, _columns(df, "iuf") or cols), "method": method}


def _group_aggregate(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    funcs = st.one_of(
        st.sampled_from(["sum", "count", "max", "first", "nunique", "size"]),
        st.lists(st.sampled_from(["min", "last", "size"]), min_size=1, max_size=2, unique=True),
    )
    by = draw(st.sampled_from(cols))
    target = draw(st.sampled_from(_columns(df, "iufb") or cols))
    return "group_aggregate", {"by": [by], "aggs": {target: draw(funcs)}}


#: One hostile parameter strategy per registered operation (a test checks none is missing).
_BUILT_IN: dict[str, Callable[[st.DrawFn, pd.DataFrame, list[Any]], Op]] = {
    "rename": _rename,
    "drop_columns": _drop_columns,
    "cast": _cast,
    "fill_missing": _fill_missing,
    "drop_missing": _drop_missing,
    "filter_rows": _filter_rows,
    "sort_rows": _sort_rows,
    "dedupe": _dedupe,
    "replace": _replace,
    "text": _text,
    "formula": _formula,
    "one_hot": _one_hot,
    "scale": _scale,
    "group_aggregate": _group_aggregate,
}


def strategies() -> dict[str, Callable[[st.DrawFn, pd.DataFrame, list[Any]], Op]]:
    """The hostile strategy of every operation: the built-in ones and tests/ops_*.py's.

    Collected when asked, not at import: the family modules import this one.
    """
    return {**_BUILT_IN, **collect("HOSTILE")}


@st.composite
def operations(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    name = draw(st.sampled_from(sorted(catalog())))
    found = strategies()
    if name not in found:
        raise AssertionError(f"no hostile parameter strategy for operation {name!r}: add one")
    return found[name](draw, df, list(df.columns) or ["missing"])


# -- checking a script -----------------------------------------------------------------
_NODES = {
    *["Module", "Assign", "Import", "alias", "Name", "Load", "Store", "Attribute", "Call"],
    *["keyword", "Constant", "List", "Tuple", "Dict", "Subscript", "BinOp", "UnaryOp"],
    *["Compare", "Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "Pow", "BitAnd", "BitOr"],
    *["Invert", "USub", "UAdd", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE"],
}
_NAMES = {"df", "pd", "np", "float", "abs"}
#: The pandas and numpy API generated code may use: any other attribute is refused.
_API = {
    *["Series", "Timestamp", "get_dummies", "isna", "read_csv", "read_parquet"],
    *["to_datetime", "to_numeric", "copy", "rename", "drop", "dropna", "drop_duplicates"],
    *["sort_values", "groupby", "agg", "reset_index", "index", "iloc", "astype", "map"],
    *["replace", "fillna", "ffill", "bfill", "interpolate", "mode", "mean", "median"],
    *["std", "min", "max", "quantile", "between", "isin", "notna", "where", "clip"],
    *["str", "strip", "lower", "upper", "title", "len", "contains", "startswith"],
    *["endswith", "dt", "year", "month", "day", "round", "log", "exp", "sqrt", "inf"],
}
_ENUMS = {"expr", "op", "action", "strategy", "how", "keep", "method", "errors"}


_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def raw_breaks(text: str) -> list[str]:
    """Return the raw control, separator and bidi characters of ``text`` (``\\n`` aside)."""
    unsafe = ("Cc", "Cs", "Zl", "Zp")
    return [c for c in text if c != "\n" and (unicodedata.category(c) in unsafe or c in _BIDI)]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def check_script(script: str, steps: list[Any], start: int = 1) -> None:
    """The script is plain pandas: one-line comments, user text only as constants.

    ``start`` is the number of comments before the steps' own (one per step).
    """
    assert not raw_breaks(script), f"raw control characters: {raw_breaks(script)!r}"
    comments = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(script).readline)
        if tok.type == tokenize.COMMENT
    ]
    assert len(comments) == len(steps) + start, comments
    tree = ast.parse(script)
    names, api, enums = _NAMES | union("NAMES"), _API | union("API"), _ENUMS | union("ENUMS")
    constants = set()
    for node in ast.walk(tree):
        kind = type(node).__name__
        assert kind in _NODES, f"unexpected {kind} in the script: {ast.unparse(node)[:80]!r}"
        if isinstance(node, ast.Name):
            assert node.id in names, node.id
        elif isinstance(node, ast.Attribute):
            assert node.attr in api, f"unexpected attribute .{node.attr}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id in ("float", "abs"), node.func.id
        elif isinstance(node, ast.Import):
            assert {(a.name, a.asname) for a in node.names} <= {("numpy", "np"), ("pandas", "pd")}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            constants.add(node.value)
    for statement in tree.body:
        assert isinstance(statement, ast.Import | ast.Assign)
    for op in steps:
        for key, value in op.params.items():
            if key not in enums:
                for text in _strings(value):
                    assert text in constants, f"{op.name}.{key}: {text!r} is not a constant"


class Guard:
    """Run a script with almost no builtins, recording every call it makes itself."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def _import(self, name: str, *args: Any) -> Any:
        if name not in ("numpy", "pandas") or any(args[2:]):  # fromlist, level
            self.calls.append(f"import {name}")
            raise ImportError(f"the script may not import {name}")
        return builtins.__import__(name, *args)

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and frame.f_code.co_filename == SCRIPT:
            if arg is not abs:
                self.calls.append(f"builtin {getattr(arg, '__qualname__', arg)!r}")
        elif event == "call":
            caller = frame.f_back
            if caller is None or caller.f_code.co_filename != SCRIPT:
                return
            module = str(frame.f_globals.get("__name__", ""))
            if frame.f_code is self._import.__func__.__code__:  # type: ignore[attr-defined]
                return
            if module.split(".", maxsplit=1)[0] not in ("pandas", "numpy"):
                self.calls.append(f"{module}.{frame.f_code.co_name}")

    def run(self, script: str, **names: Any) -> dict[str, Any]:
        code = compile(script, SCRIPT, "exec")
        allowed = {"float": float, "abs": abs, "__import__": self._import}
        namespace = {"__builtins__": allowed, **names}
        before = sys.getprofile()
        sys.setprofile(self._profile)
        try:
            exec(code, namespace)
        finally:
            sys.setprofile(before)
        assert not self.calls, f"the script called {self.calls}"
        return namespace


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True)
