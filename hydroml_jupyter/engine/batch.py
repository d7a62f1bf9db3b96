"""Several operations applied as one change: every one of them, or none.

The steps are built whole (frames, labels, code) before the history is touched, by
the same transaction as a single apply (:mod:`hydroml_jupyter.engine.transaction`),
so a failing operation leaves the session exactly as it was: same steps, same cursor,
same redo branch, same version. On success the steps are pushed together and
announced as one change, so an open studio redraws once. A resumed session's
repeated-step check (:meth:`~hydroml_jupyter.Session.check_next_apply`) looks at the
batch's first operation, as it would at a single apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hydroml_jupyter.engine import transaction
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

    def apply_all(
        self, operations: Sequence[OperationLike], *, after: int | None = None
    ) -> list[Step]:
        """Apply ``operations`` in order as one change, all or nothing; return the new steps.

        Parameters
        ----------
        operations
            :class:`~hydroml_jupyter.Operation` objects, or ``(name, params)`` pairs.
        after
            The step the new ones follow (default: the current one). The steps after
            it are dropped when the batch applies, and kept when it fails: a recipe
            cell run again replaces the steps it made this way.

        Raises
        ------
        BatchError
            When an operation cannot be built or applied, whatever the cause; its
            message starts with the operation's position (``"operation 2 of 3: ..."``)
            and the session is unchanged.

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
        >>> [st.label for st in s.apply_all([("rename", {"columns": {"a": "c"}})], after=1)]
        ['Rename a → c']
        """
        from hydroml_jupyter.engine.session import Session

        assert isinstance(self, Session), "BatchMixin is a part of Session"
        count = len(operations)
        built = [_built(item, k, count) for k, item in enumerate(operations)]
        return transaction.change(
            self,
            built,
            after=after,
            fail=lambda k, exc: _failed(k, count, exc),
            stacklevel=2,
        )


def _built(item: OperationLike, index: int, count: int) -> Operation:
    if isinstance(item, Operation):
        return item
    if not (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], Mapping)
    ):
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
