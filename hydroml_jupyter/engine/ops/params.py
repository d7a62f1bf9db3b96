"""Checking an operation's parameters against its annotations, before anything runs.

Parameters are plain values: ``None``, booleans, numbers, strings, timestamps, and
lists and dicts of them. Some plain values still cannot be a step's: an integer too
long for CPython to turn into text (no label, script or JSON recipe could hold it)
and containers nested deeper than any parameter needs (they end in a
``RecursionError`` somewhere down the line, or are cycles).
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Iterable
from typing import Any, Literal, Union, get_args, get_origin

import numpy as np
import pandas as pd

from hydroml_jupyter.errors import OperationError

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "describe_type",
    "matches",
    "plain",
    "refuse_unwritable",
    "unwritable",
]

#: How deeply a parameter's lists and dicts may nest.
MAX_DEPTH = 32
#: The most digits an integer parameter may have: CPython's default limit for turning
#: an int into text (``sys.int_info.default_max_str_digits``), also for JSON.
MAX_DIGITS = sys.int_info.default_max_str_digits
TOO_LONG = 10**MAX_DIGITS


def refuse_unwritable(name: str, params: dict[Any, Any]) -> None:
    """Raise an :class:`OperationError` when a parameter of operation ``name`` is unwritable.

    The message names the parameter, the column (``params["column"]``, when there is
    one) and the value, shortened.
    """
    column = params.get("column")
    named = isinstance(column, str | int) and not isinstance(column, bool)
    for key, value in params.items():
        problem = unwritable(value)
        if problem:
            shown = key if isinstance(key, str) and key.isidentifier() else _shown(key)
            where = f" for column {_shown(column)}" if named and key != "column" else ""
            raise OperationError(f"{name}: {shown}{where} is {problem}", op=name, column=column)


def unwritable(value: Any, depth: int = 0) -> str | None:
    """Say why ``value`` cannot be an operation's parameter, or return None when it can.

    Examples
    --------
    >>> unwritable([1, {"a": -(10**4400)}])
    'an integer of 4,401 digits (-100000000000…); at most 4,300 digits fit in a recipe'
    >>> unwritable(1.5) is None
    True
    """
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = int(value)
        if abs(value) >= TOO_LONG:
            return (
                f"an integer of {digits(value):,} digits ({leading(value)}); "
                f"at most {MAX_DIGITS:,} digits fit in a recipe"
            )
        return None
    if isinstance(value, list | tuple):
        items: Iterable[Any] = value
    elif isinstance(value, dict):
        for key in value:
            if isinstance(key, list | tuple | dict):
                return (
                    f"a dict with the key {_shown(key)}; a key is one value "
                    "(a string, number, True/False, None or timestamp)"
                )
        items = [v for pair in value.items() for v in pair]
    else:
        return None
    for item in items:
        problem = unwritable(item, depth + 1)
        if problem:
            return problem
    return None


def digits(value: int) -> int:
    """Return how many decimal digits ``value`` has, without writing it out."""
    value = abs(value)
    count = int(math.log10(value)) + 1 if value else 1
    # log10 of a huge int is a rounded float: correct an off-by-one near a power of ten.
    if value >= 10**count:
        return count + 1
    return count - 1 if count > 1 and value < 10 ** (count - 1) else count


def leading(value: int, shown: int = 12) -> str:
    """Return the first ``shown`` digits of a long integer, then ``…``."""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 10 ** max(0, digits(value) - shown)}…"


def plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into plain Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


def matches(value: Any, hint: Any) -> bool:
    """Return whether the plain ``value`` fits the type annotation ``hint``."""
    if hint is Any:
        return _is_literal_value(value)
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(matches(value, h) for h in get_args(hint))
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in get_args(hint))
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(matches(v, item) for v in value)
    if origin is dict:
        key, item = get_args(hint)
        return isinstance(value, dict) and all(
            matches(k, key) and matches(v, item) for k, v in value.items()
        )
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, hint)


def describe_type(hint: Any) -> str:
    """Describe a type annotation in words, e.g. ``'a list of a string'``."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(describe_type(h) for h in get_args(hint))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(hint))
    if origin is list:
        return f"a list of {describe_type(get_args(hint)[0])}"
    if origin is dict:
        return "a dict"
    if hint is Any:
        return "a plain value"
    if hint is type(None):
        return "None"
    return {str: "a string", int: "an integer", float: "a number", bool: "True or False"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )


def _is_literal_value(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, pd.Timestamp):
        return True
    if isinstance(value, list):
        return all(_is_literal_value(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal_value(k) and _is_literal_value(v) for k, v in value.items())
    return False


def _shown(value: Any, limit: int = 40) -> str:
    try:
        too_long = isinstance(value, int) and abs(value) >= TOO_LONG
        text = f"{leading(value)} ({digits(value):,} digits)" if too_long else repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
