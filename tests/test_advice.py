"""Model advice: which catalog model, metric and preset for a frame, and training from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError, ModelAdvice, suggest_models
from hydroml_jupyter.experiments.advice import (
    EFFECTS,
    PRIORS,
    RULES,
    DataFacts,
    choose_metric,
    choose_preset,
)
from hydroml_jupyter.experiments.tuner import METRICS

ROOT = Path(__file__).resolve().parents[1]
MESSY = ROOT / "notebooks" / "data" / "messy_customers.csv"


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def binary(n: int = 600, positive_share: float = 0.5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {
            "x": x,
            "z": rng.normal(size=n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
        }
    )
    score = x + 0.3 * rng.normal(size=n)
    df["y"] = np.where(score > np.quantile(score, 1 - positive_share), "yes", "no")
    return df


def multiclass(n: int = 600, weights: tuple[float, ...] = (1, 1, 1), seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.asarray(weights) / sum(weights)
    label = rng.choice(["a", "b", "c"], n, p=p)
    return pd.DataFrame({"x": rng.normal(size=n) + (label == "a"), "label": label})


def regression(n: int = 600, outliers: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(scale=0.3, size=n)
    spikes = rng.random(n) < outliers
    y[spikes] += rng.choice([-1, 1], spikes.sum()) * 60
    return pd.DataFrame({"x": x, "plan": rng.choice(["a", "b"], n), "price": y})


def text_heavy(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    words = ["great", "slow", "refund", "broken", "love", "late", "support", "price"]
    notes = [" ".join(rng.choice(words, 8)) + f" order {i}" for i in range(n)]
    review = [" ".join(rng.choice(words, 10)) + f" #{i}" for i in range(n)]
    return pd.DataFrame(
        {"notes": notes, "review": review, "x": rng.normal(size=n), "y": rng.choice([0, 1], n)}
    )


def facts(**kw: Any) -> DataFacts:
    base: dict[str, Any] = {
        "target": "y",
        "task": "classification",
        "rows": 5000,
        "features": 4,
        "kinds": {"numeric": 2, "categorical": 2, "text": 0, "datetime": 0},
        "missing_share": 0.0,
        "high_cardinality": (),
        "free_text": (),
        "classes": {"no": 2500, "yes": 2500},
        "positive": "yes",
    }
    return DataFacts(**{**base, **kw})


def ranked(advice: ModelAdvice) -> list[str]:
    return [c.model for c in advice.models]


def check_shape(advice: ModelAdvice) -> None:
    scores = [c.score for c in advice.models]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert advice.metric in METRICS[advice.task]
    assert all(c.preset in ("fast", "balanced") for c in advice.models)
    assert all(c.rationale for c in advice.models)


# -- the rule table ---------------------------------------------------------------------
def test_every_rule_has_an_effect_and_names_only_catalog_models() -> None:
    assert set(RULES) == set(EFFECTS)
    assert set(PRIORS) == set(ex.MODELS)
    for deltas in EFFECTS.values():
        assert set(deltas) <= set(ex.MODELS)
    for rule in RULES.values():
        assert rule.__doc__


@pytest.mark.parametrize(
    ("kw", "fired", "not_fired"),
    [
        ({"rows": 500}, {"small_data"}, {"tiny_data", "large_data"}),
        ({"rows": 60}, {"small_data", "tiny_data"}, {"large_data"}),
        ({"rows": 80_000}, {"large_data"}, {"small_data"}),
        ({"missing_share": 0.25}, {"missing"}, set()),
        ({"classes": {"no": 900, "yes": 100}}, {"imbalance"}, set()),
        ({"classes": {f"c{i}": 10 for i in range(12)}}, {"many_classes"}, {"imbalance"}),
        ({"kinds": {"numeric": 3, "categorical": 0, "text": 0, "datetime": 0}}, {"numeric"}, set()),
        ({"features": 900}, {"wide"}, set()),
        (
            {"kinds": {"numeric": 1, "categorical": 1, "text": 0, "datetime": 1}},
            {"datetime"},
            set(),
        ),
        ({"high_cardinality": (("city", 412),)}, {"high_cardinality"}, set()),
        ({}, {"categorical"}, {"missing", "imbalance", "wide", "numeric"}),
    ],
)
def test_rules_fire_on_their_figures(kw, fired, not_fired) -> None:
    f = facts(**kw)
    found = {name for name, rule in RULES.items() if rule(f)}
    assert fired <= found
    assert not (not_fired & found)


def test_rule_reasons_name_their_figures() -> None:
    assert "412" in RULES["high_cardinality"](facts(high_cardinality=(("city", 412),)))
    assert "25.0%" in RULES["missing"](facts(missing_share=0.25))
    reason = RULES["imbalance"](facts(classes={"no": 900, "yes": 100}))
    assert "9.0 to 1" in reason and "'yes' is 10.0%" in reason


def test_presets_follow_rows_and_model_speed() -> None:
    assert choose_preset(facts(rows=300), "xgboost") == "fast"
    assert choose_preset(facts(rows=5000), "xgboost") == "balanced"
    assert choose_preset(facts(rows=200_000), "svm") == "fast"
    assert choose_preset(facts(rows=200_000), "xgboost") == "balanced"


def test_metric_for_each_kind_of_target() -> None:
    assert choose_metric(facts())[0] == "roc_auc"
    assert choose_metric(facts(classes={"no": 900, "yes": 100}))[0] == "f1"
    # f1 scores the second class in sorted order: with a rare first class it would mislead
    metric, why = choose_metric(facts(classes={"a": 100, "b": 900}, positive="b"))
    assert metric == "roc_auc" and "majority 'b'" in why
    assert choose_metric(facts(classes={"a": 10, "b": 10, "c": 10}))[0] == "accuracy"
    assert choose_metric(facts(classes={"a": 5, "b": 30, "c": 30}))[0] == "f1"
    assert choose_metric(facts(task="regression", classes={}))[0] == "rmse"
    assert choose_metric(facts(task="regression", classes={}, target_outliers=0.1))[0] == "mae"


# -- frames -----------------------------------------------------------------------------
def test_imbalanced_binary() -> None:
    advice = suggest_models(binary(positive_share=0.08), "y")
    check_shape(advice)
    assert advice.task == "classification" and advice.metric == "f1"
    assert "'yes' 8%" in advice.metric_reason
    assert ranked(advice).index("knn") == len(advice.models) - 1
    xgb = next(c for c in advice.models if c.model == "xgboost")
    assert "imbalanced classes" in xgb.rationale and "(+0.05)" in xgb.rationale
    assert "linear" not in ranked(advice)


def test_balanced_binary() -> None:
    advice = suggest_models(binary(), "y")
    check_shape(advice)
    assert advice.metric == "roc_auc" and "balanced binary" in advice.metric_reason
    assert all("imbalanced" not in c.rationale for c in advice.models)
    assert all(c.preset == "fast" for c in advice.models)  # 600 rows
    assert advice.best.model == "random_forest"
    moved = {c.model for c in advice.models if "only 600 rows" in c.rationale}
    assert moved == {"logistic_regression", "ridge", "xgboost", "gradient_boosting"}


def test_multiclass() -> None:
    balanced = suggest_models(multiclass(), "label")
    check_shape(balanced)
    assert balanced.metric == "accuracy" and balanced.facts.classes.keys() == {"a", "b", "c"}
    skewed = suggest_models(multiclass(weights=(1, 10, 10)), "label")
    assert skewed.metric == "f1" and "macro" in skewed.metric_reason


def test_regression() -> None:
    advice = suggest_models(regression(), "price")
    check_shape(advice)
    assert advice.task == "regression" and advice.metric == "rmse"
    assert "linear" in ranked(advice) and "logistic_regression" not in ranked(advice)
    noisy = suggest_models(regression(outliers=0.1), "price")
    assert noisy.metric == "mae" and "outliers" in noisy.metric_reason


def test_text_heavy() -> None:
    advice = suggest_models(text_heavy(), "y")
    check_shape(advice)
    assert advice.facts.free_text == ("notes", "review")
    knn = next(c for c in advice.models if c.model == "knn")
    assert "67% of features are free text (notes, review)" in knn.rationale
    assert ranked(advice)[-1] == "knn"
    assert "high-cardinality notes (400 values)" in knn.rationale


def test_tiny_frame_prefers_simple_models() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40), "y": [0, 1] * 20})
    advice = suggest_models(df, "y")
    check_shape(advice)
    assert advice.best.model == "logistic_regression"
    assert "under 100 rows (40)" in advice.best.rationale
    assert ranked(advice).index("xgboost") > ranked(advice).index("ridge")


def test_advice_is_deterministic_and_reads_as_text() -> None:
    df = binary(positive_share=0.1)
    first, second = suggest_models(df, "y"), suggest_models(df.copy(), "y")
    assert first == second and repr(first) == repr(second)
    text = repr(first)
    assert text.splitlines()[0] == "Model advice for 'y': classification, 600 rows, 3 features"
    assert text.splitlines()[1].startswith("metric: f1 (")
    assert " 1. " in text and not hasattr(first, "_repr_html_")
    table = first.to_frame()
    assert list(table.columns) == ["model", "score", "preset", "metric", "why"]
    assert table.index[0] == 1 and table["model"].tolist() == ranked(first)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.metric = "accuracy"  # type: ignore[misc]


# -- bad targets ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "target", "message"),
    [
        (binary(), "nope", "target 'nope' is not a column of the frame"),
        (binary().assign(y="yes"), "y", "target 'y' has one value ('yes') in 600 rows"),
        (binary().assign(y=np.nan), "y", "target 'y' has no values in 0 rows"),
        (binary()[["y"]], "y", "no feature column besides the target 'y'"),
    ],
)
def test_bad_targets_raise_the_experiments_error(frame, target, message) -> None:
    with pytest.raises(ExperimentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        suggest_models(frame, target)


def test_session_method_checks_the_target_before_profiling() -> None:
    s = hj.Session(binary(), name="advice-bad")
    with pytest.raises(ExperimentError, match="target 'Y' is not a column"):
        s.suggest_models("Y")


# -- from advice to training ------------------------------------------------------------
class Recorder:
    """A stand-in session that records what training was asked for."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def train(self, target: str, **kw: Any) -> str:
        self.calls.append(("train", target, kw))
        return "run"

    def tune(self, target: str, **kw: Any) -> str:
        self.calls.append(("tune", target, kw))
        return "tuning"


def test_choices_pass_model_preset_task_and_metric_on() -> None:
    source = Recorder(binary(positive_share=0.1))
    advice = suggest_models(source, "y")
    assert advice.train_best(seed=3) == "run"
    second = advice.models[1]
    second.train(preset="balanced")
    second.tune(n_trials=2)
    best = advice.best
    assert source.calls == [
        (
            "train",
            "y",
            {"model": best.model, "preset": "fast", "task": "classification", "seed": 3},
        ),
        ("train", "y", {"model": second.model, "preset": "balanced", "task": "classification"}),
        (
            "tune",
            "y",
            {
                "task": "classification",
                "model": second.model,
                "preset": "fast",
                "metric": "f1",
                "n_trials": 2,
            },
        ),
    ]


def test_train_best_really_trains_and_logs_the_advised_metric(mlflow_store: str) -> None:
    s = hj.open(MESSY)
    advice = s.suggest_models("churned")
    assert advice.metric == "f1" and advice.best.preset == "fast"
    run = advice.train_best()
    assert run.wait(120) == "completed", run.error
    assert advice.metric in run.metrics and run.run_id is not None
    board = ex.runs(tracking_uri=mlflow_store)
    row = board[board["run_id"] == run.run_id].iloc[0]
    assert row["model"] == advice.best.model


def test_tune_optimises_the_advised_metric() -> None:
    advice = suggest_models(regression(n=200), "price")
    run = advice.best.tune(n_trials=2, track=False)
    assert run.wait(120) == "completed", run.error
    assert advice.metric == "rmse" and "rmse" in run.metrics
