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
clip, day, exp, fillna, isnull, len, log, lower, month, round, sqrt, upper,
where and year.

:meth:`Formula.evaluate` and :meth:`Formula.code` mirror each other node by
node, so the exported code computes bit for bit the value the session
computed.

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
import difflib
import functools
import keyword
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.formula._functions import FUNCTIONS
from hydroml_jupyter.engine.formula._nodes import Context, Node
from hydroml_jupyter.engine.formula._parser import parse_tree
from hydroml_jupyter.errors import OperationError

__all__ = ["FUNCTIONS", "Formula", "parse"]


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
                labels = [str(c) for c in columns]
                close = difflib.get_close_matches(name, labels, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise OperationError(
                    f"formula: no column named {name!r}{hint}", op="formula", column=name
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
            For an unknown column, or when pandas cannot compute a part of the
            formula; the message names that part, e.g.
            ``formula: cannot compute name + 1: ...``.
        """
        self.check(list(df.columns))
        # Floating-point warnings (log of 0, 0 / 0) are noise here: the values
        # are the same with or without them.
        with np.errstate(all="ignore"):
            return self.tree.evaluate(Context(df, self.expr))

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
    hydroml_jupyter.errors.OperationError: formula: unknown function 'open' at position 0 in "open('f')"; functions: abs, clip, day, exp, fillna, isnull, len, log, lower, month, round, sqrt, upper, where, year
    """  # noqa: E501
    if not isinstance(expr, str):
        raise OperationError(
            f"formula: the expression must be text, not {type(expr).__name__}",
            op="formula",
            value=expr,
        )
    return _parse(expr)
