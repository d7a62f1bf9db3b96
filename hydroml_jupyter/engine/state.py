"""A session's whole state as plain data, and the session rebuilt from it.

The state holds every step (undone ones too), the cursor, the original frame and
the current one. Everything but the frames is JSON-friendly. Snapshots between
the original and the current frame are not kept: the rebuilt history replays
them on demand, so undo and redo work as before.

Each frame in a state comes with a *frame id*: a token given to a history entry the
first time its frame is captured, kept for as long as the entry lives (and carried
over by :func:`restore_session`). The same id always names the same frame, so a
store can skip frames it already holds.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from hydroml_jupyter.engine.history import Entry, History
from hydroml_jupyter.engine.ops.base import Operation
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.session import RepeatedStepWarning, Session
from hydroml_jupyter.errors import OperationError

__all__ = [
    "STATE_FORMAT",
    "RepeatedStepWarning",
    "SessionState",
    "mark_resumed",
    "restore_session",
    "session_state",
]

STATE_FORMAT = "hydroml-session"
STATE_VERSION = 1

_ids_lock = threading.Lock()
_frame_ids: weakref.WeakKeyDictionary[Entry, str] = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class SessionState:
    """A session as data: ``meta`` and ``recipe`` are JSON-friendly, ``frames`` by step index.

    ``frame_ids`` maps each frame's step to its frame id (see the module's notes).
    """

    name: str
    meta: dict[str, Any]
    recipe: dict[str, Any]
    frames: Mapping[int, pd.DataFrame]
    frame_ids: Mapping[int, str] = dataclasses.field(default_factory=dict)


def _frame_id(entry: Entry) -> str:
    with _ids_lock:
        fid = _frame_ids.get(entry)
        if fid is None:
            fid = _frame_ids[entry] = secrets.token_hex(8)
        return fid


def _set_frame_id(entry: Entry, fid: str) -> None:
    with _ids_lock:
        _frame_ids[entry] = fid


def session_state(session: Session) -> SessionState:
    """Capture ``session`` (thread-safe; frames are copy-on-write views, not copies)."""
    with session._lock:
        history = session._history
        entries = list(history)
        ops = tuple(e.op for e in entries[1:])
        cursor = history.cursor
        frames = {0: history.frame(0)}
        if cursor:
            frames[cursor] = history.frame(cursor)
        ids = {step: _frame_id(history[step]) for step in frames}
        recipe = Recipe(steps=ops, source=session.source, base=session._parent, name=session.name)  # type: ignore[arg-type]
        meta = {
            "format": STATE_FORMAT,
            "state_version": STATE_VERSION,
            "name": session.name,
            "parent": session.parent,
            "cursor": cursor,
            "version": session.version,
            "created": entries[0].created,
            "updated": time.time(),
            "shape": list(history.current.shape),
            "shapes": [list(e.shape) for e in entries],
            "durations": [e.duration for e in entries],
        }
    return SessionState(session.name, meta, recipe.to_dict(), frames, ids)


def restore_session(state: SessionState, memory_budget: int | None = None) -> Session:
    """Build a live session from ``state``; it is registered under its name.

    Raises
    ------
    OperationError
        When the state is not a hydroml session state this version can read.
    """
    meta = state.meta
    if meta.get("format") != STATE_FORMAT or meta.get("state_version") != STATE_VERSION:
        raise OperationError(
            f"session {state.name!r}: not a session state this version can read "
            f"(format {meta.get('format')!r}, version {meta.get('state_version')!r})"
        )
    recipe = Recipe.from_dict(state.recipe)
    cursor = int(meta["cursor"])
    shapes, durations = meta["shapes"], meta["durations"]
    if len(shapes) != len(recipe.steps) + 1 or 0 not in state.frames:
        raise OperationError(f"session {state.name!r}: the stored state is incomplete")
    original = state.frames[0]
    session = Session(original, name=state.name, source=recipe.source, parent=recipe.base,
                      memory_budget=memory_budget)  # fmt: skip
    steps = [
        (op, tuple(shapes[i + 1]), float(durations[i + 1])) for i, op in enumerate(recipe.steps)
    ]
    with session._lock:
        session._history = History.restore(
            session._history.frame(0),
            steps,  # type: ignore[arg-type]
            cursor,
            state.frames.get(cursor),
            session._history.memory_budget,
        )
        session._history[0].created = float(meta.get("created", session._history[0].created))
        session._version = int(meta.get("version", 0))
        for step, fid in state.frame_ids.items():
            if step in (0, cursor) and step in state.frames:
                _set_frame_id(session._history[step], fid)
    return session


def mark_resumed(session: Session, note: str) -> None:
    """Have ``session``'s next apply tell the person if it repeats a step it holds already.

    Call it when a session continues earlier work (restored, or opened again by
    name). If the next :meth:`~hydroml_jupyter.Session.apply` repeats one of the
    steps up to the current one (a notebook running again from the top, most
    likely), it warns with :class:`RepeatedStepWarning` when the step applies, or adds
    a note to the :class:`~hydroml_jupyter.OperationError` when it cannot apply
    (e.g. a rename of columns renamed already). Checking stops at the first
    successful apply.

    Parameters
    ----------
    session
        The session.
    note
        How it continues, for the message, e.g. ``"restored from .hydroml"``.

    Examples
    --------
    >>> import warnings, pandas as pd
    >>> s = Session(pd.DataFrame({"a": [1, None]}), name="again")
    >>> _ = s.apply("fill_missing", column="a", strategy="value", value=0)
    >>> mark_resumed(s, "opened again in this kernel")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = s.apply("fill_missing", column="a", strategy="value", value=0)
    >>> caught[0].category.__name__
    'RepeatedStepWarning'
    >>> s.close()
    """

    def check(operation: Operation) -> Callable[[bool], str] | None:
        wanted = operation.to_dict()
        history = session._history
        for index in range(1, history.cursor + 1):
            op = history[index].op
            if op is not None and op.to_dict() == wanted:
                head = (
                    f"session {session.name!r} continues at step {history.cursor} ({note}); "
                    f"this step repeats step {index} ({op.label()})"
                )
                return lambda applied, head=head: _repeat_note(head, applied)
        return None

    session.check_next_apply(check)


def _repeat_note(head: str, applied: bool) -> str:
    if applied:
        return (
            f"{head}, which is now in its history twice. If the notebook ran again from "
            "the top, undo it, or open the session with fresh=True to start from the source."
        )
    return (
        f"{head}. If the notebook ran again from the top, its steps are in the session "
        "already: skip them, or open the session with fresh=True to start from the source."
    )
