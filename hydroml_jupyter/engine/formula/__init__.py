r"""A small, whitelisted expression language for formula columns.

Users type expressions such as ``price * qty`` or ``where(`unit price` > 10,
'high', 'low')``; :func:`parse` reads them with hydroml's own tokenizer and
parser into a tree of frozen nodes. Nothing the user typed ever reaches
``eval``, ``exec``, ``compile``, ``pandas.eval``, ``DataFrame.query``,
``getattr``, an import, an attribute or a subscript: anything outside the
grammar is an :class:`~hydroml_jupyter.errors.OperationError`.

Grammar, loosest binding first: ``|``, ``&``, prefix ``~``, the comparisons
``== != < <= > >=`` (not chained), ``+ -``, ``* / // %``, prefix ``- +``, and
``**`` (right-associative; ``-a ** 2`` is ``-(a ** 2)``). Atoms are numbers,
strings in single or double quotes (escapes ``\\ \' \" \n \t``), ``True``,
``False``, column names (bare identifiers, or in backticks: ```unit price```
with ``````  for a backtick), parentheses and calls of the functions abs,
clip, coalesce, contains, day, days_between, endswith, exp, fillna, if_else,
isnull, len, log, lower, month, replace, round, slice, sqrt, startswith, strip,
upper, where and year.

The text functions take a column and literal text, found literally (never as a
regular expression): ``strip(x)``, ``replace(x, 'old', 'new')``, ``contains(x,
'text')``, ``startswith(x, 'prefix')``, ``endswith(x, 'suffix')`` and ``slice(x,
start[, stop])`` with whole-number literals, as Python slices.

``coalesce(a, b, ...)`` is the first value that is not missing, from the left
(``a`` a column; a constant is never missing, so what follows it is not used), of
the parts' common dtype (``coalesce(n, 0.5)`` of an Int64 column is Float64).
``if_else(cond, a, b)`` is ``where`` but missing where ``cond`` is missing
(``where`` takes ``b`` there), of the common dtype of ``a`` and ``b``.
``days_between(a, b)`` is ``b - a`` in days as a float (``1.5`` is a day and a
half; missing where either is), for two datetime columns.

:meth:`Formula.evaluate` and :meth:`Formula.code` mirror each other node by
node, so the exported code computes bit for bit the value the session
computed.

Memory limit
------------
A formula cannot build more data than a limit allows. Before each part that can
grow data is computed (joining text with ``+``, repeating it with ``*``, formatting
it with ``%``, ``where``, ``if_else``, ``fillna`` and ``coalesce`` copying text into
rows, ``upper``/``lower``, ``replace``, ``strip`` and ``slice``),
its size is estimated from its operands (a column's text lengths, a count column's
values row by row), and so is a constant result, which becomes one copy per row.
When that size plus the parts still held (a left operand waiting for its right one)
would pass the limit, evaluation stops at once with a one-line
:class:`~hydroml_jupyter.errors.OperationError` naming the part and the size:
``formula: cannot compute 'x' * 99999999: the result would be too large (about
95.4 MiB, over the formula limit of 64.0 MiB; ...)``. Numeric parts are not
checked: their size is bounded by the number of rows.

The limit is, first match wins: :func:`set_memory_limit` (bytes, or text such as
``"2GiB"``; ``None`` for automatic; ``%config HydroML.formula_limit`` sets it in a
notebook), ``$HYDROML_FORMULA_LIMIT`` (same forms, read at each evaluation), else
automatic: 4 times the frame's memory plus 64 MiB, at most
1 GiB (:data:`LIMIT_FACTOR`, :data:`LIMIT_FLOOR`, :data:`LIMIT_CAP`). A limit that is
set is taken as given, above 1 GiB too. :func:`memory_limit` tells the limit for a
frame.

Literals are bounded too: an expression is at most 10,000 characters (so is a text
literal), an integer literal at most 300 digits, and a whole number a formula
computes at most as many digits as Python can print (4,300 by default,
``sys.set_int_max_str_digits``).

Examples
--------
>>> import pandas as pd
>>> f = parse("-a ** 2 + `unit price`")
>>> f.columns, f.is_column
(['a', 'unit price'], True)
>>> f.code()
"(-(df['a'] ** 2) + df['unit price'])"
>>> f.evaluate(pd.DataFrame({"a": [1, 2], "unit price": [10, 20]})).tolist()
[9, 16]
"""

from __future__ import annotations

import dataclasses
import functools
import keyword
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.formula._functions import FUNCTIONS
from hydroml_jupyter.engine.formula._limits import (
    LIMIT_CAP,
    LIMIT_ENV,
    LIMIT_FACTOR,
    LIMIT_FLOOR,
    memory_limit,
    parse_limit,
    set_memory_limit,
)
from hydroml_jupyter.engine.formula._nodes import Context, Node, guard_column
from hydroml_jupyter.engine.formula._parser import parse_tree
from hydroml_jupyter.engine.formula._tokens import MAX_LENGTH, fail
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.messages import did_you_mean

__all__ = [
    "FUNCTIONS",
    "LIMIT_CAP",
    "LIMIT_ENV",
    "LIMIT_FACTOR",
    "LIMIT_FLOOR",
    "Formula",
    "memory_limit",
    "parse",
    "parse_limit",
    "set_memory_limit",
]


@dataclasses.dataclass(frozen=True, repr=False)
class Formula:
    """A parsed formula; build one with :func:`parse`.

    Attributes
    ----------
    expr
        The text it was parsed from.
    tree
        The root of its syntax tree.
    """

    expr: str
    tree: Node = dataclasses.field(compare=False)

    def __repr__(self) -> str:
        return f"Formula({self.expr!r})"

    @property
    def columns(self) -> list[str]:
        """Column names used, unique, in order of first appearance."""
        return list(dict.fromkeys(self.tree.columns()))

    @property
    def is_column(self) -> bool:
        """True when the value depends on a column (a Series), False for a constant."""
        return self.tree.is_column

    def check(self, columns: Sequence[Any]) -> None:
        """Check that every column the formula uses is in ``columns``.

        Parameters
        ----------
        columns
            The frame's column labels.

        Raises
        ------
        OperationError
            ``formula: no column named 'x' (did you mean 'y'?)`` for the first
            unknown column.
        """
        known = set(columns)
        for name in self.columns:
            if name not in known:
                raise OperationError(
                    f"formula: no column named {name!r}{did_you_mean(name, columns)}",
                    op="formula",
                    column=name,
                )

    def evaluate(self, df: pd.DataFrame) -> Any:
        """Compute the formula's value on ``df`` (which is left unchanged).

        Parameters
        ----------
        df
            The frame whose columns the formula uses.

        Returns
        -------
        pandas.Series or scalar
            A Series aligned to ``df.index`` when :attr:`is_column`, else a
            scalar.

        Raises
        ------
        OperationError
            For an unknown column, when pandas cannot compute a part of the
            formula, or when a part would build more than the memory limit (a
            constant result counts as a column of ``len(df)`` copies); the message
            names that part, e.g. ``formula: cannot compute name + 1: ...``.
        """
        self.check(list(df.columns))
        ctx = Context(df, self.expr)
        # Floating-point warnings (log of 0, 0 / 0) are noise here: the values
        # are the same with or without them.
        with np.errstate(all="ignore"):
            value = self.tree.evaluate(ctx)
            guard_column(ctx, self.tree, value)
        return value

    def code(self, var: str = "df") -> str:
        """Return Python source computing the same value from the frame ``var``.

        The code assumes ``import numpy as np`` and ``import pandas as pd``.
        Every binary operation is parenthesised, so precedence never matters,
        except when it is a whole function argument.

        Parameters
        ----------
        var
            Name of the frame variable in the generated code.

        Returns
        -------
        str

        Examples
        --------
        >>> parse("round(`unit price` * 1.2, 2)").code("sales")
        "np.round(sales['unit price'] * 1.2, 2)"
        """
        if not var.isidentifier() or keyword.iskeyword(var):
            raise OperationError(
                f"formula: {var!r} is not a valid variable name", op="formula", value=var
            )
        return self.tree.code(var)


@functools.lru_cache(maxsize=512)
def _parse(expr: str) -> Formula:
    return Formula(expr, parse_tree(expr))


def parse(expr: str) -> Formula:
    """Parse a formula.

    Parameters
    ----------
    expr
        The expression, e.g. ``"price * qty"``.

    Returns
    -------
    Formula

    Raises
    ------
    OperationError
        With a one-line message starting ``formula: `` that names what is
        wrong and its character position, e.g.
        ``formula: unexpected '.' at position 1 in 'a.__class__'``.

    Examples
    --------
    >>> parse("a > 1 & b < 2").code()
    "((df['a'] > 1) & (df['b'] < 2))"
    >>> parse("open('f')")
    Traceback (most recent call last):
    ...
    hydroml_jupyter.errors.OperationError: formula: unknown function 'open' at position 0 in "open('f')"; functions: abs, clip, coalesce, contains, day, days_between, endswith, exp, fillna, if_else, isnull, len, log, lower, month, replace, round, slice, sqrt, startswith, strip, upper, where, year
    """  # noqa: E501
    if not isinstance(expr, str):
        raise OperationError(
            f"formula: the expression must be text, not {type(expr).__name__}",
            op="formula",
            value=expr,
        )
    if len(expr) > MAX_LENGTH:  # before the cache, which would hash all of it
        fail(f"the expression is longer than {MAX_LENGTH} characters ({len(expr):,})", expr)
    return _parse(expr)
