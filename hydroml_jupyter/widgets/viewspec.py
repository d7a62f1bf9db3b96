"""A view's sort keys and filters, checked against a frame's columns, and its row windows."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from typing import Any

from hydroml_jupyter.engine.ops.base import make_operation
from hydroml_jupyter.engine.ops.rows import FilterRows
from hydroml_jupyter.labels import Label
from hydroml_jupyter.widgets.protocol import FILTER_OPS, MAX_WINDOW, ColumnNames, ProtocolError

__all__ = ["Filter", "SortKey", "parse_filters", "parse_sort", "window_bounds"]


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One sort key: a column (protocol name and frame label) and its direction."""

    name: str
    label: Label
    descending: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol shape ``{"column", "descending"}``."""
        return {"column": self.name, "descending": self.descending}


@dataclasses.dataclass(frozen=True)
class Filter:
    """One filter: ``column op value``, with ``filter_rows`` semantics."""

    name: str
    label: Label
    op: str
    value: Any = None

    @property
    def key(self) -> tuple[Label, str, str]:
        """A hashable identity (``1``, ``1.0`` and ``True`` stay distinct)."""
        return (self.label, self.op, json.dumps(self.value, sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol shape ``{"column", "op", "value"}``."""
        return {"column": self.name, "op": self.op, "value": self.value}

    def operation(self) -> FilterRows:
        """Return the ``filter_rows`` operation this filter stands for."""
        op = make_operation(
            "filter_rows", {"column": self.label, "op": self.op, "value": self.value}
        )
        assert isinstance(op, FilterRows)
        return op


def parse_sort(sort: Sequence[dict[str, Any]], names: ColumnNames) -> tuple[SortKey, ...]:
    """Check ``[{"column", "descending"}, ...]`` against ``names``; return the keys.

    Raises
    ------
    ProtocolError
        When the shape is wrong, a column is unknown or listed twice.
    """
    if not isinstance(sort, list | tuple):
        raise ProtocolError(f"sort: expected a list of sort keys, not {sort!r}")
    keys: list[SortKey] = []
    for item in sort:
        _check_keys(item, "sort", {"column"}, {"descending"})
        descending = item.get("descending", False)
        if not isinstance(descending, bool):
            raise ProtocolError(
                f"sort: descending must be true or false for {item['column']!r}, not {descending!r}"
            )
        label = names.label(item["column"], "sort")
        if any(k.label == label for k in keys):
            raise ProtocolError(f"sort: the column {item['column']!r} is listed twice")
        keys.append(SortKey(item["column"], label, descending))
    return tuple(keys)


def parse_filters(filters: Sequence[dict[str, Any]], names: ColumnNames) -> tuple[Filter, ...]:
    """Check ``[{"column", "op", "value"}, ...]`` against ``names``; return the filters.

    Whether a filter applies to its column's values is the engine's to say
    (:meth:`FilterRows.mask <hydroml_jupyter.engine.ops.rows.FilterRows.mask>`).

    Raises
    ------
    ProtocolError
        When the shape is wrong, a column or op is unknown, or a value is not JSON.
    """
    if not isinstance(filters, list | tuple):
        raise ProtocolError(f"filters: expected a list of filters, not {filters!r}")
    out: list[Filter] = []
    for item in filters:
        _check_keys(item, "filters", {"column", "op"}, {"value"})
        name, op, value = item["column"], item["op"], item.get("value")
        label = names.label(name, "filters")
        if op not in FILTER_OPS:
            raise ProtocolError(
                f"filters: unknown op {op!r} for {name!r}; use one of {', '.join(FILTER_OPS)}"
            )
        _check_json(value, name)
        out.append(Filter(name, label, op, value))
    return tuple(out)


def _check_keys(item: Any, what: str, required: set[str], optional: set[str]) -> None:
    if not isinstance(item, dict):
        raise ProtocolError(f"{what}: each item must be an object, not {item!r}")
    missing = sorted(required - item.keys())
    if missing:
        raise ProtocolError(f"{what}: {item!r} has no {missing[0]!r}")
    unknown = sorted(item.keys() - required - optional)
    if unknown:
        known = ", ".join(sorted(required | optional))
        raise ProtocolError(f"{what}: unknown key {unknown[0]!r} in {item!r}; use {known}")


def _check_json(value: Any, name: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ProtocolError(f"filters: the value for {name!r} must be finite, not {value!r}")
        return
    if isinstance(value, list):
        for item in value:
            _check_json(item, name)
        return
    raise ProtocolError(
        f"filters: the value for {name!r} must be null, true/false, a number, a string or a "
        f"list of those, not {value!r}"
    )


def window_bounds(start: object, stop: object) -> tuple[int, int]:
    """Return ``(start, stop)`` of a window of view rows, checked.

    Raises
    ------
    ProtocolError
        When ``start``/``stop`` are not integers with ``0 <= start <= stop`` or ask for
        more than 5,000 rows.
    """
    bounds: list[int] = []
    for key, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ProtocolError(f"rows: {key} must be an integer >= 0, not {value!r}")
        bounds.append(value)
    first, last = bounds
    if first > last:
        raise ProtocolError(f"rows: start ({first}) is after stop ({last})")
    if last - first > MAX_WINDOW:
        raise ProtocolError(
            f"rows: {last - first:,} rows asked for; a window holds at most {MAX_WINDOW:,}"
        )
    return first, last
