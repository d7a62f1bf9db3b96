"""A column's distinct values with their counts, for the grid's filter by value.

The ``values`` request lists the values of one text, category, integer or boolean column
with how many rows hold each, most frequent first (ties in value order), over the rows the
view's filters on the *other* columns keep: the choices a checklist offers. The list is
bounded (``limit``); ``search`` keeps the values whose text holds it (any case), so any value
of a column with millions of them can be found. The counts are computed once per (session
version, filters, column) in the background and cached; a search reads the cached counts.
The filter made from the checked values is an ordinary ``in`` / ``not_in`` view filter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hydroml_jupyter.analysis._core import py_scalar, sorted_counts, text_order, top_positions
from hydroml_jupyter.analysis.stats import text_counts
from hydroml_jupyter.widgets.headerstats import cached, rows_kept, snapshot
from hydroml_jupyter.widgets.protocol import (
    ProtocolError,
    Reply,
    column_kind,
    int_field,
    reply,
    str_field,
)

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.grid import DataGrid

__all__ = ["LIMIT", "MAX_LIMIT", "Counted", "count_values", "request"]

#: Values listed when the request gives no ``limit``; the most it may ask for.
LIMIT = 200
MAX_LIMIT = 1000
#: The kinds a value list is offered for.
KINDS = ("text", "category", "integer", "boolean")
# Integers past this lose digits in the browser's numbers.
_SAFE = 2**53 - 1


@dataclasses.dataclass
class Counted:
    """The distinct non-null values of some rows and their counts.

    ``values`` is an Arrow array (text) or a NumPy array in ascending value order;
    ``order`` returns, of some positions, the ``m`` smallest in value order.
    """

    rows: int
    nulls: int
    values: Any
    counts: np.ndarray
    order: Callable[[np.ndarray, int], np.ndarray] | None
    texts: pa.Array | None = None

    def value(self, i: int) -> Any:
        """Return the ``i``-th value as a JSON scalar."""
        if isinstance(self.values, pa.Array):
            return self.values[i].as_py()
        return py_scalar(self.values[i])

    def text(self) -> pa.Array:
        """Every value as the text a search matches (made once)."""
        if self.texts is None:
            if isinstance(self.values, pa.Array):
                self.texts = self.values
            else:
                self.texts = pa.array([str(self.value(i)) for i in range(len(self.values))])
        return self.texts


def count_values(series: pd.Series, keep: np.ndarray | None) -> Counted:
    """Count the distinct values of ``series`` in the rows ``keep`` marks (all: ``None``).

    Examples
    --------
    >>> c = count_values(pd.Series(["b", "a", "b", None]), None)
    >>> c.rows, c.nulls, [c.value(i) for i in range(len(c.counts))], c.counts.tolist()
    (4, 1, ['b', 'a'], [2, 1])
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(series.cat.codes.to_numpy()).astype(np.intp)
        codes = codes if keep is None else codes[keep]
        tally = np.bincount(codes + 1, minlength=len(dtype.categories) + 1)
        present = np.flatnonzero(tally[1:])
        values = np.asarray(dtype.categories, dtype=object)[present]
        return Counted(len(codes), int(tally[0]), values, tally[1:][present], None)
    if column_kind(series) == "text":
        array = pa.array(series if dtype == np.dtype(object) else series.array, from_pandas=True)
        if keep is not None:
            array = array.filter(pa.array(keep))
        values, counts = text_counts(array)
        return Counted(len(array), array.null_count, values, counts, text_order(values))
    kept = series if keep is None else series[keep]
    missing = np.asarray(kept.isna().to_numpy(), dtype=bool)
    nulls = int(np.count_nonzero(missing))
    present_values = kept[~missing] if nulls else kept
    np_dtype: Any = getattr(dtype, "numpy_dtype", dtype)
    uniq, counts = sorted_counts(present_values.to_numpy(dtype=np_dtype))
    return Counted(len(kept), nulls, uniq, counts, None)


def listing(counted: Counted, search: str, limit: int) -> tuple[list[list[Any]], int]:
    """Return the first ``limit`` values holding ``search`` (any case), and how many do."""
    positions: np.ndarray | None = None
    counts = counted.counts
    if search:
        matched = pc.match_substring(counted.text(), search, ignore_case=True)
        positions = np.flatnonzero(matched.fill_null(False).to_numpy(zero_copy_only=False))
        counts = counts[positions]
    order = counted.order
    if order is not None and positions is not None:
        order = _within(order, positions)
    chosen = top_positions(counts, limit, order)
    if positions is not None:
        chosen = positions[chosen]
    values = [[counted.value(int(i)), int(counted.counts[i])] for i in chosen]
    return values, len(counts)


def _within(
    order: Callable[[np.ndarray, int], np.ndarray], at: np.ndarray
) -> Callable[[np.ndarray, int], np.ndarray]:
    """``order`` for positions into ``at`` (ascending positions of the full list)."""

    def sub_order(chosen: np.ndarray, m: int) -> np.ndarray:
        return np.searchsorted(at, order(at[chosen], m))

    return sub_order


def request(grid: DataGrid, content: dict[str, Any]) -> None:
    """Answer ``values`` in the background: a column's values and counts, bounded."""
    view = grid.grid_view
    snap = snapshot(view)
    name = str_field(content, "column", "values")
    label = snap.names.label(name, "values")
    search = str_field(content, "search", "values", required=False) or ""
    limit = LIMIT if content.get("limit") is None else int_field(content, "limit", "values")
    if not 1 <= limit <= MAX_LIMIT:
        raise ProtocolError(f"values: limit must be from 1 to {MAX_LIMIT:,}, not {limit!r}")
    series = snap.frame[label]
    kind = column_kind(series)
    if kind not in KINDS:
        raise ProtocolError(
            f"values: {name!r} is a {kind} column; values are listed for {', '.join(KINDS)} columns"
        )

    def work() -> Reply:
        entry = cached(view, snap)
        key = ("values", label)
        counted = entry.values.get(key)
        if counted is None:
            keep = rows_kept(snap, entry, leave_out=label)
            counted = entry.values[key] = count_values(series, keep)
        if kind == "integer" and len(counted.counts):
            low, high = int(counted.values[0]), int(counted.values[-1])
            if max(-low, high) > _SAFE:
                wide = low if -low > high else high
                raise ProtocolError(
                    f"values: {name!r} holds integers beyond ±2**53 ({wide}), which the "
                    "browser cannot hold exactly; filter it by range instead"
                )
        values, matching = listing(counted, search, limit)
        for value, _count in values:
            if not isinstance(value, str | int | float | bool):
                raise ProtocolError(
                    f"values: {name!r} holds {type(value).__name__} values such as "
                    f"{value!r}, which a filter by value cannot hold"
                )
        body = reply(
            "values",
            content["request"],
            version=snap.version,
            filters=snap.filter_dicts,
            column=name,
            rows=counted.rows,
            nulls=counted.nulls,
            distinct=matching,
            complete=matching <= limit,
            values=values,
        )
        return body, None

    grid._in_background(content, work)
