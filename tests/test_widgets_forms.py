"""The sidebar's operation forms, and the decoding of what they send back."""

from __future__ import annotations

import json
import typing

import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine import describe
from hydroml_jupyter.engine.ops.cast import DTYPES
from hydroml_jupyter.widgets import ProtocolError
from hydroml_jupyter.widgets.forms import PARAM_TYPES, decode_params, forms
from hydroml_jupyter.widgets.protocol import KINDS, ColumnNames

SPEC_KEYS = {
    *["name", "type", "required", "default", "choices", "kinds", "key", "value"],
    *["placeholder", "advanced"],
}


def test_every_operation_has_a_form_covering_every_parameter() -> None:
    by_name = {f["name"]: f for f in forms()}
    assert sorted(by_name) == sorted(hj.catalog())
    for name, cls in hj.catalog().items():
        spec = describe(name)
        form = by_name[name]
        assert form["summary"] == cls.summary and form["summary"]
        assert form["description"] == spec.description
        assert [p["name"] for p in form["params"]] == [p.name for p in spec.params], name
        hints = typing.get_type_hints(cls)
        for param, described in zip(form["params"], spec.params, strict=True):
            assert set(param) <= SPEC_KEYS, param
            assert param["type"] in PARAM_TYPES and param["type"] == described.widget, param
            assert param["required"] is described.required, (name, param)
            if not described.required:
                assert param["default"] == described.default
            if param["type"] in ("choice", "dtype"):
                assert param["choices"], (name, param)
            if (
                param["type"] == "choice"
                and typing.get_origin(hints[param["name"]]) is typing.Literal
            ):
                assert param["choices"] == list(typing.get_args(hints[param["name"]]))
            if param["type"] == "mapping":
                assert param["key"]["type"] in PARAM_TYPES and param["value"]["type"] in PARAM_TYPES
            assert set(param.get("kinds", [])) <= set(KINDS)
            if described.columns in (None, "any", "new"):
                assert "kinds" not in param
    json.dumps(forms(), allow_nan=False)


def test_forms_say_what_the_operations_declare() -> None:
    by_name = {f["name"]: {p["name"]: p for p in f["params"]} for f in forms()}
    assert by_name["cast"]["dtype"]["type"] == "dtype"
    assert set(by_name["cast"]["dtype"]["choices"]) == set(DTYPES)
    assert by_name["cast"]["dtype"]["choices"][:3] == ["Int64", "int64", "float64"]
    assert by_name["formula"]["expr"]["type"] == "expression"
    assert by_name["rename"]["columns"]["key"] == {"type": "column"}
    assert by_name["scale"]["columns"]["kinds"] == ["integer", "float"]
    assert by_name["text"]["column"]["kinds"] == ["text", "category"]
    assert by_name["fill_missing"]["value"] == {
        "name": "value",
        "type": "value",
        "required": False,
        "default": None,
    }
    assert by_name["drop_columns"]["columns"]["type"] == "columns"
    assert by_name["filter_rows"]["column"]["type"] == "column"
    assert "kinds" not in by_name["fill_missing"]["column"]
    forms()[0]["params"].clear()
    assert forms()[0]["params"]  # every call gives a fresh copy


def test_decoding_maps_names_to_labels_and_pairs_to_dicts() -> None:
    names = ColumnNames(pd.Index(["a", 3, "b"]))
    assert decode_params("scale", {"columns": ["3", "a"]}, names) == {"columns": [3, "a"]}
    assert decode_params("drop_columns", {"columns": "3"}, names) == {"columns": 3}
    assert decode_params("cast", {"column": "3", "dtype": "str"}, names) == {
        "column": 3,
        "dtype": "str",
    }
    assert decode_params("rename", {"columns": [["3", "three"]]}, names) == {
        "columns": {3: "three"}
    }
    assert decode_params(
        "replace", {"column": "a", "mapping": [[1, "one"], [None, 0], ["3", 3]]}, names
    ) == {"column": "a", "mapping": {1: "one", None: 0, "3": 3}}
    assert decode_params(
        "group_aggregate", {"by": ["a"], "aggs": [["3", "min"], ["3", "max"], ["b", "sum"]]}, names
    ) == {"by": ["a"], "aggs": {3: ["min", "max"], "b": "sum"}}
    assert decode_params("formula", {"column": "3", "expr": "a * 2"}, names)["column"] == 3
    assert decode_params("formula", {"column": "new", "expr": "a"}, names)["column"] == "new"
    # Unknown names and parameters are left for the engine to refuse in its own words.
    assert decode_params("cast", {"column": "zz", "extra": 1}, names) == {
        "column": "zz",
        "extra": 1,
    }
    assert decode_params("no_such_op", {"x": "3"}, names) == {"x": "3"}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"columns": [["a", "x"], ["a", "y"]]}, "rename: columns has the key 'a' twice"),
        ({"columns": [["a"]]}, "must be a list of [key, value] pairs"),
        ({"columns": "a"}, "must be a list of [key, value] pairs"),
        ([["columns", 1]], "rename: params must be an object"),
    ],
)
def test_bad_mappings(params: object, fragment: str) -> None:
    with pytest.raises(ProtocolError) as info:
        decode_params("rename", params, ColumnNames(pd.Index(["a"])))
    assert fragment in str(info.value)


def test_a_list_key_is_refused() -> None:
    with pytest.raises(ProtocolError, match="has a key that is not a plain value"):
        decode_params(
            "replace", {"column": "a", "mapping": [[[1], 2]]}, ColumnNames(pd.Index(["a"]))
        )


def test_ambiguous_names_are_refused() -> None:
    names = ColumnNames(pd.Index([3, "3"]))
    assert names.names == ["3", "3"]
    with pytest.raises(ProtocolError, match=r"the name '3' stands for two columns, 3 and '3'"):
        names.label("3")
