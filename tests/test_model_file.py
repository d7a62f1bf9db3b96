"""The logged pyfunc model: raw rows in a fresh process, no pickle, registry and hj.models()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from frames import flights

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError
from hydroml_jupyter.experiments.model_file import check_types, dump_pipeline


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, mlflow_store: str
) -> Iterator[tuple[ex.TrainingRun, Path]]:
    folder = tmp_path_factory.mktemp("model-file")
    flights().to_csv(folder / "train.csv", index=False)
    s = hj.open(str(folder / "train.csv"), name="model-file-flights", store=None)
    s.apply("rename", columns={"dep_delay": "delay"})
    s.apply("fill_missing", column="delay", strategy="value", value=0.0)
    s.apply("drop_columns", columns=["flight"])
    run = ex.train(
        s, "late", model="xgboost", preset="fast", params={"n_estimators": 20},
        tracking_uri=mlflow_store,
    )  # fmt: skip
    assert run.wait(120) == "completed", run.logs
    yield run, folder
    s.close()


def _model_folder(run: ex.TrainingRun) -> Path:
    import mlflow.artifacts

    return Path(
        mlflow.artifacts.download_artifacts(
            artifact_uri=run.model_uri, tracking_uri=run.tracking_uri
        )
    )


def test_a_fresh_process_loads_the_pyfunc_model_and_predicts_raw_rows_exactly(
    trained, tmp_path: Path
) -> None:
    run, _ = trained
    raw = flights(40, seed=5).drop(columns=["late"])
    raw.loc[3, "carrier"] = "ZZ"  # unseen: encoded as unknown in both
    raw.to_parquet(tmp_path / "raw.parquet")
    script = (
        "import json, sys, mlflow, pandas as pd\n"
        f"mlflow.set_tracking_uri({run.tracking_uri!r})\n"
        f"model = mlflow.pyfunc.load_model({run.model_uri!r})\n"
        f"rows = pd.read_parquet({str(tmp_path / 'raw.parquet')!r})\n"
        "out = model.predict(rows)\n"
        "print(json.dumps({'index': [int(i) for i in out.index], 'values': list(out)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_ALLOW_PICKLE")}
    env["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = "false"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    with pytest.warns(UserWarning, match="carrier='ZZ'"):
        expected = run.predict(raw)
    assert answer["values"] == list(expected)
    assert answer["index"] == list(expected.index)


def test_the_model_folder_holds_no_pickle_and_describes_the_raw_columns(trained) -> None:
    import yaml

    run, _ = trained
    folder = _model_folder(run)
    names = {p.name for p in folder.rglob("*") if p.is_file()}
    assert not any(n.endswith((".pkl", ".pickle", ".cloudpickle")) for n in names), names
    assert {"model.skops", "model.json", "MLmodel", "requirements.txt"} <= names
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    pyfunc = mlmodel["flavors"]["python_function"]
    assert pyfunc["loader_module"] == "hydroml_jupyter.experiments.model_file"
    assert mlmodel["flavors"]["sklearn"]["serialization_format"] == "skops"
    inputs = json.loads(mlmodel["signature"]["inputs"])
    # the raw source's columns (the target left out), not the cleaned frame's
    assert [c["name"] for c in inputs] == ["flight", "carrier", "distance", "dep_delay", "weekend"]
    assert {c["name"]: c["type"] for c in inputs}["distance"] == "long"
    example = json.loads((folder / "input_example.json").read_text())
    assert example["columns"] == [c["name"] for c in inputs]
    requirements = (folder / "requirements.txt").read_text().splitlines()
    assert any(r.startswith("hydroml-jupyter") for r in requirements)
    assert any(r.startswith("skops") for r in requirements)
    assert not any(r.startswith("cloudpickle") for r in requirements)
    spec = json.loads((folder / "data" / "hydroml" / "model.json").read_text())
    assert [step["op"] for step in spec["recipe"]["steps"]] == [
        "rename",
        "fill_missing",
        "drop_columns",
    ]


def test_the_sklearn_flavour_still_gives_the_bare_pipeline(trained) -> None:
    import mlflow.sklearn

    run, _ = trained
    cleaned = flights(30, seed=6).rename(columns={"dep_delay": "delay"})
    cleaned = cleaned.drop(columns=["flight", "late"]).assign(delay=lambda d: d["delay"].fillna(0))
    pipeline = mlflow.sklearn.load_model(run.model_uri)
    assert list(pipeline.predict(cleaned)) == list(run.result().predict(cleaned))


def test_types_outside_the_trusted_list_are_refused() -> None:
    assert check_types(["sklearn.pipeline.Pipeline", "numpy.dtype"]) == [
        "numpy.dtype",
        "sklearn.pipeline.Pipeline",
    ]
    with pytest.raises(ExperimentError, match=r"outside the trusted list: os\.system"):
        check_types(["sklearn.pipeline.Pipeline", "os.system"])


@pytest.mark.parametrize("model", ["gradient_boosting", "random_forest", "xgboost"])
def test_a_dumped_pipeline_reads_back_as_skops_writes_it(model: str) -> None:
    import skops.io

    df = flights(200).drop(columns=["flight"])
    params = {"n_estimators": 12, "max_depth": 3}
    run = ex.train(df, "late", model=model, params=params, track=False)
    assert run.wait(120) == "completed", run.error
    pipeline = run.result()
    data, trusted = dump_pipeline(pipeline)
    assert trusted == check_types(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline)))
    loaded = skops.io.loads(data, trusted=trusted)
    X = df.drop(columns=["late"])
    assert list(loaded.predict(X)) == list(pipeline.predict(X))
    assert (loaded.predict_proba(X) == pipeline.predict_proba(X)).all()


def test_register_with_an_alias_and_list_the_registered_models(trained) -> None:
    from mlflow import MlflowClient

    run, _ = trained
    first = run.register("late-flights", alias="champion")
    second = run.register("late-flights")
    assert (first, second) == (1, 2)
    client = MlflowClient(run.tracking_uri)
    assert int(client.get_model_version_by_alias("late-flights", "champion").version) == 1
    table = hj.models(run.tracking_uri)
    rows = table[table["name"] == "late-flights"]
    assert list(rows["version"]) == [2, 1]
    assert list(rows["aliases"]) == ["", "champion"]
    assert set(rows["run_id"]) == {run.run_id}
    assert rows["f1"].iloc[0] == pytest.approx(run.metrics["f1"])
    # the registered version loads as the same raw-rows model
    from hydroml_jupyter.experiments.registry import load_scorer

    scorer = load_scorer("models:/late-flights@champion", run.tracking_uri)
    raw = flights(15, seed=7)
    assert list(scorer.predict(raw)) == list(run.predict(raw))


def test_register_refuses_a_bad_name_in_one_line(trained) -> None:
    run, _ = trained
    with pytest.raises(ExperimentError) as err:
        run.register("late", alias="bad alias/with slash")
    assert "\n" not in str(err.value) and str(err.value).startswith("could not register 'late'")


def test_models_is_empty_on_a_new_store(tmp_path: Path) -> None:
    table = hj.models(f"sqlite:///{tmp_path}/empty.db")
    assert isinstance(table, pd.DataFrame) and table.empty
    assert list(table.columns)[:4] == ["name", "version", "aliases", "run_id"]
