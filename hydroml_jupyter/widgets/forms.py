"""The sidebar's operation forms, and the decoding of the parameters they send back.

Each form is derived from the operation's description
(:func:`~hydroml_jupyter.engine.ops.spec.describe`): its parameters' widgets, choices,
defaults and the column kinds they accept. Nothing here is specific to one operation.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from hydroml_jupyter.engine.ops import catalog, describe
from hydroml_jupyter.engine.ops.base import Operation
from hydroml_jupyter.engine.ops.spec import WIDGETS, ParamSpec
from hydroml_jupyter.widgets.protocol import ColumnNames, ProtocolError

__all__ = ["PARAM_TYPES", "decode_params", "forms"]

#: Every parameter ``type`` a form may use.
PARAM_TYPES = WIDGETS

#: The protocol's column kinds each engine column kind accepts (``any``: every column).
_PROTOCOL_KINDS: dict[str, list[str]] = {
    "numeric": ["integer", "float"],
    "text": ["text", "category"],
    "datetime": ["datetime"],
}


# -- forms ------------------------------------------------------------------------------------
def _forms() -> tuple[dict[str, Any], ...]:
    return _forms_of(tuple(sorted(catalog().items())))


@cache
def _forms_of(ops: tuple[tuple[str, type[Operation]], ...]) -> tuple[dict[str, Any], ...]:
    return tuple(_form(cls) for _, cls in ops)


def forms() -> list[dict[str, Any]]:
    """Return one ``OpForm`` per operation of the catalog, sorted by name (a fresh copy)."""
    return copy.deepcopy(list(_forms()))


def form(op: str) -> dict[str, Any] | None:
    """Return the form of operation ``op`` (not a copy: do not change it), if there is one."""
    return next((f for f in _forms() if f["name"] == op), None)


def _form(cls: type[Operation]) -> dict[str, Any]:
    spec = describe(cls)
    ordered = sorted(spec.params, key=lambda p: p.form.order)
    return {
        "name": spec.name,
        "summary": spec.summary,
        "description": spec.description,
        "params": [_param(p) for p in ordered],
    }


def _param(spec: ParamSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "type": spec.widget}
    if spec.widget == "choice":
        out["choices"] = list(spec.choices)
    if spec.widget == "mapping":
        out["key"] = _item(spec.key_widget or "value", spec.columns, ())
        out["value"] = _item(spec.value_widget or "value", None, spec.choices)
    out["required"] = spec.required
    if not spec.required:
        out["default"] = copy.deepcopy(spec.default)
    if spec.choices and spec.widget not in ("choice", "mapping"):
        out["choices"] = list(spec.choices)
    if spec.widget in ("column", "columns"):
        out.update(_kinds(spec.columns))
    if spec.form.placeholder is not None:
        out["placeholder"] = spec.form.placeholder
    if spec.form.advanced:
        out["advanced"] = True
    return out


def _item(widget: str, columns: str | None, choices: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": widget}
    if widget == "choice":
        out["choices"] = list(choices)
    if widget in ("column", "columns"):
        out.update(_kinds(columns))
    return out


def _kinds(columns: str | None) -> dict[str, Any]:
    kinds = _PROTOCOL_KINDS.get(columns or "any")
    return {} if kinds is None else {"kinds": list(kinds)}


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
    cls = catalog().get(op) if isinstance(op, str) else None
    specs = {p.name: p for p in describe(cls).params} if cls is not None else {}
    return {
        key: _decode(value, specs[key], names, op) if key in specs else value
        for key, value in params.items()
    }


def _decode(value: Any, spec: ParamSpec, names: ColumnNames, op: str) -> Any:
    if spec.widget == "mapping":
        return _mapping(value, spec, names, op)
    return _decode_one(value, spec.widget, spec.columns, names)


def _decode_one(value: Any, widget: str, columns: str | None, names: ColumnNames) -> Any:
    # A "new" column's name (a formula's target) is a label when a column has it.
    if widget == "column" or columns == "new":
        return _label(value, names)
    if widget == "columns" and isinstance(value, list):
        return [_label(v, names) for v in value]
    if widget == "columns":
        return _label(value, names)
    return value


def _label(value: Any, names: ColumnNames) -> Any:
    if isinstance(value, str):
        label = names.get(value)
        return value if label is None else label
    return value


def _mapping(value: Any, spec: ParamSpec, names: ColumnNames, op: str) -> Any:
    param = spec.name
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        pairs = [(k, v) for k, v in value]
    else:
        raise ProtocolError(f"{op}: {param} must be a list of [key, value] pairs, not {value!r}")
    out: dict[Any, Any] = {}
    for raw_key, raw_value in pairs:
        key = _decode_one(raw_key, spec.key_widget or "value", spec.columns, names)
        item = _decode_one(raw_value, spec.value_widget or "value", None, names)
        try:
            seen = key in out
        except TypeError:
            raise ProtocolError(
                f"{op}: {param} has a key that is not a plain value: {key!r}"
            ) from None
        if not seen:
            out[key] = item
        elif spec.collects:
            previous = out[key]
            out[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            raise ProtocolError(f"{op}: {param} has the key {raw_key!r} twice")
    return out
