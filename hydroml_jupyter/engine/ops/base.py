"""The operation protocol: a frozen dataclass that transforms a frame and writes its own code.

An operation is registered by name with :func:`register`. It is built from plain,
JSON-friendly parameters with :func:`make_operation`, which checks every parameter
against the dataclass annotations before anything runs. Its fields, declared with
:func:`~hydroml_jupyter.engine.ops.spec.param`, describe it to every face (see
:mod:`~hydroml_jupyter.engine.ops.spec`).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Hashable, Iterable
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal
from hydroml_jupyter.engine.ops.kinds import CHECKS, is_text, kind_of
from hydroml_jupyter.engine.ops.params import (
    TOO_LONG,
    describe_type,
    digits,
    leading,
    matches,
    plain,
    refuse_unwritable,
)
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import describe
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import did_you_mean as _did_you_mean
from hydroml_jupyter.messages import first_line as _one_line

__all__ = [
    "Failure",
    "Label",
    "Operation",
    "catalog",
    "col",
    "is_text",
    "kind_of",
    "literal",
    "make_operation",
    "operation_class",
    "register",
    "unregister",
]


_REGISTRY: dict[str, type[Operation]] = {}

#: What pandas raises when an operation does not fit the data; turned into OperationError.
PANDAS_FAILURES = (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError)

_OpT = TypeVar("_OpT", bound="type[Operation]")


@dataclasses.dataclass(frozen=True)
class Failure:
    """A value an operation cannot handle, found before applying it."""

    row: Hashable
    column: Label
    value: Any

    def describe(self) -> str:
        """Return ``'x' (row 3)``."""
        return f"{short_repr(self.value)} (row {self.row!r})"


class Operation:
    """Base class of every cleaning operation.

    Subclasses are frozen dataclasses whose fields are the operation's parameters
    (declared with :func:`~hydroml_jupyter.engine.ops.spec.param`). They implement
    :meth:`transform`, :meth:`code` and :meth:`label`, and may override
    :meth:`validate` and :meth:`failures`. ``short_form`` is their recipe line's
    grammar (derived from the parameters when None).

    A parameter naming several columns holds a list after construction, whatever was
    given: one label is a list of one.
    """

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    short_form: ClassVar[ShortForm | None] = None
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __post_init__(self) -> None:
        for spec in describe(type(self)).params:
            value = getattr(self, spec.name)
            if spec.many and value is not None and not isinstance(value, list):
                object.__setattr__(self, spec.name, _as_list(value))

    # -- to implement -------------------------------------------------------------
    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        """Return the transformed frame; never mutate ``df``."""
        raise NotImplementedError

    def code(self, var: str = "df") -> str:
        """Return pandas code that turns the frame bound to ``var`` into the result."""
        raise NotImplementedError

    def label(self) -> str:
        """Return a short human label, e.g. ``"Rename price → price_usd"``."""
        raise NotImplementedError

    def validate(self, df: pd.DataFrame) -> None:
        """Raise :class:`OperationError` when the operation cannot apply to ``df``.

        By default: every column :meth:`columns_used` names exists, and each column a
        parameter names is of the kind that parameter accepts.
        """
        require_columns(self, df, self.columns_used())
        for spec in describe(type(self)).column_params:
            check = CHECKS.get(spec.columns or "any")
            if check is None:
                continue
            value = getattr(self, spec.name)
            labels: list[Label] = list(value) if isinstance(value, list | dict) else [value]
            for label in labels:
                if label in df.columns and not check.accepts(df[label]):
                    raise self.error(
                        f"column {label!r} is {df[label].dtype}, not {check.what}{check.advice}",
                        column=label,
                    )

    def failures(self, df: pd.DataFrame) -> list[Failure]:
        """Return the values this operation would fail on (empty by default)."""
        return []

    def columns_used(self) -> list[Label]:
        """Return the existing columns the operation reads."""
        return []

    @classmethod
    def normalize(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Return the parameters as the step records them (called by :func:`make_operation`).

        ``params`` are checked against the annotations already; what this returns is
        checked again. An operation whose parameter names something outside the frame
        (another session, say) resolves it here, once, so the step is self-contained:
        its recipe replays, and its code runs, wherever the step is taken.
        Raise :class:`OperationError` for parameters that cannot be resolved.
        """
        return params

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        """Return lines for a preview saying what the step does beyond its counts.

        ``before`` and ``after`` are the frames without and with the step (a join:
        how many rows found no match). Called by the preview only; cheap, never raising
        is best (a failure leaves the preview without notes).
        """
        return []

    def imports(self) -> list[str]:
        """Return the import lines :meth:`code` needs besides numpy and pandas."""
        return []

    # -- provided -----------------------------------------------------------------
    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """Validate, then transform; any failure becomes an :class:`OperationError`.

        Any ``Exception`` (validation's included: ``TypeError`` from unhashable values,
        ``NotImplementedError`` from an unsupported dtype, ``MemoryError``,
        ``RecursionError``, Arrow's errors) becomes one naming the operation and its
        column, chained to the cause. ``KeyboardInterrupt`` and ``SystemExit`` pass.

        ``df`` itself is never touched: the operation works on a copy-on-write view,
        so not even pandas' in-place block consolidation reaches a caller's snapshot.
        """
        try:
            df = df.copy(deep=False)
            self.validate(df)
            out = self.transform(df)
            if not isinstance(out, pd.DataFrame):
                raise self.error(f"transform returned {type(out).__name__}, not a DataFrame")
            if not out.columns.is_unique:
                dup = out.columns[out.columns.duplicated()][0]
                raise self.error(
                    f"the result would have two columns named {short_repr(dup)}", column=dup
                )
        except OperationError:
            raise
        except Exception as exc:
            raise self.failed(exc) from exc
        return out

    def failed(self, exc: BaseException, doing: str = "") -> OperationError:
        """Turn an unexpected failure into an :class:`OperationError` naming the op and column.

        ``doing`` goes before the cause, e.g. ``"cannot write the step: "``.

        Examples
        --------
        >>> op = make_operation("one_hot", {"column": "x"})
        >>> str(op.failed(NotImplementedError("float16 indexes are not supported")))
        "one_hot: column 'x': NotImplementedError: float16 indexes are not supported"
        """
        columns = _fault_columns(self)
        where = ""
        if columns:
            shown = ", ".join(short_repr(c) for c in columns[:3])
            more = f" (+{len(columns) - 3})" if len(columns) > 3 else ""
            where = f"{'column' if len(columns) == 1 else 'columns'} {shown}{more}: "
        reason = _one_line(exc)
        if not isinstance(exc, PANDAS_FAILURES):
            kind = type(exc).__name__
            reason = kind if reason == kind else f"{kind}: {reason}"
        return self.error(where + doing + reason, column=columns[0] if columns else None)

    @property
    def params(self) -> dict[str, Any]:
        """The operation's parameters as a plain dict (a copy: changing it changes nothing)."""
        return copy.deepcopy({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"op": name, "params": {...}}``."""
        return {"op": self.name, "params": self.params}

    def error(self, message: str, *, column: Any = None, value: Any = None) -> OperationError:
        """Build an :class:`OperationError` whose message starts with the op's name."""
        return OperationError(f"{self.name}: {message}", op=self.name, column=column, value=value)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


def register(cls: _OpT) -> _OpT:
    """Register an operation class under its ``name`` (used as a class decorator).

    Its description is checked now: a short form naming a parameter the class does
    not have, or leaving a required one out, fails at import rather than in a face.
    """
    if cls.name in _REGISTRY:
        raise ValueError(f"operation {cls.name!r} is registered twice")
    describe(cls)
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove the operation registered as ``name`` (for operations made in tests)."""
    del _REGISTRY[name]


def catalog() -> dict[str, type[Operation]]:
    """Return every registered operation class by name."""
    from hydroml_jupyter.engine import ops as _ops  # noqa: F401  (registers the built-ins)

    return dict(_REGISTRY)


def operation_class(name: str) -> type[Operation]:
    """Return the operation class registered as ``name``."""
    ops = catalog()
    if name not in ops:
        raise OperationError(
            f"unknown operation {name!r}{_did_you_mean(name, ops)}; "
            f"known: {', '.join(sorted(ops))}",
            op=name,
        )
    return ops[name]


def make_operation(name: str, params: dict[str, Any]) -> Operation:
    """Build a checked operation from its name and plain parameters.

    Every failure is an :class:`OperationError`: an unknown name or parameter, a
    value of the wrong type, and a value no step could hold (an integer too long to
    write as Python source, containers nested more than ``MAX_DEPTH`` levels).

    Examples
    --------
    >>> make_operation("rename", {"columns": {"a": "b"}}).label()
    'Rename a → b'
    >>> try:
    ...     make_operation("filter_rows", {"column": "x", "op": ">", "value": 10**5000})
    ... except OperationError as exc:
    ...     print(str(exc).split(";")[0])
    filter_rows: value for column 'x' is an integer of 5,001 digits (100000000000…)
    """
    cls = operation_class(name)
    if not isinstance(params, dict):
        raise OperationError(
            f"{name}: parameters must be a dict, not {type(params).__name__}", op=name
        )
    try:
        return _make(name, cls, params)
    except OperationError:
        raise
    except Exception as exc:
        raise OperationError(
            f"{name}: the parameters cannot make an operation: {_one_line(exc)}", op=name
        ) from exc


def _make(name: str, cls: type[Operation], params: dict[str, Any]) -> Operation:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    specs = {p.name: p for p in describe(cls).params}
    unknown = [k for k in params if k not in fields]
    if unknown:
        raise OperationError(
            f"{name}: unknown parameter {short_repr(unknown[0])}"
            f"{_did_you_mean(unknown[0], fields)}; expected {', '.join(fields)}",
            op=name,
        )
    missing = [
        k
        for k, f in fields.items()
        if k not in params
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise OperationError(f"{name}: missing parameter {missing[0]!r}", op=name)
    refuse_unwritable(name, params)
    clean = {}
    for key, raw in params.items():
        spec = specs[key]
        value = plain(raw)
        if spec.many and isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not matches(value, spec.hint):
            one = "a string or an integer or " if spec.many else ""
            raise OperationError(
                f"{name}: parameter {key!r} must be {one}{describe_type(spec.hint)}, "
                f"not {short_repr(value)}",
                op=name,
                value=value,
            )
        clean[key] = value
    normal = cls.normalize(clean)
    if normal is not clean:
        refuse_unwritable(name, normal)
        for key, value in normal.items():
            if key not in specs or not matches(value, specs[key].hint):
                raise OperationError(
                    f"{name}: parameter {key!r} resolved to {short_repr(value)}, "
                    f"not {describe_type(specs[key].hint) if key in specs else 'a parameter'}",
                    op=name,
                )
    return cls(**normal)


# -- column checks and messages -------------------------------------------------------
def require_columns(op: Operation, df: pd.DataFrame, columns: Iterable[Label]) -> None:
    """Raise when any of ``columns`` is not in ``df``, suggesting the closest name."""
    for column in columns:
        if column not in df.columns:
            hint = _did_you_mean(column, [str(c) for c in df.columns])
            raise op.error(f"no column named {column!r}{hint}", column=column)


def require_kind(op: Operation, df: pd.DataFrame, column: Label, kinds: str, what: str) -> None:
    """Raise unless ``df[column]`` is of one of the numpy ``kinds`` (e.g. ``"iuf"``)."""
    dtype = df[column].dtype
    if kind_of(dtype) not in kinds:
        raise op.error(f"column {column!r} is {dtype}, not {what}", column=column)


def short_repr(value: Any, limit: int = 40) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters; never raises."""
    try:
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= TOO_LONG:
            text = f"{leading(value)} ({digits(value):,} digits)"
        else:
            text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fault_columns(op: Operation) -> list[Label]:
    """Return the columns to name when ``op`` fails: its ``column``, else those it reads."""
    column = getattr(op, "column", None)
    if isinstance(column, str | int) and not isinstance(column, bool):
        return [column]
    try:
        return [c for c in op.columns_used() if isinstance(c, str | int)]
    except Exception:
        return []


def _as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list: a tuple's items, or one label as a list of one."""
    return list(value) if isinstance(value, tuple) else [value]
