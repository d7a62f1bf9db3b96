"""Operations describe themselves, and every face is derived from that description.

A throwaway operation, defined here and registered only for one test, gets a sidebar
form, a recipe short form, completion and help without any other file changing.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from collections.abc import Iterator
from dataclasses import field
from pathlib import Path
from typing import Literal, get_args

import pandas as pd
import pytest
from conftest import hydroml
from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from test_widgets_protocol import Driver

import hydroml_jupyter as hj
from hydroml_jupyter.engine import OperationSpec, describe
from hydroml_jupyter.engine.codegen import col, literal, name
from hydroml_jupyter.engine.ops import (
    Operation,
    ShortForm,
    make_operation,
    param,
    register,
    unregister,
)
from hydroml_jupyter.engine.ops.base import Label
from hydroml_jupyter.engine.ops.encode import Method, Scale
from hydroml_jupyter.engine.ops.kinds import COLUMN_KINDS
from hydroml_jupyter.engine.ops.spec import WIDGETS
from hydroml_jupyter.engine.recipe import FORMAT, VERSION
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.magics import completion, expect, ophelp, recipe
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.ophelp import operations_help, recipe_help
from hydroml_jupyter.magics.recipe import parse_line
from hydroml_jupyter.widgets import Studio
from hydroml_jupyter.widgets import forms as form_module
from hydroml_jupyter.widgets.forms import decode_params, forms
from hydroml_jupyter.widgets.protocol import ColumnNames

pytestmark = pytest.mark.usefixtures("magics_env")

CUSTOMERS = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "customers.csv"


@dataclasses.dataclass(frozen=True, repr=False)
class CapValues(Operation):
    """Cap numeric columns at ``upper``: larger values become ``upper``, or missing."""

    name = "cap_values"
    summary = "Cap large values"
    short_form = ShortForm(example="cap_values monthly_spend 100 --how missing")

    columns: list[Label] = field(metadata=param("the numeric columns to cap", columns="numeric"))
    upper: float = field(metadata=param("the largest value kept", placeholder="e.g. 100", order=-1))
    how: Literal["clip", "missing"] = field(
        default="clip",
        metadata=param("clip: larger values become upper; missing: they go", advanced=True),
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        for column in self.columns:
            s = df[column]
            out[column] = s.clip(upper=self.upper) if self.how == "clip" else s.mask(s > self.upper)
        return out

    def code(self, var: str = "df") -> str:
        lines = []
        for column in self.columns:
            s, upper = col(var, column), literal(self.upper)
            how = f"clip(upper={upper})" if self.how == "clip" else f"mask({s} > {upper})"
            lines.append(f"{s} = {s}.{how}")
        return "\n".join(lines)

    def label(self) -> str:
        return f"Cap {', '.join(map(name, self.columns))} at {self.upper} ({self.how})"


@pytest.fixture
def cap_values() -> Iterator[type[CapValues]]:
    register(CapValues)
    try:
        yield CapValues
    finally:
        unregister("cap_values")
    assert "cap_values" not in hj.catalog()
    assert "cap_values" not in {f["name"] for f in forms()}


@pytest.fixture
def customers(ctx: Context) -> Iterator[hj.Session]:
    session = hj.open(CUSTOMERS)
    ctx.use(session)
    yield session


def completions(shell: InteractiveShell, text: str) -> list[str]:
    with provisionalcompleter():
        return [c.text for c in shell.Completer.completions(text, len(text))]


def test_a_new_operation_is_one_class_and_every_face_knows_it(
    cap_values: type[CapValues], shell: InteractiveShell, ctx: Context, customers: hj.Session
) -> None:
    # The engine: described from its fields, one label read as a list of one.
    spec = describe("cap_values")
    assert isinstance(spec, OperationSpec) and spec.summary == "Cap large values"
    assert spec.param("columns").columns == "numeric" and spec.param("columns").many
    assert spec.param("how").choices == ("clip", "missing")
    assert make_operation("cap_values", {"columns": "x", "upper": 1}).params["columns"] == ["x"]

    # The sidebar: a form, and a request through it applies the operation.
    (form,) = [f for f in forms() if f["name"] == "cap_values"]
    assert form == {
        "name": "cap_values",
        "summary": "Cap large values",
        "description": "Cap numeric columns at ``upper``: larger values become ``upper``, "
        "or missing.",
        "params": [
            {"name": "upper", "type": "value", "required": True, "placeholder": "e.g. 100"},
            {"name": "columns", "type": "columns", "required": True, "kinds": ["integer", "float"]},
            {
                "name": "how",
                "type": "choice",
                "choices": ["clip", "missing"],
                "required": False,
                "default": "clip",
                "advanced": True,
            },
        ],
    }
    widget = Studio(customers)
    try:
        assert "cap_values" in {f["name"] for f in widget.catalog}
        reply = Driver(widget).ok(
            "apply", op="cap_values", params={"columns": ["monthly_spend"], "upper": 50}
        )
        assert reply["kind"] != "error" and customers.df["monthly_spend"].max() == 50
    finally:
        widget.close()
    customers.undo()

    # The recipe cell: a derived short form, shown in the help with its example.
    assert parse_line("cap_values monthly_spend 'Annual Income ($)' 100 --how missing") == (
        "cap_values",
        {"columns": ["monthly_spend", "Annual Income ($)"], "upper": 100, "how": "missing"},
    )
    with capture_output() as cap:
        shell.run_cell_magic("hydroml", "recipe", "cap_values monthly_spend 60\n")
    assert "recipe applied 1 step" in cap.stdout
    assert customers.history[-1].label == "Cap monthly_spend at 60 (clip)"
    assert "df['monthly_spend'] = df['monthly_spend'].clip(upper=60)" in customers.code()
    usage = "cap_values COL [COL ...] UPPER [--how clip|missing]"
    assert usage in recipe_help() and "cap_values monthly_spend 100 --how missing" in recipe_help()

    # Completion: only numeric columns, then the choices of an option.
    assert completions(shell, "%%hydroml recipe\ncap_values ") == [
        "'Annual Income ($)'",
        "'Customer ID'",
        "monthly_spend",
    ]
    assert completions(shell, "%%hydroml recipe\ncap_values monthly_spend 1 --how ") == [
        "clip",
        "missing",
    ]
    assert completions(shell, "%hydroml apply cap_values ") == ["columns=", "how=", "upper="]
    assert completions(shell, "%hydroml apply cap_values how=m") == ["missing"]

    # Help: the list of operations and the operation's own page.
    assert "cap_values columns= upper= [how=]" in operations_help()
    _, page = hydroml(shell, "help cap_values")
    assert page.startswith("cap_values: Cap large values\n")
    assert "columns=  the numeric columns to cap (required; numeric columns)" in page
    assert "how=      clip: larger values become upper; missing: they go (default 'clip'; " in page
    assert usage in page


def test_validation_accepts_the_kinds_the_faces_offer(cap_values: type[CapValues]) -> None:
    s = hj.Session(pd.DataFrame({"n": [1.0, 9.0], "t": ["a", "b"]}), name="kinds")
    with pytest.raises(OperationError, match=r"^cap_values: column 't' is str, not numeric$"):
        s.apply("cap_values", columns=["n", "t"], upper=5)
    with pytest.raises(OperationError, match=r"column 'n' is float64, not text; cast it to str"):
        s.apply("text", column="n", action="strip")
    assert s.position == 0
    s.apply("cap_values", columns="n", upper=5)
    assert s.df["n"].tolist() == [1.0, 5.0]


def test_a_short_form_must_name_the_operations_parameters() -> None:
    @dataclasses.dataclass(frozen=True, repr=False)
    class Bad(Operation):
        name = "bad_short_form"
        short_form = ShortForm(parts=())

        column: Label = field(metadata=param("a column", columns="any"))

    with pytest.raises(TypeError, match="leaves out the required parameter 'column'"):
        register(Bad)
    assert "bad_short_form" not in hj.catalog()
    with pytest.raises(ValueError, match="columns='numbers': use one of any, numeric"):
        param("x", columns="numbers")  # type: ignore[arg-type]


@pytest.mark.parametrize("op", sorted(hj.catalog()))
def test_every_example_reads_as_its_operation(op: str) -> None:
    form = describe(op).short_form
    assert form is not None and form.example.startswith(f"{op} ")
    name, params = parse_line(form.example)
    assert name == op
    make_operation(name, params)
    assert form.example in recipe_help()


# Every parameter that names several columns, and a single label for it.
MANY = [
    (op, p.name) for op in sorted(hj.catalog()) for p in describe(op).params if p.many
]  # fmt: skip


def test_the_column_lists_are_known() -> None:
    assert MANY == [
        ("dedupe", "subset"),
        ("drop_columns", "columns"),
        ("drop_missing", "columns"),
        ("fill_missing", "by"),
        ("group_aggregate", "by"),
        ("melt", "id_vars"),
        ("melt", "value_vars"),
        ("merge", "on"),
        ("merge", "left_on"),
        ("pivot", "index"),
        ("pivot", "values"),
        ("reorder_columns", "columns"),
        ("round", "columns"),
        ("scale", "columns"),
        ("sort_rows", "by"),
        ("window", "by"),
        ("window", "order_by"),
    ]


#: The required parameters an operation needs besides the column list tested.
REQUIRED: dict[str, dict[str, object]] = {
    "fill_missing": {"column": "x", "strategy": "mean"},
    "group_aggregate": {"aggs": {"b": "sum"}},
    "melt": {"id_vars": ["i"]},
    "merge": {"other": "planes.csv"},
    "pivot": {"index": ["i"], "columns": "c", "values": ["v"]},
    "window": {"column": "x", "func": "shift"},
}


@pytest.mark.parametrize(("op", "key"), MANY)
def test_a_column_list_is_a_list_however_it_was_given(op: str, key: str) -> None:
    extra = {k: v for k, v in REQUIRED.get(op, {}).items() if k != key}
    made = make_operation(op, {key: "a", **extra})
    assert getattr(made, key) == ["a"] and made.params[key] == ["a"]
    built = hj.catalog()[op](**{key: ("a", 3), **extra})
    assert getattr(built, key) == ["a", 3]
    # A recipe written before, with one label where a list goes, still loads.
    old = {
        "format": FORMAT,
        "version": VERSION,
        "steps": [{"op": op, "params": {key: "a", **extra}}],
    }
    (step,) = hj.Recipe.from_json(json.dumps(old)).steps
    assert getattr(step, key) == ["a"]


def test_a_wrong_column_list_says_what_it_takes() -> None:
    with pytest.raises(OperationError) as err:
        make_operation("scale", {"columns": 1.5})
    assert str(err.value) == (
        "scale: parameter 'columns' must be a string or an integer or a list of a string "
        "or an integer, not 1.5"
    )


def test_choices_are_defined_once() -> None:
    methods = list(get_args(Method))
    (form,) = [f for f in forms() if f["name"] == "scale"]
    assert form["params"][1]["choices"] == methods
    assert "--method standard|minmax|robust" in recipe_help()
    assert describe(Scale).param("method").choices == tuple(methods)


def test_decoding_follows_the_description(cap_values: type[CapValues]) -> None:
    names = ColumnNames(pd.Index(["a", 3]))
    assert decode_params("cap_values", {"columns": ["3", "a"], "upper": 1}, names) == {
        "columns": [3, "a"],
        "upper": 1,
    }


def _strings(module: object) -> set[str]:
    """Return the string constants of a module's code, docstrings left out."""
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    }


@pytest.mark.parametrize("module", [form_module, recipe, expect, completion, ophelp])
def test_no_face_names_an_operation(module: object) -> None:
    # "text" is also a widget and a column kind: those words are the faces' own.
    names = set(hj.catalog()) - set(WIDGETS) - set(COLUMN_KINDS)
    assert sorted(names & _strings(module)) == []
