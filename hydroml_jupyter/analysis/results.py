"""The results of column statistics: a column's summary, its histogram, and both together."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from hydroml_jupyter.analysis._core import html_table, jsonable
from hydroml_jupyter.labels import Label

__all__ = ["ColumnInfo", "ColumnSummary", "Histogram"]

# The summary figures shown and serialised, in display order.
_FIELDS = ("dtype", "kind", "count", "nulls", "null_share", "distinct", "min", "max", "mean", "std")


@dataclass(frozen=True)
class ColumnSummary:
    """Exact summary statistics of one column.

    ``min``/``max`` are the smallest/largest value for numeric, boolean, datetime, timedelta
    and text columns (text compares by code point), for ordered categoricals in category order,
    and ``None`` for unordered categoricals, values that cannot be compared, or no values.
    ``mean``/``std`` (sample, ``ddof=1``) are floats for numeric columns; for boolean columns
    ``mean`` is the share of ``True``; datetime columns get a ``Timestamp`` mean; timedelta
    columns a ``Timedelta`` mean and std. Undefined statistics (NaN) are stored as ``None``.
    ``top`` lists the most frequent non-null values with their counts, most frequent first,
    ties broken by ascending value (category order for categoricals); float columns keep
    their top values too. ``distinct`` is ``None`` only when values cannot be hashed.
    """

    name: Label | None
    dtype: str
    kind: str
    count: int
    nulls: int
    null_share: float
    distinct: int | None
    min: Any = None
    max: Any = None
    mean: Any = None
    std: Any = None
    top: list[tuple[Any, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the summary with JSON-friendly values (ISO strings, ``None`` for NaN)."""
        out = {k: jsonable(getattr(self, k)) for k in ("name", *_FIELDS)}
        out["top"] = [[jsonable(v), int(c)] for v, c in self.top]
        return out


@dataclass(frozen=True)
class Histogram:
    """Bin counts of a numeric or datetime column.

    ``edges`` has ``len(counts) + 1`` numbers; for datetimes they are epoch offsets (UTC) in
    ``unit``. ``labels`` are the edges as display strings (ISO 8601 for datetimes). A constant
    column has one bin with equal edges. Integer columns spanning fewer values than ``bins``
    get one bin per integer (edges at half-integers). ``ignored`` counts ±inf values left out.
    """

    edges: list[float]
    counts: list[int]
    labels: list[str]
    ignored: int = 0
    kind: str = "numeric"
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the histogram as JSON-friendly lists."""
        return {
            "edges": [jsonable(e) for e in self.edges],
            "counts": list(self.counts),
            "labels": list(self.labels),
            "ignored": self.ignored,
            "kind": self.kind,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class ColumnInfo:
    """Everything the grid shows about one column: summary, histogram and top values."""

    summary: ColumnSummary
    histogram: Histogram | None
    top_values: list[tuple[Any, int]]

    def to_dict(self) -> dict[str, Any]:
        """Return the column information with JSON-friendly values."""
        return {
            "summary": self.summary.to_dict(),
            "histogram": None if self.histogram is None else self.histogram.to_dict(),
            "top_values": [[jsonable(v), int(c)] for v, c in self.top_values],
        }

    def _repr_html_(self) -> str:
        s = self.summary
        rows = [(k, getattr(s, k)) for k in _FIELDS]
        parts = [
            f"<div class='hydroml-column-info'><h4>{html.escape(str(s.name))}</h4>",
            html_table(rows, ("statistic", "value")),
        ]
        if self.top_values:
            parts.append(html_table(list(self.top_values), ("value", "count")))
        h = self.histogram
        if h is not None and h.counts:
            bins = [(f"{h.labels[i]} – {h.labels[i + 1]}", c) for i, c in enumerate(h.counts)]
            parts.append(html_table(bins, ("bin", "count")))
        parts.append("</div>")
        return "".join(parts)
