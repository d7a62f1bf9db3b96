"""Experiments: training and tuning in threads, tracked in a real MLflow sqlite store."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.experiments import ExperimentError


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


@pytest.fixture(scope="module")
def client(mlflow_store: str):
    from mlflow import MlflowClient

    return MlflowClient(mlflow_store)


def frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "count": pd.array(rng.integers(0, 50, n), dtype="Int64"),
            "city": rng.choice(["paris", "lyon", "nice"], n),
            "plan": pd.Categorical(rng.choice(["basic", "pro"], n)),
            "joined": pd.date_range("2021-01-01", periods=n, freq="D"),
            "active": rng.random(n) > 0.5,
        }
    )
    df.loc[::11, "num"] = np.nan
    df.loc[::7, "city"] = None
    df.loc[::13, "count"] = pd.NA
    signal = df["num"].fillna(0) + (df["city"] == "paris") + 0.5 * df["active"]
    df["churn"] = np.where(signal > 0.4, "yes", "no")
    df["spend"] = 3 * df["num"].fillna(0) + df["count"].fillna(0).astype(float) / 10
    df["spend"] += rng.normal(scale=0.3, size=n)
    return df


# -- task inference and preprocessing ---------------------------------------------------


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        (pd.Categorical(["x", "y", "x"]), "classification"),
        ([0, 1] * 10, "classification"),
        (list(range(3)) * 100, "classification"),
        (list(range(40)), "regression"),
        (list(range(10)) * 5, "regression"),  # 10 values are 20% of 50 rows
        ([1.5, 2.0, 0.5], "regression"),
    ],
)
def test_task_inference(values, task) -> None:
    assert ex.infer_task(pd.Series(values)) == task


def test_preprocessor_handles_a_mixed_frame() -> None:
    df = frame(120).drop(columns=["churn", "spend"])
    df["empty"] = np.nan
    df["wait"] = pd.to_timedelta(np.arange(120), unit="s")
    df["customer_id"] = [f"C{i}" for i in range(120)]
    pre, logs = ex.build_preprocessor(df, scale=True)
    out = pre.fit_transform(df)
    assert not np.isnan(out).any()
    # num + count + active, 4 date parts, city (3 + missing) + plan (2)
    assert out.shape == (120, 3 + 4 + 4 + 2)
    assert any("'empty'" in line for line in logs)
    assert any("'wait'" in line for line in logs)
    assert any("'customer_id'" in line for line in logs)
    unseen = df.head(2).assign(city="tokyo", plan=pd.Categorical(["pro", "pro"]))
    assert pre.transform(unseen).shape == (2, out.shape[1])


def test_importing_experiments_does_not_import_mlflow() -> None:
    code = (
        "import sys, hydroml_jupyter.experiments\n"
        "print([m for m in ('mlflow', 'optuna', 'xgboost') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- training and tracking ----------------------------------------------------------------


def test_training_is_tracked_with_lineage_and_a_reloadable_model(client) -> None:
    import mlflow

    s = hj.Session(frame(), name="exp-lineage")
    s.apply("fill_missing", column="num", strategy="median")
    events: list[tuple[str, str]] = []
    run = ex.train(s, "churn", model="xgboost", preset="fast", params={"n_estimators": 30})
    run.subscribe(lambda e: events.append((e["kind"], threading.current_thread().name)))
    assert run.wait(60) == "completed", run.logs
    pipe = run.result()
    assert run.task == "classification" and run.progress == 1.0 and run.duration > 0
    assert set(run.metrics) == {"accuracy", "f1", "roc_auc", "log_loss"}
    assert len(run.history) == 30 and {"train_logloss", "val_logloss"} <= set(run.history[-1])
    assert "\n" not in repr(run) and "completed" in repr(run)

    data = client.get_run(run.run_id).data
    assert data.params["n_estimators"] == "30" and data.params["max_depth"] == "4"
    assert data.params["preset"] == "fast" and data.params["target"] == "churn"
    assert data.params["task"] == "classification" and data.params["seed"] == "0"
    assert data.metrics["f1"] == pytest.approx(run.metrics["f1"])
    assert len(client.get_metric_history(run.run_id, "val_logloss")) == 30
    assert len(data.tags["hydroml.data_sha256"]) == 64
    assert data.tags["hydroml.data_shape"] == "300x8"
    folder = Path(client.download_artifacts(run.run_id, "lineage"))
    assert (folder / "recipe.json").read_text() == s.recipe().to_json()
    assert (folder / "code.py").read_text() == s.code()
    assert json.loads((folder / "data.json").read_text())["rows"] == 300

    X = s.df.drop(columns=["churn"])
    loaded = mlflow.sklearn.load_model(run.model_uri)
    assert (loaded.predict(X) == pipe.predict(X)).all()
    assert set(pipe.predict(X)) <= {"yes", "no"}
    pyfunc = mlflow.pyfunc.load_model(f"runs:/{run.run_id}/model")
    # pyfunc's schema takes plain dtypes: categories as text, nullable integers as floats
    as_text = X.assign(plan=X["plan"].astype(str), count=X["count"].astype("float64"))
    assert (np.asarray(pyfunc.predict(as_text)) == pipe.predict(X)).all()
    kinds = {k for k, _ in events}
    assert {"metric", "status"} <= kinds or run.done
    assert all(name.startswith("hydroml-") for _, name in events)
    s.close()


def test_regression_history_per_round_and_per_fold(client) -> None:
    df = frame()
    gb = ex.train(df, "spend", model="gradient_boosting", params={"n_estimators": 25})
    rf = ex.train(df, "spend", model="random_forest", preset="fast", cv=3)
    assert gb.wait(60) == "completed" and rf.wait(60) == "completed", gb.logs + rf.logs
    assert gb.task == "regression" and set(gb.metrics) == {"rmse", "mae", "r2"}
    assert len(gb.history) == 25 and {"train_rmse", "val_rmse"} <= set(gb.history[0])
    assert gb.history[-1]["train_rmse"] < gb.history[0]["train_rmse"]
    assert [h["fold"] for h in rf.history] == [1, 2, 3]
    assert "rmse_std" in rf.metrics
    assert client.get_run(rf.run_id).data.params["cv"] == "3"
    assert len(client.get_metric_history(rf.run_id, "cv_rmse")) == 3


def test_eight_runs_at_once_do_not_cross(client) -> None:
    df = frame(200)
    specs = [
        ("xgboost", {"n_estimators": 11}),
        ("xgboost", {"n_estimators": 17}),
        ("random_forest", {"n_estimators": 13}),
        ("gradient_boosting", {"n_estimators": 19}),
        ("logistic_regression", {"C": 0.25}),
        ("ridge", {"alpha": 2.5}),
        ("svm", {"C": 0.75}),
        ("knn", {"n_neighbors": 7}),
    ]
    runs = [
        ex.train(df, "churn", model=m, params=p, experiment="crossing", run_name=f"r{i}")
        for i, (m, p) in enumerate(specs)
    ]
    for run, (model, params) in zip(runs, specs, strict=True):
        assert run.wait(90) == "completed", run.logs
        got = client.get_run(run.run_id)
        assert got.info.status == "FINISHED"
        assert got.data.tags["hydroml.model"] == model and got.data.params["model"] == model
        for key, value in params.items():
            assert got.data.params[key] == str(value)
        rounds = params.get("n_estimators")
        if model in ("xgboost", "gradient_boosting"):
            assert len(client.get_metric_history(run.run_id, "val_logloss")) == rounds
        else:
            assert not client.get_metric_history(run.run_id, "val_logloss")
    assert len({r.run_id for r in runs}) == 8


def test_failures_end_failed_with_one_line(client) -> None:
    df = frame(100).assign(churn="yes")
    run = ex.train(df, "churn", model="random_forest", task="classification")
    assert run.wait(30) == "failed"
    assert "one class" in run.error and "\n" not in run.error
    with pytest.raises(ExperimentError, match="one class") as info:
        run.result()
    assert isinstance(info.value, HydroMLError) and info.value.__cause__ is not None
    bad = ex.train(frame(100), "churn", model="xgboost", params={"objective": "binary:nope"})
    assert bad.wait(30) == "failed" and "\n" not in bad.error
    got = client.get_run(bad.run_id)
    assert got.info.status == "FAILED"
    assert "Unknown objective" in got.data.tags["hydroml.end_reason"]
    bad.thread.join(2)
    assert not bad.thread.is_alive()
    ok = ex.train(frame(100), "churn", model="ridge", track=False)
    assert ok.wait(30) == "completed"


def test_bad_arguments_are_refused_at_once() -> None:
    df = frame(50)
    cases = [
        ({"model": "xgb"}, "unknown model"),
        ({"target": "nope"}, "not a column"),
        ({"preset": "turbo"}, "no preset 'turbo'"),
        ({"test_size": 1.5}, "test_size"),
        ({"cv": 1}, "cv must be"),
        ({"model": "logistic_regression", "task": "regression"}, "cannot do regression"),
        ({"task": "clustering"}, "task must be"),
        ({"features": "num"}, "list of column names"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ExperimentError, match=message):
            ex.train(df, **{"target": "churn", **kwargs})


# -- presets ------------------------------------------------------------------------------


def test_presets_list_use_save_reload_and_refuse(client, mlflow_store: str) -> None:
    table = ex.presets()
    assert len(table) == len(ex.MODELS) * 3
    assert set(table["preset"]) == {"fast", "balanced", "thorough"}
    run = ex.train(frame(120), "churn", model="ridge", preset="thorough")
    assert run.wait(30) == "completed"
    assert client.get_run(run.run_id).data.params["alpha"] == "0.3"

    path = ex.save_preset("tiny", "random_forest", {"n_estimators": 7, "max_depth": 3})
    assert path == Path(mlflow_store.removeprefix("sqlite:///")).parent / "hydroml-presets.json"
    stored = json.loads(path.read_text())
    assert stored["presets"]["random_forest"]["tiny"] == {"n_estimators": 7, "max_depth": 3}
    mine = ex.presets("random_forest")
    assert mine.iloc[-1].to_dict()["source"] == "user"
    run = ex.train(frame(120), "churn", model="random_forest", preset="tiny")
    assert run.wait(30) == "completed"
    assert client.get_run(run.run_id).data.params["n_estimators"] == "7"
    assert run.history[-1]["step"] == 7  # the forest grew to the preset's 7 trees

    for args, message in [
        (("fast", "ridge", {"alpha": 1}), "built in"),
        (("no spaces", "ridge", {"alpha": 1}), "bad preset name"),
        (("ok", "ridge", {"alphaa": 1}), "no parameter 'alphaa'"),
        (("ok", "ridge", {"alpha": object()}), "must be a number"),
        (("ok", "nope", {}), "unknown model"),
        (("ok", "ridge", {"alpha": float("nan")}), "'alpha' of ridge must be a float .* not nan"),
        (("ok", "xgboost", {"base_score": float("inf")}), "finite"),
    ]:
        with pytest.raises(ExperimentError, match=message):
            ex.save_preset(*args)
    # a hand-edited file with a bad entry: the good ones still load
    stored["presets"]["ridge"] = {"evil": {"__class__": "os.system"}, "good": {"alpha": 4.0}}
    path.write_text(json.dumps(stored))
    names = ex.presets("ridge")["preset"].tolist()
    assert "good" in names and "evil" not in names
    assert ex.delete_preset("good", "ridge") and not ex.delete_preset("good", "ridge")


def test_presets_file_for_a_server_uri_goes_to_xdg_config(tmp_path: Path) -> None:
    path = ex.presets_path("http://mlflow.example:5000")
    assert path == tmp_path / "config" / "hydroml" / "presets.json"


# -- tuning -----------------------------------------------------------------------------


SMALL_XGB = {
    "n_estimators": {"type": "int", "low": 10, "high": 30},
    "max_depth": {"type": "int", "low": 2, "high": 4},
    "learning_rate": {"type": "float", "low": 0.05, "high": 0.5, "log": True},
}


def test_tune_logs_trials_as_child_runs(client) -> None:
    run = ex.tune(
        frame(200),
        "churn",
        model="xgboost",
        n_trials=4,
        search_space=SMALL_XGB,
        experiment="tuning",
    )
    assert run.wait(90) == "completed", run.logs
    assert len(run.history) == 4 and run.progress == 1.0
    assert run.best_value == max(h["value"] for h in run.history if h["value"] is not None)
    assert set(run.best_params) == set(SMALL_XGB)
    children = client.search_runs(
        [run.experiment_id], f"tags.`mlflow.parentRunId` = '{run.run_id}'"
    )
    assert len(children) == 4
    assert {c.data.tags["hydroml.kind"] for c in children} == {"trial"}
    parent = client.get_run(run.run_id).data
    assert parent.params["best_max_depth"] == str(run.best_params["max_depth"])
    assert parent.metrics["f1"] == pytest.approx(run.best_value)
    X = frame(200).drop(columns=["churn"])
    assert len(run.result().predict(X)) == 200
    assert run.model_uri.startswith("models:/")


def test_shared_sqlite_study_accumulates_trials_and_prunes(tmp_path: Path) -> None:
    import optuna

    storage = f"sqlite:///{tmp_path}/study.db"
    df = frame(400)
    fixed = {"n_estimators": 60, "max_depth": 3}
    good = {"learning_rate": {"type": "float", "low": 0.5, "high": 0.5}}
    slow = {"learning_rate": {"type": "float", "low": 0.001, "high": 0.001}}
    first = ex.tune(
        df,
        "churn",
        n_trials=2,
        params=fixed,
        search_space=good,
        storage=storage,
        study_name="shared",
        track=False,
    )
    assert first.wait(60) == "completed", first.logs
    second = ex.tune(
        df,
        "churn",
        n_trials=2,
        params=fixed,
        search_space=slow,
        storage=storage,
        study_name="shared",
        track=False,
    )
    assert second.wait(60) == "completed", second.logs
    study = optuna.load_study(study_name="shared", storage=storage)
    states = [t.state for t in study.trials]
    assert len(states) == 4
    assert states[:2] == [optuna.trial.TrialState.COMPLETE] * 2
    assert states[2:] == [optuna.trial.TrialState.PRUNED] * 2
    assert [h["state"] for h in second.history] == ["PRUNED", "PRUNED"]


# -- reading runs back ---------------------------------------------------------------------


def test_leaderboard_and_compare() -> None:
    df = frame(200)
    runs = [
        ex.train(df, "churn", model=m, experiment="board", preset="fast")
        for m in ("knn", "logistic_regression", "random_forest")
    ]
    for run in runs:
        assert run.wait(60) == "completed"
    board = ex.runs("board")
    assert len(board) == 3 and board["f1"].is_monotonic_decreasing
    assert set(board["model"]) == {"knn", "logistic_regression", "random_forest"}
    assert {"run_id", "run_name", "task", "status", "duration", "params", "start_time"} <= set(
        board.columns
    )
    side = ex.compare([r.run_id for r in runs])
    assert list(side.columns) == [r.run_id for r in runs]
    assert side.loc["model"].tolist() == ["knn", "logistic_regression", "random_forest"]
    assert "param.n_neighbors" in side.index and "metric.f1" in side.index
    with pytest.raises(ExperimentError, match="no MLflow experiment"):
        ex.runs("no-such-experiment")
