"""Session.profile/suggest/apply_suggestion/train/tune: thin hand-offs to the other layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj


@pytest.fixture
def messy():
    rng = np.random.default_rng(0)
    n = 200
    df = pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.2, np.nan, rng.normal(40, 10, n).round()),
            "unit": ["kg"] * n,
            "city": rng.choice(["Paris", "paris", " Paris", "Lyon"], n),
            "spend": rng.gamma(2.0, 10.0, n),
        }
    )
    df["churned"] = (df["spend"] + rng.normal(0, 5, n) > 20).astype("int64")
    s = hj.Session(df, name="messy")
    yield s
    s.close()


def test_profile_is_cached_per_step(messy) -> None:
    first = messy.profile()
    assert messy.profile() is first
    assert {a.kind for a in first.alerts} >= {"constant", "missing"}
    messy.apply("drop_columns", columns=["unit"])
    assert messy.profile() is not first
    messy.undo()
    assert messy.profile() is first  # back on the original step: its profile is still cached


def test_suggestions_apply_as_undoable_steps(messy) -> None:
    suggestions = messy.suggest()
    assert suggestions and all(0 <= s.confidence <= 1 for s in suggestions)
    drop = next(s for s in suggestions if s.alert.kind == "constant")
    assert drop.op == "drop_columns" and "unit" in drop.rationale
    step = drop.apply()
    assert step.op == "drop_columns" and "unit" not in messy.df.columns
    assert "constant" not in {a.kind for a in messy.profile().alerts}
    messy.undo()
    assert "unit" in messy.df.columns
    fill = next(s for s in messy.suggest() if s.op == "fill_missing")
    messy.apply_suggestion(fill)
    assert messy.df["age"].isna().sum() == 0
    assert "fillna" in messy.code()


def test_train_and_tune_run_in_the_background(messy, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    messy.apply("fill_missing", column="age", strategy="median")
    run = messy.train("churned", model="logistic_regression", tracking_uri=uri)
    assert run.wait(timeout=120) == "completed", run.error
    assert run.task == "classification" and "f1" in run.metrics
    tune = messy.tune("churned", model="logistic_regression", n_trials=2, tracking_uri=uri)
    assert tune.wait(timeout=120) == "completed", tune.error
    assert len(tune.history) == 2
    board = hj.experiments.runs(tracking_uri=uri)
    assert run.run_id in set(board["run_id"])
