"""Several operations applied as one change: every one of them, or none.

The frames are all computed before the history is touched, under the session's lock,
so a failing operation leaves the session exactly as it was: same steps, same cursor,
same redo branch. On success the steps are pushed together and announced as one
change, so an open studio redraws once. A resumed session's repeated-step check
(:meth:`~hydroml_jupyter.Session.check_next_apply`) looks at the batch's first
operation, as it would at a single apply.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hydroml_jupyter.engine.history import History
from hydroml_jupyter.engine.ops.base import Operation, make_operation
from hydroml_jupyter.engine.steps import Step
from hydroml_jupyter.errors import OperationError

__all__ = ["BatchError", "BatchMixin"]

#: An operation, or an operation's name with its parameters.
OperationLike = Operation | tuple[str, Mapping[str, Any]]


class BatchError(OperationError):
    """One operation of a batch failed; nothing of the batch was applied.

    Attributes
    ----------
    index
        The failing operation's position in the batch, from 0.
    cause
        The operation's own error.
    """

    def __init__(self, message: str, index: int, cause: OperationError) -> None:
        super().__init__(message, op=cause.op, column=cause.column, value=cause.value)
        self.index = index
        self.cause = cause


class BatchMixin:
    """:meth:`apply_all` for :class:`~hydroml_jupyter.Session`."""

    _lock: threading.RLock
    _history: History
    _step: Callable[[int], Step]
    _changed: Callable[[], None]
    _next_apply_check: Callable[[Operation], Callable[[bool], str] | None] | None

    def apply_all(self, operations: Sequence[OperationLike]) -> list[Step]:
        """Apply ``operations`` in order as one change, all or nothing; return the new steps.

        Parameters
        ----------
        operations
            :class:`~hydroml_jupyter.Operation` objects, or ``(name, params)`` pairs.

        Raises
        ------
        BatchError
            When an operation cannot be built or applied; its message starts with the
            operation's position (``"operation 2 of 3: ..."``) and the session is unchanged.

        Examples
        --------
        >>> import pandas as pd, hydroml_jupyter as hj
        >>> s = hj.Session(pd.DataFrame({"a": [" x", "y "]}))
        >>> [st.label for st in s.apply_all([("text", {"column": "a", "action": "strip"}),
        ...                                  ("rename", {"columns": {"a": "b"}})])]
        ['Strip spaces in a', 'Rename a → b']
        >>> s.apply_all([("rename", {"columns": {"b": "c"}}), ("drop_columns", {"columns": ["a"]})])
        Traceback (most recent call last):
        ...
        hydroml_jupyter.engine.batch.BatchError: operation 2 of 2: drop_columns: ...
        >>> s.position, list(s.df.columns)
        (2, ['b'])
        """
        count = len(operations)
        built = [_built(item, k, count) for k, item in enumerate(operations)]
        if not built:
            return []
        with self._lock:
            check = self._next_apply_check
            note = check(built[0]) if check is not None else None
            frame = self._history.frame()
            done = []
            for k, operation in enumerate(built):
                started = time.perf_counter()
                try:
                    frame = operation.apply(frame)
                except OperationError as exc:
                    error = _failed(k, count, exc)
                    if note is not None:
                        error.add_note(note(False))
                    raise error from exc
                done.append((operation, frame, time.perf_counter() - started))
            for operation, after, took in done:
                self._history.push(operation, after, took)
            self._next_apply_check = None
            cursor = self._history.cursor
            steps = [self._step(i) for i in range(cursor - len(done) + 1, cursor + 1)]
        self._changed()
        if note is not None:
            from hydroml_jupyter.engine.session import RepeatedStepWarning

            warnings.warn(note(True), RepeatedStepWarning, stacklevel=2)
        return steps


def _built(item: OperationLike, index: int, count: int) -> Operation:
    if isinstance(item, Operation):
        return item
    if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
        raise TypeError(
            f"apply_all takes Operations or (name, params) pairs; item {index} is {item!r}"
        )
    name, params = item
    try:
        return make_operation(name, dict(params))
    except OperationError as exc:
        raise _failed(index, count, exc) from exc


def _failed(index: int, count: int, exc: OperationError) -> BatchError:
    return BatchError(f"operation {index + 1} of {count}: {exc}", index, exc)
