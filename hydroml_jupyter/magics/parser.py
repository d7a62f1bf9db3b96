"""The argument parser of every subcommand: errors are one-line ``UsageError``s.

Words reach the parser with their quotes (see :mod:`~hydroml_jupyter.magics.tokens`);
each argument says how to read its word with ``type=``: :func:`text` (quotes
removed), :func:`value` (a Python literal or a bare word), :func:`assignment`
(``key=value``), :func:`sheet` (a number or a name).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from IPython.core.error import UsageError

from hydroml_jupyter.magics.literals import is_assignment, parse_assignments, parse_value
from hydroml_jupyter.magics.tokens import unquote
from hydroml_jupyter.messages import joined_lines as one_line

__all__ = [
    "CommandParser",
    "assignment",
    "assignments",
    "one_line",
    "sheet",
    "text",
    "value",
]


class CommandParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` that raises :class:`UsageError` instead of exiting.

    Parameters
    ----------
    prog
        ``%hydroml NAME``, shown in messages and help.
    description
        The subcommand's help text.
    """

    def __init__(self, prog: str, description: str = "", epilog: str | None = None) -> None:
        super().__init__(
            prog=prog,
            description=description,
            epilog=epilog,
            add_help=False,
            allow_abbrev=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def error(self, message: str) -> NoReturn:
        """Raise ``UsageError`` naming the subcommand; the message is one line."""
        required = "the following arguments are required: "
        if message.startswith(required):
            # parse_intermixed_args also lists positionals that may be empty
            optional = {a.metavar or a.dest for a in self._actions if a.nargs in ("*", "?")}
            names = [n for n in message[len(required) :].split(", ") if n not in optional]
            message = required + ", ".join(names)
        raise UsageError(f"{self.prog}: {one_line(message)}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Never leave the kernel: raise ``UsageError`` instead."""
        raise UsageError(f"{self.prog}: {one_line(message or 'stopped')}")

    def parse(self, words: Sequence[str]) -> argparse.Namespace:
        """Parse ``words``; options and positional words may come in any order."""
        return self.parse_intermixed_args(list(words))


def text(word: str) -> str:
    """Read a word as text, quotes removed."""
    return unquote(word)


def value(word: str) -> Any:
    """Read a word as a Python literal, or as text when it is a bare word."""
    try:
        return parse_value(word)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def assignment(word: str) -> tuple[str, Any]:
    """Read ``key=value`` as a ``(key, value)`` pair."""
    if not is_assignment(word):
        raise argparse.ArgumentTypeError(f"expected key=value, not {word!r}")
    try:
        ((key, val),) = parse_assignments([word]).items()
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return key, val


def sheet(word: str) -> str | int:
    """Read an Excel sheet: an unquoted number is its position, anything else its name."""
    name = unquote(word)
    return int(name) if name == word and name.isdigit() else name


def assignments(pairs: Sequence[tuple[str, Any]] | None, prog: str) -> dict[str, Any]:
    """Return ``dict(pairs)``, refusing a key given twice."""
    out: dict[str, Any] = {}
    for key, val in pairs or ():
        if key in out:
            raise UsageError(f"{prog}: {key}= is given twice")
        out[key] = val
    return out
