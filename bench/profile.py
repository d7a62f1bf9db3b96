"""Benchmark :func:`hydroml_jupyter.analysis.profile.profile` against the bare pandas calls.

Run from the repository root::

    python bench/profile.py                      # 1M and 5M rows
    python bench/profile.py --rows 200000 --ydata-python /tmp/ydata-venv/bin/python

The frame is ``bench/engine.py``'s deterministic 12-column frame. For each size it prints the
profile time (median of ``--repeat`` runs) next to the bare pandas calls a profile needs
(``describe(include="all")``, ``isna().sum()`` and ``value_counts()`` of every column), their
ratio, and ydata-profiling's minimal mode (``ProfileReport(df, minimal=True)``, description
only, no HTML) on the same frame when it is available: imported here, or run with another
interpreter given by ``--ydata-python`` (the frame travels as Parquet). ydata-profiling is not
a dependency of this project; when it is absent the script says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hydroml_jupyter.analysis.profile import profile  # noqa: E402

YDATA_SNIPPET = """
import sys, time, warnings
import pandas as pd
warnings.simplefilter("ignore")
df = pd.read_parquet(sys.argv[1])
from ydata_profiling import ProfileReport
t = time.perf_counter()
ProfileReport(df, minimal=True, progress_bar=False).get_description()
print(time.perf_counter() - t, pd.__version__)
"""


def load_make_frame() -> Callable[[int], pd.DataFrame]:
    """Import ``make_frame`` from ``bench/engine.py`` without putting ``bench/`` on the path."""
    spec = importlib.util.spec_from_file_location("_bench_engine", ROOT / "bench" / "engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_bench_engine"] = module
    spec.loader.exec_module(module)
    return module.make_frame


def bare_pandas(df: pd.DataFrame) -> None:
    """Run the pandas calls a profile needs at least."""
    df.describe(include="all")
    df.isna().sum()
    for c in df.columns:
        df[c].value_counts()


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ydata_time(df: pd.DataFrame, python: str | None) -> str:
    """Time ydata-profiling's minimal mode, in this interpreter or in ``python``."""
    if python is None:
        if importlib.util.find_spec("ydata_profiling") is None:
            return "absent (not installed here; pass --ydata-python to use another venv)"
        python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.parquet"
        df.to_parquet(path)
        run = subprocess.run(
            [python, "-c", YDATA_SNIPPET, str(path)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed: {last}"
    seconds, version = run.stdout.split()
    return f"{float(seconds):.2f} s (pandas {version})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ydata-python", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    make_frame = load_make_frame()
    results = []
    for rows in args.rows:
        df = make_frame(rows)
        t_profile = timed(lambda df=df: profile(df), args.repeat)
        t_bare = timed(lambda df=df: bare_pandas(df), args.repeat)
        ydata = ydata_time(df, args.ydata_python)
        p = profile(df)
        row = {
            "rows": rows,
            "columns": df.shape[1],
            "profile_s": round(t_profile, 3),
            "bare_pandas_s": round(t_bare, 3),
            "ratio": round(t_profile / t_bare, 2),
            "ydata_minimal": ydata,
            "alerts": len(p.alerts),
            "sampled": p.sampled or "nothing",
        }
        results.append(row)
        print(
            f"{rows:>9,} rows x {df.shape[1]}: profile {t_profile:6.2f} s | bare pandas "
            f"{t_bare:6.2f} s | ratio {t_profile / t_bare:4.2f} | ydata minimal: {ydata} | "
            f"{len(p.alerts)} alerts, sampled: {row['sampled']}",
            flush=True,
        )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
