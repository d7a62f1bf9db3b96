"""Benchmark the session engine against the plain pandas code that does the same thing.

Run from the repository root::

    python bench/engine.py                       # 1M and 5M rows, 3 repeats
    python bench/engine.py --rows 200000 --repeat 5 --json engine.json
    python bench/engine.py --rows 1000000 --ops merge window   # only these operations

For each size it builds a deterministic frame of 13 mixed columns and prints:

* every operation's ``Session.apply`` time next to the idiomatic pandas code for
  the same task, timed in the same run (median of ``--repeat`` runs, or of 11
  for operations under 100 ms; the two alternate, each going first every other
  run, and the step is undone after each apply), and their ratio (> 1: hydroml
  is slower). ``same`` says whether both produced an identical frame (labels,
  dtypes and values);
* ``undo`` and ``redo`` with kept snapshots and with ``memory_budget=0`` (every
  undo or redo rebuilds its frame by replaying steps);
* the history's memory after 20 one-column operations as a ratio to the
  original frame's size, next to the ideal ratio (each step holding only the
  column it wrote);
* ``s.code()`` and ``s.df`` access times, and the peak RSS.

The frame's 13 columns: ``price``, ``weight``, ``score``, ``temp`` (float64, three
with NaN), ``qty``, ``user_id`` (int64), ``rating`` (Int64 with NA), ``city``
(low-cardinality ``str`` with nulls and untidy spellings), ``amount_txt``
(high-cardinality ``str``: numbers stored as text, with nulls and a few
``"n/a"``; the cast benchmark converts it), ``ts`` (datetime64[ns]),
``stamp`` (the same times as UTC text, ``2020-01-01T10:00:00Z``), ``active`` (bool)
and ``segment`` (category). About 1% of the rows repeat
earlier ones, so ``dedupe`` has work to do.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmark the checkout, installed or not
    sys.path.insert(0, str(ROOT))

import hydroml_jupyter as hj  # noqa: E402
from hydroml_jupyter.engine.memory import frame_buffers, unique_bytes  # noqa: E402

Frame = pd.DataFrame
Baseline = Callable[[Frame], Frame]

CITIES = ["Paris", "paris ", " Lyon", "Lyon", "New York", "NYC", "new york ", "Berlin",
          "Tokyo", "São Paulo", "Nairobi", "Sydney"]  # fmt: skip
SEGMENTS = ["A", "B", "C", "D", "E", "F", "G", "H"]
NO_BUDGET = 1 << 50  # a budget no benchmark reaches: every snapshot is kept
FAST = 0.1  # seconds: operations faster than this get FAST_RUNS timed runs, not --repeat
FAST_RUNS = 11


# -- data ----------------------------------------------------------------------------------
def make_frame(rows: int) -> Frame:
    """Return the benchmark frame: ``rows`` x 13 mixed columns, the same for the same size."""
    rng = np.random.default_rng(0)

    def with_nan(values: np.ndarray, share: float) -> np.ndarray:
        values = values.astype("float64")
        values[rng.random(rows) < share] = np.nan
        return values

    def text(values: pa.Array) -> pd.Series:
        return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string()))).astype("str")

    city_codes = rng.integers(0, len(CITIES), rows)
    city = pa.array(CITIES).take(pa.array(city_codes, mask=rng.random(rows) < 0.05))
    amounts = pc.cast(pa.array(np.round(rng.gamma(2.0, 50.0, rows), 2)), pa.string())
    draw = rng.random(rows)
    amounts = pc.if_else(pa.array(draw < 0.001), pa.scalar("n/a"), amounts)
    amounts = pc.if_else(pa.array(draw > 0.97), pa.scalar(None, pa.string()), amounts)
    rating = pd.arrays.IntegerArray(rng.integers(1, 6, rows), rng.random(rows) < 0.1)
    seconds = rng.integers(0, 4 * 365 * 86_400, rows)
    ts = np.datetime64("2020-01-01", "ns") + (seconds * 1_000_000_000).astype("timedelta64[ns]")
    df = pd.DataFrame(
        {
            "price": with_nan(np.round(rng.lognormal(3.0, 1.0, rows), 2), 0.05),
            "weight": with_nan(rng.normal(70.0, 15.0, rows), 0.10),
            "score": rng.random(rows),
            "temp": with_nan(rng.normal(15.0, 8.0, rows), 0.01),
            "qty": rng.integers(1, 50, rows),
            "user_id": rng.integers(0, max(rows // 2, 1), rows),
            "rating": pd.Series(rating),
            "city": text(city),
            "amount_txt": text(amounts),
            "ts": ts,
            "stamp": text(pc.strftime(pa.array(ts), format="%Y-%m-%dT%H:%M:%SZ")),
            "active": rng.random(rows) < 0.7,
            "segment": pd.Categorical.from_codes(rng.integers(0, len(SEGMENTS), rows), SEGMENTS),
        }
    )
    order = np.arange(rows)
    copies = rows // 100
    order[rng.choice(rows, copies, replace=False)] = rng.integers(0, rows, copies)
    return df.take(order).reset_index(drop=True)


def frame_bytes(df: Frame) -> int:
    """Bytes behind ``df``, counted the way the history counts them."""
    return unique_bytes([frame_buffers(df)])


# -- the operations and their pandas baselines --------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One operation with realistic parameters and the pandas a user would write instead."""

    op: str
    params: dict[str, Any]
    baseline: Baseline
    pandas: str  # the baseline's code, for the report


def _scaled(s: pd.Series) -> pd.Series:
    return (s - s.mean()) / s.std(ddof=0)


CITY_FIXES = {"paris ": "Paris", " Lyon": "Lyon", "NYC": "New York", "new york ": "New York"}

CASES: list[Case] = [
    Case("rename", {"columns": {"price": "price_usd", "qty": "quantity"}},
         lambda d: d.rename(columns={"price": "price_usd", "qty": "quantity"}),
         "df.rename(columns={'price': 'price_usd', 'qty': 'quantity'})"),
    Case("cast", {"column": "amount_txt", "dtype": "float64", "errors": "coerce"},
         lambda d: d.assign(amount_txt=pd.to_numeric(d["amount_txt"], errors="coerce")),
         "df.assign(amount_txt=pd.to_numeric(df.amount_txt, errors='coerce'))"),
    Case("fill_missing", {"column": "price", "strategy": "median"},
         lambda d: d.assign(price=d["price"].fillna(d["price"].median())),
         "df.assign(price=df.price.fillna(df.price.median()))"),
    Case("drop_columns", {"columns": ["score", "temp"]},
         lambda d: d.drop(columns=["score", "temp"]),
         "df.drop(columns=['score', 'temp'])"),
    Case("drop_missing", {"columns": ["price", "city"]},
         lambda d: d.dropna(subset=["price", "city"]),
         "df.dropna(subset=['price', 'city'])"),
    Case("filter_rows", {"column": "price", "op": ">", "value": 20.0},
         lambda d: d[d["price"] > 20.0],
         "df[df.price > 20.0]"),
    Case("sort_rows", {"by": "price"},
         lambda d: d.sort_values("price", kind="stable"),
         "df.sort_values('price', kind='stable')"),
    Case("dedupe", {},
         lambda d: d.drop_duplicates(),
         "df.drop_duplicates()"),
    Case("replace", {"column": "city", "mapping": CITY_FIXES},
         lambda d: d.assign(city=d["city"].replace(CITY_FIXES)),
         "df.assign(city=df.city.replace({...4 pairs}))"),
    Case("text", {"column": "city", "action": "strip"},
         lambda d: d.assign(city=d["city"].str.strip()),
         "df.assign(city=df.city.str.strip())"),
    Case("formula", {"column": "total", "expr": "price * qty"},
         lambda d: d.assign(total=d["price"] * d["qty"]),
         "df.assign(total=df.price * df.qty)"),
    Case("one_hot", {"column": "segment"},
         lambda d: pd.get_dummies(d, columns=["segment"]),
         "pd.get_dummies(df, columns=['segment'])"),
    Case("scale", {"columns": ["price", "weight"], "method": "standard"},
         lambda d: d.assign(price=_scaled(d["price"]), weight=_scaled(d["weight"])),
         "df.assign(price=(df.price - df.price.mean()) / df.price.std(ddof=0), weight=...)"),
    Case("group_aggregate",
         {"by": "city", "aggs": {"price": ["mean", "max"], "qty": "sum", "user_id": "nunique"}},
         lambda d: d.groupby("city", dropna=False).agg(
             price_mean=("price", "mean"), price_max=("price", "max"), qty=("qty", "sum"),
             user_id=("user_id", "nunique")).reset_index(),
         "df.groupby('city', dropna=False).agg(price_mean=('price', 'mean'), ...).reset_index()"),
    Case("cast", {"column": "stamp", "dtype": "datetime64[ns, UTC]"},
         lambda d: d.assign(stamp=pd.to_datetime(d["stamp"], utc=True)),
         "df.assign(stamp=pd.to_datetime(df.stamp, utc=True))"),
    Case("datetime_parts", {"column": "ts", "parts": ["year", "month", "weekday", "hour"]},
         lambda d: _after(d, "ts", {"ts_year": d["ts"].dt.year.astype("Int32"),
                                    "ts_month": d["ts"].dt.month.astype("Int32"),
                                    "ts_weekday": d["ts"].dt.day_of_week.astype("Int32"),
                                    "ts_hour": d["ts"].dt.hour.astype("Int32")}),
         "df.ts.dt.year, .month, .day_of_week, .hour as Int32, inserted after ts"),
    Case("timezone", {"column": "ts", "action": "localize", "tz": "Europe/Paris"},
         lambda d: d.assign(ts=d["ts"].dt.tz_localize("Europe/Paris", ambiguous="NaT",
                                                      nonexistent="shift_forward")),
         "df.assign(ts=df.ts.dt.tz_localize('Europe/Paris', ambiguous='NaT', ...))"),
    Case("fill_missing", {"column": "price", "strategy": "median", "by": "city"},
         lambda d: d.assign(price=d["price"].fillna(
             d.groupby("city", dropna=False)["price"].transform("median"))),
         "df.assign(price=df.price.fillna(df.groupby('city', dropna=False).price"
         ".transform('median')))"),
    Case("bin", {"column": "price", "method": "quantile", "bins": 4},
         lambda d: _after(d, "price", {"price_bin": _as_text(pd.qcut(d["price"], 4))}),
         "pd.qcut(df.price, 4) as text, inserted after price"),
    Case("round", {"columns": ["price", "weight"], "decimals": 1},
         lambda d: d.assign(price=d["price"].round(1), weight=d["weight"].round(1)),
         "df.assign(price=df.price.round(1), weight=df.weight.round(1))"),
    Case("window", {"column": "price", "func": "rolling_mean", "window": 7, "by": "city",
                    "order_by": "ts"},
         lambda d: _after(d, "price", {"price_rolling_mean": d.sort_values("ts", kind="stable")
                          .groupby("city", dropna=False)["price"].rolling(7).mean()
                          .droplevel(0).sort_index()}),
         "df.sort_values('ts', kind='stable').groupby('city', dropna=False).price"
         ".rolling(7).mean().droplevel(0), inserted after price"),
    Case("split", {"column": "city", "sep": " ", "into": ["city_first", "city_rest"]},
         lambda d: _after(d, "city", dict(zip(["city_first", "city_rest"], (
             p for _, p in d["city"].str.split(" ", n=1, expand=True, regex=False)
             .reindex(columns=[0, 1]).astype("str").items()), strict=True))),
         "df.city.str.split(' ', n=1, expand=True), inserted after city"),
    Case("extract", {"column": "amount_txt", "pattern": r"(\d+)\.(\d+)",
                     "into": ["units", "cents"]},
         lambda d: _after(d, "amount_txt", dict(zip(["units", "cents"], (
             p for _, p in d["amount_txt"].str.extract(r"(\d+)\.(\d+)").astype("str")
             .items()), strict=True))),
         "df.amount_txt.str.extract(r'(\\d+)\\.(\\d+)'), inserted after amount_txt"),
    Case("pivot", {"index": "city", "columns": "segment", "values": "price", "aggfunc": "mean"},
         lambda d: _flat(d.pivot_table(index="city", columns="segment", values="price",
                                       aggfunc="mean", dropna=False, observed=True)),
         "df.pivot_table(index='city', columns='segment', values='price', dropna=False, "
         "observed=True) (column names made text).reset_index()"),
    Case("melt", {"id_vars": ["user_id"], "value_vars": ["price", "weight"],
                  "var_name": "measure", "value_name": "amount"},
         lambda d: d.melt(id_vars=["user_id"], value_vars=["price", "weight"],
                          var_name="measure", value_name="amount"),
         "df.melt(id_vars=['user_id'], value_vars=['price', 'weight'], ...)"),
    Case("reorder_columns", {"columns": ["segment", "city"]},
         lambda d: d[["segment", "city", *(c for c in d.columns if c not in ("segment", "city"))]],
         "df[['segment', 'city', *other_columns]]"),
    Case("sample", {"frac": 0.1, "seed": 1},
         lambda d: d.sample(frac=0.1, random_state=1),
         "df.sample(frac=0.1, random_state=1)"),
]  # fmt: skip


def _after(d: Frame, column: str, new: dict[str, pd.Series]) -> Frame:
    """Return ``d`` with the ``new`` columns inserted right after ``column``."""
    out = d.copy(deep=False)
    at = out.columns.get_loc(column) + 1
    for offset, (name, values) in enumerate(new.items()):
        out.insert(at + offset, name, values)
    return out


def _as_text(binned: pd.Series) -> pd.Series:
    return binned.cat.rename_categories(binned.cat.categories.astype("str"))


def _flat(pivoted: Frame) -> Frame:
    pivoted.columns = pivoted.columns.astype(object).map(str).rename(None)
    return pivoted.reset_index()


def file_cases(df: Frame, folder: Path) -> list[Case]:
    """Cases whose other frame is a file: written here, once per frame size."""
    users = pd.DataFrame({"user_id": np.arange(3_000), "tier": np.arange(3_000) % 5})
    more = df.head(100_000)
    users_path, more_path = folder / "users.parquet", folder / "more.parquet"
    users.to_parquet(users_path, index=False)
    more.to_parquet(more_path, index=False)
    users, more = pd.read_parquet(users_path), pd.read_parquet(more_path)
    return [
        Case("merge", {"other": str(users_path), "on": "user_id", "how": "left"},
             lambda d: d.merge(users, on="user_id", how="left", suffixes=("", "_other")),
             "df.merge(users, on='user_id', how='left') (3,000 users, read once)"),
        Case("concat", {"other": str(more_path)},
             lambda d: pd.concat([d, more], ignore_index=True),
             "pd.concat([df, more], ignore_index=True) (100,000 rows, read once)"),
    ]  # fmt: skip


#: 20 one-column steps for the memory test: (op, params, the column each one writes).
MEMORY_STEPS: list[tuple[str, dict[str, Any], str]] = [
    ("fill_missing", {"column": "price", "strategy": "median"}, "price"),
    ("scale", {"columns": "weight"}, "weight"),
    ("text", {"column": "city", "action": "strip"}, "city"),
    ("cast", {"column": "amount_txt", "dtype": "float64", "errors": "coerce"}, "amount_txt"),
    ("formula", {"column": "total", "expr": "price * qty"}, "total"),
    ("fill_missing", {"column": "weight", "strategy": "mean"}, "weight"),
    ("scale", {"columns": "score", "method": "minmax"}, "score"),
    ("text", {"column": "city", "action": "lower"}, "city"),
    ("fill_missing", {"column": "rating", "strategy": "value", "value": 3}, "rating"),
    ("scale", {"columns": "temp", "method": "robust"}, "temp"),
    ("formula", {"column": "unit", "expr": "amount_txt / qty"}, "unit"),
    ("replace", {"column": "city", "mapping": {"nyc": "new york"}}, "city"),
    ("cast", {"column": "qty", "dtype": "float64"}, "qty"),
    ("fill_missing", {"column": "temp", "strategy": "median"}, "temp"),
    ("scale", {"columns": "price"}, "price"),
    ("text", {"column": "city", "action": "title"}, "city"),
    ("formula", {"column": "price", "expr": "price * 2"}, "price"),
    ("fill_missing", {"column": "amount_txt", "strategy": "value", "value": 0.0}, "amount_txt"),
    ("cast", {"column": "rating", "dtype": "float64"}, "rating"),
    ("scale", {"columns": "qty", "method": "minmax"}, "qty"),
]

#: The 5-step history the undo and redo timings walk.
UNDO_STEPS = MEMORY_STEPS[:5]


# -- results ------------------------------------------------------------------------------------
@dataclass
class OpResult:
    """Timings of one operation, in seconds (medians)."""

    op: str
    params: dict[str, Any]
    pandas_code: str
    hydroml: float
    pandas: float
    ratio: float
    same: str
    hydroml_runs: list[float]
    pandas_runs: list[float]


@dataclass
class SizeResult:
    """Everything measured at one frame size."""

    rows: int
    columns: int
    frame_bytes: int
    memory_usage_deep: int
    build_seconds: float
    ops: list[OpResult] = field(default_factory=list)
    undo: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)
    peak_rss_bytes: int = 0


# -- timing helpers ------------------------------------------------------------------------------
def timed(fn: Callable[[], Any], collect: bool = True) -> float:
    """Return the seconds ``fn()`` takes, after a full garbage collection if ``collect``."""
    if collect:
        gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], Any], runs: int) -> float:
    """Return the median seconds of ``runs`` calls of a fast ``fn`` (one collection first)."""
    gc.collect()
    return statistics.median(timed(fn, collect=False) for _ in range(runs))


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def compare(got: Frame, expected: Frame) -> str:
    """Return ``"yes"`` when the frames hold the same labels, dtypes and values, else why not.

    ``Series.equals`` per column (missing values in the same places compare equal):
    ``pd.testing.assert_frame_equal`` takes seconds per million rows.
    """
    if list(got.columns) != list(expected.columns):
        return f"NO: columns {list(got.columns)} != {list(expected.columns)}"
    if not got.index.equals(expected.index):
        return "NO: different index"
    for column in got.columns:
        a, b = got[column], expected[column]
        if a.dtype != b.dtype:
            return f"NO: {column!r} is {a.dtype}, expected {b.dtype}"
        if not a.equals(b):
            return f"NO: {column!r} has different values"
    return "yes"


# -- the benchmarks ------------------------------------------------------------------------------
def bench_ops(df: Frame, repeat: int, only: set[str] | None = None) -> list[OpResult]:
    """Time every case (of the operations ``only``, when given) with hydroml and with its
    pandas baseline, alternating the two.

    The merge and concat cases read their other frame from a Parquet file; hydroml's
    cache keeps it after the first read, and the baseline's frame is read beforehand.
    """
    with tempfile.TemporaryDirectory() as folder:
        cases = [*CASES, *file_cases(df, Path(folder))]
        return _bench_ops(df, repeat, [c for c in cases if only is None or c.op in only])


def _bench_ops(df: Frame, repeat: int, cases: list[Case]) -> list[OpResult]:
    results = []
    session = hj.Session(df, name="bench", memory_budget=NO_BUDGET)
    for case in cases:
        print(f"  {case.op:<16}", end="", flush=True)
        holder: list[Frame | None] = [None]

        def run_pandas(case: Case = case, holder: list[Frame | None] = holder) -> None:
            holder[0] = case.baseline(df)

        def run_hydroml(case: Case = case) -> None:
            session.apply(case.op, **case.params)

        # A first, untimed run of each warms caches and checks both give the same frame.
        try:
            first = timed(run_hydroml)
        except hj.OperationError as exc:
            print(f" failed: {exc}")
            continue
        run_pandas()
        same = compare(session.df, holder[0])  # type: ignore[arg-type]
        session.undo()
        pandas_runs, hydroml_runs = [], []
        for i in range(repeat if first > FAST else max(repeat, FAST_RUNS)):
            if i % 2:  # alternate which goes first, so a trend over the runs favours neither
                hydroml_runs.append(timed(run_hydroml))
                session.undo()
                pandas_runs.append(timed(run_pandas))
            else:
                pandas_runs.append(timed(run_pandas))
                hydroml_runs.append(timed(run_hydroml))
                session.undo()
        holder[0] = None
        h, p = statistics.median(hydroml_runs), statistics.median(pandas_runs)
        results.append(OpResult(case.op, case.params, case.pandas, h, p, h / p, same,
                                hydroml_runs, pandas_runs))  # fmt: skip
        print(f" {h * 1e3:10.1f} ms vs {p * 1e3:10.1f} ms  ({h / p:.2f}x)", flush=True)
    session.close()
    return results


def bench_undo(df: Frame, repeat: int) -> dict[str, Any]:
    """Time undo and redo at the end of a 5-step history, with and without kept snapshots."""
    out: dict[str, Any] = {"steps": [op for op, _, _ in UNDO_STEPS]}
    for label, budget, runs in (("kept", NO_BUDGET, 101), ("budget0", 0, max(repeat, 3))):
        session = hj.Session(df, name="bench-undo", memory_budget=budget)
        apply_times = []
        for op, params, _ in UNDO_STEPS:
            started = time.perf_counter()
            session.apply(op, **params)
            apply_times.append(time.perf_counter() - started)
        undo_runs, redo_runs = [], []
        collect = budget == 0  # rebuilding allocates whole columns; moving the cursor does not
        gc.collect()
        for _ in range(runs):
            undo_runs.append(timed(session.undo, collect))
            redo_runs.append(timed(session.redo, collect))
        out[label] = {
            "budget": budget,
            "undo": statistics.median(undo_runs),
            "redo": statistics.median(redo_runs),
            "undo_runs": undo_runs if runs < 10 else [],
            "redo_runs": redo_runs if runs < 10 else [],
            "apply_times": apply_times,
            "memory": session.memory,
        }
        session.close()
    return out


def bench_memory(df: Frame, repeat: int) -> tuple[dict[str, Any], dict[str, float]]:
    """Apply 20 one-column steps; measure the history's memory, ``code()`` and ``df`` access."""
    base = frame_bytes(df)
    session = hj.Session(df, name="bench-memory", memory_budget=NO_BUDGET)
    written = 0
    failed: list[str] = []
    for op, params, column in MEMORY_STEPS:
        try:
            session.apply(op, **params)
        except hj.OperationError as exc:
            failed.append(str(exc))
            continue
        written += frame_bytes(session.df[column].to_frame())
    held = session.memory
    memory = {
        "steps": len(MEMORY_STEPS) - len(failed),
        "failed": failed,
        "frame_bytes": base,
        "history_bytes": held,
        "ratio": held / base,
        "written_bytes": written,
        "ideal_ratio": 1 + written / base,
    }
    access = {
        "code": median_time(lambda: session.code(source=False), 21),
        "df": median_time(lambda: session.df, 201),
        "history": median_time(lambda: session.history, 21),
        "session_init": median_time(lambda: hj.Session(df, name="bench-init").close(), 21),
    }
    session.close()
    return memory, access


def run_size(rows: int, repeat: int, only: set[str] | None = None) -> SizeResult:
    """Run every benchmark on a frame of ``rows`` rows (with ``only``: those operations)."""
    started = time.perf_counter()
    df = make_frame(rows)
    built = time.perf_counter() - started
    result = SizeResult(rows, df.shape[1], frame_bytes(df),
                        int(df.memory_usage(deep=True).sum()), built)  # fmt: skip
    print(f"\n{rows:,} rows: frame built in {built:.1f} s; timing operations")
    result.ops = bench_ops(df, repeat, only)
    if only is None:
        result.undo = bench_undo(df, repeat)
        result.memory, result.access = bench_memory(df, repeat)
    result.peak_rss_bytes = peak_rss()
    return result


# -- report --------------------------------------------------------------------------------------
def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.1f}"


def _mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB"


def report(result: SizeResult, repeat: int) -> str:
    """Return the human-readable tables for one size."""
    lines = [
        "",
        "=" * 78,
        f"{result.rows:,} rows x {result.columns} columns   "
        f"frame {_mib(result.frame_bytes)} (buffers), "
        f"{_mib(result.memory_usage_deep)} (memory_usage(deep=True))",
        "=" * 78,
        f"Operations: median of {repeat} runs ({FAST_RUNS} under {FAST * 1e3:.0f} ms), "
        "hydroml Session.apply vs plain pandas, alternating",
        f"{'op':<16} {'hydroml ms':>11} {'pandas ms':>11} {'extra ms':>9} {'ratio':>7}  same  "
        "pandas baseline",
    ]
    for r in result.ops:
        flag = " <-- over 2x" if r.ratio > 2 else ""
        extra = f"{(r.hydroml - r.pandas) * 1e3:+.1f}"
        lines.append(f"{r.op:<16} {_ms(r.hydroml):>11} {_ms(r.pandas):>11} {extra:>9} "
                     f"{r.ratio:>6.2f}x  {r.same:<4}  {r.pandas_code}{flag}")  # fmt: skip
    mismatched = [f"{r.op}: {r.same}" for r in result.ops if r.same != "yes"]
    lines += [f"  ! different result, {m}" for m in mismatched]
    if not result.undo:  # --ops: the operations only
        return "\n".join(lines)
    u = result.undo
    lines += ["", f"Undo/redo at the end of a {len(u['steps'])}-step history "
              f"({', '.join(u['steps'])})"]  # fmt: skip
    for label, what in (("kept", "snapshots kept      "), ("budget0", "memory_budget=0     ")):
        d = u[label]
        lines.append(f"  {what} undo {_ms(d['undo']):>9} ms   redo {_ms(d['redo']):>9} ms   "
                     f"s.memory {_mib(d['memory'])}")  # fmt: skip
    replay = sum(u["budget0"]["apply_times"][:-1])
    last = u["budget0"]["apply_times"][-1]
    lines.append(f"  (budget 0: undo replays steps 1-4 from the original, whose applies took "
                 f"{_ms(replay)} ms; redo replays step 5: {_ms(last)} ms)")  # fmt: skip
    m = result.memory
    lines += [
        "",
        f"Memory after {m['steps']} one-column steps (all snapshots kept)",
        f"  history {_mib(m['history_bytes'])} / frame {_mib(m['frame_bytes'])} = "
        f"{m['ratio']:.2f}x   ideal {m['ideal_ratio']:.2f}x "
        f"(1 + {_mib(m['written_bytes'])} of written columns / frame)",
    ]
    lines += [f"  ! step failed: {f}" for f in m["failed"]]
    a = result.access
    lines += [
        "",
        f"Access (20-step history): s.code(source=False) {_ms(a['code'])} ms, "
        f"s.df {_ms(a['df'])} ms, s.history {_ms(a['history'])} ms, "
        f"Session(df) {_ms(a['session_init'])} ms",
        f"Peak RSS so far: {_mib(result.peak_rss_bytes)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run every size, print the tables and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per op (median)")
    parser.add_argument("--json", metavar="PATH", help="write every figure to this JSON file")
    parser.add_argument("--ops", nargs="+", metavar="OP", help="time only these operations")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    env = {
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "hydroml_jupyter": hj.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    print("hydroml engine benchmark  " + "  ".join(f"{k} {v}" for k, v in env.items()))
    started = time.perf_counter()
    results = []
    for rows in args.rows:
        result = run_size(rows, args.repeat, set(args.ops) if args.ops else None)
        results.append(result)
        print(report(result, args.repeat), flush=True)
        gc.collect()
    total = time.perf_counter() - started
    print(f"\nTotal {total:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            document = {"env": env, "repeat": args.repeat, "seconds": total,
                        "sizes": [asdict(r) for r in results]}  # fmt: skip
            json.dump(document, fh, indent=2, default=str)
        print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
