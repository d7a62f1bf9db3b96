"""Benchmark the experiments layer: MLflow tracking overhead and kernel latency while training.

Run from the repository root::

    python bench/experiments.py                    # 20k rows, 3 repeats (~1-2 min)
    python bench/experiments.py --rows 5000 --repeat 1 --json experiments.json

It prints two tables:

* **tracking overhead**: for each model, the wall time of ``train(...)`` from
  the call to ``wait()`` with ``track=False`` (the same fit, no MLflow) and
  with ``track=True`` (params, per-round metrics batched with ``log_batch``,
  lineage artifacts, the model in skops format) on a warm sqlite store, the
  median of ``--repeat`` runs, and their ratio; and the time ``run.charts()``
  takes to build the end-of-run figures (on a worker thread in a notebook);
* **kernel latency**: round-trip time of executing ``1+1`` in a real IPython
  kernel (``jupyter_client``), idle and while an xgboost training runs in the
  same kernel (median, p95, max of ``--pings`` executions).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MODELS = {
    "xgboost": {"n_estimators": 200, "max_depth": 6},
    "random_forest": {"n_estimators": 100, "max_depth": 12},
    "gradient_boosting": {"n_estimators": 100},
    "logistic_regression": {},
}


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=rows),
            "b": rng.normal(size=rows),
            "n": pd.array(rng.integers(0, 100, rows), dtype="Int64"),
            "city": rng.choice(["paris", "lyon", "nice", "lille"], rows),
            "day": pd.date_range("2020-01-01", periods=rows, freq="h"),
            "flag": rng.random(rows) > 0.5,
        }
    )
    signal = df["a"] + 0.5 * (df["city"] == "paris") + rng.normal(scale=0.5, size=rows)
    df["y"] = np.where(signal > 0, "up", "down")
    return df


def timed_run(df: pd.DataFrame, model: str, track: bool, uri: str) -> tuple[float, float]:
    """Return the seconds from ``train`` to the end of ``wait``, and to build the charts."""
    from hydroml_jupyter import experiments as ex

    start = time.perf_counter()
    run = ex.train(df, "y", model=model, params=MODELS[model], track=track, tracking_uri=uri)
    status = run.wait()
    if status != "completed":
        raise SystemExit(f"{model} ended {status}: {run.error}")
    took = time.perf_counter() - start
    start = time.perf_counter()
    run.charts()
    return took, time.perf_counter() - start


def tracking_overhead(rows: int, repeat: int, uri: str) -> list[dict[str, object]]:
    df = make_frame(rows)
    timed_run(df.head(500), "logistic_regression", True, uri)  # imports, store tables, plotly
    out = []
    for model in MODELS:
        plain, tracked, charts = [], [], []
        for i in range(repeat):
            order = (False, True) if i % 2 == 0 else (True, False)
            for track in order:
                took, drawn = timed_run(df, model, track, uri)
                (tracked if track else plain).append(took)
                charts.append(drawn)
        p, t, c = statistics.median(plain), statistics.median(tracked), statistics.median(charts)
        out.append(
            {
                "model": model,
                "untracked_s": p,
                "tracked_s": t,
                "ratio": t / p,
                "charts_s": c,
                "charts/untracked": c / p,
            }
        )
    return out


def ping(kc, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        reply = kc.execute_interactive("1+1", timeout=30, output_hook=lambda msg: None)
        times.append(time.perf_counter() - start)
        assert reply["content"]["status"] == "ok"
        time.sleep(0.05)
    return times


def kernel_latency(rows: int, pings: int, folder: str) -> list[dict[str, object]]:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=folder, env=dict(os.environ))
    try:
        root = str(Path(__file__).resolve().parent.parent)
        setup = (
            f"import sys; sys.path.insert(0, {root!r})\n"
            "from bench.experiments import make_frame\n"
            "import hydroml_jupyter as hj\n"
            "from hydroml_jupyter import experiments as ex\n"
            f"s = hj.Session(make_frame({rows}))\n"
        )
        kc.execute_interactive(setup, timeout=120, output_hook=lambda msg: None)
        idle = ping(kc, pings)
        start = (
            "run = ex.train(s, 'y', model='xgboost', params={'n_estimators': 5000, "
            f"'max_depth': 8}}, tracking_uri='sqlite:///{folder}/kernel.db')"
        )
        kc.execute_interactive(start, timeout=30, output_hook=lambda msg: None)
        time.sleep(0.5)
        busy = ping(kc, pings)
        status = []
        kc.execute_interactive(
            "print(run.status); run.cancel(); run.wait(30)",
            timeout=60,
            output_hook=lambda m: (
                status.append(m["content"].get("text", ""))
                if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
                else None
            ),
        )
        if "running" not in "".join(status):
            print("warning: the training ended before the pings did", file=sys.stderr)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    rows_out = []
    for name, times in (("idle", idle), ("while training", busy)):
        ms = sorted(t * 1000 for t in times)
        rows_out.append(
            {
                "kernel": name,
                "median_ms": statistics.median(ms),
                "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
                "max_ms": ms[-1],
            }
        )
    return rows_out


def table(rows: list[dict[str, object]]) -> str:
    cols = list(rows[0])
    cells = [[f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pings", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        os.environ["XDG_CONFIG_HOME"] = os.path.join(folder, "config")
        os.chdir(folder)
        uri = f"sqlite:///{folder}/mlflow.db"
        overhead = tracking_overhead(args.rows, args.repeat, uri)
        print(f"\ntracking overhead ({args.rows} rows, median of {args.repeat})")
        print(table(overhead))
        latency = kernel_latency(args.rows, args.pings, folder)
        print(f"\nkernel latency of `1+1` ({args.pings} pings)")
        print(table(latency))
    if args.json:
        args.json.write_text(json.dumps({"overhead": overhead, "latency": latency}, indent=2))


if __name__ == "__main__":
    main()
