"""Compute what an operation would do to a frame, without changing anything."""

from __future__ import annotations

import pandas as pd

from hydroml_jupyter.engine.ops.base import Failure, Operation
from hydroml_jupyter.engine.steps import Preview
from hydroml_jupyter.engine.transaction import describe, label_of, run
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.labels import Label

__all__ = ["preview_frames", "preview_operation"]

_SAMPLE_ROWS = 10


def preview_operation(op: Operation, frame: pd.DataFrame) -> Preview:
    """Run ``op`` on ``frame`` aside and describe the difference.

    The preview reports failing values even when the operation would refuse to
    run (a ``raise`` cast with bad values), so a form can show them before the
    person decides. A failing operation gives a preview with ``ok`` False, whatever
    it raised.

    Raises
    ------
    OperationError
        Only when even the difference cannot be described (naming the operation).
    """
    return preview_frames(op, frame)[0]


def preview_frames(op: Operation, frame: pd.DataFrame) -> tuple[Preview, pd.DataFrame | None]:
    """As :func:`preview_operation`, with the frame ``op`` gives (``None`` when it fails)."""
    failures = _failures(op, frame)
    try:
        # As a step is built: an operation whose label or code fails would not apply.
        after = run(op, frame)
        label = describe(op)[0]
    except OperationError as exc:
        failed = Preview(
            op.name, label_of(op), False, str(exc), len(frame), len(frame), [], [], {}, {}, failures
        )
        return failed, None
    try:
        return _compare(op, label, frame, after, failures), after
    except Exception as exc:
        raise op.failed(exc, "cannot preview the change: ") from exc


def _failures(op: Operation, frame: pd.DataFrame) -> list[Failure]:
    try:
        if all(c in frame.columns for c in op.columns_used()):
            return list(op.failures(frame))
    except Exception:
        # The values at fault are a hint only: the operation's own error says what fails.
        pass
    return []


def _compare(
    op: Operation, label: str, frame: pd.DataFrame, after: pd.DataFrame, failures: list[Failure]
) -> Preview:
    before_cols: list[Label] = list(frame.columns)
    after_cols: list[Label] = list(after.columns)
    common = [c for c in before_cols if c in after.columns]
    dtypes: dict[Label, tuple[str, str]] = {
        c: (str(frame[c].dtype), str(after[c].dtype))
        for c in common
        if frame[c].dtype != after[c].dtype
    }
    changed: dict[Label, int] = {}
    sample = None
    if frame.index.equals(after.index):
        for column in common:
            mask = _changed(frame[column], after[column])
            changed[column] = int(mask.sum())
        for column in (c for c in after_cols if c not in frame.columns):
            changed[column] = int(after[column].notna().sum())
        touched = [c for c in after_cols if changed.get(c)]
        if touched:
            rows = pd.Series(False, index=frame.index)
            for column in touched:
                if column in frame.columns:
                    rows |= _changed(frame[column], after[column])
            picked = (
                frame.index[rows.to_numpy()][:_SAMPLE_ROWS]
                if rows.any()
                else after.index[:_SAMPLE_ROWS]
            )
            sample = pd.concat(
                {
                    "before": frame.loc[picked, [c for c in touched if c in frame.columns]],
                    "after": after.loc[picked, touched],
                },
                axis=1,
            )
    return Preview(
        op=op.name,
        label=label,
        ok=True,
        error=None,
        rows_before=len(frame),
        rows_after=len(after),
        columns_added=[c for c in after_cols if c not in frame.columns],
        columns_removed=[c for c in before_cols if c not in after.columns],
        dtypes_changed=dtypes,
        changed=changed,
        failures=failures,
        sample=sample,
        notes=_notes(op, frame, after),
    )


def _notes(op: Operation, frame: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    try:
        notes = op.explain(frame, after)
    except Exception:
        # Notes only add to the counts the preview has already; they never fail it.
        return []
    return [str(n) for n in notes if isinstance(n, str)]


def _changed(before: pd.Series, after: pd.Series) -> pd.Series:
    """Return a boolean mask of the values that differ (missing on both sides is no change)."""
    both_missing = before.isna().to_numpy(dtype=bool) & after.isna().to_numpy(dtype=bool)
    try:
        equal = (before == after).fillna(False).to_numpy(dtype=bool)
    except Exception:
        # Values that do not compare (dicts against Arrow lists, say): compare their text.
        equal = (before.astype(str) == after.astype(str)).to_numpy(dtype=bool)
    return pd.Series(~(equal | both_missing), index=before.index)
