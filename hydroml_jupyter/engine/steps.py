"""Read-only views of a session's history and of an operation's preview."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator, Sequence
from typing import Any, overload

import pandas as pd

from hydroml_jupyter.engine.ops.base import Failure
from hydroml_jupyter.labels import Label

__all__ = ["HistoryView", "Preview", "Step"]


@dataclasses.dataclass(frozen=True, repr=False)
class Step:
    """One step of a session's history.

    ``index`` 0 is the original frame (``op`` is ``"original"``). Steps after
    the session's position are ``undone``: redo brings them back, and the next
    :meth:`~hydroml_jupyter.Session.apply` drops them.
    """

    index: int
    op: str
    params: dict[str, Any]
    label: str
    shape: tuple[int, int]
    duration: float
    current: bool = False
    undone: bool = False
    code: str = ""

    def __repr__(self) -> str:
        state = " (current)" if self.current else " (undone)" if self.undone else ""
        return f"<Step {self.index}: {self.label} [{self.shape[0]:,} × {self.shape[1]}]{state}>"


class HistoryView(Sequence[Step]):
    """The steps of a session, as a sequence that displays as a table in notebooks."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self._steps = tuple(steps)

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Step]: ...
    def __getitem__(self, index: int | slice) -> Step | Sequence[Step]:
        return self._steps[index]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    def to_frame(self) -> pd.DataFrame:
        """Return the steps as a DataFrame (one row a step)."""
        return pd.DataFrame(
            {
                "op": [s.op for s in self._steps],
                "label": [s.label for s in self._steps],
                "rows": [s.shape[0] for s in self._steps],
                "columns": [s.shape[1] for s in self._steps],
                "seconds": [round(s.duration, 4) for s in self._steps],
                "state": [_state(s) for s in self._steps],
            },
            index=pd.RangeIndex(len(self._steps), name="step"),
        )

    def __repr__(self) -> str:
        lines = [
            f"{'→' if s.current else ' '} {s.index:>3}  {s.label}  "
            f"[{s.shape[0]:,} × {s.shape[1]}]{'  (undone)' if s.undone else ''}"
            for s in self._steps
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr style='{'font-weight:bold' if s.current else ''}"
            f"{';opacity:0.5' if s.undone else ''}'>"
            f"<td>{s.index}</td><td>{html.escape(s.label)}</td>"
            f"<td>{s.shape[0]:,} × {s.shape[1]}</td><td>{s.duration * 1000:.1f} ms</td>"
            f"<td>{_state(s)}</td></tr>"
            for s in self._steps
        )
        return (
            "<table><thead><tr><th>step</th><th>what</th><th>shape</th><th>took</th>"
            f"<th></th></tr></thead><tbody>{rows}</tbody></table>"
        )


def _state(step: Step) -> str:
    return "current" if step.current else "undone" if step.undone else ""


@dataclasses.dataclass(frozen=True)
class Preview:
    """What an operation would do to the current frame, computed without applying it.

    Attributes
    ----------
    ok
        Whether the operation would succeed; ``error`` holds the message if not.
    failures
        Values the operation cannot convert (those that make a ``raise`` cast
        fail, or that a ``coerce`` cast turns into missing values).
    changed
        Per column, how many values would change.
    notes
        What the operation says about the change beyond these counts (a join: the
        rows that found no match), one plain-text line each.
    """

    op: str
    label: str
    ok: bool
    error: str | None
    rows_before: int
    rows_after: int
    columns_added: list[Label]
    columns_removed: list[Label]
    dtypes_changed: dict[Label, tuple[str, str]]
    changed: dict[Label, int]
    failures: list[Failure]
    sample: pd.DataFrame | None = None
    notes: list[str] = dataclasses.field(default_factory=list)

    def __repr__(self) -> str:
        if not self.ok:
            return f"<Preview {self.label}: fails: {self.error}>"
        parts = [f"rows {self.rows_before:,} → {self.rows_after:,}"]
        if self.columns_added:
            parts.append(f"adds {', '.join(map(str, self.columns_added))}")
        if self.columns_removed:
            parts.append(f"removes {', '.join(map(str, self.columns_removed))}")
        parts += [f"{c}: {n:,} changed" for c, n in self.changed.items() if n]
        parts += [f"{c}: {a} → {b}" for c, (a, b) in self.dtypes_changed.items()]
        if self.failures:
            parts.append(f"{len(self.failures):,} values cannot be converted")
        parts += self.notes
        return f"<Preview {self.label}: {'; '.join(parts)}>"
