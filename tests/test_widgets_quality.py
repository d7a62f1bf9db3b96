"""The Quality tab's requests, ``quality`` and ``apply_suggestion``, over a real Session.

Requests go to the widget's ``on_msg`` handler as anywidget delivers them; replies are
captured from ``send`` and checked to be strict JSON.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import DataGrid, Sidebar, Studio
from hydroml_jupyter.widgets import quality as quality_module
from hydroml_jupyter.widgets.base import SessionWidget

XSS = "<img src=x onerror=alert(1)>"


class Driver:
    """Send requests to a widget as its comm would, and collect what it sends back."""

    def __init__(self, widget: SessionWidget) -> None:
        self.widget = widget
        self.sent: list[dict[str, Any]] = []
        self.ids = itertools.count(1)
        widget.send = self._record  # type: ignore[method-assign]

    def _record(self, content: dict[str, Any], buffers: list[Any] | None = None) -> None:
        json.dumps(content, allow_nan=False)
        assert buffers is None
        self.sent.append(content)

    def ask(self, kind: str, **fields: Any) -> dict[str, Any]:
        request = next(self.ids)
        self.widget._on_message(self.widget, {"kind": kind, "request": request, **fields}, [])
        self.widget.join()
        replies = [c for c in self.sent if c.get("request") == request]
        assert len(replies) == 1, replies
        return replies[0]

    def ok(self, kind: str, **fields: Any) -> dict[str, Any]:
        content = self.ask(kind, **fields)
        assert content["kind"] != "error", content
        return content

    def error(self, kind: str, **fields: Any) -> str:
        content = self.ask(kind, **fields)
        assert content["kind"] == "error", content
        assert set(content) == {"kind", "request", "message"}
        assert "\n" not in content["message"]
        return content["message"]


def messy_frame(rows: int = 240) -> pd.DataFrame:
    """Missing ages, city spellings, prices as text, a constant, an id and duplicate rows."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "customer_id": np.arange(rows),
            "age": np.where(
                rng.random(rows) < 0.25, np.nan, rng.integers(18, 80, rows).astype(float)
            ),
            "city": rng.choice(["Paris", "paris ", "London", "london"], rows),
            "price": [str(v) for v in rng.integers(1, 100, rows)],
            "unit": ["kg"] * rows,
            "churned": rng.choice([0, 1], rows),
        }
    )
    return pd.concat([df, df.iloc[:12]], ignore_index=True)


@pytest.fixture
def session() -> hj.Session:
    return hj.Session(messy_frame(), name="quality_test")


@pytest.fixture
def st_(session: hj.Session) -> Driver:
    return Driver(Studio(session))


def state(session: hj.Session) -> tuple[int, int, list[str], pd.DataFrame]:
    return session.version, session.position, [s.label for s in session.history], session.df


def assert_unchanged(session: hj.Session, before: tuple[int, int, list[str], pd.DataFrame]) -> None:
    version, position, labels, frame = before
    assert (session.version, session.position) == (version, position)
    assert [s.label for s in session.history] == labels
    pd.testing.assert_frame_equal(session.df, frame)


def test_quality_groups_alerts_and_lists_suggestions_and_targets(
    st_: Driver, session: hj.Session
) -> None:
    reply = st_.ok("quality", target=None)
    assert reply["kind"] == "quality" and reply["version"] == session.version
    assert reply["target"] is None and reply["target_used"] == "churned"
    assert list(reply["alerts"]) == ["high", "medium", "low"]
    assert reply["counts"] == {k: len(v) for k, v in reply["alerts"].items()}
    alerts = [a for group in reply["alerts"].values() for a in group]
    profile = session.profile()
    assert len(alerts) == len(profile.alerts)
    for severity, group in reply["alerts"].items():
        assert all(a["severity"] == severity for a in group)
    kinds = {a["kind"] for a in alerts}
    assert {"missing", "category_variants", "numbers_as_text", "constant"} <= kinds
    assert "duplicate_rows" in kinds
    duplicates = next(a for a in alerts if a["kind"] == "duplicate_rows")
    assert duplicates["columns"] == [] and duplicates["figure"] == 12

    suggestions = reply["suggestions"]
    expected = session.suggest()
    assert [s["id"] for s in suggestions] == list(range(len(expected)))
    assert [(s["op"], s["confidence"]) for s in suggestions] == [
        (e.op, e.confidence) for e in expected
    ]
    confidences = [s["confidence"] for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences)
    by_op = {s["op"]: s for s in suggestions}
    assert by_op["drop_columns"]["label"].startswith("Drop ")
    mapping = by_op["replace"]["params"]["mapping"]
    # one clean spelling per city, stray spaces never kept
    assert len({v.lower() for _, v in mapping}) == 2 and "paris " in dict(mapping)
    assert all(k != v and k.strip().lower() == v.lower() == v.strip().lower() for k, v in mapping)
    assert by_op["replace"]["alert"]["kind"] == "category_variants"
    assert by_op["cast"]["params"] == {"column": "price", "dtype": "Int64", "errors": "coerce"}
    assert all(s["rationale"] for s in suggestions)

    assert reply["targets"][0] == {
        "name": "churned",
        "confidence": pytest.approx(0.9),
        "reason": reply["targets"][0]["reason"],
        "task": "classification",
    }
    assert "churned" in reply["targets"][0]["reason"]


def test_a_chosen_target_is_used_and_never_changed(st_: Driver) -> None:
    reply = st_.ok("quality", target="city")
    assert reply["target"] == reply["target_used"] == "city"
    for s in reply["suggestions"]:
        params = s["params"]
        assert params.get("column") != "city" and "city" not in params.get("columns", [])


def test_bad_targets_get_an_error(st_: Driver, session: hj.Session) -> None:
    before = state(session)
    assert "no column named 'nope'" in st_.error("quality", target="nope")
    assert "must be a string" in st_.error("quality", target=3)
    assert "no column named 'nope'" in st_.error(
        "apply_suggestion", suggestion=0, version=session.version, target="nope"
    )
    assert_unchanged(session, before)


def test_applying_a_suggestion_is_one_undoable_step(st_: Driver, session: hj.Session) -> None:
    original = session.df
    reply = st_.ok("quality", target=None)
    chosen = next(s for s in reply["suggestions"] if s["op"] == "replace")
    done = st_.ok(
        "apply_suggestion", suggestion=chosen["id"], version=reply["version"], target=None
    )
    assert done["kind"] == "done"
    assert done["version"] == session.version > reply["version"]
    assert done["index"] == session.position == 1
    assert done["label"] == chosen["label"] == session.history[-1].label
    assert session.df["city"].nunique() == 2
    widget = st_.widget
    assert isinstance(widget, Studio)
    assert widget.position == 1 and widget.can_undo and len(widget.history) == 2

    again = st_.ok("quality", target=None)
    kinds = {a["kind"] for group in again["alerts"].values() for a in group}
    assert "category_variants" not in kinds
    assert again["version"] == session.version

    st_.ok("undo")
    assert session.position == 0
    pd.testing.assert_frame_equal(session.df, original)


def test_a_stale_version_is_refused_and_changes_nothing(st_: Driver, session: hj.Session) -> None:
    reply = st_.ok("quality", target=None)
    session.apply("drop_columns", columns=["unit"])
    before = state(session)
    message = st_.error("apply_suggestion", suggestion=0, version=reply["version"], target=None)
    assert "changed since the suggestions were made" in message
    assert f"version {reply['version']}, now {session.version}" in message
    assert_unchanged(session, before)


def test_unknown_ids_and_bad_fields_are_refused_and_change_nothing(
    st_: Driver, session: hj.Session
) -> None:
    reply = st_.ok("quality", target=None)
    version, count = reply["version"], len(reply["suggestions"])
    before = state(session)
    message = st_.error("apply_suggestion", suggestion=count, version=version, target=None)
    assert f"no suggestion {count}" in message and f"there are {count}" in message
    assert "at least 0" in st_.error("apply_suggestion", suggestion=-1, version=version)
    assert "suggestion must be an integer" in st_.error(
        "apply_suggestion", suggestion="0", version=version
    )
    assert "version must be an integer" in st_.error("apply_suggestion", suggestion=0)
    assert_unchanged(session, before)


def test_the_list_is_made_for_its_target(st_: Driver, session: hj.Session) -> None:
    auto = st_.ok("quality", target=None)
    chosen = st_.ok("quality", target="city")
    ops = [(s["op"], s["params"]) for s in chosen["suggestions"]]
    assert ops != [(s["op"], s["params"]) for s in auto["suggestions"]]
    last = chosen["suggestions"][-1]
    done = st_.ok(
        "apply_suggestion", suggestion=last["id"], version=chosen["version"], target="city"
    )
    assert done["label"] == last["label"]


def test_a_change_while_the_list_is_made_again_applies_nothing(
    st_: Driver, session: hj.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = st_.ok("quality", target=None)
    analyse = quality_module._analyse

    def racing(*args: Any) -> Any:
        result = analyse(*args)
        session.apply("drop_columns", columns=["unit"])
        return result

    monkeypatch.setattr(quality_module, "_analyse", racing)
    message = st_.error("apply_suggestion", suggestion=0, version=reply["version"], target=None)
    assert "changed since the suggestions were made" in message
    assert [s.label for s in session.history] == ["Original (DataFrame)", "Drop unit"]


def test_a_failing_operation_is_answered_and_changes_nothing(
    st_: Driver, session: hj.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = session.suggest()
    bad = dataclasses.replace(real[0], op="drop_columns", params={"columns": ["nope"]})
    monkeypatch.setattr(session, "suggest", lambda target=None: [real[0], bad, real[1]])
    reply = st_.ok("quality", target=None)
    before = state(session)
    message = st_.error("apply_suggestion", suggestion=1, version=reply["version"], target=None)
    assert message.startswith("apply_suggestion: suggestion 1 (drop_columns) failed: ")
    assert message.endswith("; nothing was applied")
    assert_unchanged(session, before)
    # In a list, the good ones before the bad one are not applied either.
    message = st_.error(
        "apply_suggestion", suggestions=[0, 1, 2], version=reply["version"], target=None
    )
    assert message.startswith("apply_suggestion: suggestion 1 (drop_columns) failed: ")
    assert_unchanged(session, before)


def test_a_list_of_suggestions_is_one_change(st_: Driver, session: hj.Session) -> None:
    reply = st_.ok("quality", target=None)
    ids = [s["id"] for s in reply["suggestions"] if s["confidence"] >= 0.8][:3]
    assert len(ids) >= 2
    version, position = session.version, session.position
    done = st_.ok("apply_suggestion", suggestions=ids, version=reply["version"], target=None)
    labels = [s["label"] for s in reply["suggestions"] if s["id"] in ids]
    assert [step["label"] for step in done["steps"]] == labels
    assert [step["index"] for step in done["steps"]] == [position + 1 + i for i in range(len(ids))]
    assert (done["index"], done["label"]) == (position + len(ids), labels[-1])
    assert session.version == done["version"] == version + 1
    session.goto(position)
    assert session.version == version + 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give either suggestion (an id) or suggestions (a list)"),
        ({"suggestion": 0, "suggestions": [1]}, "give either suggestion"),
        ({"suggestions": []}, "must be a non-empty list of distinct ids"),
        ({"suggestions": [0, 0]}, "must be a non-empty list of distinct ids"),
        ({"suggestions": [True]}, "must be a non-empty list of distinct ids"),
        ({"suggestions": "0"}, "must be a non-empty list of distinct ids"),
        ({"suggestions": [0, 999]}, "no suggestion 999 for version"),
    ],
)
def test_bad_suggestion_lists_are_refused(
    st_: Driver, session: hj.Session, fields: dict[str, Any], message: str
) -> None:
    reply = st_.ok("quality", target=None)
    before = state(session)
    assert message in st_.error("apply_suggestion", version=reply["version"], **fields)
    assert_unchanged(session, before)


def test_names_travel_as_protocol_strings(session: hj.Session) -> None:
    values = [float(i % 7) if i % 4 else None for i in range(60)]
    frame = pd.DataFrame({XSS: ["x"] * 60, 3: values, "y": range(60)})
    bar = Driver(Sidebar(hj.Session(frame, name="quality_names")))
    reply = bar.ok("quality", target=None)
    alerts = [a for group in reply["alerts"].values() for a in group]
    assert {"columns": [XSS], "kind": "constant"}.items() <= next(
        a for a in alerts if a["kind"] == "constant"
    ).items()
    assert any(a["columns"] == ["3"] for a in alerts if a["kind"] == "missing")
    drop = next(s for s in reply["suggestions"] if s["op"] == "drop_columns")
    assert drop["params"] == {"columns": [XSS]}
    fill = next(s for s in reply["suggestions"] if s["op"] == "fill_missing")
    assert fill["params"]["column"] == "3"
    done = bar.ok("apply_suggestion", suggestion=fill["id"], version=reply["version"])
    assert bar.widget.session.df[3].isna().sum() == 0
    assert done["index"] == 1
    bar.widget.close()


def test_a_grid_does_not_answer_quality(session: hj.Session) -> None:
    grid = Driver(DataGrid(session))
    assert "unknown request kind 'quality'" in grid.error("quality", target=None)
    assert "unknown request kind 'apply_suggestion'" in grid.error(
        "apply_suggestion", suggestion=0, version=0
    )
    grid.widget.close()
