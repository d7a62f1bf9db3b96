"""The history: snapshots of a frame, one per step, with a cursor and a memory budget.

Undo and redo move the cursor and hand back a kept snapshot: no recomputation.
When the snapshots hold more than the budget, the ones farthest from the cursor
are dropped (never the original or the current one) and rebuilt on demand by
replaying operations from the nearest kept snapshot.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.engine.memory import Buffers, frame_buffers, unique_bytes
from hydroml_jupyter.engine.ops.base import Operation
from hydroml_jupyter.engine.transaction import describe, run

if TYPE_CHECKING:
    from hydroml_jupyter.engine.transaction import BuiltStep

__all__ = ["DEFAULT_MEMORY_BUDGET", "Entry", "History"]

#: Default bytes the snapshots of one session may hold before old ones are dropped.
DEFAULT_MEMORY_BUDGET = 2 * 1024**3


@dataclasses.dataclass(eq=False)
class Entry:
    """One step of the history: the operation, the frame it produced, and its description.

    ``label``, ``code`` and ``params`` were built, with the frame, before the step was
    pushed: reading them never runs the operation's code again, so it cannot fail.
    """

    op: Operation | None
    frame: pd.DataFrame | None
    shape: tuple[int, int]
    duration: float
    buffers: Buffers
    created: float = dataclasses.field(default_factory=time.time)
    cache: dict[Any, Any] = dataclasses.field(default_factory=dict)
    label: str = ""
    code: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class History:
    """Snapshots with a cursor. Not thread-safe: the session holds the lock."""

    def __init__(self, original: pd.DataFrame, memory_budget: int | None = None) -> None:
        self.memory_budget = DEFAULT_MEMORY_BUDGET if memory_budget is None else memory_budget
        self._entries = [Entry(None, original, original.shape, 0.0, frame_buffers(original))]
        self.cursor = 0
        self.rebuilds = 0

    @classmethod
    def restore(
        cls,
        original: pd.DataFrame,
        steps: list[tuple[Operation, tuple[int, int], float]],
        cursor: int,
        current: pd.DataFrame | None,
        memory_budget: int | None = None,
    ) -> History:
        """Rebuild a history from its operations; frames other than these are replayed on demand.

        ``steps`` holds each step's operation, shape and duration; ``current`` is
        the frame at ``cursor`` when known (else it is replayed).

        Raises
        ------
        OperationError
            When a step cannot be described or replayed.
        """
        history = cls(original, memory_budget)
        for op, shape, duration in steps:
            label, code, params = describe(op)
            history._entries.append(
                Entry(op, None, shape, duration, {}, label=label, code=code, params=params)
            )
        if not 0 <= cursor < len(history._entries):
            raise ValueError(f"cursor {cursor} is outside the history (0 to {len(steps)})")
        history.cursor = cursor
        if current is not None and cursor:
            entry = history._entries[cursor]
            entry.frame, entry.buffers = current, frame_buffers(current)
        history.frame(cursor)
        return history

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __getitem__(self, index: int) -> Entry:
        return self._entries[index]

    @property
    def current(self) -> Entry:
        """The entry at the cursor."""
        return self._entries[self.cursor]

    def frame(self, index: int | None = None) -> pd.DataFrame:
        """Return the frame after step ``index`` (the cursor's by default)."""
        index = self.cursor if index is None else index
        entry = self._entries[index]
        if entry.frame is not None:
            return entry.frame
        start = max(i for i in range(index) if self._entries[i].frame is not None)
        frame = self._entries[start].frame
        assert frame is not None
        for i in range(start + 1, index + 1):
            op = self._entries[i].op
            assert op is not None
            frame = run(op, frame)
        self.rebuilds += 1
        entry.frame = frame
        entry.buffers = frame_buffers(frame)
        self.enforce_budget()
        return frame

    def commit(self, start: int, built: Sequence[BuiltStep]) -> None:
        """Put ``built`` after step ``start`` and move the cursor to the last of them.

        The steps after ``start`` are dropped. Everything was built before: this only
        swaps list items, so it cannot fail half-way.
        """
        if not 0 <= start < len(self._entries):
            raise IndexError(f"step {start} is outside the history (0 to {len(self) - 1})")
        entries = [_entry(b) for b in built]
        self._entries[start + 1 :] = entries
        self.cursor = start + len(entries)
        self.enforce_budget()

    def move(self, index: int) -> None:
        """Move the cursor to ``index``, rebuilding its frame if it was dropped."""
        self.cursor = index
        self.frame(index)

    @property
    def nbytes(self) -> int:
        """Bytes held by the kept snapshots, shared buffers counted once."""
        return unique_bytes(e.buffers for e in self._entries if e.frame is not None)

    @property
    def kept(self) -> list[int]:
        """Indexes of the steps whose snapshot is in memory."""
        return [i for i, e in enumerate(self._entries) if e.frame is not None]

    def enforce_budget(self) -> None:
        """Drop snapshots, farthest from the cursor first, until the kept ones fit the budget."""
        if self.nbytes <= self.memory_budget:
            return
        candidates = [i for i in self.kept if i not in (0, self.cursor)]
        candidates.sort(key=lambda i: (-abs(i - self.cursor), i))
        for i in candidates:
            self._entries[i].frame = None
            self._entries[i].buffers = {}
            self._entries[i].cache.clear()
            if self.nbytes <= self.memory_budget:
                return


def _entry(step: BuiltStep) -> Entry:
    frame = step.frame
    return Entry(step.op, frame, frame.shape, step.duration, step.buffers,
                 label=step.label, code=step.code, params=step.params)  # fmt: skip
