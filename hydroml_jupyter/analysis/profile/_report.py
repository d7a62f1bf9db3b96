r"""The profile as an HTML report: overview, alerts, column cards and plotly charts.

Every piece of text from the data (column names, values) is escaped; chart data travels as
JSON inside a ``<script>`` block with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no
value can close the script or inject markup. plotly.js is inlined from the installed plotly
package, so the report needs no network access.
"""

from __future__ import annotations

import html
import json
import uuid
from typing import Any

from hydroml_jupyter.analysis._core import fmt, jsonable
from hydroml_jupyter.analysis.profile import _svg
from hydroml_jupyter.analysis.profile._model import ColumnProfile, Profile
from hydroml_jupyter.labels import Label

_CSS = """
.hydroml-profile{font-family:system-ui,sans-serif;font-size:13px;max-width:1100px}
.hydroml-profile table{border-collapse:collapse;margin:4px 0}
.hydroml-profile td,.hydroml-profile th{border:1px solid #ddd;padding:2px 6px;text-align:left}
.hydroml-profile .hp-cards{display:flex;flex-wrap:wrap;gap:8px}
.hydroml-profile .hp-card{border:1px solid #ccc;border-radius:4px;padding:6px;width:340px}
.hydroml-profile .hp-high{color:#b00020}.hydroml-profile .hp-medium{color:#b36b00}
.hydroml-profile .hp-low{color:#555}
.hydroml-profile .hp-badge{background:rgba(128,128,128,.2);border-radius:3px;padding:0 4px;
font-size:11px}
.hydroml-profile .hp-svg{display:block;margin:4px 0;overflow:visible}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{n} B"


def _overview(p: Profile) -> str:
    d = p.dataset
    cells = d.rows * d.columns
    sampled = "; ".join(f"{k}: {v}" for k, v in p.sampled.items()) or "none (all figures exact)"
    rows = [
        ("rows", f"{d.rows:,}"),
        ("columns", f"{d.columns:,}"),
        ("memory", _bytes(d.memory_bytes)),
        ("missing cells", f"{d.missing_cells:,} ({d.missing_cells / cells:.1%})" if cells else "0"),
        ("duplicate rows", "—" if d.duplicate_rows is None else f"{d.duplicate_rows:,}"),
        ("target", "—" if p.target is None else _esc(p.target)),
        ("sampled", _esc(sampled)),
    ]
    return "<h3>Overview</h3>" + _table(rows, ("", ""))


def _alerts(p: Profile) -> str:
    if not p.alerts:
        return "<h3>Alerts</h3><p>No alerts.</p>"
    rows = [
        (
            f"<span class='hp-{a.severity}'>{_esc(a.severity)}</span>",
            _esc(a.kind),
            _esc(", ".join(map(str, a.columns))),
            _esc(a.message),
        )
        for a in p.alerts
    ]
    return f"<h3>Alerts ({len(p.alerts)})</h3>" + _table(
        rows, ("severity", "kind", "columns", "message")
    )


def _targets(p: Profile) -> str:
    if not p.targets:
        return "<h3>Target candidates</h3><p>None found.</p>"
    rows = [(_esc(t.name), f"{t.confidence:.2f}", _esc(t.task), _esc(t.reason)) for t in p.targets]
    return "<h3>Target candidates</h3>" + _table(rows, ("column", "confidence", "task", "reason"))


def _column_rows(c: ColumnProfile) -> list[tuple[str, str]]:
    s = c.summary
    rows = [
        ("dtype", _esc(s.dtype)),
        ("values", f"{s.count:,}"),
        ("missing", f"{s.nulls:,} ({s.null_share:.1%})"),
        ("distinct", fmt(s.distinct)),
    ]
    rows += [(k, fmt(getattr(s, k))) for k in ("min", "max", "mean", "std")]
    if c.numeric is not None:
        n = c.numeric
        rows += [
            ("quartiles", f"{fmt(n.q1)} / {fmt(n.median)} / {fmt(n.q3)}"),
            ("skew", fmt(n.skew)),
            ("zeros", f"{n.zeros:,} ({n.zeros_share:.1%})"),
            ("outliers (IQR)", f"{n.outliers:,} ({n.outliers_share:.1%})"),
        ]
    if c.text is not None:
        t = c.text
        rows.append(("convert to numbers", f"{t.numeric_share:.1%}"))
        if t.date_format:
            rows.append(("convert to dates", f"{t.date_share:.1%} ({_esc(t.date_format)})"))
    return rows


def _column_figure(c: ColumnProfile) -> dict[str, Any] | None:
    h = c.histogram
    if h is not None and h.counts:
        x = [f"{h.labels[i]} – {h.labels[i + 1]}" for i in range(len(h.counts))]
        trace: dict[str, Any] = {
            "type": "bar",
            "x": x,
            "y": h.counts,
            "marker": {"color": "#4c78a8"},
        }
    elif c.summary.top:
        labels = [_esc(jsonable(v)) for v, _ in c.summary.top]
        trace = {"type": "bar", "x": labels, "y": [n for _, n in c.summary.top]}
        trace["marker"] = {"color": "#f58518"}
    else:
        return None
    layout = {
        "height": 180,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "xaxis": {"showticklabels": h is None or not h.counts, "type": "category"},
        "bargap": 0.05,
    }
    return {"data": [trace], "layout": layout}


def _heatmap(names: list[Label], z: Any, y: Any, zrange: tuple[float, float]) -> dict[str, Any]:
    labels = [_esc(n) for n in names]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": labels,
                "y": y,
                "zmin": zrange[0],
                "zmax": zrange[1],
                "colorscale": "RdBu" if zrange[0] < 0 else "Greys",
                "reversescale": zrange[0] >= 0,
            }
        ],
        "layout": {"height": 360, "margin": {"l": 90, "r": 10, "t": 10, "b": 90}},
    }


def _column_svg(c: ColumnProfile) -> str:
    h = c.histogram
    if h is not None and h.counts:
        labels = [f"{h.labels[i]} – {h.labels[i + 1]}" for i in range(len(h.counts))]
        return _svg.bars(h.counts, labels, "#4c78a8")
    if c.summary.top:
        labels = [str(jsonable(v)) for v, _ in c.summary.top]
        return _svg.bars([n for _, n in c.summary.top], labels, "#f58518")
    return ""


def _coarse(
    matrix: list[list[float]], starts: list[int], most: int = 40
) -> tuple[list[list[float]], list[int]]:
    """Merge neighbouring row blocks (their mean share) into at most ``most`` rows."""
    size = -(-len(matrix) // most)
    if size <= 1:
        return matrix, starts
    merged, firsts = [], []
    for at in range(0, len(matrix), size):
        group = matrix[at : at + size]
        merged.append([sum(col) / len(group) for col in zip(*group, strict=True)])
        firsts.append(starts[at])
    return merged, firsts


def render(p: Profile, plotlyjs: bool = True, static: bool = False) -> str:
    """Render the profile as an HTML fragment.

    Parameters
    ----------
    plotlyjs
        Inline plotly.js for the interactive charts.
    static
        Draw the charts as small SVG images instead: no script at all (``plotlyjs`` is
        then ignored). This is what a notebook shows.
    """
    prefix = f"hp{uuid.uuid4().hex[:10]}"
    figures: dict[str, dict[str, Any]] = {}
    cards = []
    for i, c in enumerate(p.columns.values()):
        fig = None if static else _column_figure(c)
        chart = _column_svg(c) if static else ""
        if fig is not None:
            fid = f"{prefix}-c{i}"
            figures[fid] = fig
            chart = f"<div id='{fid}'></div>"
        cards.append(
            f"<div class='hp-card'><b>{_esc(c.name)}</b> "
            f"<span class='hp-badge'>{_esc(c.semantic)}</span>{chart}"
            + _table(_column_rows(c), ("statistic", "value"))
            + "</div>"
        )
    d = p.dataset
    sections = [_overview(p), _alerts(p), _targets(p), "<h3>Columns</h3>"]
    sections.append("<div class='hp-cards'>" + "".join(cards) + "</div>")
    if d.missing_matrix and d.missing_cells:
        starts = [i * d.missing_blocks for i in range(len(d.missing_matrix))]
        if static:
            shares, firsts = _coarse(d.missing_matrix, starts)
            rows = [f"rows from {first:,}" for first in firsts]
            chart = _svg.heatmap(shares, list(p.columns), rows, (0.0, 1.0))
        else:
            chart = f"<div id='{prefix}-missing'></div>"
            fig = _heatmap(list(p.columns), d.missing_matrix, starts, (0.0, 1.0))
            fig["layout"]["yaxis"] = {"autorange": "reversed", "title": {"text": "row"}}
            figures[f"{prefix}-missing"] = fig
        sections.append(
            f"<h3>Missing values</h3><p>Share missing per block of {d.missing_blocks:,} rows"
            f"</p>{chart}"
        )
    for title, names, matrix, zrange, key in (
        ("Correlation (Pearson)", d.correlation_columns, d.correlation, (-1.0, 1.0), "corr"),
        ("Association (Cramér's V)", d.association_columns, d.association, (0.0, 1.0), "assoc"),
    ):
        if len(names) < 2:
            continue
        if static:
            chart = _svg.heatmap(matrix, names, names, zrange)
        else:
            chart = f"<div id='{prefix}-{key}'></div>"
            figures[f"{prefix}-{key}"] = _heatmap(names, matrix, [_esc(n) for n in names], zrange)
        sections.append(f"<h3>{title}</h3>{chart}")
    payload = (
        json.dumps(jsonable(figures), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    if static:
        return (
            f"<div class='hydroml-profile' id='{prefix}'><style>{_CSS}</style>"
            "<h2>Data profile</h2>" + "".join(sections) + "</div>"
        )
    script = ""
    if plotlyjs:
        from plotly.offline import get_plotlyjs

        script = f"<script type='text/javascript'>{get_plotlyjs()}</script>"
    draw = (
        "<script type='text/javascript'>(function(){var figs=" + payload + ";"
        "if(!window.Plotly){return;}"
        "for(var id in figs){var el=document.getElementById(id);"
        "if(el){Plotly.newPlot(el,figs[id].data,figs[id].layout,"
        "{displayModeBar:false,responsive:true});}}})();</script>"
    )
    return (
        f"<div class='hydroml-profile' id='{prefix}'><style>{_CSS}</style>"
        "<h2>Data profile</h2>" + "".join(sections) + script + draw + "</div>"
    )
