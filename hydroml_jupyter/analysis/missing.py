"""Missing-value report: nulls per column and the most common row-wise missing patterns.

Only columns that contain nulls take part in patterns. Their null masks are packed into
``int64`` codes, 63 columns per code; each group is factorised with a hash table and groups are
combined into one dense pattern id per row, so any number of columns works in a few linear
passes and only one column mask is held in memory at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.analysis._core import html_table, jsonable

__all__ = ["MissingReport", "missing"]

_BITS = 63


@dataclass(frozen=True, eq=False)
class MissingReport:
    """Missing values of a frame.

    Attributes
    ----------
    by_column
        Indexed by column label, columns ``nulls`` and ``share``; sorted by ``nulls``
        descending, ties in frame order.
    patterns
        Columns ``columns`` (tuple of the labels missing together; ``()`` = complete rows),
        ``rows`` and ``share``; sorted by ``rows`` descending, ties by first appearance.
    total_rows, complete_rows
        Row counts of the frame and of rows without any null.
    distinct_patterns
        How many different patterns occur (``patterns`` may show fewer).
    """

    by_column: pd.DataFrame
    patterns: pd.DataFrame
    total_rows: int
    complete_rows: int
    distinct_patterns: int

    def to_dict(self) -> dict[str, Any]:
        """Return the report with JSON-friendly values."""
        return {
            "total_rows": self.total_rows,
            "complete_rows": self.complete_rows,
            "distinct_patterns": self.distinct_patterns,
            "by_column": [
                {"column": jsonable(c), "nulls": int(n), "share": float(s)}
                for c, n, s in zip(
                    self.by_column.index,
                    self.by_column["nulls"],
                    self.by_column["share"],
                    strict=True,
                )
            ],
            "patterns": [
                {"columns": [jsonable(c) for c in cols], "rows": int(r), "share": float(s)}
                for cols, r, s in zip(
                    self.patterns["columns"],
                    self.patterns["rows"],
                    self.patterns["share"],
                    strict=True,
                )
            ],
        }

    def _repr_html_(self) -> str:
        head = (
            f"<div class='hydroml-missing'><p>{self.total_rows} rows, "
            f"{self.complete_rows} complete, {self.distinct_patterns} missing patterns</p>"
        )
        cols = html_table(
            list(
                zip(
                    self.by_column.index,
                    self.by_column["nulls"],
                    self.by_column["share"],
                    strict=True,
                )
            ),
            ("column", "nulls", "share"),
        )
        pats = html_table(
            [
                (", ".join(map(str, c)) or "(complete)", r, s)
                for c, r, s in zip(
                    self.patterns["columns"],
                    self.patterns["rows"],
                    self.patterns["share"],
                    strict=True,
                )
            ],
            ("missing together", "rows", "share"),
        )
        return head + cols + pats + "</div>"


def _pattern_ids(df: pd.DataFrame, null_positions: list[int]) -> tuple[np.ndarray, int, int]:
    """Dense pattern id per row (numbered by first appearance), id count, complete rows."""
    n = len(df)
    ids: np.ndarray | None = None
    n_ids = 1
    complete = np.ones(n, dtype=bool)
    for start in range(0, len(null_positions), _BITS):
        code = np.zeros(n, dtype=np.int64)
        for bit, pos in enumerate(null_positions[start : start + _BITS]):
            mask = np.asarray(df.iloc[:, pos].isna().to_numpy(), dtype=bool)
            code |= mask.astype(np.int64) << np.int64(bit)
        complete &= code == 0
        group_ids, uniques = pd.factorize(code)
        if ids is None:
            ids, n_ids = group_ids, len(uniques)
        else:
            ids, combined = pd.factorize(ids.astype(np.int64) * len(uniques) + group_ids)
            n_ids = len(combined)
    if ids is None:
        return np.zeros(n, dtype=np.intp), 1 if n else 0, n
    return np.asarray(ids, dtype=np.intp), n_ids, int(np.count_nonzero(complete))


def missing(df: pd.DataFrame, patterns: int | None = 10) -> MissingReport:
    """Count nulls per column and the most common row-wise missing patterns.

    Parameters
    ----------
    df
        The frame.
    patterns
        How many patterns to keep, most common first; ``None`` keeps all.

    Returns
    -------
    MissingReport

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, None, None], "b": ["x", None, "z"]})
    >>> rep = missing(df)
    >>> rep.complete_rows, rep.patterns["columns"].tolist(), rep.patterns["rows"].tolist()
    (1, [(), ('a', 'b'), ('a',)], [1, 1, 1])
    """
    n = len(df)
    ncols = df.shape[1]
    nulls = np.array([int(df.iloc[:, i].isna().sum()) for i in range(ncols)], dtype=np.int64)
    order = np.argsort(-nulls, kind="stable")
    by_column = pd.DataFrame(
        {"nulls": nulls[order], "share": nulls[order] / n if n else np.zeros(ncols)},
        index=df.columns[order],
    )
    null_positions = [int(i) for i in np.flatnonzero(nulls)]
    ids, n_ids, complete = _pattern_ids(df, null_positions)
    counts = np.bincount(ids, minlength=n_ids)
    # Ids are numbered by first appearance, so the running maximum rises exactly at the first
    # row of each new pattern.
    if n:
        running = np.maximum.accumulate(ids)
        first_rows = np.flatnonzero(np.concatenate([[True], running[1:] > running[:-1]]))
    else:
        first_rows = np.zeros(0, dtype=np.intp)
    keep = np.argsort(-counts, kind="stable")
    if patterns is not None:
        keep = keep[: max(patterns, 0)]
    labels = df.columns[null_positions] if null_positions else df.columns[:0]
    if null_positions and len(keep):
        sub = df.iloc[first_rows[keep], null_positions].isna().to_numpy(dtype=bool)
        pattern_cols = [tuple(labels[np.flatnonzero(row)]) for row in sub]
    else:
        pattern_cols = [() for _ in keep]
    rows = counts[keep].astype(np.int64)
    pats = pd.DataFrame(
        {
            "columns": pd.Series(pattern_cols, dtype=object),
            "rows": rows,
            "share": rows / n if n else np.zeros(len(rows)),
        }
    )
    return MissingReport(
        by_column=by_column,
        patterns=pats,
        total_rows=n,
        complete_rows=complete,
        distinct_patterns=int(n_ids),
    )
