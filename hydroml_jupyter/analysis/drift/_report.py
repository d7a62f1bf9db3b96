"""The drift report: alerts with their severity and figure, per-column statistics, verdict."""

from __future__ import annotations

import dataclasses
import html

import pandas as pd

from hydroml_jupyter.analysis.drift._svg import NEW_COLOR, REF_COLOR, paired_bars
from hydroml_jupyter.engine.codegen import shown

__all__ = ["SEVERITIES", "Alert", "ColumnDrift", "DriftReport"]

#: Severities, most severe first.
SEVERITIES = ("high", "medium", "low")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_COLORS = {"high": "#c0392b", "medium": "#d68910", "low": "#7f8c8d"}
#: Share of columns with a high alert from which drift is called severe.
SEVERE_SHARE = 0.25
_MAX_CHARTS = 20
#: Bins a chart shows besides missing values: those whose share changed most.
_CHART_BINS = 23


@dataclasses.dataclass(frozen=True)
class Alert:
    """One finding: its column, check, severity, the effect size and p-value behind it.

    ``check`` is ``psi``, ``ks``, ``missing``, ``unseen``, ``outside``, ``absent``,
    ``type`` or ``performance``; ``figure`` says the effect in a few words.
    """

    column: str
    check: str
    severity: str
    effect: float
    p_value: float
    figure: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.column!r} {self.message} ({self.figure})"


@dataclasses.dataclass
class ColumnDrift:
    """One column's statistics (None where a check does not apply) and its alerts."""

    name: str
    kind: str
    role: str = ""
    rows: int = 0
    missing_ref: float | None = None
    missing_new: float | None = None
    psi: float | None = None
    chi2_p: float | None = None
    ks: float | None = None
    ks_p: float | None = None
    mean_shift: float | None = None
    outside: float | None = None
    unseen: float | None = None
    #: Missing values in training and in the new rows (the charts' last bar).
    missing_counts: tuple[int, int] = (0, 0)
    labels: list[str] = dataclasses.field(default_factory=list)
    bins_ref: list[int] = dataclasses.field(default_factory=list)
    bins_new: list[int] = dataclasses.field(default_factory=list)
    alerts: list[Alert] = dataclasses.field(default_factory=list)

    @property
    def severity(self) -> str | None:
        """The most severe of the column's alerts, or None."""
        levels = sorted((a.severity for a in self.alerts), key=_RANK.__getitem__)
        return levels[0] if levels else None


@dataclasses.dataclass
class DriftReport:
    """What changed between the training reference and new rows.

    ``report.alerts`` lists every finding, most severe first; ``report.verdict`` sums
    them up; ``report.to_frame()`` is one row per column.
    """

    reference_rows: int
    rows: int
    columns: list[ColumnDrift]
    extra: list[str] = dataclasses.field(default_factory=list)
    performance: list[Alert] = dataclasses.field(default_factory=list)
    #: The model's metrics on the new rows, when they carried the target.
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def alerts(self) -> list[Alert]:
        """Every alert, most severe first (then by effect size)."""
        found = [a for c in self.columns for a in c.alerts] + self.performance
        return sorted(found, key=lambda a: (_RANK[a.severity], -abs(a.effect)))

    @property
    def drifted(self) -> list[str]:
        """Columns with a medium or high alert, most severe first."""
        cols = [c for c in self.columns if c.severity in ("high", "medium")]
        return [c.name for c in sorted(cols, key=lambda c: _RANK[c.severity or "low"])]

    @property
    def severity(self) -> str | None:
        """The most severe alert's severity, or None."""
        alerts = self.alerts
        return alerts[0].severity if alerts else None

    @property
    def verdict(self) -> str:
        """``no drift``, ``drift in K of N columns`` or ``severe drift in K of N columns``.

        Drift is severe when a quarter of the columns (at least one) have a high alert,
        or the model's metric fell by a high amount. Low alerts alone are no drift.
        """
        n = len(self.columns)
        high = sum(c.severity == "high" for c in self.columns)
        worse = any(a.severity == "high" for a in self.performance)
        k = len(self.drifted)
        model = [a for a in self.performance if a.severity in ("high", "medium")]
        if not k and not model:
            return "no drift"
        where = f" in {k} of {n} columns" if k else " in the model's metric"
        if worse or (high and high >= max(1.0, SEVERE_SHARE * n)):
            return "severe drift" + where
        return "drift" + where

    def to_frame(self) -> pd.DataFrame:
        """One row per column: its statistics, worst severity and alert messages."""
        rows = []
        for c in self.columns:
            rows.append(
                {
                    "column": c.name,
                    "kind": c.kind,
                    "severity": c.severity,
                    "psi": c.psi,
                    "ks": c.ks,
                    "ks_p": c.ks_p,
                    "chi2_p": c.chi2_p,
                    "mean_shift_sd": c.mean_shift,
                    "missing_ref": c.missing_ref,
                    "missing_new": c.missing_new,
                    "unseen": c.unseen,
                    "outside_range": c.outside,
                    "alerts": "; ".join(
                        f"{a.severity}: {a.message} ({a.figure})" for a in c.alerts
                    ),
                }
            )
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        order = frame["severity"].map(lambda s: _RANK.get(s, len(_RANK)))
        return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)

    def __repr__(self) -> str:
        counts = [f"{sum(a.severity == s for a in self.alerts)} {s}" for s in SEVERITIES]
        return (
            f"<DriftReport: {self.verdict} ({', '.join(counts)} alerts; "
            f"{self.rows:,} new rows against {self.reference_rows:,})>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        color = _COLORS.get(self.severity or "", "#27ae60")
        parts = [
            '<div class="hydroml-drift" style="font-family:sans-serif;font-size:13px">',
            f'<div style="font-weight:bold;color:{color}">{esc(self.verdict)}</div>',
            f"<div>{self.rows:,} new rows against {self.reference_rows:,} training rows; "
            f'<span style="color:{REF_COLOR}">■</span> training '
            f'<span style="color:{NEW_COLOR}">■</span> new</div>',
        ]
        parts += [f"<div><i>{esc(n)}</i></div>" for n in self.notes]
        if self.extra:
            parts.append(f"<div>not in training: {esc(', '.join(map(shown, self.extra)))}</div>")
        alerts = self.alerts
        if alerts:
            parts.append('<table style="border-collapse:collapse;margin:6px 0">')
            parts.append(
                "<tr><th>severity</th><th>column</th><th>check</th><th>figure</th>"
                "<th>finding</th></tr>"
            )
            for a in alerts:
                parts.append(
                    f'<tr><td style="color:{_COLORS[a.severity]}">{esc(a.severity)}</td>'
                    f"<td>{esc(a.column)}</td><td>{esc(a.check)}</td><td>{esc(a.figure)}</td>"
                    f"<td>{esc(a.message)}</td></tr>"
                )
            parts.append("</table>")
        by_name = {c.name: c for c in self.columns}
        for name in self.drifted[:_MAX_CHARTS]:
            c = by_name[name]
            if not c.bins_ref:
                continue
            ref, new, labels = c.bins_ref, c.bins_new, c.labels or _bin_labels(len(c.bins_ref))
            totals = (sum(ref) + c.missing_counts[0], sum(new) + c.missing_counts[1])
            if len(ref) > _CHART_BINS:
                ref, new, labels = _largest_changes(ref, new, labels)
            if any(c.missing_counts):
                ref, new = [*ref, c.missing_counts[0]], [*new, c.missing_counts[1]]
                labels = [*labels, "(missing)"]
            parts.append(
                f'<div style="display:inline-block;margin:4px 8px">'
                f"<div>{esc(name)} ({esc(c.severity or '')})</div>"
                f"{paired_bars(ref, new, labels, name, totals)}</div>"
            )
        parts.append("</div>")
        return "".join(parts)


def _largest_changes(
    ref: list[int], new: list[int], labels: list[str]
) -> tuple[list[int], list[int], list[str]]:
    """Keep the bins whose share changed most (in their order), e.g. unseen categories."""
    total_ref, total_new = sum(ref) or 1, sum(new) or 1
    change = [abs(b / total_new - a / total_ref) for a, b in zip(ref, new, strict=True)]
    keep = sorted(sorted(range(len(ref)), key=lambda i: -change[i])[:_CHART_BINS])
    return [ref[i] for i in keep], [new[i] for i in keep], [labels[i] for i in keep]


def _bin_labels(n: int) -> list[str]:
    return [f"decile bin {i + 1} of training" for i in range(n)]
