"""BackgroundWriter: coalescing, flush, retries through outages, permanent failures."""

from __future__ import annotations

import itertools
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from hydroml_jupyter.store import (
    BackgroundWriter,
    MemoryStore,
    SessionRecord,
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "writer test key, long enough")


def record(name: str, version: int) -> SessionRecord:
    return SessionRecord(name, {"version": version}, {}, {0: pd.DataFrame({"v": [version]})})


class CountingStore(MemoryStore):
    """A MemoryStore that counts saves, can be held at a gate, or made unreachable."""

    def __init__(self) -> None:
        super().__init__()
        self.saves: list[tuple[str, int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.down = False

    def save(self, record: SessionRecord) -> None:
        self.entered.set()
        self.gate.wait()
        if self.down:
            raise StoreUnavailable("cannot reach the test store: connection refused")
        super().save(record)
        self.saves.append((record.name, record.meta["version"]))


def test_submit_returns_at_once_and_flush_saves() -> None:
    store = CountingStore()
    store.gate.clear()
    writer = BackgroundWriter(store)
    started = time.monotonic()
    writer.submit(record("a", 1))
    assert time.monotonic() - started < 0.1
    assert writer.flush(timeout=0.2) is False  # held at the gate
    store.gate.set()
    assert writer.flush(timeout=5) is True
    assert store.saves == [("a", 1)]
    assert writer.saved == 1 and writer.status == "idle"
    assert writer.close()
    assert writer.status == "closed"
    with pytest.raises(StoreError, match="closed"):
        writer.submit(record("a", 2))


def test_bursts_coalesce_to_the_newest_record() -> None:
    store = CountingStore()
    store.gate.clear()
    writer = BackgroundWriter(store)
    writer.submit(record("a", 0))
    assert store.entered.wait(5)  # the first save is running
    for version in range(1, 11):
        writer.submit(record("a", version))
    writer.submit(record("b", 1))
    store.gate.set()
    assert writer.flush(timeout=5)
    assert sorted(store.saves) == [("a", 0), ("a", 10), ("b", 1)]
    assert store.load("a").meta["version"] == 10
    writer.close()


def test_flush_without_submissions_and_close_twice() -> None:
    writer = BackgroundWriter(MemoryStore())
    assert writer.flush(timeout=0) is True
    assert writer.close() and writer.close()


def test_outage_retries_with_backoff_warns_once_and_loses_nothing() -> None:
    store = CountingStore()
    store.down = True
    events: list[tuple[str, StoreError | None]] = []
    writer = BackgroundWriter(store, on_event=lambda e, err: events.append((e, err)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for version in range(1, 6):
            writer.submit(record("s", version))
        time.sleep(1.0)  # tries at 0, 0.2, 0.6 s ...
        assert writer.flush(timeout=0.3) is False
        assert writer.status == "offline"
        assert isinstance(writer.outage, StoreUnavailable)
        assert [r.meta["version"] for r in writer.pending()] == [5]
        store.down = False
        assert writer.flush(timeout=5)  # flush retries at once
    outage = [w for w in caught if issubclass(w.category, StoreOutageWarning)]
    assert len(outage) == 1
    assert "connection refused" in str(outage[0].message)
    assert [e for e, _ in events] == ["unavailable", "restored"]
    assert store.saves == [("s", 5)]
    assert writer.outage is None and writer.last_error is None
    writer.close()


def test_backoff_grows_and_is_capped() -> None:
    store = CountingStore()
    store.down = True
    attempts: list[float] = []
    real_save = store.save

    def timed_save(rec: SessionRecord) -> None:
        attempts.append(time.monotonic())
        real_save(rec)

    store.save = timed_save  # type: ignore[method-assign]
    writer = BackgroundWriter(store, min_backoff=0.05, max_backoff=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.submit(record("s", 1))
        time.sleep(1.2)
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        assert gaps[0] < 0.15 and gaps[1] > gaps[0]
        assert max(gaps) < 0.35  # capped
        store.down = False
        assert writer.flush(timeout=5)
    writer.close()


def test_permanent_failure_is_recorded_not_retried() -> None:
    store = CountingStore()
    events: list[str] = []
    writer = BackgroundWriter(store, on_event=lambda e, err: events.append(e))
    bad = SessionRecord("bad", {"version": 1}, {}, {0: pd.DataFrame({"m": [1, "x"]})})
    with pytest.warns(StoreWarning, match="column 'm' mixes int and str"):
        writer.submit(bad)
        writer.submit(record("good", 1))
        assert writer.flush(timeout=5) is False  # "bad" was not saved
    assert isinstance(writer.last_error, StoreError)
    assert "session 'bad', step 0: column 'm'" in str(writer.last_error)
    assert events == ["failed"]
    assert store.saves == [("good", 1)]
    writer.submit(record("bad", 2))  # a good record of the same session clears it
    assert writer.flush(timeout=5) is True
    writer.close()


def test_close_during_outage_keeps_pending_records() -> None:
    store = CountingStore()
    store.down = True
    writer = BackgroundWriter(store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.submit(record("s", 1))
        started = time.monotonic()
        assert writer.close(timeout=0.3) is False
    assert time.monotonic() - started < 3
    assert [r.name for r in writer.pending()] == ["s"]


def test_submit_from_many_threads() -> None:
    store = CountingStore()
    writer = BackgroundWriter(store)

    def work(k: int) -> None:
        for v in range(20):
            writer.submit(record(f"s{k}", v))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writer.flush(timeout=10)
    assert {store.load(f"s{k}").meta["version"] for k in range(4)} == {19}
    writer.close()


def test_a_broken_callback_does_not_stop_the_writer() -> None:
    store = CountingStore()
    store.down = True

    def boom(event: str, error: StoreError | None) -> None:
        raise RuntimeError("callback bug")

    writer = BackgroundWriter(store, on_event=boom, min_backoff=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.submit(record("s", 1))
        time.sleep(0.1)
        store.down = False
        assert writer.flush(timeout=5)
    writer.close()


def test_repeated_failures_warn_once_and_retry_saves_after_a_fix() -> None:
    store = CountingStore()
    broken = {"on": True}
    real_save = store.save

    def save(rec: SessionRecord) -> None:
        if broken["on"]:
            raise StoreError(f"session {rec.name!r}: cannot save to /x: no space left on device")
        real_save(rec)

    store.save = save  # type: ignore[method-assign]
    writer = BackgroundWriter(store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for version in range(1, 4):
            writer.submit(record("s", version))
            assert writer.flush(timeout=5) is False
        assert writer.retry("s") is True
        assert writer.flush(timeout=5) is False  # still failing
    assert len([w for w in caught if issubclass(w.category, StoreWarning)]) == 1
    assert "no space left" in str(writer.failure("s"))
    broken["on"] = False
    assert writer.retry("s") and writer.flush(timeout=5)
    assert writer.failure("s") is None and store.saves == [("s", 3)]
    assert writer.retry("s") is False  # nothing failed any more
    writer.close()


def test_flush_by_name_and_discard() -> None:
    store = CountingStore()
    store.gate.clear()
    writer = BackgroundWriter(store, debounce=0)
    writer.submit(record("busy", 1))
    assert store.entered.wait(5)
    writer.submit(record("other", 1))
    writer.submit(record("dropped", 1))
    assert writer.flush(timeout=0.2, name="busy") is False
    assert writer.discard("dropped", timeout=0.1) is True  # it was only pending
    assert writer.discard("busy", timeout=0.1) is False  # being saved right now
    store.gate.set()
    assert writer.flush(timeout=5, name="other")
    assert writer.flush(timeout=5)
    assert sorted(store.saves) == [("busy", 1), ("other", 1)]
    writer.close()


def test_a_burst_is_saved_once_after_it_settles() -> None:
    store = CountingStore()
    writer = BackgroundWriter(store, debounce=0.3)
    for version in range(10):
        writer.submit(record("s", version))
        time.sleep(0.01)
    time.sleep(0.1)
    assert store.saves == []  # still settling
    time.sleep(0.5)
    assert store.saves == [("s", 9)]
    writer.submit(record("s", 10))
    started = time.monotonic()
    assert writer.flush(timeout=5)  # flush does not wait for the burst to settle
    assert time.monotonic() - started < 0.25
    writer.close()


def test_the_thread_stops_when_idle_and_starts_again() -> None:
    store = CountingStore()
    writer = BackgroundWriter(store, debounce=0, idle_exit=0.1)
    writer.submit(record("s", 1))
    assert writer.flush(timeout=5)
    first = writer._thread
    time.sleep(0.4)
    assert writer._thread is None and first is not None and not first.is_alive()
    writer.submit(record("s", 2))
    assert writer.flush(timeout=5) and store.saves == [("s", 1), ("s", 2)]
    writer.close()
