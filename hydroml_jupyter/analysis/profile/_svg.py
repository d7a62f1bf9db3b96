"""Small static SVG charts for the profile shown in a notebook: no script, a few KB each.

A notebook output that needs plotly.js must carry it (about 4.5 MB per report) and only
draws in a trusted notebook; these draw everywhere, light or dark. Every label is escaped
and goes into a ``<title>``, shown on hover.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["bars", "heatmap"]

_WIDTH = 320
_BAR_HEIGHT = 80
_CELL_MAX = 18
_HEAT_SIDE = 360
_LABEL = 90
_LABEL_CHARS = 14
_LABEL_ROOM = 11


def _esc(value: object) -> str:
    return html.escape(str(value))


def bars(counts: Sequence[int], labels: Sequence[str], color: str) -> str:
    """Return a bar chart of ``counts``, one bar per label (the label and count on hover).

    Examples
    --------
    >>> svg = bars([3, 1], ["a", "<b>"], "#4c78a8")
    >>> svg.startswith("<svg") and svg.count("<rect") == 2 and "&lt;b&gt;: 1" in svg
    True
    """
    top = max(counts, default=0) or 1
    step = _WIDTH / max(len(counts), 1)
    gap = min(2.0, step * 0.1)
    rects = []
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        h = _BAR_HEIGHT * count / top
        rects.append(
            f"<rect x='{i * step + gap / 2:.1f}' y='{_BAR_HEIGHT - h:.1f}' "
            f"width='{max(step - gap, 0.5):.1f}' height='{h:.1f}' fill='{color}'>"
            f"<title>{_esc(label)}: {count:,}</title></rect>"
        )
    return (
        f"<svg class='hp-svg' width='{_WIDTH}' height='{_BAR_HEIGHT + 2}' role='img' "
        f"viewBox='0 0 {_WIDTH} {_BAR_HEIGHT + 2}'>{''.join(rects)}"
        f"<line x1='0' y1='{_BAR_HEIGHT + 1}' x2='{_WIDTH}' y2='{_BAR_HEIGHT + 1}' "
        "stroke='#888' stroke-width='1'/></svg>"
    )


def _colour(value: float | None, low: float) -> str:
    """Return a cell's fill: opaque in proportion to the value's size, on any background.

    Red for positive and blue for negative values when ``low < 0``, else blue.
    """
    if _missing(value):
        return "none"
    assert value is not None
    alpha = min(1.0, abs(value)) ** 0.5  # small shares stay visible
    rgb = "214,39,40" if low < 0 and value > 0 else "31,119,180"
    return f"rgba({rgb},{alpha:.2f})"


def heatmap(
    z: Sequence[Sequence[float | None]],
    columns: Sequence[object],
    rows: Sequence[object],
    zrange: tuple[float, float],
) -> str:
    """Return a grid of coloured cells, ``z[row][column]``, the names and value on hover.

    Examples
    --------
    >>> svg = heatmap([[1.0, None], [0.5, 1.0]], ["a", "b"], ["a", "b"], (-1.0, 1.0))
    >>> svg.count("<rect") == 4 and "b: none</title>" in svg
    True
    """
    n_rows, n_cols = len(z), max((len(r) for r in z), default=0)
    width_each = max(4, min(_CELL_MAX, _HEAT_SIDE // max(n_cols, 1)))
    height_each = max(3, min(_CELL_MAX, _HEAT_SIDE // max(n_rows, 1)))
    left = _LABEL if n_rows else 0
    top = _LABEL if width_each >= _LABEL_ROOM else 0
    every = -(-_LABEL_ROOM // height_each)  # label one row in ``every``
    low = zrange[0]
    parts = ["<g stroke='#8884' stroke-width='0.5'>"]
    for i, row in enumerate(z):
        for j, value in enumerate(row):
            shown = "none" if _missing(value) else f"{value:.2f}"
            parts.append(
                f"<rect x='{left + j * width_each}' y='{top + i * height_each}' "
                f"width='{width_each}' height='{height_each}' fill='{_colour(value, low)}'>"
                f"<title>{_esc(rows[i])} × {_esc(columns[j])}: {shown}</title></rect>"
            )
    parts.append("</g>")
    for i in range(0, n_rows, every):
        y = top + i * height_each + min(height_each, _LABEL_ROOM) * 0.8
        parts.append(
            f"<text x='{left - 4}' y='{y:.0f}' text-anchor='end'>{_esc(_short(rows[i]))}</text>"
        )
    if top:
        for j, name in enumerate(columns):
            x, y = left + (j + 0.7) * width_each, top - 4
            parts.append(
                f"<text x='{x:.0f}' y='{y}' transform='rotate(-45 {x:.0f} {y})'>"
                f"{_esc(_short(name))}</text>"
            )
    width, height = left + n_cols * width_each, top + n_rows * height_each
    return (
        f"<svg class='hp-svg' width='{width}' height='{height}' role='img' "
        f"viewBox='0 0 {width} {height}' font-size='10' fill='currentColor'>"
        f"{''.join(parts)}</svg>"
    )


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _short(name: object) -> str:
    text = str(name)
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"
