"""How alert messages show data: values and column names quoted, one line, clipped.

Text is written through the engine's one comment-quoting path (:func:`codegen.comment`):
printable characters, emoji included, stay as they are; controls, line separators and
bidirectional overrides are escaped, so a message is always one line that reads as written.
"""

from __future__ import annotations

from typing import Any

from hydroml_jupyter.engine.codegen import comment, name

#: Longest shown value or column name, in characters (the clip mark included).
LIMIT = 40


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def value(v: Any, limit: int = LIMIT) -> str:
    r"""Return a data value as a message shows it: text quoted, anything else as its repr.

    Examples
    --------
    >>> value("naïve 😀"), value(" USA"), value(2.5)
    ("'naïve 😀'", "' USA'", '2.5')
    >>> value("a\nb"), len(value("x" * 50)), value("x" * 50)[-3:]
    ("'a\\nb'", 40, "x…'")
    """
    body = comment(v)[2:]
    if isinstance(v, str):
        return f"'{_clip(body, limit - 2)}'"
    return _clip(body, limit)


def label(c: Any, limit: int = LIMIT) -> str:
    r"""Return a column label as a message shows it: text as is (escaped, clipped), else repr.

    Examples
    --------
    >>> label("unit price"), label(7), label("a\u202eb")
    ('unit price', '7', 'a\\u202eb')
    """
    return _clip(comment(name(c))[2:], limit)
