"""A session's whole state as plain data, and the pieces of a session rebuilt from it.

:meth:`Session.state() <hydroml_jupyter.Session.state>` returns a :class:`SessionState`
and :meth:`Session.from_state() <hydroml_jupyter.Session.from_state>` builds a live
session from one; the store layer saves and loads nothing else. The state holds every
step (undone ones too), the cursor, the original frame and the current one.
Everything but the frames is JSON-friendly. Snapshots between the original and the
current frame are not kept: the rebuilt history replays them on demand, so undo and
redo work as before.

Each frame in a state comes with a *frame id*: a token given to a history entry the
first time its frame is captured, kept for as long as the entry lives (and carried
over by :func:`rebuild`). The same id always names the same frame, so a store can
skip frames it already holds.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.engine.history import Entry, History
from hydroml_jupyter.engine.ops.base import Operation
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.transaction import RepeatedStepWarning
from hydroml_jupyter.errors import OperationError

if TYPE_CHECKING:
    from hydroml_jupyter.engine.session import Session
    from hydroml_jupyter.io import Source

__all__ = [
    "STATE_FORMAT",
    "RepeatedStepWarning",
    "SessionState",
    "capture",
    "mark_resumed",
    "rebuild",
]

STATE_FORMAT = "hydroml-session"
STATE_VERSION = 1

_ids_lock = threading.Lock()
_frame_ids: weakref.WeakKeyDictionary[Entry, str] = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class SessionState:
    """A session as data, taken at one moment under the session's lock.

    Parameters
    ----------
    name
        The session's name.
    meta
        JSON-friendly facts: ``format`` and ``state_version`` (who can read the state),
        ``name``, ``parent`` (the session it was saved from, or None), ``cursor`` (the
        current step), ``version`` (:attr:`Session.version
        <hydroml_jupyter.Session.version>`), ``created`` and ``updated`` (seconds since
        the epoch), ``shape`` (the current frame's), and ``shapes`` and ``durations``
        (every step's, the original first).
    recipe
        Every step, undone ones too, with the source and the parent's recipe, as
        :meth:`Recipe.to_dict <hydroml_jupyter.Recipe.to_dict>` writes them.
    frames
        The original frame (step 0) and the current one (step ``cursor``), by step;
        copy-on-write views, not copies.
    frame_ids
        Each frame's frame id, by step (see the module's notes).

    Examples
    --------
    >>> import pandas as pd
    >>> from hydroml_jupyter import Session
    >>> s = Session(pd.DataFrame({"a": [2, 1]}), name="as data")
    >>> _ = s.apply("sort_rows", by=["a"])
    >>> state = s.state()
    >>> state.cursor, state.version, sorted(state.frames)
    (1, 1, [0, 1])
    >>> s.close()
    >>> back = Session.from_state(state)
    >>> back.df["a"].tolist(), back.undo().index
    ([1, 2], 0)
    >>> back.close()
    """

    name: str
    meta: dict[str, Any]
    recipe: dict[str, Any]
    frames: Mapping[int, pd.DataFrame]
    frame_ids: Mapping[int, str] = dataclasses.field(default_factory=dict)

    @property
    def cursor(self) -> int:
        """The current step (``meta["cursor"]``)."""
        return int(self.meta["cursor"])

    @property
    def version(self) -> int:
        """The session's version when the state was taken (``meta["version"]``)."""
        return int(self.meta.get("version", 0))


def _frame_id(entry: Entry) -> str:
    with _ids_lock:
        fid = _frame_ids.get(entry)
        if fid is None:
            fid = _frame_ids[entry] = secrets.token_hex(8)
        return fid


def _set_frame_id(entry: Entry, fid: str) -> None:
    with _ids_lock:
        _frame_ids[entry] = fid


def capture(
    history: History, name: str, source: Source | None, parent: Recipe | None, version: int
) -> SessionState:
    """Return the state of the session whose history is ``history``.

    The caller holds the session's lock (:meth:`Session.state
    <hydroml_jupyter.Session.state>` does), so the state is consistent.
    """
    entries = list(history)
    ops = tuple(op for e in entries[1:] if (op := e.op) is not None)
    cursor = history.cursor
    frames = {0: history.frame(0)}
    if cursor:
        frames[cursor] = history.frame(cursor)
    ids = {step: _frame_id(history[step]) for step in frames}
    recipe = Recipe(steps=ops, source=source, base=parent, name=name)
    meta = {
        "format": STATE_FORMAT,
        "state_version": STATE_VERSION,
        "name": name,
        "parent": None if parent is None else parent.name,
        "cursor": cursor,
        "version": version,
        "created": entries[0].created,
        "updated": time.time(),
        "shape": list(history.current.shape),
        "shapes": [list(e.shape) for e in entries],
        "durations": [e.duration for e in entries],
    }
    return SessionState(name, meta, recipe.to_dict(), frames, ids)


@dataclasses.dataclass(frozen=True)
class Rebuilt:
    """What :func:`rebuild` makes of a state: the parts of a live session."""

    #: The history, cursor and frame ids as they were; frames in between replay on demand.
    history: History
    #: Every step, with the source and the parent's recipe.
    recipe: Recipe
    #: The session's version.
    version: int


def rebuild(state: SessionState, memory_budget: int | None = None) -> Rebuilt:
    """Rebuild the history of ``state`` (used by :meth:`Session.from_state`).

    Raises
    ------
    OperationError
        When the state is not a hydroml session state this version can read, is
        incomplete, or a step cannot be replayed.
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
    steps = [
        (op, tuple(shapes[i + 1]), float(durations[i + 1])) for i, op in enumerate(recipe.steps)
    ]
    history = History.restore(
        state.frames[0].copy(deep=False),
        steps,
        cursor,
        state.frames.get(cursor),
        memory_budget,
    )
    history[0].created = float(meta.get("created", history[0].created))
    for step, fid in state.frame_ids.items():
        if step in (0, cursor) and step in state.frames:
            _set_frame_id(history[step], fid)
    return Rebuilt(history, recipe, int(meta.get("version", 0)))


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
    >>> from hydroml_jupyter import Session
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
        steps = session.recipe().steps
        for index, op in enumerate(steps, start=1):
            if op.to_dict() == wanted:
                head = (
                    f"session {session.name!r} continues at step {len(steps)} ({note}); "
                    f"this step repeats step {index} ({op.label()})"
                )
                return functools.partial(_repeat_note, head)
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
