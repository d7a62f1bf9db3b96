"""Build a :class:`Profile` from a frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydroml_jupyter.analysis.profile._alerts import (
    column_alerts,
    pair_alerts,
    sort_alerts,
    target_alerts,
)
from hydroml_jupyter.analysis.profile._columns import Repeats, profile_column_parts
from hydroml_jupyter.analysis.profile._dataset import (
    ASSOCIATION_MAX_DISTINCT,
    Coded,
    as_lists,
    association,
    duplicate_rows,
    missing_matrix,
    numeric_matrix,
    pearson,
)
from hydroml_jupyter.analysis.profile._model import ColumnProfile, DatasetProfile, Profile
from hydroml_jupyter.analysis.profile._target import rank_targets
from hydroml_jupyter.labels import Label

#: The best detected target is used for target alerts when its confidence reaches this.
AUTO_TARGET_CONFIDENCE = 0.7


def _centre(col: ColumnProfile) -> float:
    """Return the column's mean when the summary knows it (finite), else 0."""
    mean = col.summary.mean
    return float(mean) if isinstance(mean, int | float) and np.isfinite(mean) else 0.0


def _dataset(
    df: pd.DataFrame,
    columns: dict[Label, ColumnProfile],
    coded: Coded,
    repeats: dict[Label, Repeats],
) -> DatasetProfile:
    corr_cols = [
        c.name
        for c in columns.values()
        if c.semantic in ("numeric", "boolean") and c.summary.kind in ("numeric", "boolean")
    ]
    centres = np.array([_centre(columns[c]) for c in corr_cols], dtype=np.float64)
    corr = pearson(numeric_matrix(df, corr_cols), centres) if corr_cols else np.zeros((0, 0))
    assoc_cols = [
        c.name
        for c in columns.values()
        if c.semantic in ("categorical", "boolean")
        and 2 <= (c.summary.distinct or 0) <= ASSOCIATION_MAX_DISTINCT
    ]
    assoc = association(df, assoc_cols, coded) if len(assoc_cols) > 1 else np.zeros((0, 0))
    if len(assoc_cols) < 2:
        assoc_cols = []
    matrix, block = missing_matrix(df)
    # Rows can only be duplicates where the column with most distinct values repeats.
    counted = [c for c in columns.values() if c.summary.distinct is not None]
    key = max(counted, key=lambda c: c.summary.distinct or 0, default=None)
    candidates = None
    if key is not None and (key.summary.distinct or 0) >= len(df) // 2:
        candidates = repeats[key.name].rows(df[key.name])
    return DatasetProfile(
        rows=len(df),
        columns=df.shape[1],
        memory_bytes=int(df.memory_usage(index=True, deep=True).sum()),
        missing_cells=int(sum(c.summary.nulls for c in columns.values())),
        duplicate_rows=duplicate_rows(df, candidates),
        correlation_columns=corr_cols,
        correlation=as_lists(corr),
        association_columns=assoc_cols,
        association=as_lists(assoc),
        missing_matrix=matrix,
        missing_blocks=block,
    )


def profile(df: pd.DataFrame, target: Label | None = None) -> Profile:
    """Profile a frame: column types and statistics, frame figures, alerts and targets.

    Every figure is exact except the leakage check's held-out scores, which use at most
    20,000 rows drawn with a fixed seed (``sampled`` says so when the frame is larger).

    Parameters
    ----------
    df
        The frame. Column labels must be unique.
    target
        The prediction target, if known. When ``None``, the best detected candidate is
        used for the target alerts if its confidence is at least
        :data:`AUTO_TARGET_CONFIDENCE`.

    Returns
    -------
    Profile

    Examples
    --------
    >>> p = profile(pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "k": ["x"] * 4}))
    >>> [(a.kind, a.columns) for a in p.alerts]
    [('missing', ('a',)), ('constant', ('k',))]
    """
    if not df.columns.is_unique:
        raise ValueError("profile: column labels must be unique")
    if target is not None and target not in df.columns:
        raise ValueError(f"profile: no column named {target!r} to use as the target")
    parts = {c: profile_column_parts(df[c]) for c in df.columns}
    columns: dict[Label, ColumnProfile] = {c: part[0] for c, part in parts.items()}
    repeats: dict[Label, Repeats] = {c: part[1] for c, part in parts.items()}
    coded: Coded = {}
    dataset = _dataset(df, columns, coded, repeats)
    targets = rank_targets(columns)
    chosen = target
    if chosen is None and targets and targets[0].confidence >= AUTO_TARGET_CONFIDENCE:
        chosen = targets[0].name
    alerts = [a for c in columns.values() for a in column_alerts(c)]
    alerts += pair_alerts(dataset, chosen)
    sampled: dict[str, str] = {}
    if chosen is not None and columns[chosen].semantic not in ("constant", "identifier"):
        found, sampled = target_alerts(df, columns, dataset, chosen, coded=coded)
        alerts += found
    return Profile(
        columns=columns,
        dataset=dataset,
        alerts=sort_alerts(alerts),
        targets=targets,
        target=chosen,
        sampled=sampled,
    )
