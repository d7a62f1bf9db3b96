"""One-line messages for people: an exception's first line, and "did you mean" hints.

Every layer words its errors through these, so a hint reads the same from an
operation, a magic, a widget request or the store.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["did_you_mean", "first_line", "joined_lines"]

#: How close a name must be to a known one to be suggested (difflib's ratio).
CUTOFF = 0.6


def did_you_mean(name: Any, choices: Iterable[Any], *, cutoff: float = CUTOFF) -> str:
    """Return ``" (did you mean 'x'?)"`` naming the choice closest to ``name``, or ``""``.

    Names and choices are compared as text; the hint shows the choice as text too.

    Examples
    --------
    >>> did_you_mean("pirce", ["price", "plan"])
    " (did you mean 'price'?)"
    >>> did_you_mean("zzz", ["price"])
    ''
    """
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f" (did you mean {match[0]!r}?)" if match else ""


def first_line(exc: BaseException, *, with_type: bool = False, limit: int | None = 300) -> str:
    r"""Return the first line of ``exc``'s message, shortened to ``limit`` (None: whole).

    An empty message gives the exception type's name; a ``KeyError`` shows its key as
    text, not quoted twice. With ``with_type``, the type's name comes first.

    Examples
    --------
    >>> first_line(ValueError("bad value\nmore detail"))
    'bad value'
    >>> first_line(KeyError("price"), with_type=True)
    'KeyError: price'
    >>> first_line(RuntimeError())
    'RuntimeError'
    """
    try:
        if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
            text = exc.args[0].strip()
        else:
            text = str(exc).strip()
    except Exception:
        text = ""
    name = type(exc).__name__
    line = text.splitlines()[0].strip() if text else ""
    if not line:
        line = name
    elif with_type:
        line = f"{name}: {line}"
    return line if limit is None or len(line) <= limit else line[: limit - 1] + "…"


def joined_lines(message: object) -> str:
    r"""Return ``message`` as one line: its non-blank lines joined with ``"; "``.

    Examples
    --------
    >>> joined_lines("no such column\n  try 'price'\n")
    "no such column; try 'price'"
    """
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    return "; ".join(lines)
