"""``studio``: the Data Studio of a DataFrame or session in the namespace."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.engine import Session
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import studio
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command
from hydroml_jupyter.messages import did_you_mean

__all__ = ["COMMANDS", "namespace_frame", "showable", "var_argument"]


def showable(namespace: dict[str, Any]) -> list[str]:
    """Return the names in ``namespace`` bound to a DataFrame or a session."""
    return [
        name
        for name, obj in namespace.items()
        if not name.startswith("_") and isinstance(obj, pd.DataFrame | Session)
    ]


def namespace_frame(ctx: Context, name: str, prog: str) -> pd.DataFrame | Session:
    """Return the DataFrame or session bound to ``name`` in the notebook's namespace.

    Raises
    ------
    UsageError
        When there is no such variable (the closest name is suggested), or it holds
        something else.
    """
    namespace = ctx.user_ns
    if name not in namespace:
        hint = did_you_mean(name, showable(namespace))
        raise UsageError(f"{prog}: no variable named {name!r}{hint}")
    found = namespace[name]
    if not isinstance(found, pd.DataFrame | Session):
        raise UsageError(
            f"{prog}: {name!r} is a {type(found).__name__}, not a DataFrame or a session"
        )
    return found


def var_argument(parser: CommandParser) -> None:
    """Add the optional ``VAR`` argument: a notebook variable holding a frame or a session."""
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
    widget = studio(namespace_frame(ctx, args.var, "%hydroml studio"))
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
        var_argument,
        synopsis="[VAR]",
    ),
)
