"""The profile's data classes: alerts, column and dataset profiles, target candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydroml_jupyter.analysis._core import jsonable
from hydroml_jupyter.analysis.stats import ColumnSummary, Histogram
from hydroml_jupyter.labels import Label

#: Semantic types a column can have, in the order they are checked.
SEMANTIC_TYPES = (
    "constant",
    "boolean",
    "datetime",
    "numbers_as_text",
    "dates_as_text",
    "identifier",
    "numeric",
    "categorical",
    "text",
)

#: Alert kinds, see :data:`hydroml_jupyter.analysis.profile.THRESHOLDS` for when each fires.
ALERT_KINDS = (
    "constant",
    "missing",
    "high_cardinality",
    "identifier",
    "skewed",
    "many_zeros",
    "outliers",
    "imbalanced_target",
    "duplicate_rows",
    "high_correlation",
    "mixed_types",
    "numbers_as_text",
    "dates_as_text",
    "category_variants",
    "target_leakage",
)

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Alert:
    """One data-quality finding.

    Attributes
    ----------
    kind
        One of :data:`ALERT_KINDS`.
    columns
        The column(s) concerned; ``()`` for the whole frame (duplicate rows).
    severity
        ``"high"``, ``"medium"`` or ``"low"``.
    figure
        The measured number behind the alert (a share, count, coefficient, ...).
    message
        One line with the figure, e.g. ``"age is 23.4% missing"``.
    """

    kind: str
    columns: tuple[Label, ...]
    severity: str
    figure: float | int
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the alert with JSON-friendly values."""
        return {
            "kind": self.kind,
            "columns": [jsonable(c) for c in self.columns],
            "severity": self.severity,
            "figure": jsonable(self.figure),
            "message": self.message,
        }


@dataclass(frozen=True)
class NumericExtras:
    """Shape figures of a numeric column, computed on its finite values (exact).

    ``skew`` is the adjusted Fisher-Pearson coefficient (as :meth:`pandas.Series.skew`).
    Outliers lie strictly outside ``[low_fence, high_fence]`` = ``[q1 - 1.5 IQR, q3 + 1.5 IQR]``
    (quartiles by linear interpolation, as :func:`numpy.quantile`). ``decimals`` is the fewest
    decimals that write every value exactly (``None`` when more than six are needed);
    ``clip_low`` and ``clip_high`` are the fences rounded inward to that precision, which clip
    exactly the same values, with a lower fence below zero raised to zero when no value is
    negative.
    """

    skew: float | None
    zeros: int
    zeros_share: float
    q1: float
    median: float
    q3: float
    low_fence: float
    high_fence: float
    outliers: int
    outliers_share: float
    all_positive: bool
    decimals: int | None = None
    clip_low: float | int = 0.0
    clip_high: float | int = 0.0


@dataclass(frozen=True)
class TextExtras:
    """What the non-null values of a text column look like, measured on all distinct values.

    ``numeric_share`` and ``date_share`` are shares of the non-null values that
    :func:`pandas.to_numeric` / :func:`pandas.to_datetime` (with ``date_format``) convert;
    ``variants`` maps each spelling that differs from its group's most frequent spelling only
    in surrounding spaces or letter case to that spelling; ``python_types`` lists the Python
    types of an object column's values when there is more than one.
    """

    numeric_share: float
    whole_numbers: bool
    date_share: float
    date_format: str | None
    variants: dict[str, str] = field(default_factory=dict)
    whitespace_only: bool = True
    python_types: tuple[str, ...] = ()
    mean_length: float | None = None


@dataclass(frozen=True)
class ColumnProfile:
    """Everything the profile knows about one column."""

    name: Label
    semantic: str
    summary: ColumnSummary
    histogram: Histogram | None
    numeric: NumericExtras | None = None
    text: TextExtras | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the column profile with JSON-friendly values."""
        out: dict[str, Any] = {
            "name": jsonable(self.name),
            "semantic": self.semantic,
            "summary": self.summary.to_dict(),
            "histogram": None if self.histogram is None else self.histogram.to_dict(),
            "numeric": None,
            "text": None,
        }
        for key in ("numeric", "text"):
            extras = getattr(self, key)
            if extras is not None:
                out[key] = {k: jsonable(v) for k, v in vars(extras).items()}
        return out


@dataclass(frozen=True)
class DatasetProfile:
    """Frame-wide figures.

    ``correlation`` is the Pearson matrix of ``correlation_columns`` (numeric and boolean
    columns that are neither constant nor identifiers) over pairwise complete rows;
    ``association`` is Cramér's V between ``association_columns`` (categorical and boolean
    columns with at most ``ASSOCIATION_MAX_DISTINCT`` values). ``missing_matrix`` holds, for
    up to 100 consecutive row blocks (``missing_blocks`` rows each), the exact share of
    missing cells per column.
    """

    rows: int
    columns: int
    memory_bytes: int
    missing_cells: int
    duplicate_rows: int | None
    correlation_columns: list[Label]
    correlation: list[list[float | None]]
    association_columns: list[Label]
    association: list[list[float | None]]
    missing_matrix: list[list[float]]
    missing_blocks: int

    def to_dict(self) -> dict[str, Any]:
        """Return the dataset figures with JSON-friendly values."""
        return {k: jsonable(v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class TargetCandidate:
    """A column that may be the prediction target, with why."""

    name: Label
    confidence: float
    reason: str
    task: str

    def to_dict(self) -> dict[str, Any]:
        """Return the candidate with JSON-friendly values."""
        return {
            "name": jsonable(self.name),
            "confidence": self.confidence,
            "reason": self.reason,
            "task": self.task,
        }


@dataclass(frozen=True, eq=False)
class Profile:
    """A dataset profile: per-column profiles, frame figures, alerts and target candidates.

    Attributes
    ----------
    columns
        Column profiles by column label, in frame order.
    dataset
        Frame-wide figures.
    alerts
        Findings, most severe first.
    targets
        Target candidates, most likely first.
    target
        The target the target alerts (imbalance, leakage) refer to: the one passed to
        :func:`profile`, else the best candidate when its confidence is at least 0.7.
    sampled
        What was computed on a sample, and how; empty when every figure is exact.
    """

    columns: dict[Label, ColumnProfile]
    dataset: DatasetProfile
    alerts: list[Alert]
    targets: list[TargetCandidate]
    target: Label | None = None
    sampled: dict[str, str] = field(default_factory=dict)

    def alerts_for(self, kind: str | None = None, column: Label | None = None) -> list[Alert]:
        """Return the alerts of one kind and/or about one column."""
        return [
            a
            for a in self.alerts
            if (kind is None or a.kind == kind) and (column is None or column in a.columns)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Return the whole profile as data ``json.dumps(..., allow_nan=False)`` accepts."""
        return {
            "columns": [c.to_dict() for c in self.columns.values()],
            "dataset": self.dataset.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "targets": [t.to_dict() for t in self.targets],
            "target": jsonable(self.target),
            "sampled": dict(self.sampled),
        }

    def report_html(self, plotlyjs: bool = True, static: bool = False) -> str:
        """Return the report as an HTML fragment.

        Parameters
        ----------
        plotlyjs
            Inline plotly.js (about 4.5 MB) so the charts draw without network access; with
            ``False`` the page must already have ``window.Plotly``.
        static
            Draw the charts as small SVG images, with no script (what a notebook shows:
            a few KB, drawn in any front end, trusted or not).
        """
        from hydroml_jupyter.analysis.profile._report import render

        return render(self, plotlyjs=plotlyjs, static=static)

    def _repr_html_(self) -> str:
        return self.report_html(static=True)

    def to_html(self, path: str | Path) -> Path:
        """Write a standalone HTML report (plotly.js inlined, no network needed) to ``path``."""
        from hydroml_jupyter.analysis.profile._report import render

        out = Path(path)
        body = render(self, plotlyjs=True)
        out.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Data profile</title>"
            f"</head><body>{body}</body></html>",
            encoding="utf-8",
        )
        return out
