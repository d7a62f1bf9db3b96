"""The widget protocol is defined once: the generated files, the handlers and the widgets agree.

The definitions are ``widgets/shapes.py`` and ``widgets/schema.py``. Checked here: the
committed TypeScript and documentation are what the generator writes; every request kind has
exactly one handler; each widget answers exactly the requests defined for its kind; and every
reply and trait a real widget sends matches its declared shape, key for key.
"""

from __future__ import annotations

import itertools
import json
import re
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import anywidget
import numpy as np
import pandas as pd
import pytest

from hydroml_jupyter.experiments import TrainingRun
from hydroml_jupyter.widgets import DataGrid, ExperimentPanel, Sidebar, Studio, generate
from hydroml_jupyter.widgets.requests import HANDLERS
from hydroml_jupyter.widgets.schema import REQUEST_KINDS, REQUESTS, ErrorReply, answers, request
from hydroml_jupyter.widgets.shapes import PARAM_TYPES, TRAITS, WIDGET_KINDS

ROOT = Path(__file__).resolve().parent.parent
WIDGETS = (DataGrid, Sidebar, Studio, ExperimentPanel)


# -- a shape checker -------------------------------------------------------------------------
def problems(value: Any, hint: Any, where: str = "reply") -> list[str]:
    """Return how a JSON value differs from a declared type (``[]`` when it matches)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return []
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object ({hint.__name__})"]
        hints = get_type_hints(hint)
        found = [f"{where}: no {key!r}" for key in hint.__required_keys__ if key not in value]
        found += [f"{where}: undeclared key {key!r}" for key in value if key not in hints]
        for key, item in value.items():
            if key in hints:
                found += problems(item, hints[key], f"{where}.{key}")
        return found
    if origin is Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if origin in (Union, types.UnionType):
        if any(not problems(value, member, where) for member in args):
            return []
        return [f"{where}: {value!r} matches none of {hint}"]
    if origin is list or origin is tuple:
        if not isinstance(value, list) or (origin is tuple and len(value) != len(args)):
            return [f"{where}: {value!r} is not {hint}"]
        members = args if origin is tuple else [args[0]] * len(value)
        return [p for i, v in enumerate(value) for p in problems(v, members[i], f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return [
            p
            for key, item in value.items()
            for p in [*problems(key, args[0], f"{where} key"), *problems(item, args[1], where)]
        ]
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return [] if ok else [f"{where}: {value!r} is not {getattr(hint, '__name__', hint)}"]


def test_the_shape_checker_bites() -> None:
    from hydroml_jupyter.widgets.schema import RowsReply

    good = {"start": 0, "stop": 2, "version": 1, "view": 0, "rows": [0, 1]}
    assert problems(good, RowsReply) == []
    assert problems({**good, "extra": 1}, RowsReply) == ["reply: undeclared key 'extra'"]
    assert problems({**good, "rows": [0, "1"]}, RowsReply) == ["reply.rows[1]: '1' is not int"]
    assert problems({k: v for k, v in good.items() if k != "view"}, RowsReply) == [
        "reply: no 'view'"
    ]
    assert problems(True, int) and problems(None, str | int) and not problems(None, str | None)


# -- generated files ---------------------------------------------------------------------------
def test_the_committed_typescript_is_generated_from_the_definitions() -> None:
    committed = generate.TS_PATH.read_text(encoding="utf-8")
    assert committed == generate.typescript(), (
        f"{generate.TS_PATH.relative_to(ROOT)} is stale: run {generate.COMMAND}"
    )


def test_the_documentation_tables_are_generated_from_the_definitions() -> None:
    committed = generate.DOCS_PATH.read_text(encoding="utf-8")
    assert committed == generate.docs(committed), (
        f"{generate.DOCS_PATH.relative_to(ROOT)} is stale: run {generate.COMMAND}"
    )


def test_the_typescript_has_every_kind_and_value() -> None:
    text = generate.typescript()
    for kind in REQUEST_KINDS:
        assert re.search(rf"^  {kind}: \w+;$", text, re.M), kind
    assert 'export type WidgetKind = "grid" | "sidebar" | "studio" | "experiment";' in text
    assert '  experiment: ["cancel"],' in text
    assert "  reason?: ExportRefusal;" in text and "  overwrite?: boolean;" in text


def test_a_page_without_its_generated_blocks_is_refused() -> None:
    with pytest.raises(ValueError, match="no generated block 'requests'"):
        generate.docs("# nothing generated here\n")
    with pytest.raises(ValueError, match="unknown generated block 'other'"):
        generate.docs("<!-- generated: other -->\n<!-- end generated -->\n")


def test_the_documentation_describes_every_trait() -> None:
    doc = generate.DOCS_PATH.read_text(encoding="utf-8").split("## Value lists")[0]
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    traits = {name for cls in TRAITS.values() for name in get_type_hints(cls)}
    described = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert traits - described == set()


def test_the_documentation_describes_every_parameter_type() -> None:
    doc = generate.DOCS_PATH.read_text(encoding="utf-8")
    table = doc.split("Parameter `type`s (`ParamType`):")[1].split("\n\n")[1]
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert rows == [f"`{t}`" for t in PARAM_TYPES]


# -- handlers and routes -----------------------------------------------------------------------
def test_every_request_kind_has_exactly_one_handler() -> None:
    assert list(HANDLERS) == list(REQUEST_KINDS)
    assert [r.kind for r in REQUESTS] == list(REQUEST_KINDS)
    assert all(callable(handler) for handler in HANDLERS.values())


def test_every_request_is_answered_by_some_widget_and_every_widget_kind_exists() -> None:
    kinds = {cls._KIND for cls in WIDGETS}
    assert kinds == set(WIDGET_KINDS) == set(TRAITS)
    for r in REQUESTS:
        assert r.widgets and set(r.widgets) <= kinds, r.kind


def traits(widget: Any) -> dict[str, Any]:
    """Return the protocol's traits of a widget as JSON (not anywidget's own)."""
    # anywidget gives each instance a class of its own with the _esm and _css traits.
    cls = next(c for c in type(widget).__mro__ if c in WIDGETS)
    ours = set(cls.class_traits(sync=True))
    ours -= set(anywidget.AnyWidget.class_traits(sync=True))
    state = {k: v for k, v in widget.get_state().items() if k in ours}
    return json.loads(json.dumps(state, allow_nan=False))


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
def test_each_widget_has_the_traits_of_its_kind(cls: type) -> None:
    ours = set(cls.class_traits(sync=True)) - set(anywidget.AnyWidget.class_traits(sync=True))
    assert ours == set(get_type_hints(TRAITS[cls._KIND]))
    assert cls.class_traits()["_kind"].default_value == cls._KIND


class Driver:
    """Send requests to a widget as its comm would, and collect what it sends back."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.sent: list[tuple[dict[str, Any], list[Any] | None]] = []
        self.ids = itertools.count(1)
        widget.send = lambda content, buffers=None: self.sent.append((content, buffers))

    def ask(self, kind: str, **fields: Any) -> tuple[dict[str, Any], list[Any] | None]:
        request_id = next(self.ids)
        self.widget._on_message(self.widget, {"kind": kind, "request": request_id, **fields}, [])
        if hasattr(self.widget, "join"):
            self.widget.join()
        replies = [(c, b) for c, b in self.sent if c.get("request") == request_id]
        assert len(replies) == 1, replies
        content, buffers = replies[0]
        return json.loads(json.dumps(content, allow_nan=False)), buffers


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
def test_a_widget_routes_exactly_the_requests_of_its_kind(cls: type, mlflow_env: None) -> None:
    if cls is ExperimentPanel:
        widget = ExperimentPanel(TrainingRun("idle", "ridge", "regression", "y"))
    else:
        widget = cls(pd.DataFrame({"a": [1, 2]}), name=f"routes-{cls.__name__}")
    driver = Driver(widget)
    for kind in REQUEST_KINDS:
        content, _ = driver.ask(kind)
        unknown = content["kind"] == "error" and "unknown request kind" in content["message"]
        assert unknown == (kind not in answers(cls._KIND)), (kind, content)
    content, _ = driver.ask("nonsense")
    assert content["message"].endswith(f"answers {', '.join(answers(cls._KIND))}")
    widget.close()


# -- replies and traits match their shapes ---------------------------------------------------
def _checked(driver: Driver, kind: str, **fields: Any) -> tuple[dict[str, Any], list[Any] | None]:
    content, buffers = driver.ask(kind, **fields)
    definition = request(kind)
    assert content["kind"] == definition.reply, content
    rest = {k: v for k, v in content.items() if k not in ("kind", "request")}
    assert problems(rest, definition.answer, kind) == []
    assert len(buffers or []) == definition.buffers
    return content, buffers


def _error(driver: Driver, kind: str, **fields: Any) -> dict[str, Any]:
    content, buffers = driver.ask(kind, **fields)
    assert content["kind"] == "error" and buffers is None, content
    rest = {k: v for k, v in content.items() if k not in ("kind", "request")}
    assert problems(rest, ErrorReply, f"{kind} error") == []
    return rest


def test_every_reply_of_a_studio_has_its_declared_shape(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "age": np.where(rng.random(60) < 0.3, np.nan, rng.integers(18, 80, 60)),
            "price": [str(v) for v in rng.integers(1, 99, 60)],
            3: rng.choice(["x", "y"], 60),
            "churned": rng.choice([0, 1], 60),
        }
    )
    studio = Studio(df, name="schema-shapes")
    driver = Driver(studio)
    assert problems(traits(studio), TRAITS["studio"], "traits") == []
    _checked(driver, "rows", start=0, stop=5)
    _checked(driver, "summary", columns=["age", "3", "price"])
    _checked(driver, "view", sort=[{"column": "age", "descending": True}])
    _checked(driver, "apply_view")
    preview, _ = _checked(driver, "preview", op="cast", params={"column": "3", "dtype": "Int64"})
    assert preview["preview"]["failures"]  # the failing values' shape is checked too
    _checked(driver, "apply", op="fill_missing", params={"column": "age", "strategy": "mean"})
    _checked(driver, "undo")
    _checked(driver, "redo")
    _checked(driver, "goto", index=1)
    _checked(driver, "code")
    _checked(driver, "export_path", format="csv")
    target = tmp_path / "out.csv"
    _checked(driver, "export", format="csv", path=str(target))
    kept = _error(driver, "export", format="csv", path=str(target))
    assert kept["reason"] == "exists" and kept["path"] == str(target)
    _checked(driver, "export", format="csv", path=str(target), overwrite=True)
    _checked(driver, "save_as", name="schema-shapes-copy")
    report, _ = _checked(driver, "quality", target="churned")
    assert report["suggestions"] and report["targets"] and report["alerts"]
    _checked(driver, "apply_suggestion", suggestion=0, version=report["version"], target="churned")
    assert _error(driver, "goto", index=99).keys() == {"message"}
    assert problems(traits(studio), TRAITS["studio"], "traits") == []
    studio.close()


def test_the_experiment_panel_replies_and_traits_have_their_declared_shapes(
    mlflow_env: None,
) -> None:
    runs = [TrainingRun(f"idle-{i}", "ridge", "regression", "y") for i in range(2)]
    panel = ExperimentPanel(runs)
    driver = Driver(panel)
    assert problems(traits(panel), TRAITS["experiment"], "traits") == []
    content, _ = _checked(driver, "cancel", run=1)
    assert content["cancelled"] == [1]
    assert "index from 0 to 1" in _error(driver, "cancel", run=5)["message"]
    panel.close()
