"""``help``: the usage of ``%hydroml``, of one subcommand, or of one operation."""

from __future__ import annotations

import argparse

from hydroml_jupyter.engine.ops import catalog
from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.ophelp import operation_help
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS"]


def _arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "subcommand",
        metavar="SUBCOMMAND",
        nargs="?",
        type=text,
        help="a subcommand, or an operation (its parameters and recipe line)",
    )


def _help(ctx: Context, args: argparse.Namespace) -> None:
    if args.subcommand is None:
        print(registry.usage(), end="")
    elif args.subcommand not in registry.commands() and args.subcommand in catalog():
        print(operation_help(args.subcommand), end="")
    else:
        print(registry.get(args.subcommand).help(), end="")


COMMANDS = (
    Command(
        "help",
        "this text, one subcommand's arguments or one operation's",
        "help",
        _help,
        _arguments,
        synopsis="[SUBCOMMAND | OP]",
        session=False,
    ),
)
