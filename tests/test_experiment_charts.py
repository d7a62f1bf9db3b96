"""End-of-run charts: drawn from real runs, their figures checked against the runs' own numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.experiments import ExperimentError
from hydroml_jupyter.experiments.charts import feature_importance
from hydroml_jupyter.experiments.evaluation import MAX_ROWS, holdout
from hydroml_jupyter.widgets import ExperimentView
from hydroml_jupyter.widgets import experiment as experiment_module
from hydroml_jupyter.widgets.dispatch import Dispatcher
from hydroml_jupyter.widgets.experiment_view import PLOTLY_MIME
from hydroml_jupyter.widgets.run_actions import RunActions

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
            "joined": pd.date_range("2021-01-01", periods=n, freq="D"),
        }
    )
    signal = df["num"] + (df["city"] == "paris")
    df["churn"] = np.where(signal + rng.normal(scale=0.5, size=n) > 0.4, "yes", "no")
    df["tier"] = pd.cut(signal, [-np.inf, -0.3, 0.8, np.inf], labels=["low", "mid", "high"]).astype(
        str
    )
    df["spend"] = 3 * df["num"] + 2 * (df["city"] == "nice") + rng.normal(scale=0.3, size=n)
    return df


@pytest.fixture(scope="module")
def session() -> Iterator[hj.Session]:
    s = hj.Session(frame(), name="charts")
    yield s
    s.close()


FEATURES = ["num", "city", "joined"]


def finished(run):
    assert run.wait(120) == "completed", run.logs
    return run


def test_binary_classification_charts_match_the_run(session: hj.Session) -> None:
    run = finished(session.train("churn", model="random_forest", preset="fast", features=FEATURES))
    charts = run.charts()
    assert list(charts) == ["importance", "confusion", "roc"]
    held = run.holdout
    assert held is not None and held.source == "validation split" and held.rows == 80
    confusion = charts["confusion"].data[0]
    assert np.asarray(confusion.z).sum() == 80
    assert list(confusion.x) == ["no", "yes"]
    assert np.trace(np.asarray(confusion.z)) / 80 == pytest.approx(run.metrics["accuracy"])
    roc = charts["roc"].data[0]
    assert roc.name == f"AUC {run.metrics['roc_auc']:.3f}"
    assert roc.x[0] == 0 and roc.x[-1] == 1
    bars = charts["importance"].data[0]
    assert set(bars.y) == {
        "num",
        "city_lyon",
        "city_nice",
        "city_paris",
        "joined year",
        "joined month",
        "joined day",
        "joined weekday",
    }
    assert bars.y[-1] == "num"  # the strongest signal is drawn on top
    assert "validation split, 80 rows" in charts["confusion"].layout.title.text


def test_xgboost_importance_comes_through_its_label_wrapper(session: hj.Session) -> None:
    run = finished(session.train("churn", model="xgboost", preset="fast", features=FEATURES))
    values = feature_importance(run.result())
    assert values is not None and next(iter(values)) == "num"
    assert sum(values.values()) == pytest.approx(1.0, rel=1e-5)


def test_models_without_importances_get_permutation_importance(session: hj.Session) -> None:
    run = finished(session.train("churn", model="knn", preset="fast", features=FEATURES))
    charts = run.charts()
    assert list(charts) == ["importance", "confusion", "roc"]
    bars = charts["importance"].data[0]
    assert set(bars.y) == set(FEATURES) and bars.y[-1] == "num"  # frame columns, best on top
    held = run.holdout
    assert held is not None and held.importance_rows == 80
    assert charts["importance"].layout.title.text == (
        "Permutation importance (knn, 3 columns, 80 rows)"
    )


def test_multiclass_has_one_roc_curve_per_class(session: hj.Session) -> None:
    run = finished(session.train("tier", model="logistic_regression", features=FEATURES))
    charts = run.charts()
    names = [trace.name for trace in charts["roc"].data]
    assert [n.split(":")[0] for n in names] == ["high", "low", "mid", "chance"]
    assert np.asarray(charts["confusion"].data[0].z).shape == (3, 3)


def test_regression_residuals_are_truth_minus_prediction(session: hj.Session) -> None:
    run = finished(session.train("spend", model="ridge", features=FEATURES))
    charts = run.charts()
    assert list(charts) == ["importance", "residuals"]
    points = charts["residuals"].data[0]
    held = run.holdout
    assert held is not None and len(points.x) == held.rows == 80
    assert np.allclose(np.asarray(points.y), held.y_true - held.y_pred)
    rmse = float(np.sqrt(np.mean(np.asarray(points.y) ** 2)))
    assert rmse == pytest.approx(run.metrics["rmse"])


def test_cross_validation_charts_use_out_of_fold_predictions(session: hj.Session) -> None:
    run = finished(
        session.train("churn", model="knn", preset="fast", cv=3, features=["num", "city"])
    )
    charts = run.charts()
    assert "importance" not in charts  # k-NN has no importances to draw
    assert np.asarray(charts["confusion"].data[0].z).sum() == 400
    assert "out-of-fold predictions of 3 folds, 400 rows" in charts["roc"].layout.title.text


def test_tuning_adds_history_and_parameter_importance(session: hj.Session) -> None:
    tune = session.tune(
        "churn", model="random_forest", n_trials=4, preset="fast", features=FEATURES
    )
    assert tune.wait(120) == "completed", tune.logs
    charts = tune.charts()
    assert list(charts) == ["importance", "confusion", "roc", "history", "param_importance"]
    best = charts["history"].data[1]
    assert max(best.y) == pytest.approx(tune.best_value)
    assert set(charts["param_importance"].data[0].y) <= set(tune.best_params)


def test_a_failed_run_has_no_charts(session: hj.Session) -> None:
    bad = {"objective": "binary:nope"}  # valid as a value, refused by xgboost when it fits
    run = session.train("churn", model="xgboost", params=bad, features=FEATURES)
    assert run.wait(60) == "failed"
    with pytest.raises(ExperimentError, match="it is failed, not completed"):
        run.charts()


def test_holdout_keeps_an_even_sample_of_large_validation_sets() -> None:
    from sklearn.dummy import DummyRegressor

    n = MAX_ROWS * 2 + 1
    X = pd.DataFrame({"a": np.arange(n, dtype=float)})
    y = np.arange(n, dtype=float)
    held = holdout(DummyRegressor().fit(X, y), X, y, "regression", "validation split")
    assert len(held.y_true) == MAX_ROWS and held.rows == n and held.sampled
    assert held.y_true[0] == 0 and held.y_true[-1] == n - 1
    assert held.note == f"validation split, {MAX_ROWS:,} of {n:,} rows"


def test_the_view_draws_plotly_charts_on_the_loop_when_the_run_ends(
    session: hj.Session, loop_thread: Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(experiment_module, "kernel_dispatcher", lambda: loop_thread)
    run = session.train("churn", model="random_forest", preset="fast", features=FEATURES)
    view = run.view()
    assert isinstance(view, ExperimentView) and view.children[0] is run.panel()
    assert run.view() is view
    assert run.wait(120) == "completed"
    deadline = time.monotonic() + 30
    while not view.drawn:
        assert time.monotonic() < deadline, "the charts were not drawn"
        time.sleep(0.02)
    box, actions = view.charts.children
    assert isinstance(actions, RunActions) and actions.handle is run
    outputs = [cell.outputs[0] for cell in box.children]
    assert [o["data"]["text/plain"].split(" (")[0] for o in outputs] == [
        "<Figure: Feature importance",
        "<Figure: Confusion matrix",
        "<Figure: ROC",
    ]
    spec = outputs[1]["data"][PLOTLY_MIME]
    assert spec["data"][0]["type"] == "heatmap" and spec["config"]["displaylogo"] is False
    assert "ExperimentView of" in repr(view)
    view.close()
    assert view.closed and not run.panel().closed
    assert run.view() is not view


def test_a_view_of_an_ended_run_draws_at_once(session: hj.Session) -> None:
    run = finished(session.train("spend", model="linear", features=["num"]))
    panel = run.panel()
    panel._flush()  # what the panel's first throttled update does on the kernel loop
    view = ExperimentView(panel)
    deadline = time.monotonic() + 30
    while not view.drawn:  # built on a worker thread at once, not on the next update
        assert time.monotonic() < deadline, "the charts were not drawn"
        time.sleep(0.02)
    assert len(view.charts.children) == 2  # the charts, then the run's actions row
    assert run.charts().keys() == {"importance", "residuals"}
    assert run.charts()["residuals"] is run.charts()["residuals"]  # built once
    view.close()


def test_names_and_labels_reach_plotly_as_text() -> None:
    link = '<a href="https://example.com">x</a>'
    rng = np.random.default_rng(1)
    df = pd.DataFrame({link: rng.normal(size=200), "b": rng.normal(size=200)})
    df["y"] = np.where(df[link] > 0, "<b>up</b>", "down")
    s = hj.Session(df, name="charts-names")
    run = finished(s.train("y", model="random_forest", preset="fast"))
    charts = run.charts()
    assert '&lt;a href="https://example.com"&gt;x&lt;/a&gt;' in charts["importance"].data[0].y
    assert list(charts["confusion"].data[0].x) == ["&lt;b&gt;up&lt;/b&gt;", "down"]
    specs = [fig.to_json() for fig in charts.values()]
    assert not any("<a href" in spec or "<b>" in spec for spec in specs)
    s.close()


@pytest.mark.parametrize("classes", [2, 3])
def test_the_holdout_of_a_fit_matches_a_fresh_prediction_of_its_pipeline(classes: int) -> None:
    from hydroml_jupyter.experiments.fitting import Hooks, fit_pipeline

    rng = np.random.default_rng(classes)
    X = pd.DataFrame({"a": rng.normal(size=400), "c": rng.choice(["x", "y", "z"], 400)})
    y = np.asarray([f"k{i}" for i in rng.integers(0, classes, 400)], dtype=object)
    hooks = Hooks()
    params = {"n_estimators": 15, "max_depth": 3}
    pipe = fit_pipeline(
        "xgboost", "classification", params, 0, X[:300], y[:300], X[300:], y[300:], hooks
    )
    # the fit's transformed validation rows, one pass over the trees for labels and probabilities
    held = holdout(
        pipe, X[300:], y[300:], "classification", "validation split", features=hooks.validation
    )
    assert hooks.validation is not None and held.proba is not None
    np.testing.assert_array_equal(held.y_pred, pipe.predict(X[300:]))
    np.testing.assert_allclose(held.proba, pipe.predict_proba(X[300:]))
    assert list(held.classes) == [f"k{i}" for i in range(classes)]
