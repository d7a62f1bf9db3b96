"""%hydroml predict: score a file with a run's model, write it, never overwrite by surprise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import hydroml
from frames import flights
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex


@pytest.fixture(scope="module")
def trained(
    shell: InteractiveShell, tmp_path_factory: pytest.TempPathFactory, mlflow_store: str
) -> Iterator[tuple[ex.TrainingRun, Path]]:
    folder = tmp_path_factory.mktemp("magic-predict")
    flights().to_csv(folder / "train.csv", index=False)
    flights(25, seed=8).drop(columns=["late"]).to_csv(folder / "new.csv", index=False)
    shell.run_line_magic("config", f"HydroML.mlflow_uri = {mlflow_store!r}")
    s = hj.open(str(folder / "train.csv"), name="magic-predict-flights", store=None)
    s.apply("rename", columns={"dep_delay": "delay"})
    s.apply("drop_columns", columns=["flight"])
    run = ex.train(
        s, "late", model="random_forest", preset="fast", params={"n_estimators": 20},
        tracking_uri=mlflow_store,
    )  # fmt: skip
    assert run.wait(120) == "completed", run.logs
    yield run, folder
    s.close()
    shell.run_line_magic("config", "HydroML.mlflow_uri = ''")


@pytest.fixture(autouse=True)
def _env(mlflow_env: None) -> None:
    """Every test tracks to the module's MLflow store."""


def test_predict_shows_predictions_next_to_the_row(shell, trained) -> None:
    run, folder = trained
    shown, _ = hydroml(shell, f"predict {run.number} {folder / 'new.csv'}")
    assert isinstance(shown, pd.DataFrame)
    expected = run.predict(str(folder / "new.csv"))
    assert list(shown.columns) == ["row", "late"]
    assert list(shown["row"]) == list(expected.index) and list(shown["late"]) == list(expected)


def test_predict_writes_a_file_with_an_id_and_refuses_to_overwrite(shell, trained) -> None:
    run, folder = trained
    out = folder / "scores.csv"
    value, printed = hydroml(
        shell, f"predict {run.run_id} {folder / 'new.csv'} --out {out} --id flight --proba"
    )
    assert value is None and printed.strip() == f"wrote 25 predictions of 'late' to {out}"
    written = pd.read_csv(out)
    assert list(written.columns) == ["flight", "late", "proba_no", "proba_yes"]
    assert list(written["flight"]) == list(pd.read_csv(folder / "new.csv")["flight"])
    assert list(written["late"]) == list(run.predict(str(folder / "new.csv")))
    before = out.read_bytes()
    with pytest.raises(UsageError) as err:
        hydroml(shell, f"predict {run.run_id} {folder / 'new.csv'} --out {out}")
    assert "the file exists; add --overwrite" in str(err.value)
    assert "\n" not in str(err.value) and out.read_bytes() == before
    hydroml(shell, f"predict {run.run_id} {folder / 'new.csv'} --out {out} --overwrite")
    assert list(pd.read_csv(out).columns) == ["row", "late"]


def test_predict_never_writes_over_the_file_it_scores(shell, trained, tmp_path: Path) -> None:
    run, _ = trained
    target = tmp_path / "both.csv"
    flights(10, seed=9).drop(columns=["late"]).to_csv(target, index=False)
    before = target.read_bytes()
    with pytest.raises(UsageError):
        hydroml(shell, f"predict {run.number} {target} --out {target} --overwrite")
    assert target.read_bytes() == before


def test_bad_input_is_one_line(shell, trained, tmp_path: Path) -> None:
    run, folder = trained
    flights(10).drop(columns=["carrier", "late"]).to_csv(tmp_path / "bad.csv", index=False)
    cases = {
        f"predict {run.number} {tmp_path / 'bad.csv'}": "column 'carrier' is missing",
        f"predict nosuchrun {folder / 'new.csv'}": "no run 'nosuchrun'",
        f"predict {run.number} {tmp_path / 'absent.csv'}": "absent.csv",
        f"predict {run.number} {folder / 'new.csv'} --id flite": "did you mean 'flight'?",
        f"predict {run.number} {folder / 'new.csv'} --table t": "only apply to an SQLAlchemy",
    }
    for line, expected in cases.items():
        with pytest.raises(UsageError) as err:
            hydroml(shell, line)
        assert expected in str(err.value) and "\n" not in str(err.value), line
