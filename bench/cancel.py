"""Benchmark cancel latency: how soon a long training run reports ``cancelled``, per model.

Run from the repository root::

    python bench/cancel.py                      # every model of the catalog (~1 min)
    python bench/cancel.py --models svm knn --after 2 --json cancel.json

For each model a run is started (tracked in a fresh MLflow sqlite store) with data
and parameters that keep it training for many seconds, cancelled ``--after`` seconds
after its fit started, and timed. Each model runs in a process of its own, so a fit
abandoned by an earlier model does not slow the next one down. Columns:

* ``fit_s``: seconds the fit had run when ``cancel()`` was called;
* ``cancel_ms``: from ``cancel()`` to the handle reporting ``cancelled`` (its MLflow
  run already ended);
* ``mlflow``: the MLflow run's status afterwards (``KILLED``) and its end reason;
* ``fit_thread``: ``stopped in N ms`` when the fit itself stopped (boosting rounds,
  forest chunks), ``abandoned`` when it could not be interrupted and still runs
  (its result is dropped when it returns).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: model -> (rows, feature columns, target, params): each trains for many seconds.
CASES: dict[str, tuple[int, int, str, dict[str, Any]]] = {
    "xgboost": (20_000, 10, "label", {"n_estimators": 100_000}),
    "random_forest": (20_000, 10, "label", {"n_estimators": 100_000}),
    "gradient_boosting": (20_000, 10, "label", {"n_estimators": 100_000}),
    "logistic_regression": (
        20_000,
        10,
        "label",
        {"solver": "saga", "tol": 0.0, "max_iter": 100_000},
    ),
    "linear": (400_000, 120, "value", {}),
    "ridge": (20_000, 10, "label", {"solver": "saga", "tol": 0.0, "max_iter": 100_000}),
    "svm": (20_000, 10, "label", {"C": 100.0}),
    "knn": (100_000, 20, "label", {"algorithm": "brute", "n_neighbors": 50}),
}


def make_frame(rows: int, columns: int, seed: int = 0) -> pd.DataFrame:
    """Noisy numeric features, a class label and a numeric value to predict."""
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(rows, columns))
    df = pd.DataFrame(data, columns=[f"f{i}" for i in range(columns)])
    signal = data[:, 0] + 0.5 * data[:, 1] + rng.normal(scale=1.0, size=rows)
    df["label"] = np.where(signal > 0, "up", "down")
    df["value"] = signal
    return df


def measure(model: str, after: float, uri: str) -> dict[str, Any]:
    """Start one long run, cancel it ``after`` s into its fit, and time the cancel."""
    from mlflow import MlflowClient

    from hydroml_jupyter import experiments as ex

    rows, columns, target, params = CASES[model]
    df = make_frame(rows, columns).drop(columns=["value" if target == "label" else "label"])
    run = ex.train(df, target, model=model, params=params, tracking_uri=uri)
    deadline = time.monotonic() + 120
    # a handle with no fit_thread (hydroml before cancel could abandon a fit) is timed
    # from its first log line after the MLflow run exists
    while time.monotonic() < deadline and (
        getattr(run, "fit_thread", None) is None
        if hasattr(run, "fit_thread")
        else not (run.run_id and run.logs)
    ):
        if run.done:
            raise RuntimeError(f"{model} ended before it could be cancelled: {run.error}")
        time.sleep(0.01)
    fit_started = time.monotonic()
    time.sleep(after)
    fit_thread: threading.Thread | None = getattr(run, "fit_thread", None)
    start = time.monotonic()
    run.cancel()
    status = run.wait(120)
    cancel_s = time.monotonic() - start
    abandoned = fit_thread is not None and fit_thread.is_alive()
    stopped = None
    if fit_thread is not None:
        fit_thread.join(5)
        if not fit_thread.is_alive():
            stopped = time.monotonic() - start
    info = MlflowClient(uri).get_run(run.run_id)
    return {
        "model": model,
        "rows": rows,
        "params": params,
        "fit_s": round(start - fit_started, 2),
        "status": status,
        "cancel_ms": round(cancel_s * 1000, 1),
        "mlflow": info.info.status,
        "end_reason": info.data.tags.get("hydroml.end_reason"),
        "fit_thread": "abandoned" if stopped is None else f"stopped in {stopped * 1000:.0f} ms",
        "alive_at_cancelled": abandoned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--after", type=float, default=1.0, help="seconds of fit before cancel")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.after, args.uri)))
        sys.stdout.flush()
        os._exit(0)  # an abandoned fit would otherwise run on in the exit hook's budget
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        uri = f"sqlite:///{tmp}/mlflow.db"
        for model in args.models:
            command = [sys.executable, __file__, "--one", model, "--uri", uri]
            out = subprocess.run(
                [*command, "--after", str(args.after)],
                capture_output=True,
                text=True,
                env=env,
                cwd=tmp,
                check=False,
                timeout=600,
            )
            if out.returncode != 0:
                raise SystemExit(f"{model}: {out.stderr[-2000:]}")
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = results[-1]
            print(
                f"{model:20} fit {r['fit_s']:5.2f}s  cancel {r['cancel_ms']:7.1f} ms  "
                f"{r['status']:9}  mlflow {r['mlflow']:7}  fit thread {r['fit_thread']}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
