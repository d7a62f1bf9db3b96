"""A session's whole state as plain data, and the session rebuilt from it.

The state holds every step (undone ones too), the cursor, the original frame and
the current one. Everything but the frames is JSON-friendly. Snapshots between
the original and the current frame are not kept: the rebuilt history replays
them on demand, so undo and redo work as before.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hydroml_jupyter.engine.history import History
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.errors import OperationError

__all__ = ["STATE_FORMAT", "SessionState", "restore_session", "session_state"]

STATE_FORMAT = "hydroml-session"
STATE_VERSION = 1


@dataclasses.dataclass(frozen=True)
class SessionState:
    """A session as data: ``meta`` and ``recipe`` are JSON-friendly, ``frames`` by step index."""

    name: str
    meta: dict[str, Any]
    recipe: dict[str, Any]
    frames: Mapping[int, pd.DataFrame]


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
    return SessionState(session.name, meta, recipe.to_dict(), frames)


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
    return session
