"""Drift: a run's stored reference (real MLflow sqlite store), its checks, report and HTML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.analysis.drift import Reference, ReferenceError, build_reference, compare
from hydroml_jupyter.experiments import ExperimentError
from hydroml_jupyter.experiments.reference import ARTIFACT, load_reference


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def frame(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    size = rng.gamma(2.0, 3.0, n)
    city = rng.choice(["paris", "lyon", "nice", "lille"], n, p=[0.4, 0.3, 0.2, 0.1])
    score = 1.5 * x + (city == "paris") - 0.1 * size + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({"x": x, "size": size, "city": city, "churn": score > 0})


@pytest.fixture(scope="module")
def run(mlflow_store: str) -> ex.TrainingRun:
    """A real logistic regression run, tracked in the module's store."""
    handle = ex.train(
        frame(), "churn", "logistic_regression", experiment="drift", tracking_uri=mlflow_store
    )
    assert handle.wait(120) == "completed", handle.error
    return handle


def test_the_reference_is_stored_as_json_and_read_back_by_run_id(run, mlflow_store) -> None:
    from mlflow import MlflowClient

    path = MlflowClient(mlflow_store).download_artifacts(run.run_id, ARTIFACT, str(Path.cwd()))
    raw = json.loads(Path(path).read_text())
    assert raw["format"] == 1 and raw["target"] == "churn" and raw["task"] == "classification"
    ref = load_reference(run.run_id, mlflow_store)
    assert ref.names == ["x", "size", "city", "churn"] and ref.rows == 2000
    assert ref.metrics["f1"] == pytest.approx(run.metrics["f1"])
    city = ref.column("city")
    assert city.complete and sum(city.categories.values()) == 2000
    x = ref.column("x")
    assert len(x.sample) == 2000 and sum(x.counts) == 2000 and len(x.edges) == 9


def test_new_rows_like_the_training_rows_show_no_drift(run) -> None:
    report = run.drift(frame(1500, seed=1).drop(columns="churn"))
    assert report.verdict == "no drift", report.alerts
    assert not [a for a in report.alerts if a.severity != "low"]
    assert report.metrics == {} and report.rows == 1500


def test_planted_shifts_are_each_found_with_their_check(run) -> None:
    new = frame(1500, seed=2).drop(columns="churn")
    rng = np.random.default_rng(3)
    new["x"] += 0.5 * new["x"].std()
    new.loc[rng.random(len(new)) < 0.05, "city"] = "marseille"
    new.loc[rng.random(len(new)) < 0.2, "size"] = np.nan
    report = run.drift(new)
    found = {(a.column, a.check) for a in report.alerts if a.severity in ("medium", "high")}
    assert {("x", "ks"), ("city", "unseen"), ("size", "missing")} <= found
    assert report.verdict.endswith("in 3 of 4 columns"), report.verdict
    assert report.drifted[0] in {"x", "city", "size"} and len(report.drifted) == 3
    table = report.to_frame()
    assert table["severity"][:3].notna().all() and set(table["column"][:3]) == {"x", "size", "city"}
    assert pd.isna(table["severity"].iloc[-1]) and table["column"].iloc[-1] == "churn"
    unseen = next(a for a in report.alerts if a.check == "unseen")
    assert "'marseille'" in unseen.message and unseen.effect == pytest.approx(0.05, abs=0.015)


def test_labels_that_arrive_score_the_model_against_its_validation_figure(run) -> None:
    same = frame(1500, seed=4)
    assert run.drift(same).performance == []
    assert run.drift(same).metrics["f1"] > 0.7
    flipped = same.assign(churn=~same["churn"])
    report = run.drift(flipped)
    assert report.metrics["f1"] < 0.3
    (alert,) = report.performance
    assert alert.severity == "high" and alert.figure.startswith("f1 ")
    assert report.verdict.startswith("severe drift")


def test_a_new_kernel_checks_drift_from_the_run_id_alone(run, mlflow_store, tmp_path) -> None:
    new = frame(800, seed=5)
    new["size"] = new["size"] * 3
    new.to_csv(tmp_path / "new.csv", index=False)
    code = (
        "import pandas as pd, hydroml_jupyter as hj\n"
        f"r = hj.drift({run.run_id!r}, pd.read_csv({str(tmp_path / 'new.csv')!r}))\n"
        "print(r.verdict)\nprint(r.drifted)\n"
    )
    env = {**os.environ, "MLFLOW_TRACKING_URI": mlflow_store}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.splitlines() == ["severe drift in 1 of 4 columns", "['size']"], out.stderr
    assert "Downloading artifacts" not in out.stderr


def test_raw_rows_replay_the_sessions_recipe_first(mlflow_store) -> None:
    s = hj.Session(frame(600), name="drift-raw")
    s.apply("rename", columns={"size": "volume"})
    s.apply("filter_rows", column="x", op=">=", value=-2.0)
    run = ex.train(s, "churn", "logistic_regression", tracking_uri=mlflow_store)
    assert run.wait(120) == "completed", run.error
    raw = frame(600, seed=6)
    raw["size"] = raw["size"] + 0.5 * raw["size"].std()
    report = run.drift(raw)
    assert [c.name for c in report.columns] == ["x", "volume", "city", "churn"]
    assert report.drifted == ["volume"] and report.rows == int((raw["x"] >= -2.0).sum())
    assert not report.extra and {"psi", "ks"} <= {a.check for a in report.alerts}
    assert "f1" in report.metrics
    s.close()


def test_raw_rows_with_the_feature_names_replay_a_recipe_that_only_casts(mlflow_store) -> None:
    # The recipe drops and renames nothing: raw rows carry every feature's name, and only
    # their dtypes say they are raw (text times, not the zoned times the model saw).
    def stamped(seed: int) -> pd.DataFrame:
        df = frame(600, seed=seed)
        days = np.random.default_rng(seed).integers(0, 60, len(df))
        when = pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(days, unit="D")
        return df.assign(when=when.strftime("%Y-%m-%dT%H:%M:%SZ").astype("str"))

    s = hj.Session(stamped(0), name="drift-cast")
    s.apply("cast", column="when", dtype="datetime64[ns, UTC]")
    run = ex.train(s, "churn", "logistic_regression", tracking_uri=mlflow_store)
    assert run.wait(120) == "completed", run.error
    report = run.drift(stamped(7))
    assert not [a for a in report.alerts if a.column == "when" and a.severity == "high"], [
        a.message for a in report.alerts
    ]
    assert report.verdict == "no drift", [a.message for a in report.alerts]
    s.close()


def test_runs_without_a_reference_refuse_in_one_line(mlflow_store) -> None:
    untracked = ex.train(frame(200), "churn", model="logistic_regression", track=False)
    untracked.wait(60)
    with pytest.raises(ExperimentError, match="was not tracked"):
        untracked.drift(frame(100))
    with pytest.raises(ExperimentError, match=r"^run 'nope' has no drift reference") as info:
        hj.drift("nope", frame(100), tracking_uri=mlflow_store)
    assert "\n" not in str(info.value)


def test_references_are_checked_when_read() -> None:
    good = build_reference(frame(300)).to_json()
    assert Reference.from_json(good).names == ["x", "size", "city", "churn"]
    bad = [
        "not json",
        json.dumps({"format": 2, "rows": 1, "columns": []}),
        good.replace('"kind":"numeric"', '"kind":"pickle"', 1),
        good.replace('"rows":300', '"rows":"many"', 1),
        json.dumps({"format": 1, "rows": 1, "columns": [{"name": 3, "kind": "numeric"}]}),
    ]
    for text in bad:
        with pytest.raises(ReferenceError):
            Reference.from_json(text)


HOSTILE = '<script>alert("x")</script>'


def test_hostile_names_and_values_are_escaped_in_the_html() -> None:
    old = pd.DataFrame({HOSTILE: np.arange(1000.0), "c": ["a", "b"] * 500})
    new = pd.DataFrame({HOSTILE: np.arange(1000.0) + 600, "c": ['<img src=x onerror="y">'] * 1000})
    report = hj.Session(old).drift(hj.Session(new))
    assert set(report.drifted) == {HOSTILE, "c"}
    page = report._repr_html_()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=&quot;y&quot;&gt;" in page
    assert page.count("<svg") == 2
    assert repr(report).count("\n") == 0 and repr(report).startswith("<DriftReport: severe drift")


def test_a_tuning_run_stores_its_reference_too(mlflow_store) -> None:
    tuned = ex.tune(frame(400), "churn", "logistic_regression", n_trials=2, experiment="drift")
    assert tuned.wait(120) == "completed", tuned.error
    ref = load_reference(tuned.run_id)
    assert ref.target == "churn" and ref.rows == 400 and "f1" in ref.metrics
    assert tuned.drift(frame(400, seed=9)).verdict == "no drift"


def test_numbers_at_the_float_limits_still_make_a_json_reference() -> None:
    huge = pd.DataFrame({"v": [1.7e308, 1.7e308, -1.0, 2.0]})
    ref = Reference.from_json(build_reference(huge).to_json())
    assert ref.column("v").mean is None and ref.column("v").high == 1.7e308


def test_charts_show_missing_values_and_the_categories_that_moved_most() -> None:
    rng = np.random.default_rng(0)
    names = [f"c{i:02d}" for i in range(60)]
    old = pd.DataFrame({"c": rng.choice(names, 6000), "v": rng.normal(size=6000)})
    new = pd.DataFrame({"c": rng.choice(names, 3000), "v": rng.normal(size=3000)})
    new.loc[:299, "c"] = "fresh"
    new.loc[:599, "v"] = np.nan
    page = hj.Session(old).drift(new)._repr_html_()
    charts = page.split("<svg")[1:]
    assert len(charts) == 2 and all(c.count("<rect") <= 48 for c in charts)
    assert "<title>fresh: new 10.0%</title>" in charts[0]
    assert "<title>(missing): new 20.0%</title>" in charts[1]


def test_unused_categories_of_a_categorical_dtype_are_not_values() -> None:
    kinds = pd.CategoricalDtype(["a", "b", "c", "never"])
    old = pd.DataFrame({"k": pd.Series(["a", "b", "c"] * 300, dtype=kinds)})
    new = pd.DataFrame(
        {"k": pd.Series(["a", "b"] * 300, dtype=pd.CategoricalDtype(["a", "b", "z"]))}
    )
    ref = build_reference(old)
    assert ref.column("k").categories == {"a": 300, "b": 300, "c": 300}
    report = compare(ref, new)
    assert report.columns[0].unseen is None and [a.check for a in report.alerts] == ["psi"]


def test_absent_and_retyped_columns_are_high_alerts() -> None:
    ref = build_reference(frame(500), target="churn")
    new = frame(500, seed=1).drop(columns=["size", "churn"]).assign(x=lambda d: d["x"].astype(str))
    report = compare(ref, new)
    checks = {(a.column, a.check): a.severity for a in report.alerts}
    assert checks == {("size", "absent"): "high", ("x", "type"): "high"}


def test_durations_are_numbers_in_seconds_and_shift_like_numbers() -> None:
    rng = np.random.default_rng(3)
    old = pd.DataFrame({"wait": pd.to_timedelta(rng.gamma(2.0, 60.0, 3000), unit="s")})
    same = pd.DataFrame({"wait": pd.to_timedelta(rng.gamma(2.0, 60.0, 3000), unit="s")})
    later = same.assign(wait=same["wait"] + pd.Timedelta(minutes=3))
    ref = build_reference(old)
    assert ref.column("wait").kind == "numeric" and 100 < ref.column("wait").mean < 140
    assert compare(ref, same).verdict == "no drift"
    report = compare(ref, later)
    assert {a.check for a in report.alerts if a.severity == "high"} >= {"ks"}


def test_unseen_values_are_named_with_their_line_breaks_escaped() -> None:
    old = pd.DataFrame({"c": ["a", "b"] * 500})
    new = pd.DataFrame({"c": ["a", "evil\nline", "b\u202e"] * 300})
    alert = next(a for a in compare(build_reference(old), new).alerts if a.check == "unseen")
    assert "\n" not in alert.message and "\u202e" not in alert.message
    assert "'evil\\nline'" in alert.message
