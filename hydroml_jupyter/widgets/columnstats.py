"""The Column tab's ``column_stats`` request: the percentiles of one column.

The ``summary`` request gives what the grid's headers show; the Column tab adds the
percentiles 1, 5, 25, 50, 75, 95 and 99, which cost a pass over the column that headers
never need, so they come only when a person opens the tab on a column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.widgets.protocol import ProtocolError, Reply, jsonable, reply

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.base import SessionWidget

__all__ = ["PERCENTILES", "column_stats", "percentiles"]

#: The percentiles the Column tab shows.
PERCENTILES = (1, 5, 25, 50, 75, 95, 99)
_ATTEMPTS = 3


def percentiles(series: pd.Series) -> list[tuple[int, Any]]:
    """Return ``(percentile, value)`` for each of :data:`PERCENTILES`, linearly interpolated.

    Numbers, dates and durations have percentiles; booleans, text and categories have none
    (an empty list), and so has a column without values (each value ``None``). Values are
    JSON-friendly: dates as ISO strings, infinities as ``"inf"``/``"-inf"``.

    Examples
    --------
    >>> percentiles(pd.Series(range(101)))[:3]
    [(1, 1.0), (5, 5.0), (25, 25.0)]
    >>> percentiles(pd.Series(["a", "b"]))
    []
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        return []
    values = series.dropna()
    if values.empty:
        return [(p, None) for p in PERCENTILES]
    found = values.quantile([p / 100 for p in PERCENTILES], interpolation="linear")
    return [(p, jsonable(v)) for p, v in zip(PERCENTILES, found.tolist(), strict=True)]


def column_stats(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``column_stats`` in the background: the percentiles of ``column``."""
    name = content.get("column")
    label = widget._names().label(name, "column_stats")
    session, request = widget.session, content["request"]

    def work() -> Reply:
        found: list[tuple[int, Any]] = []
        for _ in range(_ATTEMPTS):
            version = session.version
            frame = session.df
            if label not in frame.columns:
                raise ProtocolError(f"column_stats: no column named {name!r} any more")
            found = percentiles(frame[label])
            if session.version == version:
                break
        return reply("column_stats", request, version=version, column=name, percentiles=found), None

    widget._in_background(content, work)
