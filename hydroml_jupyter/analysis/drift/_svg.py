"""A small static SVG chart: training versus new shares, one pair of bars per bin.

Every label is escaped with :func:`html.escape` and shown in a ``<title>`` on hover,
so column names and category values never reach the page as markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["NEW_COLOR", "REF_COLOR", "paired_bars"]

REF_COLOR = "#4c78a8"
NEW_COLOR = "#f58518"
_WIDTH = 320
_HEIGHT = 90
_MAX_BINS = 24


def _shares(counts: Sequence[int], total: int | None) -> list[float]:
    whole = total or sum(counts) or 1
    return [c / whole for c in counts]


def paired_bars(
    ref: Sequence[int],
    new: Sequence[int],
    labels: Sequence[str],
    title: str,
    totals: tuple[int, int] | None = None,
) -> str:
    """Return an SVG of the shares of ``ref`` and ``new`` per bin (at most 24 bins).

    Shares are of ``totals`` (training rows, new rows) when the bins shown are not all.

    Examples
    --------
    >>> svg = paired_bars([3, 1], [1, 3], ["a", "<b>"], "x & y")
    >>> svg.count("<rect") == 4 and "&lt;b&gt;" in svg and "<b>" not in svg
    True
    """
    t_ref, t_new = totals or (None, None)
    p, q = _shares(ref, t_ref)[:_MAX_BINS], _shares(new, t_new)[:_MAX_BINS]
    top = max([*p, *q, 1e-9])
    step = _WIDTH / max(len(p), 1)
    bar = max(step * 0.4, 0.5)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{html.escape(title)}">'
        f"<title>{html.escape(title)}</title>"
    ]
    for i, (a, b) in enumerate(zip(p, q, strict=True)):
        label = html.escape(labels[i] if i < len(labels) else str(i))
        for offset, share, color, who in (
            (0.0, a, REF_COLOR, "training"),
            (bar, b, NEW_COLOR, "new"),
        ):
            h = share / top * (_HEIGHT - 4)
            x = i * step + step * 0.1 + offset
            parts.append(
                f'<rect x="{x:.1f}" y="{_HEIGHT - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{label}: {who} {share:.1%}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)
