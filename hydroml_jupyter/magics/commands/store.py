"""Sessions in the store: ``restore`` one, ``drop`` one, ``flush`` pending saves.

The store is the kernel's default one: ``%config HydroML.store`` when set, else
``$HYDROML_STORE``, else ``.hydroml/`` in the working folder
(:func:`hydroml_jupyter.store.default_store`). :func:`stored_table` is what
``%hydroml sessions --stored`` shows.
"""

from __future__ import annotations

import argparse
import datetime
import time
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

import hydroml_jupyter as hj
from hydroml_jupyter.engine import Session
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import shape_text, studio, studio_available
from hydroml_jupyter.magics.parser import CommandParser, one_line, text
from hydroml_jupyter.magics.registry import Command
from hydroml_jupyter.messages import did_you_mean as _hint
from hydroml_jupyter.store import Store, StoreError, default_store, persist
from hydroml_jupyter.store.autosaving import active

__all__ = ["COMMANDS", "STORED_COLUMNS", "stored_names", "stored_store", "stored_table"]

#: The columns of ``%hydroml sessions --stored`` (``problem`` only when a session has one).
STORED_COLUMNS = ["rows", "columns", "step", "steps", "updated", "live"]


def stored_store(prog: str) -> Store:
    """Return the default store; ``UsageError`` (naming ``prog``) when saving is off."""
    store = default_store()
    if store is None:
        raise UsageError(
            f"{prog}: saving is off, so there is no store: `%config HydroML.store = 'disk'` "
            "(or a folder, 'memory:', a redis:// URL) turns it on"
        )
    return store


def stored_names(store: Store | None = None) -> list[str]:
    """Return the names of the sessions ``store`` (default: the default store) holds.

    An empty list when saving is off or the store cannot be listed.
    """
    try:
        found = store if store is not None else default_store()
        if found is None:
            return []
        return sorted(info.name for info in found.list() if info.problem is None)
    except StoreError:
        return []


def _updated(value: Any) -> datetime.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value).replace(microsecond=0)
    return None


def stored_table(store: Store) -> pd.DataFrame:
    """Return what ``store`` holds, one row per session, sorted by name.

    Columns: ``rows`` and ``columns`` (the shape at the stored step), ``step`` (the
    cursor), ``steps`` (how many the history holds), ``updated`` (the last save, local
    time), ``live`` (whether this kernel has a session of that name), and ``problem``
    when a stored session cannot be read (why; its other fields are then empty).
    Only manifests are read, never frames.
    """
    live = hj.sessions()
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    for info in sorted(store.list(), key=lambda i: i.name):
        row: dict[str, Any] = dict.fromkeys(STORED_COLUMNS)
        row["live"] = info.name in live
        row["problem"] = info.problem
        if info.problem is None:
            try:
                meta = store.peek(info.name).meta
            except StoreError as exc:
                row["problem"] = one_line(exc)
            else:
                shape = meta.get("shape") or info.shape or (None, None)
                row["rows"], row["columns"] = shape[0], shape[1]
                row["step"] = meta.get("cursor")
                shapes = meta.get("shapes")
                row["steps"] = len(shapes) - 1 if isinstance(shapes, list) else None
                row["updated"] = _updated(meta.get("updated", info.updated))
        names.append(info.name)
        rows.append(row)
    columns = STORED_COLUMNS + (["problem"] if any(r["problem"] for r in rows) else [])
    table = pd.DataFrame(rows, columns=columns, index=pd.Index(names, name="session"))
    for column in ("rows", "columns", "step", "steps"):
        table[column] = table[column].astype("Int64")
    table["updated"] = pd.to_datetime(table["updated"])
    return table


def _where(session: Session) -> str:
    return f"step {session.position} of {len(session.history) - 1}"


# -- restore -------------------------------------------------------------------------------
def _name_argument(what: str) -> Any:
    def arguments(parser: CommandParser) -> None:
        parser.add_argument("name", metavar="NAME", type=text, help=what)

    return arguments


def _restore(ctx: Context, args: argparse.Namespace) -> None:
    name = args.name
    live = hj.sessions()
    if name in live:
        session = ctx.adopt(live[name])
        print(
            f"{name}: live in this kernel already, now the current session · "
            f"{_where(session)} · {shape_text(session.shape)}"
        )
    else:
        store = stored_store("%hydroml restore")
        if not store.exists(name):
            hint = _hint(name, [*stored_names(store), *live])
            raise UsageError(
                f"%hydroml restore: no session {name!r} is stored in {store.label}{hint}; "
                "`%hydroml sessions --stored` lists them"
            )
        session = ctx.adopt(hj.session(name))
        print(
            f"{name}: restored from {session.restored_from or store.label} at "
            f"{_where(session)} · {shape_text(session.shape)} · now the current session"
        )
    if ctx.config.autodisplay and studio_available():
        ctx.show(studio(session))


# -- drop ----------------------------------------------------------------------------------
def _drop(ctx: Context, args: argparse.Namespace) -> None:
    name = args.name
    store = stored_store("%hydroml drop")
    session = hj.sessions().get(name)
    saving = session is not None and active(session, store) is not None
    if not saving and not store.exists(name):
        hint = _hint(name, stored_names(store))
        raise UsageError(f"%hydroml drop: no session {name!r} is stored in {store.label}{hint}")
    persist.drop(name, store=store)
    note = "; the live session keeps working in memory, no longer saved" if session else ""
    print(f"{name}: dropped from {store.label}{note}")


# -- flush ---------------------------------------------------------------------------------
def _flush_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--session",
        metavar="NAME",
        type=text,
        help="only this session (default: every live session); it becomes current",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds to wait at most (default 30)",
    )


def _flush(ctx: Context, args: argparse.Namespace) -> None:
    if args.timeout < 0:
        raise UsageError("%hydroml flush: --timeout must be 0 or more seconds")
    if args.session is not None:
        targets = [ctx.session(args.session)]
    else:
        targets = list(hj.sessions().values())
    if not targets:
        print("nothing to flush: no live session")
        return
    store = default_store()
    deadline = time.monotonic() + args.timeout
    saved: list[str] = []
    elsewhere: list[str] = []
    late: list[str] = []
    failures: list[str] = []
    for session in targets:
        try:
            done = session.flush(max(0.0, deadline - time.monotonic()))
        except StoreError as exc:
            failures.append(one_line(exc))
            continue
        if not done:
            late.append(session.name)
        elif store is not None and active(session, store) is not None:
            saved.append(f"{session.name} ({_where(session)})")
        else:
            elsewhere.append(session.name)
    if failures:
        raise UsageError(f"%hydroml flush: {failures[0]}")
    if late:
        raise UsageError(
            f"%hydroml flush: {', '.join(late)} not saved within {args.timeout:g} s "
            "(is the store reachable?); saving goes on in the background, nothing is lost"
        )
    parts = [f"saved {', '.join(saved)}"] if saved else []
    if elsewhere:
        off = "saving is off, not saved" if store is None else "not saved to the store"
        parts.append(f"{off}: {', '.join(elsewhere)}")
    print("flushed: " + "; ".join(parts))


COMMANDS = (
    Command(
        "restore",
        "bring back a stored session with its history; it becomes the current one",
        "store",
        _restore,
        _name_argument("a stored session's name (`%hydroml sessions --stored` lists them)"),
        synopsis="NAME",
        description=(
            "Restore the stored session NAME: its frame, history and cursor, so undo, redo\n"
            "and code work as before the restart. It becomes the current session, is saved\n"
            "after every change again, and its Data Studio is shown (`%config\n"
            "HydroML.autodisplay = False` turns that off). A live session of that name is\n"
            "made current as it is."
        ),
        session=False,
    ),
    Command(
        "drop",
        "delete a session from the store (the live one keeps working, unsaved)",
        "store",
        _drop,
        _name_argument("a stored session's name"),
        synopsis="NAME",
        session=False,
    ),
    Command(
        "flush",
        "wait until every change so far is saved in the store",
        "store",
        _flush,
        _flush_arguments,
        synopsis="[--session NAME] [--timeout S]",
        description=(
            "Sessions are saved after every change in the background; flush waits until\n"
            "what has changed so far is written (every live session, or the one --session\n"
            "names). A save that failed for good (a full disk, a read-only folder) or a\n"
            "store still unreachable after --timeout seconds is an error; the sessions in\n"
            "memory are unchanged either way."
        ),
        session=False,
    ),
)
