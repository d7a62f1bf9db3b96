"""``open`` a source into a session, ``export`` a session's frame."""

from __future__ import annotations

import argparse
from typing import Any

import hydroml_jupyter as hj
from hydroml_jupyter.io.export import ExportError
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import not_overwriting, shape_text, studio, studio_available
from hydroml_jupyter.magics.parser import CommandParser, assignment, assignments, sheet, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS"]

FORMATS = ("csv", "tsv", "parquet", "excel", "json", "jsonl")


def _open_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "source", metavar="PATH_OR_URL", type=text, help="a file, URL or SQLAlchemy URL"
    )
    parser.add_argument("--name", type=text, help="the session's name (default: the file's stem)")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="load the source even when a session of that name is live or stored, replacing it",
    )
    parser.add_argument(
        "--takeover",
        action="store_true",
        help="continue the named session and save over another kernel's newer saves of it",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--table", type=text, help="for a database URL: the table to read")
    which.add_argument("--query", type=text, help="for a database URL: the SQL to run")
    parser.add_argument("--sheet", type=sheet, help="for Excel: the sheet's name or number")
    parser.add_argument("--format", choices=FORMATS, type=text, help="overrides the suffix")
    parser.add_argument(
        "options",
        nargs="*",
        type=assignment,
        metavar="key=value",
        help="keyword arguments of the pandas reader, e.g. sep=';'",
    )


def _open(ctx: Context, args: argparse.Namespace) -> None:
    options: dict[str, Any] = assignments(args.options, "%hydroml open")
    for key in ("table", "query", "sheet", "format"):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    was_live = args.name is not None and not args.fresh and args.name in hj.sessions()
    opened = hj.open(
        args.source, name=args.name, fresh=args.fresh, takeover=args.takeover, **options
    )
    session = ctx.adopt(opened)
    where = f"step {session.position} of {len(session.history) - 1}"
    if was_live:
        how = f"open already, continues at {where}"
    elif session.restored_from is not None:
        how = f"restored from {session.restored_from} at {where}"
    else:
        origin = session.source.describe() if session.source is not None else "a DataFrame"
        how = f"opened {origin}"
    print(f"{session.name}: {how} · {shape_text(session.shape)}")
    if ctx.config.autodisplay and studio_available():
        ctx.show(studio(session))


def _export_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "path", metavar="PATH", type=text, help="where to write; its folder must exist"
    )
    parser.add_argument("--format", choices=FORMATS, type=text, help="overrides the suffix")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the file at PATH if there is one (a session's source is never replaced)",
    )
    parser.add_argument(
        "options",
        nargs="*",
        type=assignment,
        metavar="key=value",
        help="keyword arguments of the pandas writer",
    )


def _export(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    options = assignments(args.options, "%hydroml export")
    if args.format is not None:
        options["format"] = args.format
    shape = session.shape
    try:
        path = session.export(args.path, overwrite=args.overwrite, **options)
    except ExportError as exc:
        if exc.reason != "exists":
            raise
        raise not_overwriting(exc) from None
    print(f"{session.name}: wrote {shape_text(shape)} to {path}")


COMMANDS = (
    Command(
        "open",
        "load a file, URL or database table into a new session; show its studio",
        "sessions",
        _open,
        _open_arguments,
        synopsis="PATH_OR_URL [--name N] [--table T | --query Q] [--sheet S]",
        description=(
            "Load a source into a new session (it becomes the current one) and show its\n"
            "Data Studio (`%config HydroML.autodisplay = False` turns that off).\n"
            "With --name, a session of that name continues: the live one, else the one in\n"
            "the store (restored with its history), if it was opened from the same source.\n"
            "CSV, TSV, Parquet, Excel, JSON and JSON Lines files are read by suffix;\n"
            "a SQLAlchemy URL needs --table or --query."
        ),
        session=False,
    ),
    Command(
        "export",
        "write the frame to CSV, TSV, Parquet, Excel, JSON or JSON Lines",
        "output",
        _export,
        _export_arguments,
        synopsis="PATH [--format F] [--overwrite]",
        description=(
            "Write the current frame to PATH, by its suffix (or --format). A file already\n"
            "at PATH is replaced only with --overwrite; the session's source, and the\n"
            "sources of the sessions it was saved from, are never written."
        ),
    ),
)
