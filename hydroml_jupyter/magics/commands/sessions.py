"""``sessions`` (the live ones, or the stored ones), ``use`` (pick the current one), ``save-as``."""

from __future__ import annotations

import argparse

import pandas as pd

import hydroml_jupyter as hj
from hydroml_jupyter.magics.commands.store import stored_store, stored_table
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import shape_text
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS"]

COLUMNS = ["rows", "columns", "step", "steps", "source", "current"]


def _sessions_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--stored",
        action="store_true",
        help=(
            "the sessions the store holds instead (rows, columns, step, steps, updated, "
            "live), from their metadata only"
        ),
    )


def _sessions(ctx: Context, args: argparse.Namespace) -> pd.DataFrame:
    if args.stored:
        return stored_table(stored_store("%hydroml sessions --stored"))
    live = hj.sessions()
    rows = [
        {
            "rows": s.shape[0],
            "columns": s.shape[1],
            "step": s.position,
            "steps": len(s.history) - 1,
            "source": (
                s.source.describe()
                if s.source is not None
                else (f"saved from {s.parent}" if s.parent else "DataFrame")
            ),
            "current": name == ctx.current,
        }
        for name, s in live.items()
    ]
    return pd.DataFrame(rows, columns=COLUMNS, index=pd.Index(list(live), name="session"))


def _use_arguments(parser: CommandParser) -> None:
    parser.add_argument("name", metavar="NAME", type=text, help="a live session's name")


def _use(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.name)
    print(
        f"{session.name}: now the current session · step {session.position} of "
        f"{len(session.history) - 1} · {shape_text(session.shape)}"
    )


def _save_as_arguments(parser: CommandParser) -> None:
    parser.add_argument("name", metavar="NAME", type=text, help="the new session's name")


def _save_as(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    if args.name == session.name:
        raise hj.OperationError(f"save-as: {args.name!r} is this session's own name")
    replaced = args.name in hj.sessions()
    new = ctx.adopt(hj.open(session.save_as(args.name)))
    note = f" (replaces the earlier {new.name!r})" if replaced else ""
    print(
        f"{new.name}: saved from {session.name} at step {session.position}{note} · "
        f"{shape_text(new.shape)} · now the current session"
    )


COMMANDS = (
    Command(
        "sessions",
        "list the live sessions, or with --stored the ones in the store",
        "sessions",
        _sessions,
        _sessions_arguments,
        synopsis="[--stored]",
        session=False,
    ),
    Command(
        "use",
        "make NAME the current session",
        "sessions",
        _use,
        _use_arguments,
        synopsis="NAME",
        session=False,
    ),
    Command(
        "save-as",
        "a new session from the current frame, saved in the store; it becomes current",
        "sessions",
        _save_as,
        _save_as_arguments,
        synopsis="NAME",
    ),
)
