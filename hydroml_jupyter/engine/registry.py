"""The live sessions of this kernel, by name."""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

from hydroml_jupyter.messages import did_you_mean

if TYPE_CHECKING:
    from hydroml_jupyter.engine.session import Session

__all__ = ["add", "default_name", "get", "remove", "sessions"]

_lock = threading.Lock()
_sessions: dict[str, Session] = {}
_counter = itertools.count(1)


def add(session: Session) -> None:
    """Register ``session``; a newer session of the same name replaces the older one."""
    with _lock:
        _sessions.pop(session.name, None)
        _sessions[session.name] = session


def remove(session: Session) -> None:
    """Forget ``session`` if it is the one registered under its name."""
    with _lock:
        if _sessions.get(session.name) is session:
            del _sessions[session.name]


def default_name(hint: str | None) -> str:
    """Return ``hint`` if given, else the next free ``sessionN``."""
    if hint:
        return hint
    with _lock:
        while True:
            name = f"session{next(_counter)}"
            if name not in _sessions:
                return name


def sessions() -> dict[str, Session]:
    """Return the live sessions by name, oldest first.

    Examples
    --------
    >>> import pandas as pd, hydroml_jupyter as hj
    >>> _ = hj.Session(pd.DataFrame({"a": [1]}), name="listed")
    >>> "listed" in hj.sessions()
    True
    """
    with _lock:
        return dict(_sessions)


def get(name: str) -> Session:
    """Return the live session called ``name``.

    Raises
    ------
    KeyError
        When there is none; the message suggests the closest name.
    """
    with _lock:
        if name in _sessions:
            return _sessions[name]
        names = list(_sessions)
    hint = did_you_mean(name, names)
    known = ", ".join(repr(n) for n in names) or "none"
    raise KeyError(f"no session named {name!r}{hint}; live sessions: {known}")
