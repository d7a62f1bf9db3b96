"""Cancel is prompt for every model of the catalog, and bad parameters are refused up front.

Each case is cancelled in the middle of its fit (``bench/cancel.py`` prints the
latencies on cases that train for minutes). Models that stop by themselves (boosting rounds, forest
chunks) must stop their fit too; the others are abandoned: the handle reports
``cancelled`` while their fit still runs, and what the fit returns later is dropped.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError, active, tracking

#: model -> (rows, feature columns, target, params): boosting and forests would train for
#: minutes, the others for about two seconds (long enough to be cancelled mid-fit, short
#: enough that waiting for the abandoned fit keeps the test short; bench/cancel.py cancels
#: fits of minutes).
LONG: dict[str, tuple[int, int, str, dict[str, Any]]] = {
    "xgboost": (5000, 8, "label", {"n_estimators": 100_000, "early_stopping_rounds": None}),
    "random_forest": (5000, 8, "label", {"n_estimators": 100_000}),
    "gradient_boosting": (5000, 8, "label", {"n_estimators": 100_000, "n_iter_no_change": None}),
    "logistic_regression": (5000, 10, "label", {"solver": "saga", "tol": 0.0, "max_iter": 5000}),
    "linear": (250_000, 50, "value", {}),
    "ridge": (5000, 10, "label", {"solver": "saga", "tol": 0.0, "max_iter": 6000}),
    "svm": (4000, 10, "label", {"C": 100.0}),
    "knn": (5000, 8, "label", {"algorithm": "brute", "n_neighbors": 50}),
}
STOPPABLE = {"xgboost", "random_forest", "gradient_boosting"}


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


@pytest.fixture(scope="module")
def client(mlflow_store: str):
    from mlflow import MlflowClient

    return MlflowClient(mlflow_store)


def make_frame(rows: int, columns: int, target: str, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(rows, columns))
    df = pd.DataFrame(data, columns=[f"f{i}" for i in range(columns)])
    signal = data[:, 0] + 0.5 * data[:, 1] + rng.normal(size=rows)
    df[target] = np.where(signal > 0, "up", "down") if target == "label" else signal
    return df


def fit_thread_of(run: ex.RunHandle) -> threading.Thread:
    """Wait until ``run`` fits (or scores) its model; return the thread that does."""
    deadline = time.monotonic() + 60
    while run.fit_thread is None:
        assert not run.done and time.monotonic() < deadline, run.error
        time.sleep(0.01)
    return run.fit_thread


def cancel_and_time(run: ex.RunHandle) -> float:
    start = time.monotonic()
    assert run.cancel() is True
    assert run.wait(2) == "cancelled", run.logs
    return time.monotonic() - start


def test_every_model_of_the_catalog_has_a_long_case() -> None:
    assert set(LONG) == set(ex.MODELS)


@pytest.mark.parametrize("model", list(LONG))
def test_cancel_is_prompt_for_every_model(model: str, client) -> None:
    rows, columns, target, params = LONG[model]
    run = ex.train(make_frame(rows, columns, target), target, model=model, params=params)
    thread = fit_thread_of(run)
    while model in STOPPABLE and not run.history:  # its rounds or chunks have begun
        assert not run.done, run.error
        time.sleep(0.01)
    time.sleep(0.3)
    took = cancel_and_time(run)
    assert took < 2
    abandoned = thread.is_alive()
    steps = len(run.history)
    run.thread.join(1)
    assert not run.thread.is_alive()  # the run's worker has ended, whatever its fit does
    got = client.get_run(run.run_id)
    assert got.info.status == "KILLED"
    assert got.data.tags[tracking.END_REASON] == "cancelled"
    if model in STOPPABLE:
        thread.join(2)
        assert not thread.is_alive(), "the fit itself stops at its next round or chunk"
        assert 0 < steps < params["n_estimators"]
    else:
        assert abandoned, "the fit still runs: the handle did not wait for it"
        thread.join(30)
    # whatever the fit did after the cancel is dropped
    assert run.status == "cancelled" and run.metrics == {} and run.holdout is None
    assert len(run.history) == steps and run.logs[-1] == "cancelled"
    with pytest.raises(ExperimentError, match="was cancelled"):
        run.result()


@pytest.mark.parametrize(
    ("model", "space"),
    [
        ("random_forest", {"n_estimators": {"type": "int", "low": 100_000, "high": 100_000}}),
        ("svm", {"C": {"type": "float", "low": 100.0, "high": 100.0}}),
    ],
)
def test_cancel_interrupts_the_running_trial_and_stops_the_study(
    model: str, space: dict[str, Any], client
) -> None:
    run = ex.tune(
        make_frame(5000, 10, "label"), "label", model=model, n_trials=20, search_space=space
    )
    thread = fit_thread_of(run)
    time.sleep(0.3)
    assert cancel_and_time(run) < 2
    assert len(run.history) == 1 and run.history[0]["state"] == "PRUNED"
    got = client.get_run(run.run_id)
    assert got.info.status == "KILLED" and got.data.tags[tracking.END_REASON] == "cancelled"
    (trial,) = client.search_runs(
        [run.experiment_id], f"tags.`mlflow.parentRunId` = '{run.run_id}'"
    )
    assert trial.info.status == "KILLED"
    assert trial.data.tags["hydroml.trial_state"] == "PRUNED"
    assert trial.data.tags[tracking.END_REASON] == "cancelled"
    thread.join(30)
    assert len(run.history) == 1


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_forest_grows_in_timed_chunks_scored_on_the_new_trees(task: str) -> None:
    target = "label" if task == "classification" else "value"
    df = make_frame(800, 5, target)
    run = ex.train(df, target, model="random_forest", params={"n_estimators": 300}, track=False)
    assert run.wait(60) == "completed", run.logs
    steps = [h["step"] for h in run.history]
    assert steps[0] == 1 and steps[-1] == 300
    sizes = np.diff([0, *steps])
    assert (sizes[1:] <= 4 * sizes[:-1]).all()  # a chunk at most quadruples the one before
    last = run.history[-1]
    if task == "classification":
        assert last["val_accuracy"] == run.metrics["accuracy"]
    else:
        assert last["val_rmse"] == pytest.approx(run.metrics["rmse"], rel=1e-9)


def test_the_linear_model_solves_as_scikit_learn_does() -> None:
    from sklearn.linear_model import LinearRegression

    from hydroml_jupyter.experiments.estimators import fit_linear

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 6))
    X[:, 5] = 2 * X[:, 4]  # rank-deficient, as real frames can be
    y = X @ np.arange(6.0) + rng.normal(size=400) + 3
    for options in ({}, {"fit_intercept": False}):
        ours = fit_linear(LinearRegression(**options), X, y)
        ref = LinearRegression(**options).fit(X, y)
        assert type(ours) is LinearRegression and ours.rank_ == ref.rank_ == 5
        assert sorted(vars(ours)) == sorted(vars(ref))
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)
    run = ex.train(make_frame(300, 3, "value"), "value", model="linear", track=False)
    assert type(run.result(60).named_steps["model"]) is LinearRegression


@pytest.mark.parametrize(
    ("model", "params", "message"),
    [
        (
            "random_forest",
            {"n_estimators": -1},
            "parameter 'n_estimators' of random_forest must be an int in the range [1, inf), "
            "not -1",
        ),
        (
            "xgboost",
            {"n_estimators": 0},
            "parameter 'n_estimators' of xgboost must be an int in the range [1, inf) or None, "
            "not 0",
        ),
        (
            "xgboost",
            {"learning_rate": "fast"},
            "parameter 'learning_rate' of xgboost must be a float in the range (0.0, inf) or "
            "None, not 'fast'",
        ),
        (
            "gradient_boosting",
            {"n_estimators": 2.5},
            "parameter 'n_estimators' of gradient_boosting must be an int in the range [1, inf), "
            "not 2.5",
        ),
        ("svm", {"C": 0}, "parameter 'C' of svm must be a float in the range (0.0, inf], not 0"),
        (
            "knn",
            {"n_neighbors": 0},
            "parameter 'n_neighbors' of knn must be an int in the range [1, inf) or None, not 0",
        ),
        (
            "logistic_regression",
            {"max_iter": True},
            "parameter 'max_iter' of logistic_regression must be an int in the range [0, inf), "
            "not True",
        ),
        (
            "ridge",
            {"alpha": -1.0},
            "parameter 'alpha' of ridge must be a float in the range [0.0, inf) or an array-like, "
            "not -1.0",
        ),
    ],
)
def test_invalid_parameters_are_refused_before_a_run_starts(
    model: str, params: dict[str, Any], message: str
) -> None:
    df = make_frame(50, 2, "label")
    before = {id(h) for h in active.started()}
    with pytest.raises(ExperimentError) as info:
        ex.train(df, "label", model=model, params=params)
    assert str(info.value) == message
    with pytest.raises(ExperimentError, match="must be"):
        ex.tune(df, "label", model=model, params=params, n_trials=1)
    with pytest.raises(ExperimentError, match="must be"):
        ex.save_preset("mine", model, params)
    assert not [h for h in active.started() if id(h) not in before]  # no run was started


def test_a_search_space_outside_the_parameters_range_is_refused() -> None:
    space = {"n_estimators": {"type": "int", "low": -5, "high": 10}}
    with pytest.raises(ExperimentError, match=r"search space 'n_estimators': .*not -5"):
        ex.tune(make_frame(50, 2, "label"), "label", model="xgboost", search_space=space)
