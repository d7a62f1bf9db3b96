"""The errors hydroml-jupyter raises.

Each layer has one error type, all deriving from :class:`HydroMLError`:

- :class:`OperationError` (also a :class:`ValueError`): a cleaning operation
  could not be applied; the session is left exactly as it was.
- :class:`SourceError` (also an :class:`OSError`): a data source could not be
  loaded or written.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HydroMLError", "OperationError", "SourceError"]


class HydroMLError(Exception):
    """Base class of every error raised by hydroml-jupyter."""


class OperationError(HydroMLError, ValueError):
    """An operation could not be applied to a session.

    Parameters
    ----------
    message
        One line naming the operation, the column and the value at fault.
    op
        Name of the operation, e.g. ``"cast"``.
    column
        The column at fault, when there is one.
    value
        The value at fault, when there is one.

    Examples
    --------
    >>> err = OperationError("cast: column 'age' has a value that is not a number: 'x' (row 3)",
    ...                      op="cast", column="age", value="x")
    >>> isinstance(err, ValueError), err.column
    (True, 'age')
    """

    def __init__(
        self,
        message: str,
        *,
        op: str | None = None,
        column: Any = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.op = op
        self.column = column
        self.value = value


class SourceError(HydroMLError, OSError):
    """A data source could not be loaded, or a frame could not be written.

    The message names the file (or URL) and the cause.
    """
