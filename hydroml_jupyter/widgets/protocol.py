"""The widget protocol's helpers: column names, request checks, replies and previews.

The protocol itself (value lists, shapes, requests and replies) is defined in
:mod:`~hydroml_jupyter.widgets.shapes` and :mod:`~hydroml_jupyter.widgets.schema`, and
described in ``docs/widget-protocol.md``.

Column names are strings in the protocol while a frame's labels may be integers:
:class:`ColumnNames` maps one to the other for one frame. Every check here raises
:class:`ProtocolError`, whose one-line message names the field, column or value at fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from hydroml_jupyter.analysis._core import jsonable
from hydroml_jupyter.engine.ops.base import kind_of
from hydroml_jupyter.engine.steps import Preview
from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import did_you_mean
from hydroml_jupyter.widgets.shapes import (
    EXPORT_FORMATS,
    FILTER_OPS,
    KINDS,
    MAX_WINDOW,
    PARAM_TYPES,
    Kind,
)

__all__ = [
    "EXPORT_FORMATS",
    "FILTER_OPS",
    "KINDS",
    "MAX_WINDOW",
    "PARAM_TYPES",
    "ColumnNames",
    "Kind",
    "ProtocolError",
    "Reply",
    "column_kind",
    "error_reply",
    "jsonable",
    "preview_dict",
    "protocol_name",
    "reply",
    "schema_of",
]

_KIND_BY_LETTER: dict[str, Kind] = {
    "i": "integer",
    "u": "integer",
    "f": "float",
    "b": "boolean",
    "M": "datetime",
    "m": "timedelta",
    "T": "text",
    "c": "category",
}
_OBJECT_KINDS: dict[str, Kind] = {
    "string": "text",
    "boolean": "boolean",
    "integer": "integer",
    "floating": "float",
    "mixed-integer-float": "float",
    "datetime": "datetime",
    "datetime64": "datetime",
    "timedelta": "timedelta",
    "timedelta64": "timedelta",
}
_KIND_SAMPLE = 1000


#: A reply: its content and its binary buffers.
Reply = tuple[dict[str, Any], list[Any] | None]


class ProtocolError(HydroMLError, ValueError):
    """A widget request that cannot be served; nothing was changed.

    The message is one line naming the request field, column or value at fault.
    """


# -- replies -----------------------------------------------------------------------------
def reply(kind: str, request: Any, **fields: Any) -> dict[str, Any]:
    """Return a reply ``{"kind": kind, "request": request, **fields}``."""
    return {"kind": kind, "request": request, **fields}


def error_reply(request: Any, message: str, **fields: Any) -> dict[str, Any]:
    """Return the error reply to ``request``; ``fields`` say more (e.g. an export's ``reason``)."""
    return {"kind": "error", "request": request, "message": message, **fields}


# -- request fields ------------------------------------------------------------------------
def request_id(content: Any) -> Any:
    """Return the ``request`` id of a message, ``None`` when it has none."""
    return content.get("request") if isinstance(content, dict) else None


def int_field(content: dict[str, Any], key: str, kind: str, *, minimum: int = 0) -> int:
    """Return ``content[key]`` checked to be an integer of at least ``minimum``."""
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{kind}: {key} must be an integer, not {value!r}")
    if value < minimum:
        raise ProtocolError(f"{kind}: {key} must be at least {minimum}, not {value!r}")
    return value


def str_field(content: dict[str, Any], key: str, kind: str, *, required: bool = True) -> Any:
    """Return ``content[key]`` checked to be a non-empty string (or absent when optional)."""
    value = content.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{kind}: {key} must be a non-empty string, not {value!r}")
    return value


def list_field(content: dict[str, Any], key: str, kind: str) -> list[Any]:
    """Return ``content[key]`` checked to be a list."""
    value = content.get(key)
    if not isinstance(value, list):
        raise ProtocolError(f"{kind}: {key} must be a list, not {value!r}")
    return value


def dict_field(content: dict[str, Any], key: str, kind: str) -> dict[str, Any]:
    """Return ``content[key]`` checked to be a dict with string keys (``{}`` when absent)."""
    value = content.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ProtocolError(f"{kind}: {key} must be an object of named values, not {value!r}")
    return value


# -- column names ----------------------------------------------------------------------------
def protocol_name(label: Label) -> str:
    """Return a column's protocol name: the label itself, or ``str(label)`` for integers."""
    return label if isinstance(label, str) else str(label)


class ColumnNames:
    """The protocol names of one frame's columns, and the labels they stand for.

    Examples
    --------
    >>> names = ColumnNames(pd.Index(["a", 3]))
    >>> names.names, names.label("3")
    (['a', '3'], 3)
    """

    def __init__(self, columns: Iterable[Label]) -> None:
        self._labels: list[Label] = list(columns)
        self.names: list[str] = [protocol_name(c) for c in self._labels]
        self._by_name: dict[str, list[Label]] = {}
        for name, label in zip(self.names, self._labels, strict=True):
            self._by_name.setdefault(name, []).append(label)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self.names)

    def label(self, name: Any, what: str = "column") -> Label:
        """Return the label of the column called ``name``.

        Raises
        ------
        ProtocolError
            When ``name`` is not a string, names no column (the closest name is
            suggested) or names two columns (``3`` and ``"3"``).
        """
        if not isinstance(name, str):
            raise ProtocolError(f"{what}: a column name must be a string, not {name!r}")
        labels = self._by_name.get(name)
        if labels is None:
            hint = did_you_mean(name, self.names)
            raise ProtocolError(f"{what}: no column named {name!r}{hint}")
        if len(labels) > 1:
            raise ProtocolError(
                f"{what}: the name {name!r} stands for two columns, {labels[0]!r} and "
                f"{labels[1]!r}; rename one of them"
            )
        return labels[0]

    def get(self, name: str) -> Label | None:
        """Return the label of ``name`` when it names exactly one column, else ``None``."""
        labels = self._by_name.get(name)
        return labels[0] if labels is not None and len(labels) == 1 else None


def column_kind(series: pd.Series) -> Kind:
    """Return the protocol :data:`Kind` of a column.

    Object columns are judged on their first 1,000 values, so this never reads a whole
    column.
    """
    dtype = series.dtype
    letter = kind_of(dtype)
    if letter in _KIND_BY_LETTER:
        return _KIND_BY_LETTER[letter]
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        sample = series.iloc[:_KIND_SAMPLE]
        inferred = pd.api.types.infer_dtype(sample, skipna=True)
        return _OBJECT_KINDS.get(inferred, "other")
    return "other"


def schema_of(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Return the ``schema`` trait of a frame: name, dtype and kind of each column, in order."""
    return [
        {"name": protocol_name(cast("Label", label)), "dtype": str(s.dtype), "kind": column_kind(s)}
        for label, s in frame.items()
    ]


# -- previews ----------------------------------------------------------------------------------
#: The most failing values a preview reply lists; ``failures_total`` counts them all.
MAX_FAILURES = 100


def _text(value: Any) -> str | None:
    value = jsonable(value)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def preview_dict(preview: Preview) -> dict[str, Any]:
    """Return a :class:`~hydroml_jupyter.engine.Preview` as the protocol's ``Preview`` object.

    Failing values are listed up to :data:`MAX_FAILURES` (``failures_total`` counts them
    all); ``changed`` lists only the columns with changed values. Sample cells are strings,
    ``None`` for missing values; sample columns pair each changed column's values before
    and after.
    """
    failures = preview.failures
    return {
        "op": preview.op,
        "label": preview.label,
        "ok": preview.ok,
        "error": preview.error,
        "rows_before": int(preview.rows_before),
        "rows_after": int(preview.rows_after),
        "columns_added": [protocol_name(c) for c in preview.columns_added],
        "columns_removed": [protocol_name(c) for c in preview.columns_removed],
        "dtypes_changed": {
            protocol_name(c): [before, after]
            for c, (before, after) in preview.dtypes_changed.items()
        },
        "changed": {protocol_name(c): int(n) for c, n in preview.changed.items() if n},
        "failures": [
            {"row": jsonable(f.row), "column": protocol_name(f.column), "value": jsonable(f.value)}
            for f in failures[:MAX_FAILURES]
        ],
        "failures_total": len(failures),
        "sample": _sample_dict(preview.sample),
        "notes": [str(note) for note in preview.notes],
    }


def _sample_dict(sample: pd.DataFrame | None) -> dict[str, Any] | None:
    if sample is None:
        return None
    # pandas-stubs type a frame's columns as Index[str]; a sample's are (side, label) pairs.
    pairs: list[tuple[str, Label]] = list(sample.columns)  # type: ignore[arg-type]
    order: list[tuple[str, Label]] = []
    for side, label in pairs:
        if side == "after":
            if ("before", label) in pairs:
                order.append(("before", label))
            order.append(("after", label))
    columns = [f"{protocol_name(label)} ({side})" for side, label in order]
    rows = [[_text(sample[key].iloc[i]) for key in order] for i in range(len(sample))]
    return {"columns": columns, "rows": rows}
