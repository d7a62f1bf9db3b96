"""The one way operations change a session: build every step whole, then push them.

A step is built before the history is touched: its operation runs on the frame
(validation included), and its label, code and parameters are called and kept. Any
failure there, of any ``Exception`` type, becomes an :class:`OperationError` naming
the operation and its column (the cause chained), and the session is exactly as it
was: same frame, steps, cursor, redo branch and version, and no listener is called.
``KeyboardInterrupt`` and ``SystemExit`` pass through, leaving the session as it was
too. Only when every step of a change is built are they pushed, together, and
announced as one change.

:meth:`Session.apply <hydroml_jupyter.Session.apply>` and
:meth:`Session.apply_all <hydroml_jupyter.Session.apply_all>` change a session here,
and through them recipe cells, suggestions and widget requests.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.engine.memory import Buffers, frame_buffers
from hydroml_jupyter.engine.ops.base import Operation, make_operation
from hydroml_jupyter.engine.ops.params import refuse_unwritable
from hydroml_jupyter.engine.steps import Step
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.messages import first_line

if TYPE_CHECKING:
    from hydroml_jupyter.engine.session import Session

__all__ = [
    "BuiltStep",
    "RepeatedStepWarning",
    "build_step",
    "change",
    "describe",
    "label_of",
    "operation_of",
    "run",
]

log = logging.getLogger("hydroml_jupyter")


class RepeatedStepWarning(UserWarning):
    """A resumed session's first new step repeats a step its history already holds.

    The usual cause: a notebook that continues a named session runs again from the
    top, so its cells apply the stored steps a second time.
    """


@dataclasses.dataclass(frozen=True)
class BuiltStep:
    """A step ready to push: its operation, the frame it made, and its description."""

    op: Operation
    frame: pd.DataFrame
    duration: float
    label: str
    code: str
    params: dict[str, Any]
    buffers: Buffers


def operation_of(op: str | Operation, params: dict[str, Any]) -> Operation:
    """Return ``op`` itself, or the operation named ``op`` built from ``params``.

    Raises
    ------
    OperationError
        When the parameters cannot make the operation.
    TypeError
        When ``op`` is neither a name nor an Operation, or is an Operation given
        parameters too.
    """
    if isinstance(op, Operation):
        if params:
            raise TypeError("pass either an Operation or its name with parameters, not both")
        return op
    if not isinstance(op, str):
        raise TypeError(f"op must be an operation name or an Operation, not {type(op).__name__}")
    return make_operation(op, params)


def _failure(op: Any, exc: BaseException, doing: str = "") -> OperationError:
    if isinstance(op, Operation):
        return op.failed(exc, doing)
    name = getattr(op, "name", None)
    name = name if isinstance(name, str) else type(op).__name__
    return OperationError(f"{name}: {doing}{type(exc).__name__}: {first_line(exc)}", op=name)


def run(op: Operation, frame: pd.DataFrame) -> pd.DataFrame:
    """Apply ``op`` to ``frame`` (never changed); any failure is an :class:`OperationError`."""
    try:
        out = op.apply(frame)
        if not isinstance(out, pd.DataFrame):
            raise TypeError(f"the operation returned {type(out).__name__}, not a DataFrame")
    except OperationError:
        raise
    except Exception as exc:
        raise _failure(op, exc) from exc
    return out


def describe(op: Operation) -> tuple[str, str, dict[str, Any]]:
    """Return ``op``'s label, code and parameters, called once and kept.

    Raises
    ------
    OperationError
        When any of them fails (naming the operation and its column).
    """
    try:
        params = op.params
        refuse_unwritable(op.name, params)
        label, code = op.label(), op.code()
        if not isinstance(label, str) or not isinstance(code, str):
            raise TypeError("label() and code() must return strings")
    except OperationError:
        raise
    except Exception as exc:
        raise _failure(op, exc, "cannot write the step: ") from exc
    return label, code, params


def label_of(op: Operation) -> str:
    """Return ``op``'s label, or its name when the label cannot be written; never raises."""
    try:
        label = op.label()
    except Exception:
        label = None
    if isinstance(label, str):
        return label
    name = getattr(op, "name", None)
    return name if isinstance(name, str) else type(op).__name__


def build_step(op: Operation, frame: pd.DataFrame) -> BuiltStep:
    """Run ``op`` on ``frame`` and describe it: everything a step needs, nothing pushed."""
    started = time.perf_counter()
    after = run(op, frame)
    took = time.perf_counter() - started
    label, code, params = describe(op)
    try:
        buffers = frame_buffers(after)
    except Exception as exc:
        raise _failure(op, exc, "cannot measure the result: ") from exc
    return BuiltStep(op, after, took, label, code, params, buffers)


def change(
    session: Session,
    operations: Sequence[Operation],
    *,
    after: int | None = None,
    fail: Callable[[int, OperationError], OperationError] | None = None,
    stacklevel: int = 2,
) -> list[Step]:
    """Apply ``operations`` to ``session`` as one change, all or nothing; return the new steps.

    Parameters
    ----------
    session
        The session to change.
    operations
        The operations, in order; the first applies to the frame at step ``after``.
    after
        The step the new ones follow (default: the current one). Steps after it are
        dropped when the change is pushed, and kept when it fails.
    fail
        Turns the error of operation ``k`` into the error raised (default: as is).
    stacklevel
        Of a :class:`RepeatedStepWarning`, counted from the caller of ``change``.

    Raises
    ------
    OperationError
        When a step cannot be built; the session is then unchanged.
    """
    if not operations:
        return []
    with session._lock:
        history = session._history
        start = history.cursor if after is None else after
        last = len(history) - 1
        if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= last:
            raise OperationError(f"no step {start!r} to apply after; steps are 0 to {last}")
        note = _note(session, operations[0])
        frame = history.frame(start)
        built: list[BuiltStep] = []
        for k, op in enumerate(operations):
            try:
                step = build_step(op, frame)
            except OperationError as exc:
                error = exc if fail is None else fail(k, exc)
                if note is not None:
                    error.add_note(note(False))
                if error is exc:
                    raise
                raise error from exc
            built.append(step)
            frame = step.frame
        history.commit(start, built)
        session._next_apply_check = None
        steps = [session._step(i) for i in range(start + 1, start + 1 + len(built))]
    session._changed()
    if note is not None:
        warnings.warn(note(True), RepeatedStepWarning, stacklevel=stacklevel + 1)
    return steps


def _note(session: Session, first: Operation) -> Callable[[bool], str] | None:
    check = session._next_apply_check
    if check is None:
        return None
    try:
        return check(first)
    except Exception:
        # The check only adds a note for the person; it never stops the change.
        log.exception("the repeated-step check failed")
        return None
