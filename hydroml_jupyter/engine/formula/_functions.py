"""The whitelisted functions of the formula language.

Each function has a pair of mirrored implementations: ``apply`` computes the
value and ``render`` writes the Python source making exactly the same call. A
function that builds text (``where`` copying a constant into every row,
``fillna``, ``coalesce``, ``upper``, ``strip``, ``replace`` ...) also has an
``estimate`` of the bytes it builds, checked against the memory limit before
``apply`` runs. The text, missing-value and date functions live in
:mod:`._calls`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.formula import _calls
from hydroml_jupyter.engine.formula._nodes import Const, Node, Unary
from hydroml_jupyter.engine.formula._sizes import (
    ROW_OVERHEAD,
    broadcast,
    case_estimate,
    is_sequence_like,
    scalar_size,
)
from hydroml_jupyter.engine.formula._tokens import fail

Apply = Callable[[list[Any], tuple[Node, ...], pd.DataFrame], Any]
Render = Callable[[tuple[Node, ...], str], str]
Estimate = Callable[[list[Any], int], float | None]


@dataclasses.dataclass(frozen=True)
class Function:
    """One whitelisted function.

    Attributes
    ----------
    name
        The name users call it by.
    params
        Parameter names, for arity errors.
    optional
        How many trailing parameters may be left out.
    columns
        Parameters that must be column expressions.
    literals
        Parameters that must be literals: ``"int"``, ``"number"`` or ``"str"``.
    nonempty
        Text literal parameters that may not be empty.
    many
        Whether the last parameter may repeat (``coalesce(a, b, c, ...)``); its
        repeats take its checks.
    apply, render
        The mirrored implementations.
    estimate
        ``estimate(values, rows)``: the bytes ``apply`` builds from the argument
        values on a frame of ``rows`` rows, or None when it cannot grow; None for
        functions whose result is never larger than a numeric column.
    """

    name: str
    params: tuple[str, ...]
    apply: Apply
    render: Render
    optional: int = 0
    columns: tuple[str, ...] = ()
    literals: tuple[tuple[str, str], ...] = ()
    estimate: Estimate | None = None
    nonempty: tuple[str, ...] = ()
    many: bool = False

    def validate(self, args: tuple[Node, ...], expr: str, pos: int) -> None:
        """Check the arity and the kind of each argument of a call at ``pos``."""
        low, high = len(self.params) - self.optional, len(self.params)
        if not low <= len(args) <= high and not (self.many and len(args) >= low):
            count = str(high) if low == high else f"{low} or {high}"
            count = f"{low} or more" if self.many else count
            names = ", ".join(self.params) + (", ..." if self.many else "")
            noun = "argument" if count == "1" else "arguments"
            fail(f"{self.name}() takes {count} {noun} ({names}), got {len(args)}", expr, pos)
        params = [*self.params, *[self.params[-1]] * (len(args) - len(self.params))]
        for param, arg in zip(params, args, strict=False):
            if param in self.columns and not arg.is_column:
                what = "a column" if param == "x" else f"a column for {param}"
                fail(f"{self.name}() needs {what}, not a constant,", expr, arg.start)
        kinds = dict(self.literals)
        for param, arg in zip(params, args, strict=False):
            if param in kinds and not _is_literal(arg, kinds[param]):
                noun = _NOUNS[kinds[param]]
                fail(
                    f"{self.name}() needs {noun} literal for {param}, got "
                    f"{expr[arg.start : arg.end]!r}",
                    expr,
                    arg.start,
                )
            if param in self.nonempty and isinstance(arg, Const) and arg.value == "":
                fail(f"{self.name}() needs some text for {param}, not ''", expr, arg.start)


_NOUNS = {"int": "a whole number", "number": "a number", "str": "a text"}


def _is_literal(node: Node, kind: str) -> bool:
    if kind == "str":
        return isinstance(node, Const) and isinstance(node.value, str)
    if isinstance(node, Unary) and node.op in "+-":
        node = node.operand
    if not isinstance(node, Const) or isinstance(node.value, bool):
        return False
    return isinstance(node.value, int) or (kind == "number" and isinstance(node.value, float))


def _args(nodes: tuple[Node, ...], var: str) -> str:
    return ", ".join(node.arg(var) for node in nodes)


def _numpy(name: str, func: Callable[..., Any]) -> tuple[Apply, Render]:
    """Return the pair for ``np.<name>(x, ...)``."""

    def apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
        return func(*values)

    def render(nodes: tuple[Node, ...], var: str) -> str:
        return f"np.{name}({_args(nodes, var)})"

    return apply, render


def _accessor(func: Callable[[Any], Any], suffix: str) -> tuple[Apply, Render]:
    """Return the pair for an accessor call such as ``x.str.lower()``.

    ``func`` and ``suffix`` must spell the same thing, e.g.
    ``lambda x: x.str.lower()`` and ``".str.lower()"``.
    """

    def apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
        return func(values[0])

    def render(nodes: tuple[Node, ...], var: str) -> str:
        return f"{nodes[0].receiver(var)}{suffix}"

    return apply, render


def _abs_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    return abs(values[0])


def _abs_render(nodes: tuple[Node, ...], var: str) -> str:
    return f"abs({nodes[0].arg(var)})"


def _clip_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    x, lo, hi = values
    return x.clip(lo, hi) if nodes[0].is_column else np.clip(x, lo, hi)


def _clip_render(nodes: tuple[Node, ...], var: str) -> str:
    if nodes[0].is_column:
        return f"{nodes[0].receiver(var)}.clip({_args(nodes[1:], var)})"
    return f"np.clip({_args(nodes, var)})"


def _where_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    cond, a, b = values
    base = a if nodes[1].is_column else pd.Series(a, index=df.index)
    return base.where(cond, b)


def _where_render(nodes: tuple[Node, ...], var: str) -> str:
    cond, a, b = nodes
    base = a.receiver(var) if a.is_column else f"pd.Series({a.arg(var)}, index={var}.index)"
    return f"{base}.where({cond.arg(var)}, {b.arg(var)})"


def _isnull_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    return pd.isna(values[0])


def _isnull_render(nodes: tuple[Node, ...], var: str) -> str:
    return f"pd.isna({nodes[0].arg(var)})"


def _where_estimate(values: list[Any], rows: int) -> float | None:
    _, a, b = values
    if not (is_sequence_like(a) or is_sequence_like(b)):
        return None
    # A constant ``a`` is first made a column of its own, then ``where`` builds the result.
    first = 0.0 if isinstance(a, pd.Series) else broadcast(a, rows)
    return first + broadcast(a, rows) + broadcast(b, rows)


def _fillna_estimate(values: list[Any], rows: int) -> float | None:
    x, v = values
    if not (is_sequence_like(x) or is_sequence_like(v)):
        return None
    filled = broadcast(v, rows) if isinstance(v, pd.Series) else scalar_size(v) * x.isna().sum()
    return broadcast(x, rows) + filled + ROW_OVERHEAD * rows


def _case_estimate(values: list[Any], rows: int) -> float | None:
    return case_estimate(values[0])


def _fillna_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    return values[0].fillna(values[1])


def _fillna_render(nodes: tuple[Node, ...], var: str) -> str:
    return f"{nodes[0].receiver(var)}.fillna({nodes[1].arg(var)})"


def _build() -> dict[str, Function]:
    x = ("x",)
    table = [
        Function("abs", x, _abs_apply, _abs_render),
        Function(
            "round", ("x", "n"), *_numpy("round", np.round), optional=1, literals=(("n", "int"),)
        ),
        Function("log", x, *_numpy("log", np.log)),
        Function("exp", x, *_numpy("exp", np.exp)),
        Function("sqrt", x, *_numpy("sqrt", np.sqrt)),
        Function(
            "clip",
            ("x", "lo", "hi"),
            _clip_apply,
            _clip_render,
            literals=(("lo", "number"), ("hi", "number")),
        ),
        Function(
            "where",
            ("cond", "a", "b"),
            _where_apply,
            _where_render,
            columns=("cond",),
            estimate=_where_estimate,
        ),
        Function("isnull", x, _isnull_apply, _isnull_render),
        Function(
            "fillna",
            ("x", "v"),
            _fillna_apply,
            _fillna_render,
            columns=x,
            estimate=_fillna_estimate,
        ),
        Function(
            "lower",
            x,
            *_accessor(lambda s: s.str.lower(), ".str.lower()"),
            columns=x,
            estimate=_case_estimate,
        ),
        Function(
            "upper",
            x,
            *_accessor(lambda s: s.str.upper(), ".str.upper()"),
            columns=x,
            estimate=_case_estimate,
        ),
        Function("len", x, *_accessor(lambda s: s.str.len(), ".str.len()"), columns=x),
        Function("year", x, *_accessor(lambda s: s.dt.year, ".dt.year"), columns=x),
        Function("month", x, *_accessor(lambda s: s.dt.month, ".dt.month"), columns=x),
        Function("day", x, *_accessor(lambda s: s.dt.day, ".dt.day"), columns=x),
        *_more(),
    ]
    return {func.name: func for func in sorted(table, key=lambda f: f.name)}


def _more() -> list[Function]:
    """Return the text, missing-value and date functions (see :mod:`._calls`)."""
    x = ("x",)
    tests = [
        Function(
            name,
            ("x", what),
            *_calls.text_test(name),
            columns=x,
            literals=((what, "str"),),
        )
        for name, what in (("contains", "text"), ("startswith", "prefix"), ("endswith", "suffix"))
    ]
    return [
        *tests,
        Function(
            "strip",
            x,
            *_accessor(lambda s: s.str.strip(), ".str.strip()"),
            columns=x,
            estimate=_calls.copy_size,
        ),
        Function(
            "replace",
            ("x", "old", "new"),
            _calls.replace_apply,
            _calls.replace_render,
            columns=x,
            literals=(("old", "str"), ("new", "str")),
            nonempty=("old",),
            estimate=_calls.replace_size,
        ),
        Function(
            "slice",
            ("x", "start", "stop"),
            _calls.slice_apply,
            _calls.slice_render,
            optional=1,
            columns=x,
            literals=(("start", "int"), ("stop", "int")),
            estimate=_calls.copy_size,
        ),
        Function(
            "coalesce",
            ("a", "b"),
            _calls.coalesce_apply,
            _calls.coalesce_render,
            columns=("a",),
            many=True,
            estimate=_calls.coalesce_estimate,
        ),
        Function(
            "if_else",
            ("cond", "a", "b"),
            _calls.if_else_apply,
            _calls.if_else_render,
            columns=("cond",),
            estimate=_calls.if_else_estimate,
        ),
        Function(
            "days_between",
            ("a", "b"),
            _calls.days_apply,
            _calls.days_render,
            columns=("a", "b"),
        ),
    ]


FUNCTIONS: dict[str, Function] = _build()
"""The whitelist, by name, in alphabetical order."""
