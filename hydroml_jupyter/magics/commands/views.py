"""Looking at a session: ``history``, ``code``, ``summary``, ``missing``."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from IPython.core.error import UsageError

from hydroml_jupyter.engine import HistoryView
from hydroml_jupyter.labels import Label
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command
from hydroml_jupyter.messages import did_you_mean

__all__ = ["COMMANDS", "resolve_column"]


def resolve_column(columns: Iterable[Label], name: str, prog: str) -> Label:
    """Return the column ``name`` names (an integer label when only that matches).

    Raises
    ------
    UsageError
        When no column matches; the message suggests the closest name.
    """
    labels = list(columns)
    if name in labels:
        return name
    if name.lstrip("-").isdigit() and int(name) in labels:
        return int(name)
    raise UsageError(f"{prog}: no column named {name!r}{did_you_mean(name, labels)}")


def _history(ctx: Context, args: argparse.Namespace) -> HistoryView:
    return ctx.session(args.session).history


def _code_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--print",
        action="store_true",
        help="print the script instead of putting it into a new cell",
    )
    parser.add_argument(
        "--no-source",
        action="store_true",
        help="start from a frame `df` instead of loading the source",
    )


def _code(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    script = session.code(source=not args.no_source)
    if args.print or not ctx.config.code_cell or not ctx.has_front_end:
        print(script, end="")
        return
    ctx.shell.set_next_input(script, replace=False)
    lines = script.count("\n")
    print(
        f"{session.name}: the script ({lines} lines) goes into a new cell below "
        "(`%hydroml code --print` prints it instead)"
    )


def _summary_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "column",
        metavar="COL",
        nargs="?",
        type=text,
        help="one column: its summary with a histogram or top values",
    )


def _summary(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    if args.column is None:
        return session.summary()
    column = resolve_column(session.df.columns, args.column, "%hydroml summary")
    return session.column_info(column)


def _missing(ctx: Context, args: argparse.Namespace) -> Any:
    return ctx.session(args.session).missing()


COMMANDS = (
    Command("history", "the steps, with the current one marked", "views", _history),
    Command(
        "code",
        "the pandas script of the frame, in a new cell below",
        "output",
        _code,
        _code_arguments,
        synopsis="[--print] [--no-source]",
        description=(
            "Put the session's pandas script into a new cell below this one (nothing is\n"
            "overwritten). Where no notebook front end is attached, or with --print or\n"
            "`%config HydroML.code_cell = False`, the script is printed instead."
        ),
    ),
    Command(
        "summary",
        "per-column statistics, or one column's summary",
        "views",
        _summary,
        _summary_arguments,
        synopsis="[COL]",
    ),
    Command("missing", "missing values per column and the common patterns", "views", _missing),
)
