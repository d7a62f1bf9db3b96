"""%hydroml train, tune, runs and compare, tracked in a real MLflow sqlite store."""

from __future__ import annotations

import time
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
from hydroml_jupyter.experiments import TrainingRun, TuningRun, active
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


def test_param_flags_and_bare_pairs_combine(shell) -> None:
    run = hydroml(
        shell, "train y --model ridge --preset fast --param alpha=2.5 fit_intercept=False"
    )
    assert run.wait(120) == "completed", run.error
    model = run.result().named_steps["model"]
    assert model.alpha == 2.5 and model.fit_intercept is False


def test_a_param_given_twice_is_refused(shell) -> None:
    with pytest.raises(UsageError, match="alpha= is given twice"):
        hydroml(shell, "train y --model ridge --param alpha=1 alpha=2")


def long_run(shell) -> TrainingRun:
    return hydroml(
        shell,
        "train y --model xgboost --param n_estimators=100000 --param max_depth=6 "
        "--param early_stopping_rounds=None",
    )


def test_cancel_stops_the_newest_run(shell) -> None:
    older = long_run(shell)
    newer = long_run(shell)
    with capture_output() as cap:
        shell.run_line_magic("hydroml", "cancel")
    assert f"cancelled #{newer.number}" in cap.stdout
    assert newer.wait(60) == "cancelled"
    assert not older.done
    with capture_output() as cap:
        shell.run_line_magic("hydroml", f"cancel {older.number}")
    assert older.wait(60) == "cancelled"
    with pytest.raises(UsageError, match=rf"#{older.number} .* has already ended \(cancelled\)"):
        hydroml(shell, f"cancel #{older.number}")


def test_cancel_all_and_by_run_id(shell, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = long_run(shell), long_run(shell)
    deadline = time.monotonic() + 60
    while not first.run_id:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    hydroml(shell, f"cancel {first.run_id[:8]}")
    assert first.wait(60) == "cancelled"
    hydroml(shell, "cancel all")
    assert second.wait(60) == "cancelled"
    # Handles other test modules left behind are this process's runs too: start afresh.
    monkeypatch.setattr(active, "_runs", {})
    with pytest.raises(UsageError, match="nothing to cancel: no run is going"):
        hydroml(shell, "cancel")


def test_cancel_of_an_unknown_run_lists_the_runs(shell) -> None:
    with pytest.raises(UsageError) as err:
        hydroml(shell, "cancel 99999")
    assert "no run '99999' in this kernel; runs: #" in str(err.value)
    assert "\n" not in str(err.value)


def test_live_runs_are_numbered(shell, trained) -> None:
    run, tuning = trained
    table = hydroml(shell, "runs --live")
    assert table.loc[run.number, "status"] == "completed"
    assert table.loc[tuning.number, "kind"] == "tuning"
    assert table.loc[run.number, "run_id"] == run.run_id


def experiment(shell, body: str) -> object:
    with capture_output():
        return shell.run_cell_magic("hydroml", "experiment", body)


def test_experiment_cell_trains(shell) -> None:
    run = experiment(
        shell,
        "# a quick one\n"
        "target: y\n"
        "model: ridge\n"
        "preset: fast\n"
        "params: alpha=3.0\n"
        "cv: 3\n"
        "experiment: magics-cell\n"
        "run_name: cell-run\n",
    )
    assert isinstance(run, TrainingRun) and run.wait(120) == "completed", run.error
    assert run.run_name == "cell-run" and run.experiment == "magics-cell"
    assert run.result().named_steps["model"].alpha == 3.0
    assert "rmse_std" in run.metrics  # scored by cross-validation


def test_experiment_cell_with_trials_tunes(shell) -> None:
    tuning = experiment(
        shell, "target: y\nmodel: ridge\ntrials: 2\nmetric: r2\nparams: {'fit_intercept': True}"
    )
    assert isinstance(tuning, TuningRun) and tuning.wait(120) == "completed", tuning.error
    assert len(tuning.history) == 2


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("model: ridge", "the cell needs a `target: COLUMN` line"),
        ("target: y\nmodle: ridge", "line 2 (modle: ridge): unknown key 'modle' (did you mean"),
        ("target: y\ntarget: x", "line 2 (target: x): target is given twice"),
        ("target: y\ncv: 0", "line 2 (cv: 0): expected a whole number above 0"),
        ("target: y\nparams: [1, 2]", "line 2 (params: [1, 2]): expected {"),
        ("target: y\nparams: alpha", "line 2 (params: alpha): expected {"),
        ("target: y\nparams: alpha=(", "line 2 (params: alpha=(): unclosed bracket"),
        ("target: y\nfeatures: __import__('os')", "a call is not a literal"),
        ("target: y\ntimeout: 5", "timeout applies to tuning: add a `trials: N` line"),
        ("target y", "line 1 (target y): expected `key: value`"),
        ("target: nope", "target 'nope' is not a column"),
    ],
)
def test_experiment_cell_errors_are_one_line(shell, body: str, word: str) -> None:
    before = len(hj.experiments.active.started())
    with pytest.raises(UsageError) as err:
        experiment(shell, body)
    assert word in str(err.value) and "\n" not in str(err.value)
    assert len(hj.experiments.active.started()) == before


def test_experiment_is_a_cell_magic_only(shell) -> None:
    with pytest.raises(UsageError, match="is a cell magic"):
        hydroml(shell, "experiment")
