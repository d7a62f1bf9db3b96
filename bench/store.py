"""Benchmark the session stores against plain pyarrow IPC, and persistence as the person sees it.

Run from the repository root::

    python bench/store.py                          # 1M and 5M rows, disk store
    python bench/store.py --rows 200000 --json store.json
    python bench/store.py --rows 1000000 --redis redis://127.0.0.1:6379/0

It uses the 12-column frame of ``bench/engine.py`` and prints, per size and store:

* **save** and **restore**: ``persist.save`` of a new session holding that frame
  (and of the same session again, unchanged: the manifest only), and
  ``persist.restore`` of it (the whole history, frame and all), next to writing and
  reading the same frame with plain ``pyarrow`` IPC (``Table.from_pandas`` and an IPC
  file, no compression, no fsync; then ``read_all`` and ``to_pandas``). The ratio is
  store / pyarrow (> 1: the store is slower). The store compresses (zstd), signs
  (HMAC-SHA256), checks that the dtypes round-trip exactly and fsyncs, which plain
  IPC does not.
* **per step**: the time until ``Session.apply`` returns with autosave on and off
  (median over the first ``--steps`` one-column steps of ``bench/engine.py``), the
  background write time of each step (the store's ``save`` as the writer runs it)
  and, for the disk store, the bytes each step writes. Each step starts with the
  writer idle (a person looks at a step before the next one).
* **burst**: the same steps applied back to back, with autosave on and off: the time
  until the last ``apply`` returns, then how long the writer needs to catch up.
* **one column**: a session saved, then one step that changes one column (``scale`` of
  ``weight``) saved again with ``persist.save``: the time of that save and the bytes it
  writes (new or changed files on disk; new or changed keys in Redis), each as a ratio
  to writing the whole frame with plain pyarrow IPC (time and file size).

Figures are medians of ``--repeat`` runs; ``--json`` writes every figure, and
``--before`` prints this run's per-step and one-column figures next to those of a JSON
file written earlier (e.g. by the code before a change).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmark the checkout, installed or not
    sys.path.insert(0, str(ROOT))

import hydroml_jupyter as hj  # noqa: E402
from hydroml_jupyter.store import DiskStore, RedisStore, SessionRecord, Store, persist  # noqa: E402


def _engine_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "bench" / "engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


ENGINE = _engine_bench()
make_frame: Callable[[int], pd.DataFrame] = ENGINE.make_frame
STEPS: list[tuple[str, dict[str, Any], str]] = ENGINE.MEMORY_STEPS


class TimedStore:
    """Wraps a store; records how long each ``save`` takes (the writer thread's work)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.saves: list[float] = []

    def save(self, record: SessionRecord) -> None:
        started = time.perf_counter()
        self.inner.save(record)
        self.saves.append(time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def folder_bytes(root: Path) -> dict[str, int]:
    """Every file under ``root`` with its size (the store's lock file excluded)."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".lock":
            out[str(path)] = path.stat().st_size
    return out


# -- plain pyarrow ----------------------------------------------------------------------------
def ipc_write(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def ipc_read(path: Path) -> pd.DataFrame:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all().to_pandas()


# -- the store -------------------------------------------------------------------------------
def bench_save_restore(df: pd.DataFrame, store: Store, work: Path, repeat: int) -> dict[str, Any]:
    """Save and restore a session holding ``df`` next to plain IPC write and read."""
    path = work / "plain.arrow"
    write = [timed(lambda: ipc_write(df, path)) for _ in range(repeat)]
    read = [timed(lambda: ipc_read(path)) for _ in range(repeat)]
    ipc_bytes = path.stat().st_size
    path.unlink()
    session = hj.Session(df, name="bench-save")
    saves = []
    for _ in range(repeat):
        store.delete("bench-save")  # a first save: every frame is written
        saves.append(timed(lambda: persist.save(session, store)))
    resave = timed(lambda: persist.save(session, store))  # nothing new: the manifest only
    session.close()
    restores = []
    holder: list[Any] = []
    for _ in range(repeat):
        restores.append(timed(lambda: holder.append(persist.restore("bench-save", store))))
        holder.pop().close()
    stored = next(i.bytes for i in store.list() if i.name == "bench-save")
    store.delete("bench-save")
    out = {
        "ipc_write": median(write),
        "ipc_read": median(read),
        "ipc_bytes": ipc_bytes,
        "save": median(saves),
        "resave_unchanged": resave,
        "restore": median(restores),
        "stored_bytes": stored,
    }
    out["save_ratio"] = out["save"] / out["ipc_write"]
    out["restore_ratio"] = out["restore"] / out["ipc_read"]
    return out


def bench_steps(df: pd.DataFrame, store: Store, steps: int, repeat: int) -> dict[str, Any]:
    """Time ``apply`` with autosave on and off, and the writer's work per step."""
    chosen = STEPS[:steps]
    off: list[float] = []
    on: list[float] = []
    writes: list[float] = []
    flushes: list[float] = []
    step_bytes: list[int] = []
    root = store.root if isinstance(store, DiskStore) else None
    for _ in range(repeat):
        plain = hj.Session(df, name="bench-off")
        for op, params, _col in chosen:
            off.append(timed(lambda s=plain, op=op, params=params: s.apply(op, **params)))
        plain.close()

        timed_store = TimedStore(store)
        session = hj.Session(df, name="bench-steps")
        keeper = persist.autosave(session, timed_store)  # type: ignore[arg-type]
        assert keeper.flush(timeout=600)
        for op, params, _col in chosen:
            before = folder_bytes(root) if root else {}
            saves_before = len(timed_store.saves)
            on.append(timed(lambda s=session, op=op, params=params: s.apply(op, **params)))
            started = time.perf_counter()
            assert keeper.flush(timeout=600)
            flushes.append(time.perf_counter() - started)
            writes.extend(timed_store.saves[saves_before:])
            if root:
                after = folder_bytes(root)
                step_bytes.append(sum(s for p, s in after.items() if before.get(p) != s))
        keeper.close()
        session.close()
        store.delete("bench-steps")
    out: dict[str, Any] = {
        "steps": len(chosen),
        "apply_off": median(off),
        "apply_on": median(on),
        "write_per_step": median(writes),
        "flush_after_step": median(flushes),
    }
    out["apply_overhead"] = out["apply_on"] - out["apply_off"]
    if step_bytes:
        out["bytes_per_step"] = int(median([float(b) for b in step_bytes]))
    return out


def bench_burst(df: pd.DataFrame, store: Store, steps: int) -> dict[str, Any]:
    """Apply the steps back to back with autosave on and off."""
    chosen = STEPS[:steps]

    def run(session: hj.Session) -> float:
        gc.collect()
        started = time.perf_counter()
        for op, params, _col in chosen:
            session.apply(op, **params)
        return time.perf_counter() - started

    plain = hj.Session(df, name="bench-off")
    off = run(plain)
    plain.close()
    timed_store = TimedStore(store)
    session = hj.Session(df, name="bench-burst")
    keeper = persist.autosave(session, timed_store)  # type: ignore[arg-type]
    assert keeper.flush(timeout=600)
    saves_before = len(timed_store.saves)
    on = run(session)
    started = time.perf_counter()
    assert keeper.flush(timeout=600)
    catch_up = time.perf_counter() - started
    keeper.close()
    session.close()
    store.delete("bench-burst")
    return {
        "steps": len(chosen),
        "apply_all_off": off,
        "apply_all_on": on,
        "writer_catch_up": catch_up,
        "saves": len(timed_store.saves) - saves_before,
    }


def redis_bytes(store: RedisStore) -> dict[str, int]:
    """Every string key of the store's namespace with the length of its value."""
    client = store._redis()
    index = f"hydroml:{store.namespace}:index".encode()  # a set, not a payload
    keys = [k for k in client.scan_iter(match=f"hydroml:{store.namespace}:*") if k != index]
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.strlen(key)
    return dict(zip(keys, pipe.execute(), strict=True))


def stored_bytes(store: Store) -> dict[Any, int]:
    """What the store holds, file by file or key by key (memory stores: nothing)."""
    if isinstance(store, DiskStore):
        return folder_bytes(store.root)
    if isinstance(store, RedisStore):
        return redis_bytes(store)
    return {}


def bench_one_column(
    df: pd.DataFrame, store: Store, ipc: dict[str, Any], repeat: int
) -> dict[str, Any]:
    """Save a session after one step that changes one column; compare with plain IPC."""
    saves: list[float] = []
    written: list[float] = []
    for _ in range(repeat):
        session = hj.Session(df, name="bench-one")
        persist.save(session, store)
        session.apply("scale", columns="weight")
        before = stored_bytes(store)
        saves.append(timed(lambda s=session: persist.save(s, store)))
        after = stored_bytes(store)
        written.append(float(sum(v for k, v in after.items() if before.get(k) != v)))
        session.close()
        store.delete("bench-one")
    out = {"save": median(saves), "bytes": int(median(written))}
    out["save_ratio"] = out["save"] / ipc["ipc_write"]
    out["bytes_ratio"] = out["bytes"] / ipc["ipc_bytes"]
    return out


def compare(before_path: str, results: list[dict[str, Any]]) -> None:
    """Print this run's per-step and one-column figures next to an earlier run's."""
    earlier = {s["rows"]: s for s in json.loads(Path(before_path).read_text())["sizes"]}
    print(f"\n== before ({before_path}) -> now")
    for size in results:
        old = earlier.get(size["rows"])
        if old is None:
            continue
        for label, now in size["stores"].items():
            was = old["stores"].get(label)
            if was is None:
                continue
            for what, key in (("time", "write_per_step"), ("bytes", "bytes_per_step")):
                a, b = was["per_step"].get(key), now["per_step"].get(key)
                if a and b:
                    print(
                        f"  {size['rows']:>10,} {label:5} per step {what:5} {a:14.4g} -> "
                        f"{b:14.4g}  ({a / b:.1f}x less)"
                    )
            if "one_column" in was:
                for what in ("save", "bytes"):
                    a, b = was["one_column"][what], now["one_column"][what]
                    print(
                        f"  {size['rows']:>10,} {label:5} one column {what:5} {a:12.4g} -> "
                        f"{b:12.4g}  ({a / b:.1f}x less)"
                    )


# -- main --------------------------------------------------------------------------------------
def run_size(rows: int, stores: dict[str, Store], work: Path, args: argparse.Namespace) -> dict:
    print(f"\n== {rows:,} rows", flush=True)
    df = make_frame(rows)
    result: dict[str, Any] = {"rows": rows, "columns": df.shape[1], "stores": {}}
    for label, store in stores.items():
        print(f"-- {label}: {store.uri}", flush=True)
        figures = bench_save_restore(df, store, work, args.repeat)
        print(
            f"  save     {figures['save'] * 1e3:9.1f} ms vs IPC write "
            f"{figures['ipc_write'] * 1e3:8.1f} ms  ({figures['save_ratio']:.2f}x)   "
            f"{figures['stored_bytes'] / 1e6:.1f} MB stored"
            f" vs {figures['ipc_bytes'] / 1e6:.1f} MB; unchanged again "
            f"{figures['resave_unchanged'] * 1e3:.1f} ms",
            flush=True,
        )
        print(
            f"  restore  {figures['restore'] * 1e3:9.1f} ms vs IPC read  "
            f"{figures['ipc_read'] * 1e3:8.1f} ms  ({figures['restore_ratio']:.2f}x)",
            flush=True,
        )
        steps = bench_steps(df, store, args.steps, args.repeat)
        extra = f", {steps['bytes_per_step'] / 1e6:.1f} MB" if "bytes_per_step" in steps else ""
        print(
            f"  per step apply {steps['apply_on'] * 1e3:8.1f} ms on vs "
            f"{steps['apply_off'] * 1e3:8.1f} ms off (+{steps['apply_overhead'] * 1e3:.1f} ms);"
            f" background write {steps['write_per_step'] * 1e3:.1f} ms{extra}",
            flush=True,
        )
        burst = bench_burst(df, store, args.steps)
        print(
            f"  burst of {burst['steps']}: apply {burst['apply_all_on'] * 1e3:8.1f} ms on vs "
            f"{burst['apply_all_off'] * 1e3:8.1f} ms off; writer catches up in "
            f"{burst['writer_catch_up'] * 1e3:.1f} ms ({burst['saves']} saves)",
            flush=True,
        )
        one = bench_one_column(df, store, figures, args.repeat)
        print(
            f"  one-column step: save {one['save'] * 1e3:8.1f} ms "
            f"({one['save_ratio']:.2f}x IPC write of the frame), "
            f"{one['bytes'] / 1e6:.2f} MB written ({one['bytes_ratio']:.3f}x its IPC file)",
            flush=True,
        )
        result["stores"][label] = {
            "uri": store.uri,
            **figures,
            "per_step": steps,
            "burst": burst,
            "one_column": one,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median)")
    parser.add_argument("--steps", type=int, default=10, help="one-column steps per session")
    parser.add_argument("--redis", metavar="URL", help="also benchmark a Redis store at URL")
    parser.add_argument("--dir", metavar="PATH", help="folder for the disk store (default: temp)")
    parser.add_argument("--json", metavar="PATH", help="write every figure to this JSON file")
    parser.add_argument("--before", metavar="PATH", help="compare with an earlier --json file")
    args = parser.parse_args(argv)
    args.steps = max(1, min(args.steps, len(STEPS)))
    os.environ.setdefault("HYDROML_STORE_KEY", "hydroml benchmark key")
    work = Path(tempfile.mkdtemp(prefix="hydroml-bench-", dir=args.dir))
    stores: dict[str, Store] = {"disk": DiskStore(work / "store")}
    if args.redis:
        stores["redis"] = RedisStore(args.redis, ttl=3600, namespace="hydroml-bench")
    results = []
    try:
        for rows in args.rows:
            results.append(run_size(rows, stores, work, args))
    finally:
        for store in stores.values():
            store.close()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        doc = {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "pyarrow": pa.__version__,
            "hydroml": hj.__version__,
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
            "sizes": results,
        }
        Path(args.json).write_text(json.dumps(doc, indent=2))
        print(f"\nwrote {args.json}")
    if args.before:
        compare(args.before, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
