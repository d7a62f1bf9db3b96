"""Steps: ``apply`` and ``preview`` an operation; ``undo``, ``redo``, ``goto``, ``reset``."""

from __future__ import annotations

import argparse

from hydroml_jupyter.engine import Preview
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.ophelp import operations_help
from hydroml_jupyter.magics.output import step_line
from hydroml_jupyter.magics.parser import CommandParser, assignment, assignments, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS", "operations_help"]


def _op_arguments(parser: CommandParser) -> None:
    parser.add_argument("op", metavar="OP", type=text, help="the operation's name")
    parser.add_argument(
        "params",
        nargs="*",
        type=assignment,
        metavar="key=value",
        help="its parameters; values are Python literals, never run (a bare word is text)",
    )


def _apply(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    step = session.apply(args.op, **assignments(args.params, "%hydroml apply"))
    print(step_line(session, step))


def _preview(ctx: Context, args: argparse.Namespace) -> Preview:
    session = ctx.session(args.session)
    return session.preview(args.op, **assignments(args.params, "%hydroml preview"))


def _undo(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    print(step_line(session, session.undo(), "undo"))


def _redo(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    print(step_line(session, session.redo(), "redo"))


def _goto_arguments(parser: CommandParser) -> None:
    parser.add_argument("index", metavar="N", type=int, help="the step (0 is the original frame)")


def _goto(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    print(step_line(session, session.goto(args.index), "goto"))


def _reset(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    print(step_line(session, session.reset(), "reset"))


COMMANDS = (
    Command(
        "apply",
        "apply one cleaning operation as a new step",
        "steps",
        _apply,
        _op_arguments,
        synopsis="OP key=value ...",
        description=(
            "Apply one operation as a new step (undone steps after the current one are\n"
            "dropped, as in the Data Studio). Example:\n"
            "  %hydroml apply cast column=age dtype=Int64 errors=coerce"
        ),
        epilog=operations_help,
    ),
    Command(
        "preview",
        "what an operation would change, without applying it",
        "steps",
        _preview,
        _op_arguments,
        synopsis="OP key=value ...",
        epilog=operations_help,
    ),
    Command("undo", "go back one step", "steps", _undo),
    Command("redo", "re-apply the next undone step", "steps", _redo),
    Command(
        "goto",
        "move to step N (0: the original); later steps stay redoable",
        "steps",
        _goto,
        _goto_arguments,
        synopsis="N",
    ),
    Command(
        "reset",
        "back to the original frame; the steps stay redoable",
        "steps",
        _reset,
    ),
)
