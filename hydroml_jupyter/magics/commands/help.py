"""``help``: the usage of ``%hydroml``, or of one subcommand."""

from __future__ import annotations

import argparse

from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS"]


def _arguments(parser: CommandParser) -> None:
    parser.add_argument("subcommand", metavar="SUBCOMMAND", nargs="?", type=text)


def _help(ctx: Context, args: argparse.Namespace) -> None:
    if args.subcommand is None:
        print(registry.usage(), end="")
    else:
        print(registry.get(args.subcommand).help(), end="")


COMMANDS = (
    Command(
        "help",
        "this text, or one subcommand's arguments",
        "help",
        _help,
        _arguments,
        synopsis="[SUBCOMMAND]",
        session=False,
    ),
)
