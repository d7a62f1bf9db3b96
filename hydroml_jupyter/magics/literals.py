"""Read ``key=value`` arguments: values are Python literals, parsed and never run.

The text is parsed with :func:`ast.parse` and the tree is walked by hand; only these
nodes are accepted:

- constants: strings, numbers, ``True``, ``False``, ``None``;
- ``-`` or ``+`` in front of a number;
- lists, tuples, dicts, and sets (a set becomes a list in the order written,
  repeats dropped, since operation parameters are JSON-like);
- a bare word (a Python name such as ``unknown`` or ``median``), read as that text.

Anything else (calls, attributes, operators, comprehensions, f-strings) is not a
literal. A value that is not a literal and holds no bracket or quote is taken as
text as typed (``2021-01-01``, ``%Y-%m-%d``, ``>=``, ``a.b``); one that holds a
bracket or quote is malformed and refused (``__import__('os')``).

Examples
--------
>>> parse_value("[1, -2.5, 'a b', None]")
[1, -2.5, 'a b', None]
>>> parse_value("{'NYC': 'New York'}"), parse_value("[age, plan]"), parse_value("2021-01-01")
({'NYC': 'New York'}, ['age', 'plan'], '2021-01-01')
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from typing import Any

from IPython.core.error import UsageError

__all__ = [
    "LiteralError",
    "is_assignment",
    "parse_assignments",
    "parse_literal",
    "parse_value",
]

_MAX_DEPTH = 50
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(?!=)")
_STRUCTURE = set("()[]{}'\"")
_KINDS: dict[type[ast.AST], str] = {
    ast.Call: "a call",
    ast.Attribute: "an attribute",
    ast.Subscript: "a subscript",
    ast.BinOp: "an expression",
    ast.BoolOp: "an expression",
    ast.Compare: "a comparison",
    ast.Lambda: "a lambda",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred item",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
}


class LiteralError(ValueError):
    """The text is not a literal; the message says why, in a few words."""


def parse_literal(text: str) -> Any:
    """Return the value the literal ``text`` spells.

    Raises
    ------
    LiteralError
        When ``text`` does not parse, or holds anything but literals and bare words.

    Examples
    --------
    >>> parse_literal("(1, {'a': [True, None]})")
    (1, {'a': [True, None]})
    >>> parse_literal("__import__('os')")
    Traceback (most recent call last):
    ...
    hydroml_jupyter.magics.literals.LiteralError: a call is not a literal
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise LiteralError(f"invalid syntax ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise LiteralError(str(exc).splitlines()[0] or "cannot be parsed") from None
    if _has_comment(text):  # Python would drop it: ``a#b`` must not read as ``a``
        raise LiteralError("a # outside quotes is not a literal")
    return _convert(tree.body, 0)


def _has_comment(text: str) -> bool:
    try:
        return any(
            t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(text).readline)
        )
    except (tokenize.TokenError, SyntaxError):
        return True


def _convert(node: ast.AST, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise LiteralError("nested too deeply")
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise LiteralError(f"{type(value).__name__} values are not supported")
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = node.operand
        if (
            isinstance(operand, ast.Constant)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            return -operand.value if isinstance(node.op, ast.USub) else operand.value
        raise LiteralError("a sign applies to a number only")
    if isinstance(node, ast.List):
        return [_convert(e, depth + 1) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_convert(e, depth + 1) for e in node.elts)
    if isinstance(node, ast.Set):
        return _unique(_convert(e, depth + 1) for e in node.elts)
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise LiteralError("** is not a literal")
            k = _convert(key_node, depth + 1)
            try:
                hash(k)
            except TypeError:
                raise LiteralError(f"a dict key cannot be a {type(k).__name__}") from None
            out[k] = _convert(value_node, depth + 1)
        return out
    kind = _KINDS.get(type(node), "an expression")
    raise LiteralError(f"{kind} is not a literal")


def _unique(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def parse_value(text: str, key: str | None = None) -> Any:
    """Return the value of one argument: a literal, else the text itself.

    Parameters
    ----------
    text
        What follows ``key=``, or one word of a recipe line.
    key
        The argument's name, for the error message.

    Raises
    ------
    UsageError
        When ``text`` is empty, or holds a bracket or quote but is not a literal.

    Examples
    --------
    >>> parse_value("unknown"), parse_value("'0'"), parse_value("0"), parse_value("-1e3")
    ('unknown', '0', 0, -1000.0)
    """
    where = f"{key}=" if key is not None else "value"
    if not text.strip():
        raise UsageError(f"{where} has no value (write {where}'' for an empty string)")
    try:
        return parse_literal(text)
    except LiteralError as exc:
        if _STRUCTURE.isdisjoint(text):
            return text
        raise UsageError(
            f"malformed value {where}{text}: {exc}; values are Python literals "
            "('text', 3, -1.5, True, None, [..], {..: ..}) or a bare word"
        ) from None


def is_assignment(word: str) -> bool:
    """Return whether ``word`` reads ``key=value`` (``key`` a Python name, ``=`` not ``==``)."""
    return _ASSIGNMENT.match(word) is not None


def parse_assignments(words: Iterable[str]) -> dict[str, Any]:
    """Return ``{key: value}`` for words of the form ``key=value``.

    Raises
    ------
    UsageError
        For a word that is not ``key=value``, a key given twice, or a malformed value.

    Examples
    --------
    >>> parse_assignments(["column=age", "strategy=median"])
    {'column': 'age', 'strategy': 'median'}
    """
    out: dict[str, Any] = {}
    for word in words:
        match = _ASSIGNMENT.match(word)
        if match is None:
            raise UsageError(f"expected key=value, not {word!r}")
        key = match.group(1)
        if key in out:
            raise UsageError(f"{key}= is given twice")
        out[key] = parse_value(word[match.end() :], key)
    return out
