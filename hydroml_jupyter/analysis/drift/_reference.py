"""The training reference: a compact, JSON-only summary of each column of a frame.

Numbers keep their decile edges with the count in each bin, their missing rate, range,
mean and standard deviation, and a bounded random sample (for Kolmogorov-Smirnov);
categories keep the counts of their most frequent values and the count of the rest.
A reference is plain JSON (never pickle), so it can be stored with a run and read back
in another process.

Examples
--------
>>> import pandas as pd
>>> ref = build_reference(pd.DataFrame({"x": [1.0, 2.0, None], "c": ["a", "b", "a"]}))
>>> ref.column("c").categories, ref.column("x").missing
({'a': 2, 'b': 1}, 1)
>>> Reference.from_json(ref.to_json()) == ref
True
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.labels import Label

__all__ = [
    "FORMAT",
    "ColumnReference",
    "Reference",
    "ReferenceError",
    "build_reference",
    "numeric_values",
]

#: The version written in every reference; a reference of another version is refused.
FORMAT = 1
#: How many of a column's most frequent categories a reference keeps.
TOP_CATEGORIES = 200
#: How many values of a numeric column a reference keeps for Kolmogorov-Smirnov.
SAMPLE_SIZE = 5000
_QUANTILES = np.linspace(0.1, 0.9, 9)
#: A stored reference larger than this is refused before it is parsed.
MAX_BYTES = 64 * 1024 * 1024


class ReferenceError(ValueError):
    """A reference that is not one: wrong format, missing or mistyped fields."""


@dataclasses.dataclass(frozen=True)
class ColumnReference:
    """One column of the training frame, summarised.

    ``kind`` is ``numeric`` (numbers, dates as seconds since 1970, durations in seconds) or
    ``categorical`` (text, categories, True/False). Numeric columns fill ``edges`` (inner bin edges,
    a bin ``(e[i-1], e[i]]``), ``counts`` (one more than the edges), ``low``, ``high``,
    ``mean``, ``std`` and ``sample``; categorical ones fill ``categories`` (value as text
    to count, most frequent first), ``other`` (rows with any other value) and
    ``distinct``.
    """

    name: str
    kind: str
    dtype: str
    rows: int
    missing: int
    edges: list[float] = dataclasses.field(default_factory=list)
    counts: list[int] = dataclasses.field(default_factory=list)
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    std: float | None = None
    sample: list[float] = dataclasses.field(default_factory=list)
    categories: dict[str, int] = dataclasses.field(default_factory=dict)
    other: int = 0
    distinct: int = 0

    @property
    def missing_rate(self) -> float:
        """Share of the column's rows that are missing."""
        return self.missing / self.rows if self.rows else 0.0

    @property
    def complete(self) -> bool:
        """Whether every training category is listed (so any other value is unseen)."""
        return self.other == 0


@dataclasses.dataclass(frozen=True)
class Reference:
    """A frame's reference: its columns and, for a run, its target, task and metrics."""

    rows: int
    columns: tuple[ColumnReference, ...]
    target: str | None = None
    task: str | None = None
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)

    def column(self, name: str) -> ColumnReference:
        """Return the reference of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """The columns' names, in the frame's order."""
        return [c.name for c in self.columns]

    def to_json(self) -> str:
        """Return the reference as JSON text."""
        # shallow: dataclasses.asdict deep-copies every sampled value (seconds, not ms)
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["columns"] = [
            {f.name: getattr(c, f.name) for f in dataclasses.fields(c)} for c in self.columns
        ]
        data["format"] = FORMAT
        return json.dumps(data, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Reference:
        """Read a reference written by :meth:`to_json`, checking every field's type.

        Raises
        ------
        ReferenceError
            When the text is too large, not JSON, of another format, or a field is
            missing or of the wrong type.
        """
        if len(text) > MAX_BYTES:
            raise ReferenceError(f"the reference is {len(text)} bytes, over {MAX_BYTES}")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReferenceError(f"the reference is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ReferenceError(f"the reference is not of format {FORMAT}")
        try:
            columns = tuple(_column(c) for c in data["columns"])
            metrics = {str(k): float(v) for k, v in dict(data.get("metrics") or {}).items()}
            target, task = data.get("target"), data.get("task")
            if not all(v is None or isinstance(v, str) for v in (target, task)):
                raise TypeError("target and task must be text")
            return cls(int(data["rows"]), columns, target, task, metrics)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReferenceError(f"the reference has a bad field: {exc}") from None


def _column(raw: Any) -> ColumnReference:
    if not isinstance(raw, dict) or raw.get("kind") not in ("numeric", "categorical"):
        raise TypeError("a column must be an object of kind numeric or categorical")
    floats = [float(v) for v in raw.get("edges", [])]
    cats = raw.get("categories", {})
    if not isinstance(cats, dict) or not isinstance(raw["name"], str):
        raise TypeError("names and categories must be text")

    def maybe(key: str) -> float | None:
        return None if raw.get(key) is None else float(raw[key])

    return ColumnReference(
        name=raw["name"],
        kind=raw["kind"],
        dtype=str(raw["dtype"]),
        rows=int(raw["rows"]),
        missing=int(raw["missing"]),
        edges=floats,
        counts=[int(v) for v in raw.get("counts", [])],
        low=maybe("low"),
        high=maybe("high"),
        mean=maybe("mean"),
        std=maybe("std"),
        sample=[float(v) for v in raw.get("sample", [])],
        categories={str(k): int(v) for k, v in cats.items()},
        other=int(raw.get("other", 0)),
        distinct=int(raw.get("distinct", 0)),
    )


def kind_of(series: pd.Series) -> str:
    """Return ``numeric`` for numbers, dates and durations, ``categorical`` for the rest."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        return "numeric"
    return "categorical"


def numeric_values(series: pd.Series) -> np.ndarray:
    """Return the column's finite values as float64 (dates as seconds since 1970).

    Durations are in seconds too.

    Examples
    --------
    >>> numeric_values(pd.Series(pd.to_timedelta(["1min", None, "2s"]))).tolist()
    [60.0, 2.0]
    """
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        values = series.dropna().dt.total_seconds().to_numpy(dtype="float64")
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dropna()
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        values = stamps.astype("datetime64[ns]").astype("int64").to_numpy() / 1e9
    else:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    return values[np.isfinite(values)]


def category_counts(series: pd.Series) -> pd.Series:
    """Return the counts of the column's values as text, most frequent first."""
    counts = series.value_counts(dropna=True, sort=True)
    counts = counts[counts > 0]  # a categorical dtype lists its unused categories too
    counts.index = counts.index.map(str)
    return counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")


def _sig(values: np.ndarray) -> list[float]:
    """Return ``values`` to 7 significant digits (short in JSON, exact enough for KS).

    ``k / 10**n`` is the double nearest the decimal, so its repr is that short decimal.
    """
    out = values.astype("float64")
    nonzero = out != 0
    with np.errstate(divide="ignore"):
        digits = 6 - np.floor(np.log10(np.abs(out), where=nonzero, out=np.zeros_like(out)))
    up = np.clip(digits, 0, 300)
    down = np.clip(-digits, 0, 300)
    scaled = np.where(digits >= 0, np.round(out * 10.0**up) / 10.0**up, out)
    scaled = np.where(digits < 0, np.round(out / 10.0**down) * 10.0**down, scaled)
    rounded: list[float] = np.where(np.isfinite(scaled), scaled, out).tolist()
    return rounded


def _numeric(name: str, series: pd.Series, seed: int) -> ColumnReference:
    values = numeric_values(series)
    missing = len(series) - len(values)
    if not len(values):
        return ColumnReference(name, "numeric", str(series.dtype), len(series), missing)
    edges = np.unique(np.quantile(values, _QUANTILES))
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    rng = np.random.default_rng(seed)
    if len(values) <= SAMPLE_SIZE:
        sample = values
    else:
        sample = values[rng.choice(len(values), SAMPLE_SIZE, replace=False, shuffle=False)]
    # values near the float limits can overflow the mean: JSON cannot hold inf
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(values.mean())
        std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return ColumnReference(
        name,
        "numeric",
        str(series.dtype),
        len(series),
        missing,
        edges=[float(e) for e in edges],
        counts=[int(c) for c in counts],
        low=float(values.min()),
        high=float(values.max()),
        mean=mean if math.isfinite(mean) else None,
        std=std if math.isfinite(std) else 0.0,
        sample=_sig(sample),
    )


def _categorical(name: str, series: pd.Series) -> ColumnReference:
    counts = category_counts(series)
    top = counts.iloc[:TOP_CATEGORIES]
    return ColumnReference(
        name,
        "categorical",
        str(series.dtype),
        len(series),
        int(series.isna().sum()),
        categories={str(k): int(v) for k, v in top.items()},
        other=int(counts.iloc[TOP_CATEGORIES:].sum()),
        distinct=len(counts),
    )


def build_reference(
    df: pd.DataFrame,
    target: Label | None = None,
    task: str | None = None,
    metrics: dict[str, float] | None = None,
    seed: int = 0,
) -> Reference:
    """Summarise every column of ``df`` (column names are kept as text).

    Parameters
    ----------
    df
        The frame, e.g. the features and target a run trained on.
    target, task, metrics
        The run's target column, task and validation metrics, kept for later checks.
    seed
        Seed of the bounded sample of each numeric column.
    """
    cols = []
    for i, (label, series) in enumerate(df.items()):
        name = str(label)
        if kind_of(series) == "numeric":
            cols.append(_numeric(name, series, seed + i))
        else:
            cols.append(_categorical(name, series))
    finite = {str(k): float(v) for k, v in (metrics or {}).items() if math.isfinite(v)}
    return Reference(len(df), tuple(cols), None if target is None else str(target), task, finite)
