"""``profile`` the current frame and ``suggest`` cleaning steps (and apply one)."""

from __future__ import annotations

import argparse
from collections.abc import Hashable
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.engine import Session
from hydroml_jupyter.magics.commands.views import resolve_column
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import step_line
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS"]


def _target(parser: CommandParser) -> None:
    parser.add_argument(
        "--target", metavar="COL", type=text, help="the column a model would predict"
    )


def _checked_target(session: Session, target: str | None, prog: str) -> Hashable | None:
    if target is None:
        return None
    return resolve_column(session.df.columns, target, prog)


def _profile(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    return session.profile(_checked_target(session, args.target, "%hydroml profile"))


def _suggest_arguments(parser: CommandParser) -> None:
    _target(parser)
    parser.add_argument(
        "--apply",
        metavar="N",
        type=int,
        help="apply suggestion N of the list (as an ordinary, undoable step)",
    )


def _suggest(ctx: Context, args: argparse.Namespace) -> pd.DataFrame | None:
    session = ctx.session(args.session)
    found = session.suggest(_checked_target(session, args.target, "%hydroml suggest"))
    if args.apply is not None:
        if not 0 <= args.apply < len(found):
            last = f"0 to {len(found) - 1}" if found else "none"
            raise UsageError(f"%hydroml suggest: no suggestion {args.apply}; suggestions: {last}")
        print(step_line(session, found[args.apply].apply()))
        return None
    return pd.DataFrame(
        {
            "op": [s.op for s in found],
            "params": [s.params for s in found],
            "confidence": [round(s.confidence, 2) for s in found],
            "why": [s.rationale for s in found],
        },
        index=pd.RangeIndex(len(found), name="suggestion"),
    )


COMMANDS = (
    Command(
        "profile",
        "profile the current frame: types, statistics, alerts",
        "views",
        _profile,
        _target,
        synopsis="[--target COL]",
    ),
    Command(
        "suggest",
        "cleaning suggestions, most confident first; --apply N applies one",
        "views",
        _suggest,
        _suggest_arguments,
        synopsis="[--target COL] [--apply N]",
    ),
)
