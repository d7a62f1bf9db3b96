"""Frames stored column by column: one changed column writes one payload, in every store."""

from __future__ import annotations

import gc
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from redis_server import RedisServer

import hydroml_jupyter as hj
from hydroml_jupyter.store import (
    DiskStore,
    MemoryStore,
    RedisStore,
    SessionRecord,
    Store,
    StoreError,
    framing,
    persist,
)
from hydroml_jupyter.store.columns import ColumnIds, column_part
from hydroml_jupyter.store.disk import folder_name

pytestmark = pytest.mark.usefixtures("store_env")

STEPS = [
    ("fill_missing", {"column": "price", "strategy": "median"}),
    ("scale", {"columns": "weight"}),
    ("text", {"column": "city", "action": "strip"}),
    ("cast", {"column": "amount", "dtype": "float64", "errors": "coerce"}),
    ("fill_missing", {"column": "rating", "strategy": "value", "value": 3}),
    ("text", {"column": "city", "action": "upper"}),
    ("scale", {"columns": "price", "method": "minmax"}),
]


def frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    price = rng.gamma(2.0, 10.0, n).round(2)
    price[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "price": price,
            "weight": rng.normal(70.0, 15.0, n),
            "qty": rng.integers(1, 50, n),
            "rating": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(1, 6, n))).astype(
                "Int64"
            ),
            "city": pd.Series(rng.choice([" Paris", "lyon ", None], n), dtype="str"),
            "amount": pd.Series(rng.choice(["1.5", "n/a", "7"], n), dtype=object),
            "when": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris"),
            "segment": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        }
    )


@pytest.fixture
def redis_store(server: RedisServer) -> Iterator[RedisStore]:
    store = RedisStore(server.url, ttl=3600, namespace=f"c-{uuid.uuid4().hex[:8]}")
    yield store
    store.close()


@pytest.fixture(params=["memory", "disk", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return MemoryStore()
    if request.param == "disk":
        return DiskStore(tmp_path / "store")
    return request.getfixturevalue("redis_store")


def disk_blobs(store: DiskStore, name: str) -> dict[str, int]:
    folder = store.root / folder_name(name) / "frames"
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def redis_keys(server: RedisServer, store: RedisStore) -> set[str]:
    client = server.client()
    try:
        return {k.decode() for k in client.keys(f"hydroml:{store.namespace}:*")}
    finally:
        client.close()


def manifest_of(data: bytes) -> dict:
    return json.loads(data[framing.OVERHEAD :])


# -- what a step writes ----------------------------------------------------------------------
def test_a_one_column_step_writes_one_column_on_disk(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    s = hj.Session(frame(20_000), name="one")
    persist.save(s, store)
    before = disk_blobs(store, "one")
    assert len(before) == 1 + 8  # the index and eight columns
    for op, params in STEPS[:3]:
        s.apply(op, **params)
        persist.save(s, store)
        after = disk_blobs(store, "one")
        new = set(after) - set(before)
        assert len(new) == 1, (op, new)
        column = s.df[params.get("column", params.get("columns"))]
        assert after[next(iter(new))] < column.memory_usage(deep=True, index=False)
        before = after
    persist.save(s, store)  # unchanged: the manifest only
    assert disk_blobs(store, "one") == before


def test_a_one_column_step_writes_one_column_in_redis(
    server: RedisServer, redis_store: RedisStore
) -> None:
    s = hj.Session(frame(), name="one")
    persist.save(s, redis_store)
    before = redis_keys(server, redis_store)
    s.apply("scale", columns="weight")
    persist.save(s, redis_store)
    after = redis_keys(server, redis_store)
    new = {k.split(":")[-2] for k in after - before}
    assert len(new) == 1 and next(iter(new)).startswith("col.")
    # the previous step's own weight column was step 0's: nothing of it goes
    assert not before - after
    s.apply("scale", columns="weight", method="minmax")
    persist.save(s, redis_store)
    assert len({k.split(":")[-2] for k in redis_keys(server, redis_store) - after}) == 1
    assert len({k.split(":")[-2] for k in after - redis_keys(server, redis_store)}) == 1


# -- round trips -----------------------------------------------------------------------------
def test_restore_after_many_steps_is_exact_at_every_step(store: Store) -> None:
    s = hj.Session(frame(), name="many")
    expected = [s.df]
    for op, params in STEPS:
        s.apply(op, **params)
        expected.append(s.df)
        persist.save(s, store)
    back = persist.restore("many", store)
    try:
        for step in range(len(STEPS), -1, -1):
            assert back.position == step
            pd.testing.assert_frame_equal(back.df, expected[step], check_exact=True)
            back.undo() if step else None
        for step in range(1, len(STEPS) + 1):
            back.redo()
            pd.testing.assert_frame_equal(back.df, expected[step], check_exact=True)
    finally:
        back.close()
        s.close()


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame({1: [1.5, None], "1": ["a", None], None: [True, False]}, index=[10, 20]),
        pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]),  # duplicate labels
        pd.DataFrame({"x": [1, 2]}, index=pd.Index(["p", "q"], name="key")),
        pd.DataFrame(
            {"v": [1.0, 2.0]},
            index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"]),
        ),
        pd.DataFrame(index=pd.RangeIndex(3, 9, 2)),  # no columns
        pd.DataFrame({"a": pd.Series([], dtype="Int64"), "b": pd.Series([], dtype="str")}),
        pd.DataFrame({"t": pd.date_range("2024", periods=3, freq="D")}).set_index("t"),
        pd.DataFrame([[1, 2]], columns=pd.RangeIndex(5, 7, name="c")),
        pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]}, index=[3.0, np.nan, 3.0]),
    ],
    ids=[
        "labels",
        "duplicates",
        "named",
        "multi",
        "empty",
        "no-rows",
        "freq",
        "range-cols",
        "repeated-index",
    ],
)
def test_frames_come_back_exactly(store: Store, df: pd.DataFrame) -> None:
    record = SessionRecord("exact", {}, {}, {0: df, 1: df.iloc[:1]})
    store.save(record)
    store.save(record)  # again: every part is known
    back = store.load("exact")
    for step, expected in record.frames.items():
        pd.testing.assert_frame_equal(back.frames[step], expected, check_exact=True)
        assert back.frames[step].columns.equals(expected.columns)
        assert [type(c) for c in back.frames[step].columns] == [type(c) for c in expected.columns]


def test_a_refused_column_is_named(store: Store) -> None:
    df = pd.DataFrame({"ok": [1], "bad col": [object()]})
    with pytest.raises(StoreError, match=r"column 'bad col' holds object values"):
        store.save(SessionRecord("refused", {}, {}, {0: df}))
    assert not store.exists("refused")


# -- no orphans ------------------------------------------------------------------------------
def test_pruned_steps_and_dropped_sessions_leave_nothing_on_disk(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    s = hj.Session(frame(), name="prune")
    for op, params in STEPS:
        s.apply(op, **params)
        persist.save(s, store)
    doc = manifest_of((store.root / folder_name("prune") / "manifest.json").read_bytes())
    names = set(disk_blobs(store, "prune"))
    assert names == {f"{cid}.arrow" for cid in doc["blobs"]}  # only what steps 0 and 7 use
    referenced = {c for e in doc["frames"] for c in [e["index"], *e["cols"]]}
    assert referenced == set(doc["blobs"]) and len(names) <= 2 * 9
    s.undo()
    s.undo()
    persist.save(s, store)
    doc = manifest_of((store.root / folder_name("prune") / "manifest.json").read_bytes())
    assert set(disk_blobs(store, "prune")) == {f"{cid}.arrow" for cid in doc["blobs"]}
    assert store.delete("prune")
    assert list(tmp_path.iterdir()) == []


def test_pruned_steps_and_dropped_sessions_leave_nothing_in_redis(
    server: RedisServer, redis_store: RedisStore
) -> None:
    s = hj.Session(frame(), name="prune")
    for op, params in STEPS:
        s.apply(op, **params)
        persist.save(s, redis_store)
    client = server.client()
    try:
        doc = manifest_of(client.get(f"hydroml:{redis_store.namespace}:s:5:prune:manifest"))
    finally:
        client.close()
    columns = {k.split(":")[-2] for k in redis_keys(server, redis_store) if ":col." in k}
    assert columns == {f"col.{cid}" for cid in doc["blobs"]}
    assert redis_store.delete("prune")
    assert redis_keys(server, redis_store) <= {f"hydroml:{redis_store.namespace}:index"}


# -- integrity -------------------------------------------------------------------------------
def test_any_flipped_byte_of_any_column_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    s = hj.Session(frame(50), name="flip")
    s.apply("scale", columns="weight")
    persist.save(s, store)
    folder = store.root / folder_name("flip") / "frames"
    for path in sorted(folder.iterdir()):
        original = path.read_bytes()
        for at in (0, 10, framing.OVERHEAD - 1, framing.OVERHEAD, len(original) - 1):
            damaged = bytearray(original)
            damaged[at] ^= 0x01
            path.write_bytes(bytes(damaged))
            with pytest.raises(StoreError) as info:
                store.load("flip")
            assert str(info.value).startswith("session 'flip': stored data")
        path.write_bytes(original)
    store.load("flip")


def test_a_tampered_column_in_redis_is_refused(
    server: RedisServer, redis_store: RedisStore
) -> None:
    s = hj.Session(frame(), name="flip")
    persist.save(s, redis_store)
    client = server.client()
    try:
        key = max((k for k in redis_keys(server, redis_store) if ":col." in k), key=len)
        value = bytearray(client.get(key))
        value[-3] ^= 0x10
        client.set(key, bytes(value), keepttl=True)
    finally:
        client.close()
    with pytest.raises(StoreError, match="integrity check"):
        redis_store.load("flip")


def test_a_store_in_the_whole_frame_layout_is_refused_in_one_line(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.save(SessionRecord("old", {}, {}, {0: pd.DataFrame({"a": [1]})}))
    path = store.root / folder_name("old") / "manifest.json"
    doc = manifest_of(path.read_bytes())
    del doc["layout"], doc["blobs"]
    body = json.dumps(doc).encode()
    path.write_bytes(framing.pack_head(framing.KIND_MANIFEST, "manifest", body, store.key()) + body)
    with pytest.raises(StoreError) as info:
        store.load("old")
    message = str(info.value)
    assert "\n" not in message and str(tmp_path) in message
    assert message.startswith("session 'old' in ") and "older hydroml-jupyter" in message
    assert "fresh=True" in message
    assert [i.problem for i in store.list()] == [message]
    store.save(SessionRecord("old", {}, {}, {0: pd.DataFrame({"a": [2]})}))  # replaced
    assert store.load("old").frames[0]["a"].tolist() == [2]


# -- column identity ---------------------------------------------------------------------------
def test_a_freed_column_is_never_taken_for_a_new_one(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    for value in range(30):  # new arrays, often at the address of the one just freed
        df = pd.DataFrame({"a": np.full(1000, float(value))})
        store.save(SessionRecord("reuse", {}, {}, {0: df}))
        del df
        gc.collect()
        assert store.load("reuse").frames[0]["a"].iloc[0] == value


def test_column_ids_follow_shared_buffers() -> None:
    ids = ColumnIds()
    df = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0), "c": list("vwxyz")})
    parts = {}
    for i in range(3):
        key, owners, _ = column_part(df, i)
        parts[f"c{i}"] = [(key, owners)]
    ids.remember("s", parts)
    changed = df.assign(b=df["b"] * 2)  # copy-on-write: a and c are shared
    found = [ids.get("s", *column_part(changed, i)[:2]) for i in range(3)]
    assert found == ["c0", None, "c2"]
    assert ids.get("other", *column_part(changed, 0)[:2]) is None
    view = df.iloc[1:]
    assert ids.get("s", *column_part(view, 0)[:2]) is None  # a slice is another content
    ids.forget("s")
    assert ids.get("s", *column_part(changed, 0)[:2]) is None


def test_a_frame_changed_in_place_between_saves_is_saved_anew(store: Store) -> None:
    # A caller's own frame (no engine frame id) may be written into between saves: pandas
    # changes an unshared block in place, so its memory alone says nothing of its values.
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1, 2, 3]})
    store.save(SessionRecord("mine", {}, {}, {0: df}, {}))
    df.iloc[0, 0] = 99.0
    df.loc[1, "b"] = 42
    store.save(SessionRecord("mine", {}, {}, {0: df}, {}))
    pd.testing.assert_frame_equal(store.load("mine").frames[0], df, check_exact=True)
