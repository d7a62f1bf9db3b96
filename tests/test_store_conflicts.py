"""Two writers of one session name: the second save is refused, named, and never lost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from redis_server import RedisServer

import hydroml_jupyter as hj
from hydroml_jupyter.engine import registry
from hydroml_jupyter.store import (
    BackgroundWriter,
    DiskStore,
    MemoryStore,
    RedisStore,
    SessionRecord,
    Store,
    StoreConflictError,
    StoreError,
    StoreWarning,
    persist,
)
from hydroml_jupyter.store.autosaving import writer_for
from hydroml_jupyter.store.generations import ANY

KEY = "conflict test key, long enough"

# A peer process: runs each line it reads (a test's command), then prints DONE.
PEER = r"""
import sys
import hydroml_jupyter as hj
from hydroml_jupyter.store import StoreConflictError
ns = {"hj": hj}
for line in sys.stdin:
    try:
        exec(compile(line, "<command>", "exec"), ns)
    except StoreConflictError as exc:
        print("CONFLICT", exc, flush=True)
    except Exception as exc:
        print("ERROR", repr(exc), flush=True)
    print("DONE", flush=True)
"""


class Peer:
    """Another process (like another kernel) that runs the commands it is given."""

    def __init__(self, folder: Path, store: str) -> None:
        env = {
            **os.environ,
            "HYDROML_STORE_KEY": KEY,
            "HYDROML_STORE": store,
            "XDG_CONFIG_HOME": str(folder / "config"),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", PEER],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.pid = self.process.pid

    def __call__(self, command: str) -> list[str]:
        """Run one line of Python in the peer; return what it printed."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        out = []
        while (line := self.process.stdout.readline()) != "DONE\n":
            assert line, f"the peer ended: {self.end()}"
            out.append(line.rstrip("\n"))
        return out

    def end(self) -> str:
        """Close its input (it exits as a script does) and return what it wrote on stderr."""
        _, err = self.process.communicate(timeout=60)
        return err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pd.DataFrame({"x": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


@pytest.fixture(params=["disk", "redis"])
def spec(request: pytest.FixtureRequest, folder: Path) -> Iterator[tuple[str, Store]]:
    """A store both peers use, by spec, and the same store as seen from this process."""
    if request.param == "disk":
        yield str(folder / "sessions"), DiskStore(folder / "sessions", key=KEY.encode())
        return
    server: RedisServer = request.getfixturevalue("server")
    namespace = f"conflict-{uuid.uuid4().hex[:8]}"
    store = RedisStore(server.url, namespace=namespace, key=KEY.encode())
    yield f"{server.url}?namespace={namespace}", store
    store.close()


def stored_columns(store: Store, name: str) -> list[str]:
    back = persist.restore(name, store)
    try:
        return [str(c) for c in back.df.columns]
    finally:
        back.close()


def five_steps(prefix: str) -> str:
    return f'for i in range(5): s.apply("formula", column=f"{prefix}{{i}}", expr=f"x + {{i}}")'


def test_two_processes_on_one_name_the_second_is_refused_then_forks_or_takes_over(
    folder: Path, spec: tuple[str, Store]
) -> None:
    url, store = spec
    first, second = Peer(folder, url), Peer(folder, url)
    try:
        assert first('s = hj.open("data.csv", name="shared"); print(s.flush(timeout=30))') == [
            "True"
        ]
        second('s = hj.open("data.csv", name="shared")')  # continues the stored session
        first(five_steps("a"))
        assert first("print(s.flush(timeout=30))") == ["True"]
        second(five_steps("b"))
        out = second("print(s.flush(timeout=30))")
        assert len(out) == 1 and out[0].startswith("CONFLICT session 'shared'"), out
        message = out[0]
        assert f"host {socket.gethostname()!r}, pid {first.pid}, at 20" in message
        assert "nothing was overwritten" in message
        assert 'hj.open(s.save_as("new name"))' in message
        assert "hj.open(s, takeover=True)" in message
        # nothing of the first writer's was overwritten, and the second stops trying
        assert stored_columns(store, "shared") == ["x", "a0", "a1", "a2", "a3", "a4"]
        second('s.apply("rename", columns={"b0": "c0"})')
        assert second("print(s.flush(timeout=30))")[0].startswith("CONFLICT")
        assert stored_columns(store, "shared") == ["x", "a0", "a1", "a2", "a3", "a4"]
        # fork: the second's work under a new name
        assert second('t = hj.open(s.save_as("shared-b")); print(t.flush(timeout=30))') == ["True"]
        assert stored_columns(store, "shared-b") == ["x", "c0", "b1", "b2", "b3", "b4"]
        # take over: the second's session replaces the first's, which is told next time
        assert second("hj.open(s, takeover=True); print(s.flush(timeout=30))") == ["True"]
        assert stored_columns(store, "shared") == ["x", "c0", "b1", "b2", "b3", "b4"]
        first('s.apply("dedupe")')
        out = first("print(s.flush(timeout=30))")
        assert out[0].startswith("CONFLICT") and f"pid {second.pid}," in out[0], out
        assert stored_columns(store, "shared") == ["x", "c0", "b1", "b2", "b3", "b4"]
    finally:
        second_err = second.end()
        first_err = first.end()
    assert "not saved at exit" not in second_err, second_err
    # the first ends with its last step unsaved, and says so
    assert "hydroml: 1 session not saved at exit" in first_err, first_err


# -- the check itself, in one process: two independent stores of one place ---------------------
def record(name: str, version: int, base: object = ANY) -> SessionRecord:
    df = pd.DataFrame({"v": [version] * 3})
    return SessionRecord(name, {"version": version}, {}, {0: df}, base=base)  # type: ignore[arg-type]


def test_concurrent_saves_from_one_generation_exactly_one_wins(
    folder: Path, spec: tuple[str, Store]
) -> None:
    _, store = spec
    store.save(record("race", 0))
    base = store.load("race").base
    assert isinstance(base, str)
    if isinstance(store, DiskStore):
        stores: list[Store] = [DiskStore(store.root, key=KEY.encode()) for _ in range(6)]
    else:
        assert isinstance(store, RedisStore)
        stores = [
            RedisStore(store._url, namespace=store.namespace, key=KEY.encode()) for _ in range(6)
        ]
    barrier = threading.Barrier(len(stores))
    outcomes: list[object] = [None] * len(stores)

    def save(i: int) -> None:
        barrier.wait()
        try:
            stores[i].save(record("race", i + 1, base))
            outcomes[i] = "saved"
        except StoreConflictError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, outcome in enumerate(outcomes) if outcome == "saved"]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, StoreConflictError) for i, o in enumerate(outcomes) if i != winners[0])
    assert store.load("race").meta["version"] == winners[0] + 1
    for other in stores:
        other.close()


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_the_rules_of_a_base(tmp_path: Path, kind: str) -> None:
    store: Store = (
        MemoryStore(key=b"k" * 16) if kind == "memory" else DiskStore(tmp_path, key=b"k" * 16)
    )
    store.save(record("r", 1, base=None))  # nothing stored: a new session may be saved
    with pytest.raises(StoreConflictError, match=r"is already stored in .* did not start from"):
        store.save(record("r", 2, base=None))
    loaded = store.load("r")
    store.save(record("r", 3, base=loaded.base))
    with pytest.raises(StoreConflictError, match="was saved by another writer") as info:
        store.save(record("r", 4, base=loaded.base))  # the same base again: stale
    assert info.value.writer["pid"] == os.getpid() and info.value.session == "r"
    assert issubclass(StoreConflictError, StoreError)
    assert store.load("r").meta["version"] == 3
    store.save(record("r", 5))  # ANY (a record built by hand): replaces
    assert store.load("r").meta["version"] == 5
    store.delete("r")
    store.save(record("r", 6, base=loaded.base))  # deleted (or expired) meanwhile: saved again
    assert store.load("r").meta["version"] == 6


# -- the writer and the session ------------------------------------------------------------
class CountingStore(MemoryStore):
    """A memory store that counts the saves it is asked for."""

    def __init__(self) -> None:
        super().__init__(key=b"counting store key")
        self.attempts = 0

    def save(self, record: SessionRecord) -> None:
        self.attempts += 1
        super().save(record)


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    before = registry.sessions()
    yield
    for name, session in registry.sessions().items():
        if before.get(name) is not session:
            session.close()


def test_after_a_conflict_the_writer_stops_saving_until_a_take_over(fresh_registry) -> None:
    store = CountingStore()
    s = persist.open_session(pd.DataFrame({"a": [1.0, None]}), name="held", store=store)
    assert s.flush(timeout=10)
    other = SessionRecord("held", {"version": 99}, {}, {0: pd.DataFrame({"z": [0]})})
    store.save(other)  # another writer saves meanwhile
    attempts = store.attempts
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s.apply("fill_missing", column="a", strategy="value", value=0.0)
        with pytest.raises(StoreConflictError, match="saved by another writer"):
            s.flush(timeout=10)
        for _ in range(3):
            s.apply("rename", columns={s.df.columns[0]: f"c{s.version}"})
            with pytest.raises(StoreConflictError):
                s.flush(timeout=10)
    assert store.attempts == attempts + 1  # refused once, never tried again
    assert next(str(w.message) for w in caught if w.category is StoreWarning).endswith(
        "Until then the session's changes are kept in memory only"
    )
    assert len([w for w in caught if w.category is StoreWarning]) == 1
    assert store.load("held").meta["version"] == 99  # nothing was overwritten
    hj.open(s, takeover=True, store=store)
    assert s.flush(timeout=10)
    assert store.load("held").meta["version"] == s.version
    assert stored_columns(store, "held") == [str(c) for c in s.df.columns]


def test_a_new_named_session_does_not_replace_one_stored_meanwhile_unnamed_and_fresh_do(
    tmp_path: Path, fresh_registry
) -> None:
    store = DiskStore(tmp_path / "s", key=b"meanwhile test key")
    s = hj.Session(pd.DataFrame({"x": [1]}), name="late")
    store.save(record("late", 42))  # saved by another process after this one looked
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)
        persist.autosave(s, store)
        with pytest.raises(StoreConflictError, match="is already stored in"):
            s.flush(timeout=10)
    assert store.load("late").meta["version"] == 42
    writer_for(store).discard("late")
    # by design, an unnamed open (named after its file) and a fresh one replace it
    csv = tmp_path / "data.csv"
    pd.DataFrame({"x": [1.0, 2.0]}).to_csv(csv, index=False)
    store.save(record("data", 7))
    unnamed = persist.open_session(csv, store=store)
    assert unnamed.flush(timeout=10)
    assert store.load("data").meta["version"] == unnamed.version
    fresh = persist.open_session(csv, name="late", store=store, fresh=True)
    assert fresh.flush(timeout=10)
    assert store.load("late").meta["version"] == fresh.version


def test_a_record_names_its_base_and_generation_checked() -> None:
    with pytest.raises(StoreError, match="bad base generation"):
        record("x", 1, base="Not/A/Generation")
    rec = record("x", 1).stamped(None, "abc123")
    assert rec.base is None and rec.generation == "abc123" and rec.frames[0] is not None
    with pytest.raises(StoreError, match="bad generation"):
        rec.stamped(None, "UPPER")


class GatedStore(MemoryStore):
    """A memory store whose saves wait at a gate, to hold one in flight."""

    def __init__(self) -> None:
        super().__init__(key=b"gated store test key")
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def save(self, record: SessionRecord) -> None:
        self.entered.set()
        self.gate.wait(30)
        super().save(record)


def test_a_take_over_during_a_save_that_conflicts_saves_it_over_the_other() -> None:
    store = GatedStore()
    writer = BackgroundWriter(store, debounce=0)
    writer.track("n", None)
    store.save(record("n", 1))  # another writer, after this one looked
    store.gate.clear()
    writer.submit(record("n", 2))
    assert store.entered.wait(10)  # the save is in flight, and will be refused
    assert writer.take_over("n") is False  # nothing held back yet
    store.gate.set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the stale conflict is not reported
        assert writer.flush(timeout=10) is True
    assert store.load("n").meta["version"] == 2 and writer.failure("n") is None
    store.save(record("n", 3))  # checked again from now on
    writer.submit(record("n", 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)
        assert writer.flush(timeout=10) is False
    assert isinstance(writer.failure("n"), StoreConflictError)
    assert [r.meta["version"] for r in writer.pending()] == [4]
    writer.discard("n")
    assert writer.close()
