"""The session: a frame, its history of cleaning steps, and the code that reproduces it."""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

from hydroml_jupyter import analysis
from hydroml_jupyter.engine import registry, transaction
from hydroml_jupyter.engine.batch import BatchMixin
from hydroml_jupyter.engine.extras import AnalysisMixin, RegisteredMethods
from hydroml_jupyter.engine.history import History
from hydroml_jupyter.engine.navigation import NavigationMixin
from hydroml_jupyter.engine.ops.base import Operation
from hydroml_jupyter.engine.preview import preview_operation
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.state import SessionState, capture, rebuild
from hydroml_jupyter.engine.steps import HistoryView, Preview, Step
from hydroml_jupyter.engine.transaction import RepeatedStepWarning, operation_of
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.io import Source, export_frame
from hydroml_jupyter.labels import Label
from hydroml_jupyter.listeners import Listeners

__all__ = ["FlushHook", "RepeatedStepWarning", "Session"]

_T = TypeVar("_T")

Listener = Callable[[int], None]
#: Called by :meth:`Session.flush` with the seconds left (None: no limit); True when
#: everything it saves for the session is written.
FlushHook = Callable[[float | None], bool]

#: Called (holding the session's lock) with the operation about to apply; may return a
#: function that, told whether the operation applied, returns a note for the person.
ApplyCheck = Callable[[Operation], Callable[[bool], str] | None]


class Session(NavigationMixin, BatchMixin, AnalysisMixin, RegisteredMethods):
    """A DataFrame with an undoable history of cleaning steps.

    Parameters
    ----------
    df
        The original frame. The session keeps its own (copy-on-write) reference,
        so later changes to ``df`` do not reach the session.
    name
        The session's name in :func:`hydroml_jupyter.sessions`; by default the
        source's name or ``session1``, ``session2``, ...
    source
        Where ``df`` was loaded from (set by :func:`hydroml_jupyter.open`).
    memory_budget
        Bytes the history's snapshots may hold before old ones are dropped and
        rebuilt on demand.

    Examples
    --------
    >>> import pandas as pd
    >>> s = Session(pd.DataFrame({"a": [1, None, 3]}), name="demo")
    >>> s.apply("fill_missing", column="a", strategy="median").label
    'Fill missing a by median'
    >>> s.df["a"].tolist(), s.version
    ([1.0, 2.0, 3.0], 1)
    >>> s.undo().index
    0
    """

    def __init__(
        self,
        df: pd.DataFrame,
        name: str | None = None,
        *,
        source: Source | None = None,
        memory_budget: int | None = None,
        parent: Recipe | None = None,
    ) -> None:
        _check_frame(df)
        self._lock = threading.RLock()
        self._history = History(df.copy(deep=False), memory_budget)
        self._listeners: Listeners[[int]] = Listeners("a session listener")
        self._flush_hooks: list[FlushHook] = []
        self._version = 0
        self._next_apply_check: ApplyCheck | None = None
        self.source = source
        self._parent = parent
        #: Where the session was restored from (a store's label), shown in its repr;
        #: set by the store layer, None for a session loaded or built here.
        self.restored_from: str | None = None
        if name is None:
            name = registry.default_name(source.default_name if source else None)
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a session name must be a non-empty string, not {name!r}")
        self.name = name
        registry.add(self)

    # -- state ---------------------------------------------------------------------
    @property
    def df(self) -> pd.DataFrame:
        """The current frame (a copy-on-write view: changing it does not change the session)."""
        with self._lock:
            return self._history.frame().copy(deep=False)

    @property
    def shape(self) -> tuple[int, int]:
        """The current frame's shape."""
        with self._lock:
            return self._history.current.shape

    @property
    def version(self) -> int:
        """A number that grows on every change, undo and redo included."""
        return self._version

    @property
    def parent(self) -> str | None:
        """The name of the session this one was saved from, if any."""
        return None if self._parent is None else self._parent.name

    @property
    def memory_budget(self) -> int:
        """Bytes the history's snapshots may hold."""
        return self._history.memory_budget

    @memory_budget.setter
    def memory_budget(self, value: int) -> None:
        with self._lock:
            self._history.memory_budget = int(value)
            self._history.enforce_budget()

    @property
    def memory(self) -> int:
        """Bytes held by the history's snapshots (shared columns counted once)."""
        with self._lock:
            return self._history.nbytes

    # -- changing ------------------------------------------------------------------
    def apply(self, op: str | Operation, /, **params: Any) -> Step:
        """Apply one operation and return the new step.

        The step is built whole (the new frame, its label and code) before the history
        changes: see :mod:`hydroml_jupyter.engine.transaction`.

        Raises
        ------
        OperationError
            When the operation cannot apply, whatever the cause; the session is then
            unchanged.
        """
        return transaction.change(self, [operation_of(op, params)])[0]

    def check_next_apply(self, check: ApplyCheck | None) -> None:
        """Have :meth:`apply` run ``check`` first, until an apply succeeds (None: no check).

        When ``check`` returns a note, a failing apply carries it (``add_note``) and a
        succeeding one issues it as a :class:`RepeatedStepWarning`.

        Used by :func:`~hydroml_jupyter.engine.state.mark_resumed` to notice a
        notebook that runs its stored steps again.
        """
        with self._lock:
            self._next_apply_check = check

    def preview(self, op: str | Operation, /, **params: Any) -> Preview:
        """Report what an operation would change, and what would fail, without applying it.

        Raises
        ------
        OperationError
            Only when the parameters cannot make the operation; a failing operation is
            a preview with ``ok`` False.
        """
        operation = operation_of(op, params)
        with self._lock:
            frame = self._history.frame()
        return preview_operation(operation, frame)

    # -- reading the history -----------------------------------------------------------
    @property
    def history(self) -> HistoryView:
        """Every step, the original first; steps after :attr:`position` are undone."""
        with self._lock:
            return HistoryView([self._step(i) for i in range(len(self._history))])

    def _step(self, index: int) -> Step:
        entry = self._history[index]
        if entry.op is None:
            origin = (
                self.source.describe()
                if self.source
                else (f"saved from {self.parent}" if self.parent else "DataFrame")
            )
            op, params, label, code = "original", {}, f"Original ({origin})", ""
        else:
            op, params = entry.op.name, copy.deepcopy(entry.params)
            label, code = entry.label, entry.code
        cursor = self._history.cursor
        return Step(
            index,
            op,
            params,
            label,
            entry.shape,
            entry.duration,
            current=index == cursor,
            undone=index > cursor,
            code=code,
        )

    def recipe(self) -> Recipe:
        """Return the steps up to the current one as a :class:`Recipe`."""
        with self._lock:
            entries = list(self._history)[1 : self._history.cursor + 1]
        ops = tuple(op for e in entries if (op := e.op) is not None)
        return Recipe(steps=ops, source=self.source, base=self._parent, name=self.name)

    def code(self, source: bool = True) -> str:
        """Return a pandas script that reproduces the current frame exactly.

        With ``source=True`` the script starts by loading the source; with
        ``source=False`` it assumes ``df`` holds the original frame.
        """
        return self.recipe().code(source=source)

    # -- output --------------------------------------------------------------------------
    def export(
        self, path: str | os.PathLike[str], *, overwrite: bool = False, **options: Any
    ) -> Any:
        """Write the current frame to ``path`` (CSV, TSV, Parquet, Excel, JSON or JSON Lines).

        A file already at ``path`` is replaced only with ``overwrite=True``. The session's
        source, and the sources of the sessions it was saved from, are never written (its
        script reads them), under any name that reaches the same file.

        Raises
        ------
        SourceError
            An ``ExportError`` (``reason`` ``"exists"`` or ``"source"``) when the file is
            kept, else when it cannot be written; the one-line message names it.
        """
        with self._lock:
            frame, origin = self.df, self.recipe()
        return export_frame(frame, path, overwrite=overwrite, origin=origin, **options)

    def save_as(self, name: str) -> Session:
        """Start a new session from the current frame, linked to this one as its parent."""
        return Session(self.df, name=name, parent=self.recipe(), memory_budget=self.memory_budget)

    # -- the session as data ---------------------------------------------------------------
    def state(self) -> SessionState:
        """Return the whole session as data, taken at once (see :class:`SessionState`)."""
        with self._lock:
            return capture(self._history, self.name, self.source, self._parent, self._version)

    @classmethod
    def from_state(cls, state: SessionState, memory_budget: int | None = None) -> Session:
        """Build a live session, registered under its name, from a :meth:`state`.

        Raises
        ------
        OperationError
            When ``state`` is not one this version reads, or a step cannot be replayed;
            nothing is registered then.
        """
        parts = rebuild(state, memory_budget)
        session = cls(parts.history.frame(0), name=state.name, source=parts.recipe.source,
                      parent=parts.recipe.base, memory_budget=memory_budget)  # fmt: skip
        with session._lock:
            session._history, session._version = parts.history, parts.version
        return session

    # -- statistics, cached per step -------------------------------------------------------
    def cached(self, key: Hashable, compute: Callable[[pd.DataFrame], _T]) -> _T:
        """Return ``compute(df)`` for the current step, computed once per step and ``key``.

        The value is kept with the history's step: an undo or a redo finds it again.
        ``compute`` must not change the frame it is given.

        Examples
        --------
        >>> s = Session(pd.DataFrame({"a": [1, 2]}))
        >>> s.cached("total", lambda df: int(df["a"].sum()))
        3
        """
        return self._cached(key, compute)

    def _cached(self, key: Hashable, compute: Callable[[pd.DataFrame], _T]) -> _T:
        with self._lock:
            entry = self._history.current
            frame = self._history.frame()
        if key not in entry.cache:
            entry.cache[key] = compute(frame)
        # The cache holds each key's own type, as ``compute`` made it.
        value: _T = entry.cache[key]
        return value

    def summary(self) -> pd.DataFrame:
        """Per column: dtype, count, nulls, null share, distinct, min, max, mean, std, top."""
        return self._cached("summary", analysis.summary).copy()

    def column_info(self, column: Label, bins: int = 20) -> analysis.ColumnInfo:
        """Return a column's summary with a histogram (numeric, datetime) or top values."""

        def compute(frame: pd.DataFrame) -> analysis.ColumnInfo:
            if column not in frame.columns:
                raise OperationError(f"column_info: no column named {column!r}", column=column)
            return analysis.column_info(frame[column], bins=bins)

        return self._cached(("column_info", column, bins), compute)

    def missing(self) -> analysis.MissingReport:
        """Nulls per column and the most common missing patterns."""
        return self._cached("missing", analysis.missing)

    # -- saving --------------------------------------------------------------------------
    def add_flush_hook(self, hook: FlushHook) -> Callable[[], None]:
        """Register ``hook`` for :meth:`flush` (the store layer's); return its remover."""
        with self._lock:
            self._flush_hooks.append(hook)

        def remove() -> None:
            with self._lock:
                if hook in self._flush_hooks:
                    self._flush_hooks.remove(hook)

        return remove

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until every change so far is saved wherever the session is saved.

        Returns True when everything is saved (also when the session is not saved
        anywhere); False when ``timeout`` seconds (None: no limit) ran out first, e.g.
        while the store is unreachable (the writer keeps retrying: nothing is lost).

        Raises
        ------
        HydroMLError
            A ``StoreError`` when a save failed for good (a full disk, a read-only
            folder), naming the session and the path. The session in memory is
            unchanged and the store keeps its last saved state; ``flush`` tries again.

        Examples
        --------
        >>> import pandas as pd
        >>> Session(pd.DataFrame({"a": [1]}), name="unsaved").flush()
        True
        """
        with self._lock:
            hooks = list(self._flush_hooks)
        deadline = None if timeout is None else time.monotonic() + timeout
        ok = True
        for hook in hooks:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ok = hook(left) and ok
        return ok

    # -- listeners -----------------------------------------------------------------------
    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(version)`` after every change; returns a function that unsubscribes."""
        return self._listeners.add(callback)

    def _changed(self) -> None:
        with self._lock:
            self._version += 1
            version = self._version
        self._listeners.notify(version)

    def close(self) -> None:
        """Remove the session from :func:`hydroml_jupyter.sessions` and drop its listeners.

        Saves already under way finish; nothing is saved after this. Call :meth:`flush`
        first to wait for them.
        """
        registry.remove(self)
        self._listeners.clear()
        with self._lock:
            self._flush_hooks.clear()

    def __repr__(self) -> str:
        rows, cols = self.shape
        restored = f", restored from {self.restored_from}" if self.restored_from else ""
        return (
            f"<Session {self.name!r}: {rows:,} rows × {cols} columns, "
            f"step {self.position} of {len(self._history) - 1}{restored}>"
        )


def _check_frame(df: Any) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"a session holds a pandas DataFrame, not {type(df).__name__}")
    if isinstance(df.columns, pd.MultiIndex):
        raise SourceError(
            "cannot start a session on a frame with MultiIndex columns; "
            "flatten them first (e.g. df.columns = ['_'.join(c) for c in df.columns])"
        )
    if not df.columns.is_unique:
        dup = df.columns[df.columns.duplicated()][0]
        raise SourceError(
            f"cannot start a session: the column name {dup!r} appears more than "
            "once; column names must be unique"
        )
    bad = [c for c in df.columns if not isinstance(c, str | int) or isinstance(c, bool)]
    if bad:
        raise SourceError(
            f"cannot start a session: column name {bad[0]!r} is a "
            f"{type(bad[0]).__name__}; names must be strings or integers "
            "(df.columns = df.columns.astype(str))"
        )
