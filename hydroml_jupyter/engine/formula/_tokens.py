"""Tokenizer of the formula language, and the error helper shared by the package.

The tokenizer reads the expression one character at a time; nothing here (or
anywhere in the package) hands user text to ``eval``, ``exec`` or ``compile``.
"""

from __future__ import annotations

import dataclasses
import keyword
import math
from typing import Any, Literal, NoReturn

from hydroml_jupyter.errors import OperationError

MAX_LENGTH = 10_000
"""Longest expression accepted, in characters."""

MAX_DIGITS = 300
"""Longest integer literal accepted, in digits."""

_SHOWN = 60
_OPERATORS = ("**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "~")
_PUNCT: dict[str, Kind] = {"(": "(", ")": ")", ",": ","}
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}
_KEYWORD_HINTS = {
    "not": "use '~' for not",
    "and": "use '&' for and",
    "or": "use '|' for or",
    "None": "None is not supported; use isnull(x) or fillna(x, v)",
}

Kind = Literal["num", "str", "name", "col", "op", "(", ")", ",", "end"]


@dataclasses.dataclass(frozen=True)
class Token:
    """One token: its kind, its value and where it starts in the expression."""

    kind: Kind
    value: Any
    pos: int
    end: int

    def show(self) -> str:
        """Return how the token is named in an error message."""
        if self.kind == "end":
            return "end of expression"
        return f"column {self.value!r}" if self.kind == "col" else repr(self.text)

    @property
    def text(self) -> str:
        """The token as written, for operators, punctuation and names."""
        return str(self.value)


def fail(
    what: str, expr: str, pos: int | None = None, *, hint: str = "", **fields: Any
) -> NoReturn:
    """Raise the one-line :class:`OperationError` of a malformed formula.

    Parameters
    ----------
    what
        What is wrong, e.g. ``"unexpected '.'"``.
    expr
        The whole expression, quoted (shortened when long) in the message.
    pos
        Character position of the fault, 0-based, when there is one.
    hint
        Appended after a semicolon, e.g. the list of functions.
    **fields
        ``column`` or ``value`` for the error; ``value`` defaults to ``expr``.
    """
    shown = expr if len(expr) <= _SHOWN else expr[: _SHOWN - 3] + "..."
    where = f" at position {pos}" if pos is not None else ""
    tail = f"; {hint}" if hint else ""
    fields.setdefault("value", expr)
    raise OperationError(f"formula: {what}{where} in {shown!r}{tail}", op="formula", **fields)


def tokenize(expr: str) -> list[Token]:
    """Split ``expr`` into tokens, ending with an ``end`` token.

    Parameters
    ----------
    expr
        The formula text.

    Returns
    -------
    list of Token

    Raises
    ------
    OperationError
        On a character or literal outside the language.
    """
    tokens: list[Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isascii() and (ch.isdigit() or (ch == "." and expr[i + 1 : i + 2].isdigit())):
            token = _number(expr, i)
            tokens.append(token)
            i = token.end
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            token = _name(expr, i)
            tokens.append(token)
            i = token.end
        elif ch in "'\"":
            token = _string(expr, i)
            tokens.append(token)
            i = token.end
        elif ch == "`":
            token = _backtick(expr, i)
            tokens.append(token)
            i = token.end
        elif ch in _PUNCT:
            tokens.append(Token(_PUNCT[ch], ch, i, i + 1))
            i += 1
        else:
            op = next((o for o in _OPERATORS if expr.startswith(o, i)), None)
            if op is None:
                _unexpected_char(expr, i)
            tokens.append(Token("op", op, i, i + len(op)))
            i += len(op)
    tokens.append(Token("end", "", n, n))
    return tokens


def _unexpected_char(expr: str, i: int) -> NoReturn:
    ch = expr[i]
    if ch == "=":
        fail("unexpected '=' (use '==' to compare)", expr, i)
    if ch == "!":
        fail("unexpected '!' (use '~' for not, '!=' for not equal)", expr, i)
    if ch.isidentifier():
        fail(
            f"unexpected {ch!r} (write column names with such characters in backticks, "
            "e.g. `größe`)",
            expr,
            i,
        )
    fail(f"unexpected {ch!r}", expr, i)


def _number(expr: str, start: int) -> Token:
    i, n = start, len(expr)
    while i < n and expr[i].isascii() and expr[i].isdigit():
        i += 1
    is_float = False
    if i < n and expr[i] == ".":
        is_float = True
        i += 1
        while i < n and expr[i].isascii() and expr[i].isdigit():
            i += 1
    if i < n and expr[i] in "eE":
        j = i + 1
        if j < n and expr[j] in "+-":
            j += 1
        if j < n and expr[j].isascii() and expr[j].isdigit():
            is_float = True
            i = j
            while i < n and expr[i].isascii() and expr[i].isdigit():
                i += 1
    text = expr[start:i]
    value: int | float
    if is_float:
        value = float(text)
        if math.isinf(value):
            fail(f"number {text!r} is too large", expr, start)
    else:
        if len(text) > MAX_DIGITS:
            fail(
                f"integer literal of {len(text):,} digits is too long (at most {MAX_DIGITS})",
                expr,
                start,
            )
        value = int(text)
    return Token("num", value, start, i)


def _name(expr: str, start: int) -> Token:
    i, n = start, len(expr)
    while i < n and expr[i].isascii() and (expr[i].isalnum() or expr[i] == "_"):
        i += 1
    name = expr[start:i]
    if "__" in name:
        fail(f"names containing '__' are not allowed: {name!r}", expr, start)
    if name in ("True", "False"):
        return Token("num", name == "True", start, i)
    if name in _KEYWORD_HINTS:
        fail(f"{name!r} is not supported ({_KEYWORD_HINTS[name]})", expr, start)
    if keyword.iskeyword(name):
        fail(
            f"{name!r} is a Python keyword, not a column (write `{name}` in backticks "
            "for a column of that name)",
            expr,
            start,
        )
    return Token("name", name, start, i)


def _string(expr: str, start: int) -> Token:
    quote = expr[start]
    i, n = start + 1, len(expr)
    chars: list[str] = []
    while i < n and expr[i] not in (quote, "\n", "\r"):
        if expr[i] == "\\":
            nxt = expr[i + 1 : i + 2]
            if nxt not in _ESCAPES:
                fail(
                    f"unsupported escape {expr[i : i + 2]!r} in string (allowed: "
                    "\\\\ \\' \\\" \\n \\t)",
                    expr,
                    i,
                )
            chars.append(_ESCAPES[nxt])
            i += 2
        else:
            chars.append(expr[i])
            i += 1
    if i >= n or expr[i] != quote:
        fail("unterminated string starting", expr, start)
    return Token("str", "".join(chars), start, i + 1)


def _backtick(expr: str, start: int) -> Token:
    i, n = start + 1, len(expr)
    chars: list[str] = []
    while i < n:
        if expr[i] == "`":
            if expr[i + 1 : i + 2] != "`":
                break
            i += 1
        chars.append(expr[i])
        i += 1
    else:
        fail("unterminated backtick column name starting", expr, start)
    if not chars:
        fail("empty column name ``", expr, start)
    return Token("col", "".join(chars), start, i + 1)
