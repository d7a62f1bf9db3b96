"""The data-quality magics: ``profile VAR``, ``suggest --apply-all-above``, ``suggest-models``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from conftest import hydroml
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import hydroml_jupyter as hj
from hydroml_jupyter.analysis.profile import Profile
from hydroml_jupyter.engine.extras import SessionSuggestion
from hydroml_jupyter.experiments import ModelAdvice
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.extension import context_of

ROOT = Path(__file__).resolve().parents[1]
MESSY = ROOT / "notebooks" / "data" / "messy_customers.csv"

pytestmark = pytest.mark.usefixtures("magics_env")


@pytest.fixture
def messy(shell: InteractiveShell, ctx: Context) -> hj.Session:
    hydroml(shell, f"open {MESSY}")
    return hj.session("messy_customers")


# -- suggest --apply-all-above ----------------------------------------------------------
def test_apply_all_above_applies_every_confident_suggestion_in_order(shell, messy) -> None:
    expected = [s for s in messy.suggest() if s.confidence >= 0.8]
    assert len(expected) >= 4
    value, out = hydroml(shell, "suggest --apply-all-above 0.8")
    assert value is None
    lines = out.splitlines()
    assert len(lines) == len(expected)
    for number, (line, suggestion) in enumerate(zip(lines, expected, strict=True), 1):
        assert line.startswith(f"messy_customers: step {number} of {len(expected)} · ")
        assert messy.history[number].op == suggestion.op
        params = messy.history[number].params
        assert {k: params[k] for k in suggestion.params} == suggestion.params
    assert messy.position == len(expected)
    assert not messy.profile().alerts_for("category_variants")
    assert not messy.profile().alerts_for("constant")


def test_apply_all_above_with_nothing_that_confident_changes_nothing(shell, messy) -> None:
    _, out = hydroml(shell, "suggest --apply-all-above 0.99")
    assert out == (
        "messy_customers: no suggestion has confidence >= 0.99 (the highest is 0.96); "
        "none applied\n"
    )
    assert messy.position == 0


def test_apply_all_above_is_all_or_nothing(shell, messy, monkeypatch) -> None:
    good = [s for s in messy.suggest() if s.confidence >= 0.8][:2]
    bad = dataclasses.replace(
        good[0], op="fill_missing", params={"column": "nope", "strategy": "mean"}
    )
    assert isinstance(bad, SessionSuggestion)
    monkeypatch.setattr(messy, "suggest", lambda target=None: [*good, bad])
    before, version = messy.df, messy.version
    with pytest.raises(UsageError) as err:
        hydroml(shell, "suggest --apply-all-above 0.5")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(
        "%hydroml suggest: suggestion 2 (fill_missing column='nope', strategy='mean') failed: "
    )
    assert message.endswith("; none was applied")
    assert messy.position == 0 and messy.version == version and not messy.can_redo
    assert len(messy.history) == 1
    pd.testing.assert_frame_equal(messy.df, before)


def test_a_failing_batch_keeps_the_redo_branch(shell, messy, monkeypatch) -> None:
    messy.apply("drop_columns", columns=["country"])
    messy.apply("dedupe")
    messy.undo()
    bad = dataclasses.replace(messy.suggest()[0], op="drop_columns", params={"columns": ["x"]})
    monkeypatch.setattr(messy, "suggest", lambda target=None: [bad])
    with pytest.raises(UsageError, match=r"suggestion 0 .*; none was applied$"):
        hydroml(shell, "suggest --apply-all-above 0")
    assert messy.position == 1 and "country" not in messy.df.columns
    assert messy.can_redo and messy.history[2].op == "dedupe"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("suggest --apply-all-above 1.5", "takes a confidence from 0 to 1, not 1.5"),
        ("suggest --apply-all-above -0.1", "takes a confidence from 0 to 1, not -0.1"),
        ("suggest --apply-all-above high", "--apply-all-above"),
        ("suggest --apply-all-above", "--apply-all-above"),
        ("suggest --apply 0 --apply-all-above 0.5", "not allowed with argument"),
        ("suggest --apply 99", "no suggestion 99"),
        ("suggest --target churn --apply-all-above 0.5", "(did you mean 'churned'?)"),
    ],
)
def test_suggest_usage_errors_are_one_line(shell, messy, line, message) -> None:
    with pytest.raises(UsageError) as err:
        hydroml(shell, line)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert messy.position == 0


def test_apply_one_still_works(shell, messy) -> None:
    first = messy.suggest()[0]
    _, out = hydroml(shell, "suggest --apply 0")
    assert out.startswith("messy_customers: step 1 of 1") and messy.history[1].op == first.op


# -- suggest-models ---------------------------------------------------------------------
def test_suggest_models_returns_the_advice(shell, messy) -> None:
    advice, out = hydroml(shell, "suggest-models churned")
    assert isinstance(advice, ModelAdvice) and out == ""
    assert advice.target == "churned" and advice.metric == "f1"
    assert advice.models[0].source is messy
    assert repr(advice).startswith("Model advice for 'churned': classification, 301 rows")
    assert advice == messy.suggest_models("churned")


def test_suggest_models_with_a_quoted_target_and_session(shell, ctx) -> None:
    frame = pd.DataFrame({"x y": [1.0, 2.0, 3.0, 4.0] * 10, "the target": [0, 1] * 20})
    hj.Session(frame, name="spaced")
    hj.Session(frame, name="other")
    advice, _ = hydroml(shell, "suggest-models 'the target' --session spaced")
    assert advice.target == "the target" and ctx.current == "spaced"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("suggest-models", "the following arguments are required: TARGET"),
        ("suggest-models churn", "%hydroml suggest-models: no column named 'churn' (did you mean"),
        (
            "suggest-models country",
            "%hydroml suggest-models: target 'country' has one value ('FR') in 301 rows",
        ),
        ("suggest-models churned extra", "unrecognized arguments: extra"),
    ],
)
def test_suggest_models_usage_errors(shell, messy, line, message) -> None:
    with pytest.raises(UsageError) as err:
        hydroml(shell, line)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_usage_and_help_list_the_new_subcommands(shell, ctx) -> None:
    _, usage = hydroml(shell, "")
    assert "  suggest-models TARGET" in usage
    assert "[--apply N | --apply-all-above X]" in usage
    _, help_text = hydroml(shell, "suggest-models --help")
    assert help_text.startswith("usage: %hydroml suggest-models")
    assert "train_best()" in help_text


# -- profile [VAR] ----------------------------------------------------------------------
def test_profile_of_a_dataframe_variable(shell, ctx) -> None:
    shell.user_ns["frame"] = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "k": ["x"] * 4})
    report, _ = hydroml(shell, "profile frame")
    assert isinstance(report, Profile)
    assert [(a.kind, a.columns) for a in report.alerts] == [
        ("missing", ("a",)),
        ("constant", ("k",)),
    ]
    report, _ = hydroml(shell, "profile frame --target a")
    assert report.target == "a"


def test_profile_of_a_session_variable_makes_it_current(shell, messy) -> None:
    other = hj.Session(pd.DataFrame({"a": [1, 2]}), name="other")
    shell.user_ns["s"] = messy
    ctx = context_of(shell)
    assert ctx is not None
    ctx.use(other)
    report, _ = hydroml(shell, "profile s --target churned")
    assert report.target == "churned" and "income" in report.columns
    assert ctx.current == "messy_customers"


def test_profile_without_var_profiles_the_current_session(shell, messy) -> None:
    report, _ = hydroml(shell, "profile")
    assert report is messy.profile()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("profile framee", "%hydroml profile: no variable named 'framee' (did you mean 'frame'?)"),
        ("profile number", "%hydroml profile: 'number' is a int, not a DataFrame or a session"),
        ("profile frame --session messy_customers", "give VAR or --session, not both"),
        ("profile frame --target b", "%hydroml profile: no column named 'b'"),
        ("profile frame extra", "unrecognized arguments: extra"),
    ],
)
def test_profile_usage_errors(shell, messy, line, message) -> None:
    shell.user_ns["frame"] = pd.DataFrame({"a": [1.0, 2.0]})
    shell.user_ns["number"] = 3
    with pytest.raises(UsageError) as err:
        hydroml(shell, line)
    assert message in str(err.value) and "\n" not in str(err.value)
