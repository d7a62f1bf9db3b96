"""The subcommands of ``%hydroml``: one :class:`Command` each, found by name.

Each module listed in :data:`MODULES` (under ``hydroml_jupyter.magics.commands``)
defines ``COMMANDS``, a tuple of :class:`Command`. A new subcommand is a new module
there, named in :data:`MODULES`; no router changes. :func:`register` adds one at
run time (a later command of the same name replaces the earlier one).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import textwrap
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.messages import did_you_mean

if TYPE_CHECKING:
    from hydroml_jupyter.magics.context import Context

__all__ = ["GROUPS", "MODULES", "Command", "commands", "get", "register", "usage"]

#: Modules of ``hydroml_jupyter.magics.commands`` that define ``COMMANDS``, in usage order.
MODULES = (
    "source",
    "studio",
    "sessions",
    "store",
    "steps",
    "recipe",
    "views",
    "analysis",
    "experiments",
    "predict",
    "experiment_cell",
    "help",
)

#: Headings of the usage text, in order.
GROUPS = {
    "sessions": "Sessions",
    "store": "Stored sessions (kept across restarts)",
    "steps": "Cleaning steps",
    "views": "Looking at the data",
    "output": "Output",
    "experiments": "Experiments",
    "help": "Help",
}

_WIDTH = 92
_COLUMN = 34

Runner = Callable[["Context", argparse.Namespace], Any]


def _no_arguments(parser: CommandParser) -> None:
    """Add nothing."""


@dataclasses.dataclass(frozen=True)
class Command:
    """One subcommand.

    Parameters
    ----------
    name
        What follows ``%hydroml``.
    summary
        One line for the usage table.
    group
        A key of :data:`GROUPS`.
    run
        ``run(context, args)``: does the work; its return value is the magic's.
    arguments
        Adds the subcommand's arguments to its parser.
    synopsis
        The arguments as the usage table shows them, e.g. ``"OP key=value ..."``.
    description
        The help text (default: ``summary``).
    epilog
        Text after the arguments in the help, or a function returning it.
    session
        Whether the subcommand acts on a session (it then takes ``--session NAME``).
    cell
        Whether it is a cell magic (``%%hydroml NAME``).
    """

    name: str
    summary: str
    group: str
    run: Runner
    arguments: Callable[[CommandParser], None] = _no_arguments
    synopsis: str = ""
    description: str = ""
    epilog: str | Callable[[], str] | None = None
    session: bool = True
    cell: bool = False

    @property
    def prog(self) -> str:
        """``%hydroml NAME`` (``%%hydroml NAME`` for a cell magic)."""
        return f"{'%%' if self.cell else '%'}hydroml {self.name}"

    def parser(self) -> CommandParser:
        """Return a new parser for this subcommand's arguments."""
        epilog = self.epilog() if callable(self.epilog) else self.epilog
        parser = CommandParser(self.prog, self.description or self.summary, epilog)
        self.arguments(parser)
        if self.session:
            parser.add_argument(
                "--session",
                metavar="NAME",
                type=text,
                help="the session to act on (default: the current one); it becomes current",
            )
        return parser

    def help(self) -> str:
        """Return the subcommand's help text."""
        return self.parser().format_help().rstrip() + "\n"


_lock = threading.Lock()
_loaded: dict[str, Command] = {}
_added: dict[str, Command] = {}


def commands() -> dict[str, Command]:
    """Return every subcommand by name, in usage order."""
    with _lock:
        if not _loaded:
            for module in MODULES:
                found = importlib.import_module(f"hydroml_jupyter.magics.commands.{module}")
                for command in found.COMMANDS:
                    _loaded[command.name] = command
        return {**_loaded, **_added}


def register(command: Command) -> None:
    """Add ``command`` (replacing any subcommand of the same name)."""
    with _lock:
        _added[command.name] = command


def get(name: str) -> Command:
    """Return the subcommand ``name``.

    Raises
    ------
    UsageError
        When there is none; the message suggests the closest name.
    """
    found = commands()
    if name in found:
        return found[name]
    hint = did_you_mean(name, found)
    raise UsageError(f"%hydroml: unknown subcommand {name!r}{hint}; `%hydroml help` lists them all")


def usage() -> str:
    """Return the usage text: every subcommand, grouped, with a one-line summary."""
    found = commands()
    lines = [
        "%hydroml SUBCOMMAND [arguments] [--session NAME]",
        "%%hydroml recipe [--session NAME]   (a cell: one cleaning step per line)",
        "",
        "Clean data from notebook text: each subcommand is one action of the Data Studio.",
        "Without --session, a subcommand acts on the current session: the last one opened,",
        "used or named with --session (or the only live one).",
    ]
    for group, heading in GROUPS.items():
        members = [c for c in found.values() if c.group == group]
        if not members:
            continue
        lines += ["", f"{heading}:"]
        for c in members:
            row = f"  {c.name} {c.synopsis}".rstrip()
            summary = textwrap.wrap(c.summary, _WIDTH - _COLUMN)
            if len(row) < _COLUMN - 1:
                lines.append(row.ljust(_COLUMN) + summary[0])
                summary = summary[1:]
            else:
                lines.append(row)
            lines += [" " * _COLUMN + part for part in summary]
    lines += [
        "",
        "Values in key=value are Python literals, never run: column='Customer ID',",
        "columns=['a', 'b'], value=0, mapping={'NYC': 'New York'}; a bare word is text.",
        "$name is replaced by the text of the variable name (looked up, never evaluated).",
        "`%hydroml help SUBCOMMAND` (or `%hydroml SUBCOMMAND --help`) shows its arguments;",
        "`%hydroml help recipe` shows the recipe grammar; `%config HydroML` the options.",
        "Sessions are saved after every change, in the background, to the store",
        "`%config HydroML.store` names (default: $HYDROML_STORE, else .hydroml/ here).",
    ]
    return "\n".join(lines) + "\n"
