"""The experiment panel shows the best round of a boosting run that stopped early."""

from __future__ import annotations

import time

import pytest
from frames import noisy

from hydroml_jupyter import experiments as ex
from hydroml_jupyter.widgets import ExperimentPanel
from hydroml_jupyter.widgets.experiment_state import RunTracker

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def test_the_panel_shows_the_best_round_of_a_run_that_stopped_early() -> None:
    params = {"n_estimators": 800, "learning_rate": 0.1, "max_depth": 6}
    run = ex.train(noisy(), "y", model="xgboost", params=params, track=False)
    panel = ExperimentPanel(run)
    assert run.wait(120) == "completed", run.error
    deadline = time.monotonic() + 30
    while panel.status != "done" and time.monotonic() < deadline:
        time.sleep(0.02)
    state = panel.runs[0]
    assert state["status"] == "done"
    assert run.best_round is not None and state["best_round"] == run.best_round
    assert state["total"] == 800 and state["done_steps"] == run.best_round + 50
    panel.close()


def test_runs_without_early_stopping_have_no_best_round() -> None:
    params = {"n_estimators": 20, "early_stopping_rounds": None}
    run = ex.train(noisy(200), "y", model="xgboost", params=params, track=False)
    assert run.wait(60) == "completed", run.error
    assert RunTracker(run).update()["best_round"] is None
