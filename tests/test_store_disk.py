"""Memory and disk stores: round trips, integrity checks, atomic saves, failures."""

from __future__ import annotations

import errno
import os
import stat
import struct
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.store import (
    DiskStore,
    MemoryStore,
    SessionRecord,
    Store,
    StoreError,
    StoreKeyWarning,
    StoreUnavailable,
    framing,
    key_path,
    open_store,
    store_key,
)
from hydroml_jupyter.store import disk as disk_module
from hydroml_jupyter.store.disk_files import Folder
from hydroml_jupyter.store.redis_store import RedisStore


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "test key for the store tests")
    monkeypatch.delenv("HYDROML_STORE", raising=False)


def frame(n: int = 50, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "n": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "s": pd.Series([f"v{i % 7}" for i in range(n)], dtype="str"),
            "c": pd.Categorical(rng.choice(["a", "b"], n)),
        }
    )


def record(name: str = "demo", version: int = 1, n: int = 50) -> SessionRecord:
    df = frame(n, seed=version)
    return SessionRecord(
        name,
        {"updated": f"2026-01-0{version % 9 + 1}", "shape": list(df.shape), "version": version},
        {"format": "hydroml-recipe", "steps": [{"op": "noop", "n": version}]},
        {0: df, version: df.iloc[: n // 2]},
    )


def assert_same(a: SessionRecord, b: SessionRecord) -> None:
    assert (a.name, a.meta, a.recipe) == (b.name, b.meta, b.recipe)
    assert list(a.frames) == list(b.frames)
    for step in a.frames:
        pd.testing.assert_frame_equal(a.frames[step], b.frames[step], check_exact=True)


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore() if request.param == "memory" else DiskStore(tmp_path / "store")


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock")


# -- the interface, on memory and disk --------------------------------------------------------
def test_save_load_list_delete(store: Store) -> None:
    assert store.list() == []
    assert not store.exists("demo")
    rec = record("demo", 1)
    store.save(rec)
    assert store.exists("demo")
    assert_same(store.load("demo"), rec)
    store.save(record("other", 2))
    infos = {info.name: info for info in store.list()}
    assert set(infos) == {"demo", "other"}
    assert infos["demo"].updated == "2026-01-02"
    assert infos["demo"].shape == (50, 4)
    assert infos["demo"].version == 1
    assert infos["demo"].bytes > 1000
    assert infos["demo"].problem is None
    newer = record("demo", 5)
    store.save(newer)
    assert_same(store.load("demo"), newer)
    assert store.delete("demo") is True
    assert store.delete("demo") is False
    assert not store.exists("demo")
    with pytest.raises(StoreError, match="session 'demo' is not stored"):
        store.load("demo")
    assert [i.name for i in store.list()] == ["other"]


def test_errors_are_hydroml_errors() -> None:
    assert issubclass(StoreUnavailable, StoreError)
    assert issubclass(StoreError, HydroMLError)


def test_record_validation() -> None:
    with pytest.raises(StoreError, match="JSON"):
        SessionRecord("x", {"when": object()}, {}, {})
    with pytest.raises(StoreError, match="steps must be ints"):
        SessionRecord("x", {}, {}, {"0": pd.DataFrame()})
    with pytest.raises(StoreError, match="non-empty str"):
        SessionRecord("", {}, {}, {})
    rec = SessionRecord("x", {"shape": (1, 2)}, {}, {2: pd.DataFrame(), 0: pd.DataFrame()})
    assert rec.meta == {"shape": [1, 2]} and list(rec.frames) == [0, 2]
    with pytest.raises(TypeError):
        rec.frames[5] = pd.DataFrame()  # type: ignore[index]


def test_unstorable_frame_changes_nothing(store: Store) -> None:
    good = record("s", 1)
    store.save(good)
    bad = SessionRecord("s", {}, {}, {0: pd.DataFrame({"mixed": [1, "two"]})})
    with pytest.raises(StoreError, match=r"session 's', step 0: column 'mixed' mixes int and str"):
        store.save(bad)
    assert_same(store.load("s"), good)


# -- integrity --------------------------------------------------------------------------------
def stored_files(store: DiskStore, name: str) -> list[Path]:
    return files(store.root / disk_module.folder_name(name))


def test_every_flipped_byte_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    rec = SessionRecord("flip", {"v": 1}, {"r": 2}, {0: pd.DataFrame({"a": [1, 2]})})
    store.save(rec)
    paths = stored_files(store, "flip")
    assert {p.name.split(".")[-1] for p in paths} == {"json", "arrow"}
    for path in paths:
        original = path.read_bytes()
        # every byte of small payloads: header, MAC and body
        for pos in range(len(original)):
            damaged = bytearray(original)
            damaged[pos] ^= 0x01
            path.write_bytes(bytes(damaged))
            with pytest.raises(StoreError) as info:
                store.load("flip")
            message = str(info.value)
            assert "'flip'" in message and "\n" not in message
        path.write_bytes(original)
    assert_same(store.load("flip"), rec)


def test_tampered_body_message(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("t"))
    path = next(p for p in stored_files(store, "t") if p.suffix == ".arrow")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        store.load("t")
    assert str(info.value) == (
        "session 't': stored data failed its integrity check (tampered or written with another key)"
    )


def test_other_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DiskStore(tmp_path)
    store.save(record("k"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "another key, long enough")
    with pytest.raises(StoreError, match="failed its integrity check"):
        store.load("k")
    assert store.list()[0].problem is not None


def test_truncated_payload_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("cut"))
    for path in stored_files(store, "cut"):
        original = path.read_bytes()
        for size in (0, 10, framing.OVERHEAD, len(original) - 1):
            path.write_bytes(original[:size])
            with pytest.raises(StoreError, match=r"session 'cut': stored data is truncated"):
                store.load("cut")
        path.write_bytes(original)
    store.load("cut")


def test_unknown_version_is_refused_even_when_signed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("ver"))
    manifest = next(p for p in stored_files(store, "ver") if p.name == "manifest.json")
    body = memoryview(manifest.read_bytes())[framing.OVERHEAD :]
    header = struct.pack(">6sHBxQ", b"HYDRML", 99, framing.KIND_MANIFEST, body.nbytes)
    mac = framing._mac(store_key(), header, "manifest", body)
    manifest.write_bytes(header + mac + bytes(body))
    with pytest.raises(StoreError) as info:
        store.load("ver")
    assert str(info.value) == (
        "session 'ver': stored data was written in format version 99; "
        "this hydroml-jupyter reads version 1 only"
    )


def test_foreign_file_and_swapped_sessions_are_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("a", 1))
    store.save(record("b", 2))
    folder_a = store.root / disk_module.folder_name("a")
    folder_b = store.root / disk_module.folder_name("b")
    # b's manifest copied over a's: signed with the same key, but for another session
    (folder_a / "manifest.json").write_bytes((folder_b / "manifest.json").read_bytes())
    with pytest.raises(StoreError, match="session 'a': stored manifest belongs to session 'b'"):
        store.load("a")
    problems = [i for i in store.list() if i.problem]
    assert len(problems) == 1
    (folder_a / "manifest.json").write_bytes(b'{"format": "hydroml-session"}' + b" " * 60)
    with pytest.raises(StoreError, match="not in hydroml store format"):
        store.load("a")


def test_a_column_swapped_for_another_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("g", 1))
    old = {p.name: p.read_bytes() for p in stored_files(store, "g") if p.suffix == ".arrow"}
    store.save(record("g", 2))
    new = [p for p in stored_files(store, "g") if p.suffix == ".arrow"]
    gone = [data for name, data in old.items() if name not in {p.name for p in new}]
    assert len(gone) >= 8  # other columns (the same RangeIndex is shared)
    new[0].write_bytes(gone[0])  # a valid payload of this session
    with pytest.raises(StoreError, match="integrity check"):
        store.load("g")
    new[0].write_bytes(new[1].read_bytes())  # another column of the same save
    with pytest.raises(StoreError, match="integrity check"):
        store.load("g")


def test_memory_store_refuses_tampering() -> None:
    store = MemoryStore()
    store.save(record("m"))
    manifest, payloads = store._data["m"]
    where = next(iter(payloads))
    damaged = bytearray(payloads[where])
    damaged[framing.OVERHEAD + 5] ^= 1
    store._data["m"] = (manifest, {**payloads, where: bytes(damaged)})
    with pytest.raises(StoreError, match="session 'm': stored data failed its integrity"):
        store.load("m")


# -- the key ----------------------------------------------------------------------------------
def test_key_file_created_once_with_mode_0600(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYDROML_STORE_KEY")
    path = key_path()
    assert not path.exists()
    key = store_key()
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store_key() == key


def test_key_file_race(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYDROML_STORE_KEY")
    keys: list[bytes] = []
    barrier = threading.Barrier(8)

    def get() -> None:
        barrier.wait()
        keys.append(store_key())

    threads = [threading.Thread(target=get) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and len(keys) == 8


def test_hex_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYDROML_STORE_KEY", "ab" * 32)
    assert store_key() == b"\xab" * 32
    monkeypatch.setenv("HYDROML_STORE_KEY", "short")
    with pytest.warns(StoreKeyWarning, match="only 5 bytes"):
        assert store_key() == b"short"


# -- disk: names, atomicity, failures -------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["../x", "../../etc/passwd", "/abs", "a/b", "..", ".", "a\\b", "é ü"]
)
def test_names_stay_inside_the_root(tmp_path: Path, name: str) -> None:
    root = tmp_path / "root"
    store = DiskStore(root)
    store.save(record(name))
    assert_same(store.load(name), record(name))
    for path in tmp_path.rglob("*"):
        assert path == root or root in path.parents
    assert [i.name for i in store.list()] == [name]
    folder = disk_module.folder_name(name)
    assert "/" not in folder and "\\" not in folder and not folder.startswith(".")
    assert store.delete(name)
    assert list(root.iterdir()) == []


def test_nul_in_name_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not allowed"):
        DiskStore(tmp_path).load("a\x00b")


def test_old_generation_files_are_removed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    for version in range(1, 5):
        store.save(record("gen", version))
    arrows = [p for p in stored_files(store, "gen") if p.suffix == ".arrow"]
    assert len(arrows) == 2 * 5  # steps 0 and 4 of the last save only: index and 4 columns
    assert not [p for p in (tmp_path).rglob(".tmp-*")]


class CrashError(Exception):
    pass


@pytest.mark.parametrize("when", ["first frame", "second frame", "manifest", "after frames"])
def test_crash_mid_save_keeps_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    store = DiskStore(tmp_path)
    before = record("crash", 1)
    store.save(before)
    real_write = disk_module._write_file
    calls = {"n": 0}

    def crashing_write(folder: Folder, name: str, *parts: bytes | memoryview) -> None:
        calls["n"] += 1
        target = {"first frame": 1, "second frame": 2}.get(when)
        if calls["n"] == target or (when == "manifest" and name == "manifest.json"):
            # half a file, then the "power cut"
            tmp = folder.path / f".tmp-{'0' * 12}-{name}"
            tmp.write_bytes(bytes(memoryview(parts[-1])[:100]))
            raise CrashError
        real_write(folder, name, *parts)

    monkeypatch.setattr(disk_module, "_write_file", crashing_write)
    if when == "after frames":
        monkeypatch.setattr(
            disk_module, "_fsync_dir", lambda p: (_ for _ in ()).throw(CrashError())
        )
    with pytest.raises(CrashError):
        store.save(record("crash", 2))
    monkeypatch.undo()
    os.environ["HYDROML_STORE_KEY"] = "test key for the store tests"
    assert_same(store.load("crash"), before)
    after = record("crash", 3)
    store.save(after)
    assert_same(store.load("crash"), after)
    assert not list(tmp_path.rglob(".tmp-*"))


def test_disk_full_keeps_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DiskStore(tmp_path / "s")
    before = record("full", 1)
    store.save(before)
    real_write = os.write
    written = {"bytes": 0}

    def write(fd: int, data: bytes) -> int:
        written["bytes"] += len(data)
        if written["bytes"] > 3000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(StoreError) as info:
        store.save(record("full", 2, n=2000))
    monkeypatch.undo()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("session 'full': cannot save to ")
    assert message.endswith(": no space left on device")
    assert_same(store.load("full"), before)
    names = [p.name for p in stored_files(store, "full")]
    assert len(names) == 1 + 2 * 5 and not [n for n in names if n.startswith(".tmp")]


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DiskStore(tmp_path)
    before = record("ro", 1)
    store.save(before)
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    with pytest.raises(
        StoreError, match=r"^session 'ro': cannot save to .*: the file system is read-only$"
    ):
        store.save(record("ro", 2))
    monkeypatch.undo()
    assert_same(store.load("ro"), before)


def test_root_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("not a folder")
    store = DiskStore(target)
    with pytest.raises(
        StoreError, match=r"^session 'x': cannot save to .*afile: .*afile is a file, not a folder$"
    ):
        store.save(record("x"))
    assert store.list() == []
    assert target.read_text() == "not a folder"
    with pytest.raises(StoreError, match=r"^session 'x': cannot read .*afile is a file, not a"):
        store.load("x")


def test_concurrent_saves_and_loads(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(record("busy", 1, n=2000))
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                rec = store.load("busy")
                version = rec.meta["version"]
                assert list(rec.frames) == [0, version]
                pd.testing.assert_frame_equal(rec.frames[0], frame(2000, seed=version))
            except BaseException as exc:
                errors.append(exc)
                return

    def writer(offset: int) -> None:
        for v in range(2, 12, 2):
            store.save(record("busy", v + offset, n=2000))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(k,)) for k in (0, 1)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors[0]
    assert len([p for p in stored_files(store, "busy") if p.suffix == ".arrow"]) == 2 * 5


def test_relative_root_is_fixed_at_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = DiskStore()
    monkeypatch.chdir("/")
    store.save(record("here"))
    assert (tmp_path / ".hydroml" / disk_module.folder_name("here") / "manifest.json").is_file()
    assert store.uri == (tmp_path / ".hydroml").as_uri()


# -- open_store ---------------------------------------------------------------------------------
def test_open_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert isinstance(open_store(None), DiskStore)
    assert open_store(None).root == tmp_path / ".hydroml"
    assert open_store("disk").root == tmp_path / ".hydroml"
    assert isinstance(open_store("memory://"), MemoryStore)
    assert open_store("some/folder").root == tmp_path / "some" / "folder"
    assert open_store(f"file://{tmp_path}/x%20y").root == tmp_path / "x y"
    redis_store = open_store("redis://:pw@127.0.0.1:6399/2?ttl=0&namespace=team")
    assert isinstance(redis_store, RedisStore)
    assert redis_store.ttl is None and redis_store.namespace == "team"
    assert redis_store.uri == "redis://:***@127.0.0.1:6399/2"
    assert isinstance(open_store("rediss://example.com:6380/0"), RedisStore)
    assert isinstance(open_store("unix:///tmp/redis.sock"), RedisStore)
    monkeypatch.setenv("HYDROML_STORE", "memory://")
    assert isinstance(open_store(None), MemoryStore)
    with pytest.raises(StoreError, match="unknown store 's3://bucket'"):
        open_store("s3://bucket")


def test_crash_during_an_incremental_save_keeps_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskStore(tmp_path)
    df = frame(200)
    first = SessionRecord("inc", {"version": 1}, {}, {0: df, 1: df.iloc[:50]}, {0: "b", 1: "x"})
    store.save(first)
    before = {p.name: p.stat().st_ino for p in stored_files(store, "inc")}
    second = SessionRecord("inc", {"version": 2}, {}, {0: df, 2: df.iloc[:9]}, {0: "b", 2: "y"})
    written: list[str] = []
    real_write = disk_module._write_file

    def crashing_write(folder: Folder, name: str, *parts: bytes | memoryview) -> None:
        written.append(name)
        if name == "manifest.json":
            raise CrashError
        real_write(folder, name, *parts)

    monkeypatch.setattr(disk_module, "_write_file", crashing_write)
    with pytest.raises(CrashError):
        store.save(second)
    monkeypatch.undo()
    # step 0 was not written again: the index and 4 columns of step 2, then the manifest
    assert len(written) == 6 and written[-1] == "manifest.json"
    assert set(written) & set(before) == {"manifest.json"}
    assert_same(store.load("inc"), first)
    assert {p.name: p.stat().st_ino for p in stored_files(store, "inc")} == before
    store.save(second)
    assert_same(store.load("inc"), second)
    names = {p.name: p.stat().st_ino for p in stored_files(store, "inc")}
    assert len(names) == 1 + 2 * 5
    kept = {n: i for n, i in before.items() if n in names and n != "manifest.json"}
    assert len(kept) == 5  # step 0's files, untouched
    assert store.load("inc").frame_ids == {0: "b", 2: "y"}


def test_bad_frame_ids_are_refused() -> None:
    df = frame(3)
    for bad in ("", "A", "a/b", "x" * 65, 3):
        with pytest.raises(StoreError, match="bad frame id"):
            SessionRecord("s", {}, {}, {0: df}, {0: bad})  # type: ignore[dict-item]
    with pytest.raises(StoreError, match="bad frame id"):
        SessionRecord("s", {}, {}, {0: df}, {1: "abc"})  # no frame at step 1
