r"""The one path by which user text reaches generated code.

Column names, values, formats, patterns, formulas, file names, session names and
SQL URLs are all user text. In a generated script they appear only

- as Python literals, written by :func:`literal` (or :func:`col`, :func:`kwarg`);
- inside ``#`` comments, written by :func:`comment`, which escapes every control,
  line-separator and bidirectional-override character, so a comment is always one
  line however the text was made;
- as words of code only after :func:`word` checked them against a fixed set.

Labels shown to people use :func:`shown` and :func:`name`, which never raise.

Examples
--------
>>> comment("price\nopen('x.txt', 'w')  #")
"# price\\nopen('x.txt', 'w')  #"
>>> literal({"a\n": [1, float("nan")]})
"{'a\\n': [1, float('nan')]}"
"""

from __future__ import annotations

import keyword
import math
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_var", "col", "comment", "kwarg", "literal", "name", "shown", "word"]

#: Up to this many bits (about 4,214 digits) an int is written in decimal; above, in
#: hex: CPython refuses to turn ints of more than 4,300 decimal digits into text, or
#: to compile such a literal, by default.
_DECIMAL_BITS = 14_000

#: Characters that reorder how a line is displayed ("Trojan Source"): escaped in comments.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def literal(value: Any) -> str:
    """Return Python source that rebuilds a plain value exactly.

    Strings, numbers, booleans, None, :class:`pandas.Timestamp` and lists, tuples
    and dicts of them. Subclasses of ``str``, ``int`` and ``float`` are written as
    the base type (their own ``repr`` is never called), NaN and infinities as
    ``float('nan')``, and integers too long for decimal text in hexadecimal.

    Raises
    ------
    TypeError
        For any other type.

    Examples
    --------
    >>> literal({"a": [1, float("nan")], 2: None})
    "{'a': [1, float('nan')], 2: None}"
    >>> literal(-(2**20000)).startswith("-0x1000")
    True
    """
    return _source(value, code=True)


def shown(value: Any) -> str:
    """Return a value as a label shows it: like ``repr``, for any value, never raising.

    Examples
    --------
    >>> shown(float("nan")), shown("a"), shown(pd.Timestamp("2020-01-02"))
    ('nan', "'a'", "Timestamp('2020-01-02 00:00:00')")
    """
    return _source(value, code=False)


def name(label: Any) -> str:
    """Return a column label as a label shows it: text as is, anything else as :func:`shown`.

    Examples
    --------
    >>> name("unit price"), name(7)
    ('unit price', '7')
    """
    if isinstance(label, str):
        return str.__str__(label)
    return shown(label)


def col(var: str, column: Any) -> str:
    r"""Return ``df['column']`` source.

    Examples
    --------
    >>> col("df", "a'b")
    'df["a\'b"]'
    """
    return f"{var}[{literal(column)}]"


def kwarg(key: str, value: Any) -> str:
    """Return ``key=value`` source; ``key`` must be a plain identifier.

    Raises
    ------
    ValueError
        When ``key`` is not an identifier, or is a Python keyword.
    """
    if not _is_identifier(key):
        raise ValueError(f"{shown(key)} cannot be a keyword argument name")
    return f"{key}={literal(value)}"


def word(value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` for use as a word of code, if it is one of ``allowed``.

    Operator symbols, method names and the like are written raw; this is the check
    that they come from the fixed set the operation knows, whatever built it.

    Raises
    ------
    ValueError
        When ``value`` is not exactly one of ``allowed``.

    Examples
    --------
    >>> word("lower", ["lower", "upper"])
    'lower'
    """
    if type(value) is str and value in set(allowed):
        return value
    raise ValueError(f"{shown(value)} is not one of {', '.join(map(repr, allowed))}")


def check_var(var: str) -> str:
    """Return ``var`` if it can name the frame in generated code.

    Raises
    ------
    ValueError
        When ``var`` is not an identifier, or is a Python keyword.
    """
    if not _is_identifier(var):
        raise ValueError(f"{shown(var)} is not a valid Python variable name")
    return var


def comment(text: Any) -> str:
    r"""Return ``# text`` as one comment line, whatever ``text`` holds.

    Control characters (NUL, C0 and C1, tab included), line and paragraph
    separators, lone surrogates and bidirectional overrides are written as their
    ``repr`` escapes (``\n``, ``\x85``, ``\u2028``); everything else, backslashes
    and quotes included, is kept, so the label stays readable.

    Examples
    --------
    >>> comment("1. a = `b`\r\nimport os")
    '# 1. a = `b`\\r\\nimport os'
    """
    raw = str.__str__(text) if isinstance(text, str) else shown(text)
    return "# " + "".join(_escape(ch) if _unsafe(ch) else ch for ch in raw)


# -- helpers ---------------------------------------------------------------------------
def _unsafe(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def _escape(ch: str) -> str:
    return str.__repr__(ch)[1:-1]


def _is_identifier(text: Any) -> bool:
    return (
        type(text) is str and text.isidentifier() and text.isascii() and not keyword.iskeyword(text)
    )


def _int(value: int) -> str:
    value = int.__int__(value)
    if value.bit_length() <= _DECIMAL_BITS:
        try:
            return int.__repr__(value)
        except ValueError:  # a lower sys.set_int_max_str_digits()
            pass
    return hex(value)


def _source(value: Any, *, code: bool) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool):
        return "None" if value is None else ("True" if value else "False")
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        value = float.__float__(value)
        if code and not math.isfinite(value):
            return f"float({str(value)!r})"
        return float.__repr__(value)
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, pd.Timestamp) and code:
        return f"pd.Timestamp({str.__repr__(value.isoformat())})"
    if isinstance(value, list | tuple):
        inner = [_source(v, code=code) for v in value]
        if isinstance(value, list):
            return "[" + ", ".join(inner) + "]"
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
    if isinstance(value, dict):
        pairs = (f"{_source(k, code=code)}: {_source(v, code=code)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if code:
        raise TypeError(f"cannot write {type(value).__name__} as Python source")
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
