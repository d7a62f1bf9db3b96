"""Who saved a session last, and the check that refuses a save over someone else's.

Every save writes a new *generation* id into the session's manifest, with the host,
process id and time of the writer. A record to save names the generation it started
from (:attr:`~hydroml_jupyter.store.SessionRecord.base`): a store replaces the stored
manifest only if that is still the generation stored (or nothing is stored), inside
the same lock or transaction that replaces it. Otherwise the save is refused with
:class:`~hydroml_jupyter.store.StoreConflictError`, which names the other writer and
says how to fork or take over.
"""

from __future__ import annotations

import enum
import os
import socket
import time
from typing import Any, Final, TypeAlias

from hydroml_jupyter.store.errors import StoreConflictError

__all__ = ["ANY", "Base", "check_base", "describe_writer", "writer_identity", "writer_of"]


class _Any(enum.Enum):
    ANY = "any generation"

    def __repr__(self) -> str:
        return "ANY"


#: ``base=ANY``: replace whatever is stored (a take-over, or the plain store API).
ANY: Final = _Any.ANY
#: What a save starts from: a generation id, None (nothing stored yet) or :data:`ANY`.
Base: TypeAlias = "str | _Any | None"

FORK = 'hj.open(s.save_as("new name"))'
TAKE_OVER = "hj.open(s, takeover=True)"


def writer_identity() -> dict[str, Any]:
    """Return what a manifest records about the process writing it: host and pid."""
    try:
        host = socket.gethostname()
    except OSError:  # pragma: no cover (no host name in this environment)
        host = "unknown"
    return {"host": host, "pid": os.getpid()}


def writer_of(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a stored manifest's writer: ``host``, ``pid``, ``written`` (None when unknown)."""
    host, pid, written = doc.get("host"), doc.get("pid"), doc.get("written")
    return {
        "host": host if isinstance(host, str) else None,
        "pid": pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        "written": written if isinstance(written, int | float) else None,
    }


def describe_writer(writer: dict[str, Any]) -> str:
    """Return ``host h, pid 12, at 2026-12-06 10:22:03`` (parts that are unknown left out).

    Examples
    --------
    >>> describe_writer({"host": "lab1", "pid": 42, "written": None})
    "host 'lab1', pid 42"
    >>> describe_writer({})
    'an unknown writer'
    """
    parts = []
    if writer.get("host"):
        parts.append(f"host {writer['host']!r}")
    if writer.get("pid") is not None:
        parts.append(f"pid {writer['pid']}")
    if writer.get("written") is not None:
        parts.append(time.strftime("at %Y-%m-%d %H:%M:%S", time.localtime(writer["written"])))
    return ", ".join(parts) or "an unknown writer"


def check_base(name: str, base: Base, current: dict[str, Any] | None, where: str) -> None:
    """Refuse saving session ``name`` over ``current`` (its stored manifest, or None).

    Parameters
    ----------
    name
        The session.
    base
        The generation the save started from (see :data:`Base`).
    current
        The stored manifest, decoded, or None when nothing readable is stored (a save
        may then go ahead: nothing would be overwritten).
    where
        The store, for the message.

    Raises
    ------
    StoreConflictError
        When ``current`` is a generation the save did not start from.
    """
    if base is ANY or current is None or (base is not None and current["generation"] == base):
        return
    writer = writer_of(current)
    who = describe_writer(writer)
    if base is None:
        what = (
            f"session {name!r} is already stored in {where} (saved by {who}) and this "
            "session did not start from it"
        )
    else:
        what = (
            f"session {name!r} in {where} was saved by another writer ({who}) since this "
            "one last read or saved it"
        )
    raise StoreConflictError(
        f"{what}; nothing was overwritten. Keep your changes under a new name with {FORK}, "
        f"or replace the stored session with yours: {TAKE_OVER}",
        session=name,
        writer=writer,
    )
