"""The sidebar's operation forms, and the decoding of the parameters they send back.

Each form is built from the operation's dataclass fields and type hints; :data:`OVERRIDES`
says what hints cannot (free text that is a dtype or a formula, the two sides of a mapping,
the column kinds an operation requires).
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from hydroml_jupyter.engine.ops import catalog
from hydroml_jupyter.engine.ops.aggregate import AGG_FUNCS
from hydroml_jupyter.engine.ops.base import Label, Operation
from hydroml_jupyter.engine.ops.cast import DTYPES
from hydroml_jupyter.widgets.protocol import ColumnNames, ProtocolError

__all__ = ["OVERRIDES", "PARAM_TYPES", "decode_params", "forms"]

#: Every parameter ``type`` a form may use.
PARAM_TYPES = (
    "column",
    "columns",
    "choice",
    "bool",
    "text",
    "dtype",
    "expression",
    "value",
    "mapping",
)

_COMMON_DTYPES = ("Int64", "int64", "float64", "str", "string", "category", "bool", "boolean")

#: What type hints cannot say, by ``(operation, parameter)``; merged over the hint's spec.
OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("cast", "dtype"): {
        "type": "dtype",
        "choices": [*_COMMON_DTYPES, *(d for d in DTYPES if d not in _COMMON_DTYPES)],
    },
    ("formula", "expr"): {"type": "expression"},
    # The formula's target may be a new column: a name typed in, not picked.
    ("formula", "column"): {"type": "text"},
    ("rename", "columns"): {
        "type": "mapping",
        "key": {"type": "column"},
        "value": {"type": "text"},
    },
    ("replace", "mapping"): {
        "type": "mapping",
        "key": {"type": "value"},
        "value": {"type": "value"},
    },
    # Several pairs for one column ask for several aggregations of it.
    ("group_aggregate", "aggs"): {
        "type": "mapping",
        "key": {"type": "column"},
        "value": {"type": "choice", "choices": list(AGG_FUNCS)},
    },
    # One direction for every key (the engine also takes one per key).
    ("sort_rows", "ascending"): {"type": "bool"},
    ("scale", "columns"): {"kinds": ["integer", "float"]},
    ("text", "column"): {"kinds": ["text", "category"]},
}

# Mappings whose repeated keys collect their values into a list.
_COLLECTING = {("group_aggregate", "aggs")}
# Free-text parameters that name a column when the name is one.
_COLUMN_NAMES = {("formula", "column")}


# -- forms ------------------------------------------------------------------------------------
def _forms() -> tuple[dict[str, Any], ...]:
    return _forms_of(tuple(sorted(catalog().items())))


@cache
def _forms_of(ops: tuple[tuple[str, type[Operation]], ...]) -> tuple[dict[str, Any], ...]:
    return tuple(_form(name, cls) for name, cls in ops)


def forms() -> list[dict[str, Any]]:
    """Return one ``OpForm`` per operation of the catalog, sorted by name (a fresh copy)."""
    return copy.deepcopy(list(_forms()))


def form(op: str) -> dict[str, Any] | None:
    """Return the form of operation ``op`` (not a copy: do not change it), if there is one."""
    return next((f for f in _forms() if f["name"] == op), None)


def _form(name: str, cls: type[Operation]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    params = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        spec: dict[str, Any] = {"name": field.name, **_spec_from_hint(hints[field.name])}
        default = _default(field)
        spec["required"] = default is dataclasses.MISSING
        if default is not dataclasses.MISSING:
            spec["default"] = default
        spec.update(copy.deepcopy(OVERRIDES.get((name, field.name), {})))
        params.append(spec)
    doc = (cls.__doc__ or "").strip().splitlines()
    return {
        "name": name,
        "summary": cls.summary,
        "description": doc[0] if doc else "",
        "params": params,
    }


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def _spec_from_hint(hint: Any) -> dict[str, Any]:
    options = _options(hint)
    if sorted(options, key=repr) == [int, str]:
        return {"type": "column"}
    if any(get_origin(o) is list and set(_options(get_args(o)[0])) == {str, int} for o in options):
        return {"type": "columns"}
    if len(options) == 1 and get_origin(options[0]) is Literal:
        return {"type": "choice", "choices": list(get_args(options[0]))}
    if bool in options:
        return {"type": "bool"}
    if any(get_origin(o) is dict for o in options):
        return {"type": "mapping", "key": {"type": "value"}, "value": {"type": "value"}}
    if options == [str]:
        return {"type": "text"}
    return {"type": "value"}


def _options(hint: Any) -> list[Any]:
    """Return the members of a union hint, ``None`` left out (a flat list, in order)."""
    if hint is Label:
        return [str, int]
    if get_origin(hint) in (Union, types.UnionType):
        out: list[Any] = []
        for member in get_args(hint):
            out += [m for m in _options(member) if m not in out]
        return out
    return [] if hint is type(None) else [hint]


# -- decoding ---------------------------------------------------------------------------------
def decode_params(op: str, params: Any, names: ColumnNames) -> dict[str, Any]:
    """Turn a form's JSON parameters into the engine's: names to labels, pairs to dicts.

    Parameters the form does not know are passed on unchanged, for the engine to refuse
    with its own message; so are column names the frame does not have.

    Raises
    ------
    ProtocolError
        When ``params`` is not an object, or a mapping is not a list of ``[key, value]``
        pairs (or has a key twice).
    """
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise ProtocolError(f"{op}: params must be an object of named values, not {params!r}")
    spec = form(op) if isinstance(op, str) else None
    by_name = {p["name"]: p for p in spec["params"]} if spec else {}
    return {
        key: _decode(value, by_name[key], names, (op, key)) if key in by_name else value
        for key, value in params.items()
    }


def _decode(value: Any, spec: dict[str, Any], names: ColumnNames, where: tuple[str, str]) -> Any:
    kind = spec["type"]
    if kind == "column" or (kind == "text" and where in _COLUMN_NAMES):
        return _label(value, names)
    if kind == "columns":
        return (
            [_label(v, names) for v in value] if isinstance(value, list) else _label(value, names)
        )
    if kind == "mapping":
        return _mapping(value, spec, names, where)
    return value


def _label(value: Any, names: ColumnNames) -> Any:
    if isinstance(value, str):
        label = names.get(value)
        return value if label is None else label
    return value


def _mapping(value: Any, spec: dict[str, Any], names: ColumnNames, where: tuple[str, str]) -> Any:
    op, param = where
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        pairs = [(k, v) for k, v in value]
    else:
        raise ProtocolError(f"{op}: {param} must be a list of [key, value] pairs, not {value!r}")
    out: dict[Any, Any] = {}
    for raw_key, raw_value in pairs:
        key = _decode(raw_key, spec["key"], names, where)
        item = _decode(raw_value, spec["value"], names, where)
        try:
            seen = key in out
        except TypeError:
            raise ProtocolError(
                f"{op}: {param} has a key that is not a plain value: {key!r}"
            ) from None
        if not seen:
            out[key] = item
        elif where in _COLLECTING:
            previous = out[key]
            out[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            raise ProtocolError(f"{op}: {param} has the key {raw_key!r} twice")
    return out
