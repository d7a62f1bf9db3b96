"""%hydroml train, tune, runs and compare, tracked in a real MLflow sqlite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import hydroml_jupyter as hj
from hydroml_jupyter.experiments import TrainingRun, TuningRun
from hydroml_jupyter.magics.extension import context_of


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow')}/mlflow.db"


@pytest.fixture(scope="module")
def shell(store: str) -> Iterator[InteractiveShell]:
    config = Config()
    config.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "hydroml_jupyter")
    ip.run_line_magic("config", f"HydroML.mlflow_uri = {store!r}")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(["a", "b"], 60)})
    df["y"] = 2 * df["x"] + (df["c"] == "a") + rng.normal(scale=0.1, size=60)
    session = hj.Session(df, name="tiny")
    context = context_of(ip)
    assert context is not None
    context.use(session)
    yield ip
    session.close()
    ip.run_line_magic("config", "HydroML.mlflow_uri = ''")
    ip.run_line_magic("unload_ext", "hydroml_jupyter")


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)


def hydroml(shell: InteractiveShell, line: str) -> object:
    with capture_output():
        return shell.run_line_magic("hydroml", line)


@pytest.fixture(scope="module")
def trained(shell) -> tuple[TrainingRun, TuningRun]:
    run = hydroml(shell, "train y --model ridge --preset fast --experiment magics alpha=0.5")
    assert isinstance(run, TrainingRun) and run.status in ("pending", "running", "completed")
    tuning = hydroml(shell, "tune y --model ridge --trials 2 --experiment magics")
    assert isinstance(tuning, TuningRun)
    assert run.wait(120) == "completed", run.error
    assert tuning.wait(120) == "completed", tuning.error
    return run, tuning


def test_train_runs_in_the_background_and_is_tracked(trained, store: str) -> None:
    run, _ = trained
    assert run.tracking_uri == store and run.run_id
    assert set(run.metrics) >= {"rmse", "r2"}
    assert run.result() is not None


def test_tune_runs_trials(trained) -> None:
    _, tuning = trained
    assert tuning.best_params is not None and "alpha" in tuning.best_params


def test_runs_and_compare(shell, trained) -> None:
    run, tuning = trained
    table = hydroml(shell, "runs --experiment magics")
    assert {run.run_id, tuning.run_id} <= set(table["run_id"])
    assert len(hydroml(shell, "runs --experiment magics --trials")) == len(table) + 2
    side = hydroml(shell, f"compare {run.run_id} {tuning.run_id}")
    assert list(side.columns) == [run.run_id, tuning.run_id]
    assert side.loc["param.alpha", run.run_id] == "0.5"


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("train nope --model ridge", "target 'nope' is not a column"),
        ("train y --model xgb", "'xgb'"),
        ("train y --model ridge --task guess", "invalid choice: 'guess'"),
        ("train y --model ridge --test-size 2", "test_size must be between 0 and 1"),
        ("train y --model ridge alpha", "expected key=value, not 'alpha'"),
        ("tune y --model ridge --trials 0", "n_trials must be a positive integer"),
        ("runs --experiment nope", "no MLflow experiment named 'nope'"),
        ("compare nope", "no MLflow run 'nope'"),
    ],
)
def test_experiment_errors_are_one_line(shell, line: str, word: str) -> None:
    session = hj.session("tiny")
    version = session.version
    with pytest.raises(UsageError) as err:
        hydroml(shell, line)
    assert word in str(err.value) and "\n" not in str(err.value)
    assert session.version == version
