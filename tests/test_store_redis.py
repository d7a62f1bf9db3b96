"""The Redis store against a real redis-server (started here; never skipped)."""

from __future__ import annotations

import json
import os
import time
import uuid
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import redis_server
from redis_server import RedisServer, running_server

from hydroml_jupyter.store import (
    BackgroundWriter,
    RedisStore,
    SessionRecord,
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    framing,
)

pytestmark = pytest.mark.usefixtures("store_env")


@pytest.fixture
def store(server: RedisServer) -> Iterator[RedisStore]:
    st = RedisStore(server.url, ttl=3600, namespace=f"t-{uuid.uuid4().hex[:8]}", chunk_size=4096)
    yield st
    st.close()


def record(name: str = "demo", version: int = 1, n: int = 3000) -> SessionRecord:
    rng = np.random.default_rng(version)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "s": pd.Series([f"text {i % 13}" for i in range(n)], dtype="str"),
            "k": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        }
    )
    meta = {"updated": f"t{version}", "shape": list(df.shape), "version": version}
    return SessionRecord(name, meta, {"steps": [version]}, {0: df, version: df.iloc[:10]})


def assert_same(a: SessionRecord, b: SessionRecord) -> None:
    assert (a.name, a.meta, a.recipe, list(a.frames)) == (b.name, b.meta, b.recipe, list(b.frames))
    for step in a.frames:
        pd.testing.assert_frame_equal(a.frames[step], b.frames[step], check_exact=True)


def keys(server: RedisServer, store: RedisStore, pattern: str = "*") -> list[str]:
    client = server.client()
    try:
        return sorted(k.decode() for k in client.keys(f"hydroml:{store.namespace}:{pattern}"))
    finally:
        client.close()


def test_server_helper_checks_the_pid(server: RedisServer) -> None:
    client = server.client()
    assert int(client.info("server")["process_id"]) == server.pid
    client.close()


def test_missing_redis_server_fails_not_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y -qq redis-server"):
        RedisServer()


def test_save_load_list_delete(server: RedisServer, store: RedisStore) -> None:
    assert store.list() == [] and not store.exists("demo")
    rec = record("demo", 1)
    store.save(rec)
    assert store.exists("demo")
    assert_same(store.load("demo"), rec)
    store.save(record("two", 2))
    infos = {i.name: i for i in store.list()}
    assert set(infos) == {"demo", "two"}
    assert (infos["demo"].updated, infos["demo"].shape, infos["demo"].version) == (
        "t1",
        (3000, 3),
        1,
    )
    assert infos["demo"].bytes > 10_000 and infos["demo"].problem is None
    assert store.delete("demo") is True
    assert store.delete("demo") is False
    with pytest.raises(StoreError, match=r"^session 'demo' is not stored in redis://"):
        store.load("demo")
    assert [i.name for i in store.list()] == ["two"]
    assert not [k for k in keys(server, store) if ":4:demo:" in k]


def test_chunking_and_generations(server: RedisServer, store: RedisStore) -> None:
    store.save(record("big", 1))
    first = [k for k in keys(server, store, "s:*") if not k.endswith(("manifest", "counter"))]
    assert len(first) > 10  # 4 KiB chunks
    newer = record("big", 2)
    store.save(newer)
    second = [k for k in keys(server, store, "s:*") if not k.endswith(("manifest", "counter"))]
    shared = {k.split(":")[-2] for k in set(first) & set(second)}
    assert len(shared) <= 2  # only the RangeIndex parts: the old columns are gone
    assert_same(store.load("big"), newer)


def test_ttl_set_and_refreshed(server: RedisServer, store: RedisStore) -> None:
    store.save(record("ttl"))
    client = server.client()
    try:
        manifest = f"hydroml:{store.namespace}:s:3:ttl:manifest"
        all_keys = keys(server, store)
        assert all(0 < client.ttl(k) <= 3600 + 60 for k in all_keys)
        for k in all_keys:
            client.expire(k, 30)
        store.load("ttl")
        assert all(client.ttl(k) > 3000 for k in all_keys)
        client.expire(manifest, 30)
        store.list()
        assert client.ttl(manifest) > 3000
        # chunks outlive the manifest they belong to
        assert all(client.ttl(k) >= client.ttl(manifest) for k in all_keys)
    finally:
        client.close()


def test_expired_session_disappears_from_list(server: RedisServer, store: RedisStore) -> None:
    store.save(record("gone"))
    client = server.client()
    client.delete(f"hydroml:{store.namespace}:s:4:gone:manifest")
    client.close()
    assert store.list() == []
    assert not store.exists("gone")


def test_namespaces_are_separate(server: RedisServer, store: RedisStore) -> None:
    other = RedisStore(server.url, namespace=store.namespace + "-other")
    store.save(record("shared-name", 1))
    assert other.list() == [] and not other.exists("shared-name")
    other.save(record("shared-name", 2))
    assert store.load("shared-name").meta["version"] == 1
    assert other.load("shared-name").meta["version"] == 2
    assert other.delete("shared-name")
    assert store.exists("shared-name")
    other.close()


def test_names_with_separators_do_not_collide(store: RedisStore) -> None:
    names = ["a", "a:1", "a:manifest", "*", "[x]?"]
    for version, name in enumerate(names, start=1):
        store.save(record(name, version, n=20))
    for version, name in enumerate(names, start=1):
        assert store.load(name).meta["version"] == version
    assert store.delete("*")
    assert sorted(i.name for i in store.list()) == sorted(n for n in names if n != "*")


@pytest.mark.parametrize("target", ["manifest", "header chunk", "body chunk"])
def test_flipped_byte_in_redis_is_refused(
    server: RedisServer, store: RedisStore, target: str
) -> None:
    store.save(record("flip", 1, n=200))
    chunk_keys = [k for k in keys(server, store, "s:4:flip:col.*") if k[-2:] in (":0", ":1")]
    key = {
        "manifest": f"hydroml:{store.namespace}:s:4:flip:manifest",
        "header chunk": next((k for k in chunk_keys if k.endswith(":0")), ""),
        "body chunk": next((k for k in chunk_keys if k.endswith(":1")), ""),
    }[target]
    client = server.client()
    value = bytearray(client.get(key))
    value[len(value) // 2] ^= 0x40
    client.set(key, bytes(value), keepttl=True)
    client.close()
    with pytest.raises(StoreError) as info:
        store.load("flip")
    assert str(info.value).startswith("session 'flip': stored data")
    assert "\n" not in str(info.value)


def test_other_key_and_missing_chunk_are_refused(
    server: RedisServer, store: RedisStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(record("k"))
    own_key = os.environ["HYDROML_STORE_KEY"]
    monkeypatch.setenv("HYDROML_STORE_KEY", "someone else entirely")
    with pytest.raises(StoreError, match="failed its integrity check"):
        store.load("k")
    assert store.list()[0].problem
    monkeypatch.setenv("HYDROML_STORE_KEY", own_key)
    client = server.client()
    client.delete(next(k for k in keys(server, store, "s:1:k:col.*") if k.endswith(":2")))
    client.close()
    with pytest.raises(StoreError, match="frame data is missing"):
        store.load("k")


def test_unreachable_redis_is_unavailable() -> None:
    port = redis_server.free_port()
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    for call in (store.list, lambda: store.load("x"), lambda: store.save(record("x", n=5))):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            call()
        assert (
            str(info.value)
            == f"cannot reach Redis at redis://127.0.0.1:{port}/0: connection refused"
        )
        assert time.monotonic() - started < 3


def test_outage_with_background_writer() -> None:
    server = running_server()
    try:
        store = RedisStore(server.url, namespace="outage")
        events: list[str] = []
        writer = BackgroundWriter(store, on_event=lambda e, err: events.append(e), max_backoff=0.5)
        writer.submit(record("s", 1, n=50))
        assert writer.flush(timeout=10)
        server.stop()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for version in range(2, 7):
                writer.submit(record("s", version, n=50))
                time.sleep(0.05)
            assert not writer.flush(timeout=1.0)
            assert writer.status == "offline"
            assert [r.meta["version"] for r in writer.pending()] == [6]
            server.start()
            assert writer.flush(timeout=15)
        outage = [w for w in caught if issubclass(w.category, StoreOutageWarning)]
        assert len(outage) == 1, [str(w.message) for w in caught]
        assert "cannot reach Redis at redis://127.0.0.1:" in str(outage[0].message)
        assert events == ["unavailable", "restored"]
        assert writer.status == "idle" and writer.last_error is None
        assert_same(store.load("s"), record("s", 6, n=50))
        assert writer.close()
        store.close()
    finally:
        server.close()


def with_ids(rec: SessionRecord, ids: dict[int, str]) -> SessionRecord:
    return SessionRecord(rec.name, rec.meta, rec.recipe, rec.frames, ids)


def frame_keys(server: RedisServer, store: RedisStore, name: str) -> list[str]:
    return [k for k in keys(server, store, "s:*") if not k.endswith(("manifest", "counter"))]


def column_ids(server: RedisServer, store: RedisStore, name: str) -> set[str]:
    return {k.split(":")[-2] for k in frame_keys(server, store, name)}


def test_frames_with_the_same_id_are_not_written_again(
    server: RedisServer, store: RedisStore
) -> None:
    first = record("inc", 1)
    store.save(with_ids(first, {0: "base0", 1: "one1"}))
    client = server.client()
    try:
        base_keys = frame_keys(server, store, "inc")
        values = {k: client.get(k) for k in base_keys}
        for k in base_keys:
            client.expire(k, 30)
        frames = {0: first.frames[0], 2: first.frames[0].iloc[:5]}
        ids = {0: "base0", 2: "two"}
        second = SessionRecord("inc", {"version": 2}, {"steps": [2]}, frames, ids)
        store.save(second)
        now = frame_keys(server, store, "inc")
        kept = set(now) & set(base_keys)
        assert len({k.split(":")[-2] for k in kept}) == 4  # step 0: its index and 3 columns
        assert len({k.split(":")[-2] for k in set(now) - kept}) == 4  # step 2's parts
        assert all(client.get(k) == values[k] for k in kept)  # untouched
        assert all(client.ttl(k) > 3000 for k in kept)  # but their TTL is refreshed
        assert all(client.ttl(k) == -2 for k in set(base_keys) - kept)  # step 1's are gone
        back = store.load("inc")
        assert back.frame_ids == {0: "base0", 2: "two"}
        assert_same(back, second)
        # a reused chunk that went away is written again
        client.delete(sorted(kept)[-1])
        third = SessionRecord("inc", {"version": 3}, {}, frames, ids)
        store.save(third)
        assert_same(store.load("inc"), third)
    finally:
        client.close()


def test_a_concurrent_save_makes_the_save_plan_again(
    server: RedisServer, store: RedisStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(with_ids(record("race", 1), {0: "zero", 1: "one"}))
    other = RedisStore(server.url, ttl=3600, namespace=store.namespace, chunk_size=4096)
    real_alive = store._alive
    calls = {"n": 0}

    def alive(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:  # another kernel saves between our WATCH and our EXEC
            other.save(with_ids(record("race", 5), {0: "other0", 5: "other5"}))
        return real_alive(*args, **kwargs)

    monkeypatch.setattr(store, "_alive", alive)
    mine = with_ids(record("race", 2), {0: "zero", 2: "two"})
    store.save(mine)
    assert calls["n"] == 2
    assert_same(store.load("race"), mine)
    manifest = server.client().get(f"hydroml:{store.namespace}:s:4:race:manifest")
    doc = json.loads(manifest[framing.OVERHEAD :])
    # neither the other save's chunks nor ours leak
    assert column_ids(server, store, "race") == {f"col.{cid}" for cid in doc["blobs"]}
    assert len(doc["blobs"]) == 8  # two frames of three columns and an index each
    other.close()
