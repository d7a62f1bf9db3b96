"""Early stopping of boosting models on the run's validation split, and the best round recorded."""

from __future__ import annotations

import numpy as np
import pytest
from frames import noisy

from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError
from hydroml_jupyter.experiments.presets import preset_params


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def test_xgboost_stops_early_and_records_the_best_round(mlflow_store: str) -> None:
    from mlflow import MlflowClient

    params = {"n_estimators": 800, "learning_rate": 0.1, "max_depth": 6}
    run = ex.train(noisy(), "y", model="xgboost", params=params)
    assert run.wait(120) == "completed", run.error
    val = [h["val_rmse"] for h in run.history]
    best = run.best_round
    assert len(val) < 800  # stopped: 50 rounds (the balanced preset) after the best
    assert best == int(np.argmin(val)) + 1 == len(val) - 50
    assert min(val) < val[-1]  # the validation loss rose after the best round
    assert any(line.startswith(f"best round {best} of 800 (stopped early") for line in run.logs)
    model = run.result().named_steps["model"]
    assert model.best_iteration + 1 == best
    data = MlflowClient(mlflow_store).get_run(run.run_id).data
    assert data.metrics["best_round"] == best
    assert data.params["early_stopping_rounds"] == "50"


def test_gradient_boosting_stops_on_the_run_split_and_keeps_the_best_round() -> None:
    params = {"n_estimators": 800, "learning_rate": 0.3, "max_depth": 5}
    run = ex.train(noisy(), "y", model="gradient_boosting", params=params, early_stopping=10)
    assert run.wait(120) == "completed", run.error
    val = [h["val_rmse"] for h in run.history]
    best = run.best_round
    assert best == int(np.argmin(val)) + 1 and len(val) == best + 10
    gb = run.result().named_steps["model"]
    assert gb.n_estimators_ == len(gb.estimators_) == best  # cut back to the best round
    assert gb.n_iter_no_change == 10  # the parameter as logged; the run's split was used


def test_early_stopping_false_trains_every_round() -> None:
    params = {"n_estimators": 120, "learning_rate": 0.3, "max_depth": 6}
    run = ex.train(noisy(), "y", model="xgboost", params=params, early_stopping=False, track=False)
    assert run.wait(120) == "completed", run.error
    model = run.result().named_steps["model"]
    assert model.get_booster().num_boosted_rounds() == 120
    # nothing needs every round's loss: the curves are scored every curve_stride(120) rounds
    assert [h["step"] for h in run.history] == list(range(3, 121, 3))
    assert run.history[-1]["val_rmse"] == pytest.approx(run.metrics["rmse"], rel=1e-5)
    assert run.best_round is None


def test_a_cross_validated_refit_has_no_split_and_trains_every_round() -> None:
    params = {"n_estimators": 60, "learning_rate": 0.3, "max_depth": 6}
    run = ex.train(noisy(300), "y", model="xgboost", params=params, cv=2, track=False)
    assert run.wait(120) == "completed", run.error
    model = run.result().named_steps["model"]
    assert model.early_stopping_rounds is None
    assert model.get_booster().num_boosted_rounds() == 60


def test_presets_set_the_patience_and_the_option_overrides_it() -> None:
    assert preset_params("xgboost", "fast")["early_stopping_rounds"] == 20
    assert preset_params("gradient_boosting", "thorough")["n_iter_no_change"] == 100
    assert "n_iter_no_change" not in preset_params("random_forest", "balanced")
    table = ex.presets("xgboost")
    assert table.set_index("preset").loc["balanced", "params"]["early_stopping_rounds"] == 50
    with pytest.raises(ExperimentError, match="early_stopping must be None, True, False"):
        ex.train(noisy(), "y", model="xgboost", early_stopping=0)
    with pytest.raises(ExperimentError, match="early_stopping applies to xgboost"):
        ex.train(noisy(), "y", model="ridge", early_stopping=5)


def test_the_train_curve_is_scored_on_a_bounded_sample_of_the_training_rows() -> None:
    # Scoring every training row each round cost a third of the fit; the curve is scored on
    # evenly spaced rows instead, at most TRAIN_CURVE_ROWS of them.
    from xgboost import XGBRegressor

    from hydroml_jupyter.experiments import fitting

    rng = np.random.default_rng(1)
    n = 3 * fitting.TRAIN_CURVE_ROWS + 1
    X, y = rng.normal(size=(n, 4)), rng.normal(size=n)
    steps: list[dict[str, float]] = []
    hooks = fitting.Hooks(on_step=lambda step, values: steps.append(values))
    model = XGBRegressor(n_estimators=3, max_depth=2, early_stopping_rounds=None)
    fitting._fit_xgboost(model, "regression", X, y, X[:50], y[:50], hooks)

    def rmse(rows: slice) -> float:
        return float(np.sqrt(np.mean((model.predict(X[rows]) - y[rows]) ** 2)))

    sample = slice(None, None, 4)  # 4 rows apart: 6,001 rows → 1,501 scored
    assert len(range(n)[sample]) <= fitting.TRAIN_CURVE_ROWS
    assert steps[-1]["train_rmse"] == pytest.approx(rmse(sample), rel=1e-5)
    assert steps[-1]["train_rmse"] != pytest.approx(rmse(slice(None)), rel=1e-5)


def test_gradient_boosting_without_early_stopping_reports_its_curves_every_few_rounds() -> None:
    params = {"n_estimators": 120, "max_depth": 2}
    run = ex.train(
        noisy(), "y", model="gradient_boosting", params=params, early_stopping=False, track=False
    )
    assert run.wait(120) == "completed", run.error
    assert run.result().named_steps["model"].n_estimators_ == 120
    assert [h["step"] for h in run.history] == list(range(3, 121, 3))
    assert run.history[-1]["val_rmse"] == pytest.approx(run.metrics["rmse"], rel=1e-5)
