"""The errors and warnings of the store layer."""

from __future__ import annotations

from hydroml_jupyter.errors import HydroMLError

__all__ = [
    "StoreConflictError",
    "StoreError",
    "StoreKeyWarning",
    "StoreOutageWarning",
    "StoreUnavailable",
    "StoreWarning",
]


class StoreError(HydroMLError):
    """A session could not be saved, loaded, listed or deleted.

    The message is one line naming the session (when there is one) and the cause:
    missing, tampered, truncated, written in an unknown format, not storable, or an
    I/O failure such as a full disk. A failed save leaves the previous state intact;
    a failed load returns nothing.

    Parameters
    ----------
    message
        The one-line explanation.
    session
        The session concerned, when there is one.
    """

    def __init__(self, message: str, *, session: str | None = None) -> None:
        super().__init__(message)
        self.session = session


class StoreUnavailable(StoreError):  # noqa: N818 (the name the API promises)
    """The store cannot be reached right now (Redis down, connection refused, timeout).

    Unlike a plain :class:`StoreError`, trying again later may succeed, and the data
    already stored is not in question.
    """


class StoreConflictError(StoreError):
    """Another writer saved the session since this one last read or saved it.

    Nothing was overwritten. The message names the other writer (host, pid, time) and
    says how to keep this session's changes under a new name or take the stored
    session over.

    Parameters
    ----------
    message
        The one-line explanation.
    session
        The session concerned.
    writer
        What the stored manifest says about its writer: ``host``, ``pid`` and
        ``written`` (seconds since the epoch), each None when unknown.
    """

    def __init__(
        self,
        message: str,
        *,
        session: str | None = None,
        writer: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message, session=session)
        self.writer = dict(writer or {})


class StoreWarning(UserWarning):
    """Issued by :class:`~hydroml_jupyter.store.BackgroundWriter` when a save fails for good."""


class StoreOutageWarning(StoreWarning):
    """Issued by :class:`~hydroml_jupyter.store.BackgroundWriter` once per store outage."""


class StoreKeyWarning(StoreWarning):
    """Issued once per process when the store key is short or its file is open to others."""
