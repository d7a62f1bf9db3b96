"""Text, missing-value and date functions of the formula language.

Each function is a mirrored pair, as in :mod:`._functions`: ``apply`` computes the
value with pandas and ``render`` writes the source making exactly the same calls.
The text functions take a column and literal text (found literally, never as a
regular expression); ``days_between`` takes two datetime columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hydroml_jupyter.engine.formula._nodes import Node
from hydroml_jupyter.engine.formula._sizes import (
    ROW_OVERHEAD,
    broadcast,
    copy_estimate,
    is_sequence_like,
    replace_estimate,
)

__all__ = [
    "coalesce_apply",
    "coalesce_estimate",
    "coalesce_render",
    "copy_size",
    "days_apply",
    "days_render",
    "if_else_apply",
    "if_else_estimate",
    "if_else_render",
    "replace_apply",
    "replace_render",
    "replace_size",
    "slice_apply",
    "slice_render",
    "text_test",
]


def _args(nodes: tuple[Node, ...], var: str) -> str:
    return ", ".join(node.arg(var) for node in nodes)


# -- text ----------------------------------------------------------------------------------
def text_test(method: str) -> tuple[Any, Any]:
    """Return the pair for ``x.str.<method>(text)`` with literal text (contains and the like).

    ``contains`` finds its text literally (``regex=False``).
    """
    extra = ", regex=False" if method == "contains" else ""

    def apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
        accessor = values[0].str
        if method == "contains":
            return accessor.contains(values[1], regex=False)
        return getattr(accessor, method)(values[1])

    def render(nodes: tuple[Node, ...], var: str) -> str:
        return f"{nodes[0].receiver(var)}.str.{method}({nodes[1].arg(var)}{extra})"

    return apply, render


def replace_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    x, old, new = values
    return x.str.replace(old, new, regex=False)


def replace_render(nodes: tuple[Node, ...], var: str) -> str:
    return f"{nodes[0].receiver(var)}.str.replace({_args(nodes[1:], var)}, regex=False)"


def replace_size(values: list[Any], rows: int) -> float | None:
    x, old, new = values
    return replace_estimate(x, old, new)


def copy_size(values: list[Any], rows: int) -> float | None:
    return copy_estimate(values[0])


def slice_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    return values[0].str.slice(*values[1:])


def slice_render(nodes: tuple[Node, ...], var: str) -> str:
    return f"{nodes[0].receiver(var)}.str.slice({_args(nodes[1:], var)})"


# -- missing values ------------------------------------------------------------------------
def coalesce_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    # From the right: each column filled from what follows it. A constant is never
    # missing, so nothing after it counts. ``case_when`` makes the result's dtype the
    # common dtype of both sides, whatever the values (fillna and where keep the
    # first one's and refuse what it cannot hold).
    out = values[-1]
    for value, node in zip(values[-2::-1], nodes[-2::-1], strict=True):
        out = value.case_when([(value.isna(), out)]) if node.is_column else value
    return out


def coalesce_render(nodes: tuple[Node, ...], var: str) -> str:
    out = nodes[-1].arg(var)
    for node in nodes[-2::-1]:
        if node.is_column:
            this = node.receiver(var)
            out = f"{this}.case_when([({this}.isna(), {out})])"
        else:
            out = node.arg(var)
    return out


def coalesce_estimate(values: list[Any], rows: int) -> float | None:
    if not any(is_sequence_like(v) for v in values):
        return None
    # Each case_when builds a column no larger than all the parts together.
    return sum(broadcast(v, rows) for v in values) + ROW_OVERHEAD * rows


def if_else_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    cond, a, b = values
    if not pd.api.types.is_bool_dtype(cond.dtype):
        raise TypeError(f"the condition is {cond.dtype}, not True/False values")
    # ``case_when`` gives the common dtype of both branches (where keeps the first's);
    # then the rows whose condition is missing become missing.
    base = b if nodes[2].is_column else pd.Series(b, index=df.index)
    return base.case_when([(cond, a)]).mask(cond.isna())


def if_else_render(nodes: tuple[Node, ...], var: str) -> str:
    cond, a, b = nodes
    base = b.receiver(var) if b.is_column else f"pd.Series({b.arg(var)}, index={var}.index)"
    return f"{base}.case_when([({cond.arg(var)}, {a.arg(var)})]).mask({cond.receiver(var)}.isna())"


def if_else_estimate(values: list[Any], rows: int) -> float | None:
    _, a, b = values
    if not (is_sequence_like(a) or is_sequence_like(b)):
        return None
    # A constant ``b`` becomes a column first; case_when builds one, mask another.
    first = 0.0 if isinstance(b, pd.Series) else broadcast(b, rows)
    return first + 2 * (broadcast(a, rows) + broadcast(b, rows))


# -- dates ---------------------------------------------------------------------------------
def days_apply(values: list[Any], nodes: tuple[Node, ...], df: pd.DataFrame) -> Any:
    for which, value in zip(("first", "second"), values, strict=True):
        if value.dtype.kind != "M":
            raise TypeError(
                f"the {which} argument is {value.dtype}, not a datetime; "
                "cast it to datetime64[ns] first"
            )
    a, b = values
    return (b - a) / pd.Timedelta(days=1)


def days_render(nodes: tuple[Node, ...], var: str) -> str:
    a, b = nodes
    return f"(({b.code(var)} - {a.code(var)}) / pd.Timedelta(days=1))"
