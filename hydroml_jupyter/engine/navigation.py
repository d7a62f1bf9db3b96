"""Moving through a session's history: the cursor, undo, redo, goto and reset.

Moving never recomputes a step the history still holds, and never forgets one: the
steps after the cursor stay redoable until the next apply.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hydroml_jupyter.engine.history import History
from hydroml_jupyter.engine.steps import Step
from hydroml_jupyter.errors import OperationError

__all__ = ["NavigationMixin"]


class NavigationMixin:
    """Undo, redo and jumps between steps for :class:`~hydroml_jupyter.Session`.

    The session provides its lock, its history, how a step is described and how a
    change is announced.
    """

    _lock: threading.RLock
    _history: History
    _step: Callable[[int], Step]
    _changed: Callable[[], None]

    @property
    def position(self) -> int:
        """The index of the current step (0 is the original frame)."""
        return self._history.cursor

    @property
    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return self._history.cursor > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone step to redo."""
        return self._history.cursor < len(self._history) - 1

    def undo(self) -> Step:
        """Go back one step and return the step now current."""
        with self._lock:
            if not self.can_undo:
                raise OperationError("undo: nothing to undo", op="undo")
            return self._move(self._history.cursor - 1)

    def redo(self) -> Step:
        """Re-apply the next undone step and return it."""
        with self._lock:
            if not self.can_redo:
                raise OperationError("redo: nothing to redo", op="redo")
            return self._move(self._history.cursor + 1)

    def goto(self, index: int) -> Step:
        """Move to step ``index`` (0 is the original frame); later steps stay redoable."""
        with self._lock:
            last = len(self._history) - 1
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= last:
                raise OperationError(f"goto: no step {index!r}; steps are 0 to {last}", op="goto")
            if index == self._history.cursor:
                return self._step(index)
            return self._move(index)

    def reset(self) -> Step:
        """Go back to the original frame. The steps stay redoable until the next apply."""
        return self.goto(0)

    def _move(self, index: int) -> Step:
        self._history.move(index)
        step = self._step(index)
        self._changed()
        return step
