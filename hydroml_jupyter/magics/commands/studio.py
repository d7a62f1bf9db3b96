"""``studio``: the Data Studio of a DataFrame or session in the namespace."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.engine import Session
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import studio
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS", "showable"]


def showable(namespace: dict[str, Any]) -> list[str]:
    """Return the names in ``namespace`` bound to a DataFrame or a session."""
    return [
        name
        for name, obj in namespace.items()
        if not name.startswith("_") and isinstance(obj, pd.DataFrame | Session)
    ]


def _arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "var",
        metavar="VAR",
        nargs="?",
        type=text,
        help="a variable holding a DataFrame or a session (default: the current session)",
    )


def _studio(ctx: Context, args: argparse.Namespace) -> Any:
    if args.var is None:
        return studio(ctx.session(args.session))
    if args.session is not None:
        raise UsageError("%hydroml studio: give VAR or --session, not both")
    namespace = ctx.user_ns
    if args.var not in namespace:
        match = difflib.get_close_matches(args.var, showable(namespace), n=1)
        hint = f" (did you mean {match[0]!r}?)" if match else ""
        raise UsageError(f"%hydroml studio: no variable named {args.var!r}{hint}")
    target = namespace[args.var]
    if not isinstance(target, pd.DataFrame | Session):
        raise UsageError(
            f"%hydroml studio: {args.var!r} is a {type(target).__name__}, "
            "not a DataFrame or a session"
        )
    widget = studio(target)
    session = getattr(widget, "session", None)
    if isinstance(session, Session):
        ctx.use(session)
    return widget


COMMANDS = (
    Command(
        "studio",
        "the Data Studio of a DataFrame or session variable (or the current session)",
        "sessions",
        _studio,
        _arguments,
        synopsis="[VAR]",
    ),
)
