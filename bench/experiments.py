"""Benchmark the experiments layer: MLflow tracking overhead and kernel latency while training.

Run from the repository root::

    python bench/experiments.py                    # 20k rows, 3 repeats (~2-3 min)
    python bench/experiments.py --rows 5000 --repeat 1 --json experiments.json
    python bench/experiments.py --models xgboost --skip-kernel

It prints two tables:

* **tracking overhead**: for each model, the wall time of ``train(...)`` from
  the call to ``wait()`` with ``track=False`` (the same fit, no MLflow) and
  with ``track=True`` (params, per-round metrics batched with ``log_batch``,
  lineage artifacts, the model in skops format) on a warm sqlite store, the
  fastest of ``--repeat`` runs (on a shared machine, other work only adds
  time), the extra seconds tracking costs and their ratio;
  the *bare* fit (the same split, preprocessing and estimator ``fit``, no run,
  on a thread of its own as a run's fit is)
  and ``untracked/bare``; and the time ``run.charts()`` takes to build the
  end-of-run figures (on a worker thread in a notebook). Early stopping is off
  here, so every variant trains the same rounds (the run scores its loss curves
  at about 50 of them, see ``curves.curve_stride``; the bare fit scores none);
* **kernel latency**: round-trip time of executing ``1+1`` every 100 ms in a real
  IPython kernel (``jupyter_client``), idle, while a tracked xgboost ``train`` runs
  on ``--kernel-rows`` rows from its start to its end (model logging included), and
  while the user fits the same pipeline in a plain thread (median, p95, max, and
  ``max_at_s``, the seconds into the phase of the slowest reply);
* **GIL pauses**: a watchdog thread in the kernel (:class:`GilWatch`) wakes every
  2 ms and notes each wake-up more than ``--pause-ms`` late (30 ms by default),
  with the seconds into the phase and the lines the other threads were at before
  and after it, and every garbage collection that long. A pause no thread moved
  across is the machine's CPUs busy elsewhere, not the GIL.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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


def bare_fit(df: pd.DataFrame, model: str) -> float:
    """Return the seconds of the same split, preprocessing and ``fit`` with no run around them."""
    from hydroml_jupyter.experiments.catalog import get_spec, make_estimator
    from hydroml_jupyter.experiments.fitting import codes
    from hydroml_jupyter.experiments.preprocess import build_preprocessor, prepare_target
    from hydroml_jupyter.experiments.scoring import split

    start = time.perf_counter()
    x, y = df.drop(columns="y"), prepare_target(df["y"], "classification")
    # the run's own split and label codes: the fastest known way to the same training rows
    x_tr, _, y_tr, _ = split(x, y, "classification", 0.2, 0, print)
    pre, _ = build_preprocessor(x_tr, get_spec(model).scale)
    estimator = make_estimator(model, "classification", MODELS[model], 0)
    if model == "xgboost":
        y_tr = codes(y_tr)[0]
    estimator.fit(pre.fit_transform(x_tr), y_tr)
    return time.perf_counter() - start


def on_a_thread(fit: Callable[..., float], *args: object) -> float:
    """Return what ``fit(*args)`` returns, called on a new thread, as a run's fit is.

    xgboost's OpenMP threads belong to the thread that calls it: after a fit on the
    main thread they spin a while, and took a core from a run that started then
    (its fit 50-60 ms slower than the same fit alone).
    """
    out: list[float] = []
    worker = threading.Thread(target=lambda: out.append(fit(*args)))
    worker.start()
    worker.join()
    return out[0]


def timed_run(df: pd.DataFrame, model: str, track: bool, uri: str) -> tuple[float, float]:
    """Return the seconds from ``train`` to the end of ``wait``, and to build the charts."""
    from hydroml_jupyter import experiments as ex

    start = time.perf_counter()
    run = ex.train(
        df,
        "y",
        model=model,
        params=MODELS[model],
        track=track,
        tracking_uri=uri,
        early_stopping=False,
    )
    status = run.wait()
    if status != "completed":
        raise SystemExit(f"{model} ended {status}: {run.error}")
    took = time.perf_counter() - start
    start = time.perf_counter()
    run.charts()
    return took, time.perf_counter() - start


def tracking_overhead(
    rows: int, repeat: int, uri: str, models: list[str]
) -> list[dict[str, object]]:
    df = make_frame(rows)
    timed_run(df.head(500), "logistic_regression", True, uri)  # imports, store tables, plotly
    out = []
    for model in models:
        bare, plain, tracked, charts = [], [], [], []
        for i in range(repeat):
            order = (False, True) if i % 2 == 0 else (True, False)
            bare.append(on_a_thread(bare_fit, df, model))
            for track in order:
                took, drawn = timed_run(df, model, track, uri)
                (tracked if track else plain).append(took)
                charts.append(drawn)
        # the fastest of the repeats: other work on a shared machine only ever adds time
        b, p, t, c = min(bare), min(plain), min(tracked), min(charts)
        out.append(
            {
                "model": model,
                "bare_s": b,
                "untracked_s": p,
                "untracked/bare": p / b,
                "tracked_s": t,
                "tracking_s": t - p,
                "ratio": t / p,
                "charts_s": c,
            }
        )
    return out


class GilWatch:
    """A thread that wakes every 2 ms and notes each wake-up more than ``over`` seconds late.

    Run inside the kernel: a late wake-up means another thread held the GIL (or the
    CPU) that long, which delays the kernel's replies just as much. Each pause is
    noted with the seconds since the last :meth:`mark` and, for every other thread
    whose innermost frame changed across the pause, that frame before and after it
    and the innermost frame of this repository's code (the call that held it).
    """

    def __init__(self, over: float = 0.03) -> None:
        self.over, self.phase, self.start = over, "", time.perf_counter()
        self.pauses: list[dict[str, object]] = []
        self.collections: list[dict[str, object]] = []
        self._gc_start = 0.0
        gc.callbacks.append(self._on_gc)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="gil-watch", daemon=True)
        self._thread.start()

    def mark(self, phase: str) -> None:
        """Count the next pauses' times from now, under ``phase``."""
        self.phase, self.start = phase, time.perf_counter()

    def report(self) -> str:
        """Return the pauses and the garbage collections noted so far as JSON; stop watching."""
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._on_gc)
        return json.dumps({"pauses": self.pauses, "collections": self.collections})

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        """Note each garbage collection over ``over`` seconds: it holds the GIL throughout."""
        now = time.perf_counter()
        if phase == "start":
            self._gc_start = now
        elif now - self._gc_start > self.over:
            self.collections.append(
                {
                    "phase": self.phase,
                    "at_s": round(self._gc_start - self.start, 3),
                    "ms": round(1000 * (now - self._gc_start), 1),
                    "generation": info["generation"],
                    "objects": len(gc.get_objects(info["generation"])),
                }
            )

    @staticmethod
    def _where(frame: object) -> tuple[str, str]:
        """Return the innermost frame and the innermost frame of this repository's code."""
        root = str(Path(__file__).resolve().parent.parent)
        inner, ours = "", ""
        while frame is not None:
            code, line = frame.f_code, frame.f_lineno  # type: ignore[attr-defined]
            text = f"{Path(code.co_filename).name}:{line} {code.co_name}"
            inner = inner or text
            if code.co_filename.startswith(root) and "bench" not in code.co_filename:
                ours = text
                break
            frame = frame.f_back  # type: ignore[attr-defined]
        return inner, ours

    def _watch(self) -> None:
        me = threading.get_ident()
        # each tick notes only every thread's innermost line (cheap); a pause is described
        # by those lines before it and by the stacks after it
        before: dict[int, tuple[object, int]] = {}
        last = time.perf_counter()
        while not self._stop.wait(0.002):
            now = time.perf_counter()
            frames = sys._current_frames()
            if now - last > self.over:
                moved = []
                for t, frame in frames.items():
                    if t != me and t in before and before[t] != (frame.f_code, frame.f_lineno):
                        code, line = before[t]
                        inner, ours = self._where(frame)
                        was = f"{Path(code.co_filename).name}:{line} {code.co_name}"  # type: ignore[attr-defined]
                        moved.append({"before": was, "after": inner, "ours": ours})
                self.pauses.append(
                    {
                        "phase": self.phase,
                        "at_s": round(last - self.start, 3),
                        "ms": round(1000 * (now - last), 1),
                        "threads": moved,
                    }
                )
            before = {t: (f.f_code, f.f_lineno) for t, f in frames.items() if t != me}
            del frames
            last = time.perf_counter()


def ping(kc, until: str | None = None, n: int = 0) -> list[tuple[float, float]]:
    """Execute ``1+1`` every 100 ms: ``n`` times, or until the expression ``until`` is true.

    Returns each ping's (seconds since the first, round-trip seconds).
    """
    times: list[tuple[float, float]] = []
    first = time.perf_counter()
    while True:
        start = time.perf_counter()
        expressions = {"done": until} if until else {}
        reply = kc.execute_interactive(
            "1+1", timeout=60, output_hook=lambda msg: None, user_expressions=expressions
        )
        times.append((start - first, time.perf_counter() - start))
        assert reply["content"]["status"] == "ok"
        if until:
            found = reply["content"]["user_expressions"]["done"]
            if found.get("data", {}).get("text/plain") == "True":
                return times
        elif len(times) >= n:
            return times
        time.sleep(max(0.0, 0.1 - (time.perf_counter() - start)))


def kernel_latency(
    rows: int,
    rounds: int,
    pings: int,
    folder: str,
    n_jobs: int | None = None,
    pause_ms: float = 30,
) -> tuple[list[dict[str, object]], dict[str, list[dict[str, object]]]]:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=folder, env=dict(os.environ))
    params: dict[str, object] = {"n_estimators": rounds, "max_depth": 8}
    if n_jobs is not None:
        params["n_jobs"] = n_jobs
    try:
        root = str(Path(__file__).resolve().parent.parent)
        setup = (
            f"import sys, threading; sys.path.insert(0, {root!r})\n"
            "from bench.experiments import make_frame, bare_fit, MODELS\n"
            "import hydroml_jupyter as hj\n"
            "from hydroml_jupyter import experiments as ex\n"
            f"MODELS['xgboost'] = {params!r}\n"
            f"s = hj.Session(make_frame({rows}))\n"
            f"uri = 'sqlite:///{folder}/kernel.db'\n"
            "ex.train(s.df.head(500), 'y', model='xgboost', tracking_uri=uri).wait()\n"
        )
        kc.execute_interactive(setup, timeout=300, output_hook=lambda msg: None)
        kc.execute_interactive(
            f"from bench.experiments import GilWatch; watch = GilWatch({pause_ms / 1000})\n"
            "watch.mark('idle')",
            timeout=30,
            output_hook=lambda msg: None,
        )
        idle = ping(kc, n=pings)
        start = (
            "watch.mark('while train() runs'); "
            f"run = ex.train(s, 'y', model='xgboost', params={params!r}, "
            "early_stopping=False, tracking_uri=uri)"
        )
        kc.execute_interactive(start, timeout=30, output_hook=lambda msg: None)
        busy = ping(kc, until="run.done")
        kc.execute_interactive(
            "assert run.status == 'completed', run.error", timeout=30, output_hook=lambda m: None
        )
        plain = (
            "watch.mark('while a plain thread fits'); "
            "fit = threading.Thread(target=bare_fit, args=(s.df, 'xgboost')); fit.start()"
        )
        kc.execute_interactive(plain, timeout=30, output_hook=lambda msg: None)
        threaded = ping(kc, until="not fit.is_alive()")
        reply = kc.execute_interactive(
            "", timeout=30, output_hook=lambda m: None, user_expressions={"p": "watch.report()"}
        )
        text = reply["content"]["user_expressions"]["p"]["data"]["text/plain"]
        noted = json.loads(ast.literal_eval(text))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    rows_out = []
    for name, times in (
        ("idle", idle),
        ("while train() runs", busy),
        ("while a plain thread fits", threaded),
    ):
        ms = sorted(t * 1000 for _, t in times)
        at, _ = max(times, key=lambda pair: pair[1])
        rows_out.append(
            {
                "kernel": name,
                "pings": len(ms),
                "seconds": times[-1][0],
                "median_ms": statistics.median(ms),
                "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
                "max_ms": ms[-1],
                "max_at_s": at,
                "gil_pauses": sum(p["phase"] == name for p in noted["pauses"]),
                "long_gcs": sum(c["phase"] == name for c in noted["collections"]),
            }
        )
    return rows_out, noted


def longest_pauses(noted: dict[str, list[dict[str, object]]], n: int = 8) -> str:
    """The ``n`` longest pauses of each phase, in time order, with where they happened."""
    pauses, lines = noted["pauses"], []
    for phase in dict.fromkeys(str(p["phase"]) for p in pauses):
        mine = [p for p in pauses if p["phase"] == phase]
        top = sorted(sorted(mine, key=lambda p: -float(p["ms"]))[:n], key=lambda p: p["at_s"])
        lines.append(f"{phase}: {len(mine)} pauses; the {len(top)} longest")
        for p in top:
            where = "; ".join(
                f"{t['ours'] or '?'} ({t['before']} -> {t['after']})"
                for t in p["threads"]  # type: ignore[union-attr]
            )
            lines.append(f"  at {p['at_s']:7.2f} s  {p['ms']:6.1f} ms  {where}")
    for c in noted["collections"]:
        lines.append(
            f"{c['phase']}: garbage collection at {c['at_s']:.2f} s took {c['ms']:.1f} ms "
            f"(generation {c['generation']}, {c['objects']} objects)"
        )
    return "\n".join(lines)


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
    parser.add_argument("--pings", type=int, default=30, help="idle pings")
    parser.add_argument("--kernel-rows", type=int, default=200_000)
    parser.add_argument("--kernel-rounds", type=int, default=300)
    parser.add_argument("--kernel-n-jobs", type=int, help="xgboost threads (default: all)")
    parser.add_argument(
        "--pause-ms", type=float, default=30, help="note GIL pauses and collections over this"
    )
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--skip-kernel", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        os.environ["XDG_CONFIG_HOME"] = os.path.join(folder, "config")
        os.chdir(folder)
        uri = f"sqlite:///{folder}/mlflow.db"
        overhead = (
            []
            if args.skip_overhead
            else tracking_overhead(args.rows, args.repeat, uri, args.models)
        )
        if overhead:
            print(f"\ntracking overhead ({args.rows} rows, fastest of {args.repeat})")
            print(table(overhead))
        latency: list[dict[str, object]] = []
        pauses: dict[str, list[dict[str, object]]] = {}
        if not args.skip_kernel:
            latency, pauses = kernel_latency(
                args.kernel_rows,
                args.kernel_rounds,
                args.pings,
                folder,
                args.kernel_n_jobs,
                args.pause_ms,
            )
            print(
                f"\nkernel latency of `1+1` every 100 ms ({args.kernel_rows} rows, "
                f"xgboost {args.kernel_rounds} rounds)"
            )
            print(table(latency))
            print(f"\nGIL pauses over {args.pause_ms:g} ms in the kernel (seconds into each phase)")
            print(longest_pauses(pauses))
    if args.json:
        args.json.write_text(
            json.dumps({"overhead": overhead, "latency": latency, "pauses": pauses}, indent=2)
        )


if __name__ == "__main__":
    main()
