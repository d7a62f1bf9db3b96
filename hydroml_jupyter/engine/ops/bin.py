"""Bin a numeric column into ordered intervals: equal width, quantiles, or given edges."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import field
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown
from hydroml_jupyter.engine.ops.base import Label, Operation, kind_of, register
from hydroml_jupyter.engine.ops.placement import place_after, place_code
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, Value, Word
from hydroml_jupyter.engine.ops.spec import param

__all__ = ["MAX_BINS", "Bin"]

#: The most bins one step makes (a category per bin).
MAX_BINS = 1000

Method = Literal["width", "quantile", "edges"]


def _number(value: float) -> str:
    """Write an edge as a label shows it: as given (``18``, ``2.5``, ``inf``)."""
    return shown(value)


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Bin(Operation):
    """Put the values of a numeric ``column`` into bins: a new ordered categorical column.

    ``method`` ``width``: ``bins`` intervals of equal width over the column's range
    (``pd.cut``); ``quantile``: ``bins`` intervals holding about as many values each
    (``pd.qcut``); ``edges``: ``bins`` is the list of edges, increasing.

    Intervals are closed on the right, ``(a, b]``, and the lowest one holds its left
    edge too, so the smallest value is never left out. The result is an ordered
    categorical whose categories are text: ``labels`` when given (one per bin), else
    the intervals. For ``edges`` the intervals are written from the edges as given
    (``[0, 18]``, ``(18, 65]``); for ``width`` and ``quantile`` as pandas writes them
    (3 significant digits; the lowest interval's left end is shown just below the
    smallest value, which it holds). Missing values stay missing, and so do values
    outside the edges (``edges`` only: the other methods cover every value).

    The new column is named ``into`` (``<column>_bin`` by default) and placed right
    after ``column``; an existing column of that name is replaced (and moved there).

    Examples
    --------
    >>> Bin(column="age", method="edges", bins=[0, 18, 65]).label()
    'Bin age at 0, 18, 65 → age_bin (values outside: missing)'
    """

    name = "bin"
    summary = "Bin a numeric column into intervals"
    short_form = ShortForm(
        parts=(Column("column"), Word("method"), Value("bins", "BINS")),
        example="bin age width 5",
    )

    column: Label = field(metadata=param("the numeric column to bin", columns="numeric"))
    method: Method = field(
        default="width",
        metadata=param(
            "width: equal-width bins; quantile: bins of about as many values each; "
            "edges: at the edges given"
        ),
    )
    bins: int | list[float] = field(
        default=5,
        metadata=param(
            "how many bins (width, quantile), or the edges, increasing (edges)",
            placeholder="5, or [0, 18, 65, 120]",
        ),
    )
    labels: list[str] | None = field(
        default=None,
        metadata=param(
            "a name for each bin, in order (the intervals when none)",
            placeholder="[low, mid, high]",
            advanced=True,
        ),
    )
    into: Label | None = field(
        default=None,
        metadata=param(
            "the new column's name (<column>_bin when none)", columns="new", advanced=True
        ),
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def _into(self) -> Label:
        return f"{name(self.column)}_bin" if self.into is None else self.into

    def _count(self) -> int:
        return len(self.bins) - 1 if isinstance(self.bins, list) else self.bins

    def _labels(self) -> list[str] | None:
        """Return the categories' names: ``labels``, or for edges the intervals written out."""
        if self.labels is not None or self.method != "edges":
            return self.labels
        assert isinstance(self.bins, list)
        edges = [_number(e) for e in self.bins]
        first = [f"[{edges[0]}, {edges[1]}]"]
        return first + [f"({a}, {b}]" for a, b in pairwise(edges[1:])]

    # -- checks ----------------------------------------------------------------------
    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        if isinstance(self.into, str) and not self.into.strip():
            raise self.error("the new column needs a name (into=)", column=self.column)
        self._check_bins()
        count = self._count()
        if self.labels is not None:
            if len(self.labels) != count:
                raise self.error(
                    f"{len(self.labels)} labels for {count} bins of {self.column!r}; "
                    "give one label per bin",
                    column=self.column,
                    value=self.labels,
                )
            seen: set[str] = set()
            for label in self.labels:
                if label in seen:
                    raise self.error(
                        f"the label {label!r} is given twice; each bin of {self.column!r} "
                        "needs its own",
                        column=self.column,
                        value=label,
                    )
                seen.add(label)
        if self.method != "edges":
            self._check_values(df[self.column])

    def _check_bins(self) -> None:
        if self.method == "edges":
            if not isinstance(self.bins, list):
                raise self.error(
                    f"method 'edges' takes a list of edges for {self.column!r}, "
                    f"not {shown(self.bins)}; e.g. [0, 18, 65]",
                    column=self.column,
                    value=self.bins,
                )
            if len(self.bins) < 2:
                raise self.error(
                    f"the edges of {self.column!r} need at least two values, "
                    f"not {shown(self.bins)}",
                    column=self.column,
                    value=self.bins,
                )
            for edge in self.bins:
                if math.isnan(edge):
                    raise self.error(
                        f"an edge of {self.column!r} is nan, not a number",
                        column=self.column,
                        value=edge,
                    )
            for low, high in pairwise(self.bins):
                if not low < high:
                    raise self.error(
                        f"the edges of {self.column!r} must increase: {shown(low)} then "
                        f"{shown(high)}",
                        column=self.column,
                        value=[low, high],
                    )
        elif isinstance(self.bins, list):
            raise self.error(
                f"method {self.method!r} takes a count of bins for {self.column!r}, not "
                f"{shown(self.bins)}; use method 'edges' for edges",
                column=self.column,
                value=self.bins,
            )
        elif self.bins < 1:
            raise self.error(
                f"{self.column!r} needs at least 1 bin, not {self.bins}",
                column=self.column,
                value=self.bins,
            )
        if self._count() > MAX_BINS:
            raise self.error(
                f"{self._count():,} bins of {self.column!r} are too many (at most {MAX_BINS:,})",
                column=self.column,
                value=self._count(),
            )

    def _check_values(self, series: pd.Series) -> None:
        """Width and quantile bins need a finite value at least, and no infinite one."""
        if kind_of(series.dtype) == "f":
            values = series.to_numpy(dtype="float64", na_value=np.nan)
            infinite = np.flatnonzero(np.isinf(values))
            if len(infinite):
                value = values[infinite[0]]
                raise self.error(
                    f"column {self.column!r} holds {value} (row {series.index[infinite[0]]!r}): "
                    f"{self.method} bins need finite values; use method 'edges'",
                    column=self.column,
                    value=float(value),
                )
        if not series.notna().any():
            raise self.error(f"column {self.column!r} has no values to bin", column=self.column)

    def _quantile_error(self, series: pd.Series) -> Exception | None:
        """Say which value repeats when quantile edges fall together (else None)."""
        edges = series.dropna().quantile(np.linspace(0, 1, self._count() + 1))
        repeated = edges[edges.duplicated()]
        if not len(repeated):
            return None
        return self.error(
            f"{self._count()} quantile bins of {self.column!r} cannot be told apart: "
            f"the edge {shown(repeated.iloc[0])} repeats (many equal values); "
            "ask for fewer bins, or use method 'edges'",
            column=self.column,
            value=repeated.iloc[0],
        )

    # -- the step ------------------------------------------------------------------------
    def _cut(self, series: pd.Series) -> pd.Series:
        binned: pd.Series
        if self.method == "edges":
            binned = pd.cut(series, bins=self.bins, labels=self._labels(), include_lowest=True)
        elif self.method == "width":
            binned = pd.cut(series, bins=self.bins, labels=self.labels)
        else:
            try:
                binned = pd.qcut(series, q=self.bins, labels=self.labels)
            except ValueError as exc:
                raise (self._quantile_error(series) or exc) from exc
        return binned

    def _call(self, source: str) -> str:
        labels = "" if self.labels is None else f", labels={literal(self.labels)}"
        if self.method == "edges":
            return (
                f"pd.cut({source}, bins={literal(self.bins)}, labels={literal(self._labels())}, "
                "include_lowest=True)"
            )
        if self.method == "width":
            return f"pd.cut({source}, bins={literal(self.bins)}{labels})"
        return f"pd.qcut({source}, q={literal(self.bins)}{labels})"

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        into = self._into()
        out = df.copy(deep=False)
        out[into] = self._cut(df[self.column])
        if self._labels() is None:
            # The stubs want a sequence; an Index is one, and the script passes the same.
            text = out[into].cat.categories.astype("str")
            out[into] = out[into].cat.rename_categories(text)  # type: ignore[arg-type]
        return place_after(out, self.column, [into])

    def code(self, var: str = "df") -> str:
        into = self._into()
        target = col(var, into)
        lines = [f"{target} = {self._call(col(var, self.column))}"]
        if self._labels() is None:
            lines.append(
                f"{target} = {target}.cat.rename_categories({target}.cat.categories.astype('str'))"
            )
        return "\n".join(filter(None, [*lines, place_code(var, self.column, [into])]))

    def label(self) -> str:
        if isinstance(self.bins, list):
            shown_edges = [_number(e) for e in self.bins[:6]]
            how = "at " + ", ".join(shown_edges) + (", …" if len(self.bins) > 6 else "")
        else:
            kind = "equal-width" if self.method == "width" else self.method
            how = f"into {self.bins} {kind} bin{'s' if self.bins != 1 else ''}"
        named = ""
        if self.labels:
            more = f" (+{len(self.labels) - 3})" if len(self.labels) > 3 else ""
            named = " as " + ", ".join(shown(v) for v in self.labels[:3]) + more
        outside = " (values outside: missing)" if self.method == "edges" else ""
        return f"Bin {name(self.column)} {how}{named} → {name(self._into())}{outside}"

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        """Count the values outside the edges (missing in the result)."""
        if self.method != "edges":
            return []
        outside = int((before[self.column].notna() & after[self._into()].isna()).sum())
        if not outside:
            return []
        values = "value lies" if outside == 1 else "values lie"
        return [f"{outside:,} {values} outside the edges of {name(self.column)}: missing"]
