"""run.predict and run.predict_proba on raw data: the recipe replayed, then the pipeline."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames import flights

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("predict-data")
    flights().to_csv(folder / "train.csv", index=False)
    flights(60, seed=1).drop(columns=["late"]).to_csv(folder / "new.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def trained(data_dir: Path, mlflow_store: str) -> Iterator[tuple[ex.TrainingRun, hj.Session]]:
    """An xgboost classifier on a session whose recipe renames, fills and filters."""
    s = hj.open(str(data_dir / "train.csv"), name="predict-flights", store=None)
    s.apply("rename", columns={"dep_delay": "delay"})
    s.apply("fill_missing", column="delay", strategy="value", value=0.0)
    s.apply("filter_rows", column="distance", op=">=", value=150)
    s.apply("drop_columns", columns=["flight"])
    run = ex.train(
        s, "late", model="xgboost", preset="fast", params={"n_estimators": 20},
        tracking_uri=mlflow_store,
    )  # fmt: skip
    assert run.wait(120) == "completed", run.logs
    yield run, s
    s.close()


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def test_predict_replays_the_recipe_on_a_raw_file(trained, data_dir: Path) -> None:
    run, _ = trained
    raw = pd.read_csv(data_dir / "new.csv")
    raw.index = pd.Index([f"r{i}" for i in range(len(raw))], name="key")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predicted = run.predict(raw)
    kept = raw[raw["distance"] >= 150]
    # the filter step of the recipe removes rows; the others keep the input's index
    assert list(predicted.index) == list(kept.index)
    assert predicted.name == "late" and set(predicted) <= {"yes", "no"}
    if len(kept) < len(raw):
        assert any("removed by the recipe" in str(w.message) for w in caught)
    # the same rows cleaned by hand, through the bare pipeline
    by_hand = kept.rename(columns={"dep_delay": "delay"}).drop(columns=["flight"])
    by_hand = by_hand.assign(delay=by_hand["delay"].fillna(0.0))
    assert list(predicted) == list(run.result().predict(by_hand))
    # a path is read as the source was (same reader options), with a fresh index
    from_file = run.predict(str(data_dir / "new.csv"))
    assert list(from_file) == list(predicted)
    assert list(from_file.index) == [int(i[1:]) for i in kept.index]


def test_predict_proba_has_a_column_per_class_and_rows_sum_to_one(trained, data_dir) -> None:
    run, _ = trained
    raw = pd.read_csv(data_dir / "new.csv")
    proba = run.predict_proba(raw)
    assert list(proba.columns) == ["no", "yes"]
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(proba.idxmax(axis=1)) == list(run.predict(raw))


def test_the_target_in_the_data_is_dropped(trained, data_dir) -> None:
    run, _ = trained
    with_target = flights(30, seed=2)
    without = with_target.drop(columns=["late"])
    assert list(run.predict(with_target)) == list(run.predict(without))


def test_unseen_categories_are_counted_in_one_warning(trained) -> None:
    run, _ = trained
    raw = flights(20, seed=3).drop(columns=["late"]).assign(distance=500)
    raw.loc[:2, "carrier"] = "ZZ"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predicted = run.predict(raw)
    messages = [str(w.message) for w in caught]
    assert messages == [
        "3 rows have categories carrier='ZZ' not seen in training; encoded as unknown"
    ]
    assert len(predicted) == 20


def test_a_missing_column_is_named_with_a_hint(trained) -> None:
    run, _ = trained
    raw = flights(20).drop(columns=["late"]).rename(columns={"carrier": "Carrier"})
    with pytest.raises(ExperimentError) as err:
        run.predict(raw)
    message = str(err.value)
    assert message == "column 'carrier' is missing from the data (did you mean 'Carrier'?)"


def test_a_changed_dtype_is_read_when_it_can_be_and_named_when_not(trained) -> None:
    run, _ = trained
    raw = flights(20, seed=4).drop(columns=["late"])
    as_text = raw.astype({"distance": "str", "dep_delay": "str"})
    as_text["dep_delay"] = as_text["dep_delay"].replace("nan", None)
    assert list(run.predict(as_text)) == list(run.predict(raw))
    broken = raw.astype({"distance": "object"})
    broken.loc[4, "distance"] = "far"
    with pytest.raises(ExperimentError) as err:
        run.predict(broken)
    assert str(err.value).startswith("column 'distance' has the value 'far', which cannot be read")
    assert "\n" not in str(err.value)


def test_predict_proba_refuses_a_regression_run(trained) -> None:
    _, s = trained
    run = ex.train(s, "distance", model="ridge", track=False)
    assert run.wait(60) == "completed", run.logs
    raw = flights(10)  # 'late' is one of this model's features
    assert len(run.predict(raw)) == len(raw[raw["distance"] >= 150])
    with pytest.raises(ExperimentError, match="predict_proba needs a classifier"):
        run.predict_proba(raw)


def test_a_run_on_a_plain_frame_predicts_frames_like_it() -> None:
    df = flights(200)
    run = ex.train(df, "late", model="logistic_regression", track=False)
    assert run.wait(60) == "completed", run.logs
    assert list(run.predict(df.head(15))) == list(run.result().predict(df.head(15)))
    with pytest.raises(ExperimentError, match="column 'weekend' is missing"):
        run.predict(df.drop(columns=["weekend"]))


def test_a_run_that_is_not_done_has_nothing_to_predict_with() -> None:
    run = ex.TrainingRun("nothing", "xgboost", "auto", "late")
    with pytest.raises(ExperimentError, match="no model to score with"):
        run.predict(flights(5))


def test_predict_reads_an_sql_table_as_hj_open_does(trained, tmp_path: Path) -> None:
    import sqlalchemy as sa

    run, _ = trained
    raw = flights(30, seed=10).drop(columns=["late"])
    engine = sa.create_engine(f"sqlite:///{tmp_path}/new.db")
    raw.to_sql("flights", engine, index=False)
    engine.dispose()
    from_sql = run.predict(f"sqlite:///{tmp_path}/new.db", table="flights")
    assert list(from_sql) == list(run.predict(raw))
    with pytest.raises(ExperimentError, match="exactly one of table="):
        run.predict(f"sqlite:///{tmp_path}/new.db")


def test_a_tuning_run_predicts_with_its_best_model() -> None:
    df = flights(200)
    run = ex.tune(df, "late", model="logistic_regression", n_trials=2, track=False)
    assert run.wait(90) == "completed", run.logs
    assert list(run.predict(df.head(12))) == list(run.result().predict(df.head(12)))
