"""Store framing: a signed payload is accepted only where it was signed for.

Every stored blob is ``header + HMAC + body`` (store/framing.py). These tests build payloads
with the real key and the real framing code, then present them where they do not belong:
another session, another column, another generation, another kind, another format or codec
version, or cut short. Each must be refused with a one-line StoreError naming the session.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.store import (
    DiskStore,
    MemoryStore,
    SessionRecord,
    StoreError,
    framing,
    persist,
)
from hydroml_jupyter.store import codec as codec_module
from hydroml_jupyter.store import disk as disk_module
from hydroml_jupyter.store.columns import ColumnIds, column_part
from hydroml_jupyter.store.manifest import assemble, column_context, decode_column, decode_manifest

KEY = b"framing test key, 32 bytes long!"
CID = "0123456789abcdef0123"


def signed(
    kind: int, context: str, body: bytes, *, version: int = 1, length: int | None = None
) -> bytes:
    """A payload signed with KEY, its header's version and length set by hand."""
    header = struct.pack(
        ">6sHBxQ", b"HYDRML", version, kind, len(body) if length is None else length
    )
    return header + framing._mac(KEY, header, context, body) + body


def refused(words: list[str], call, *args, **kwargs) -> StoreError:
    """Assert ``call`` raises a one-line StoreError holding every one of ``words``."""
    with pytest.raises(StoreError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    name = message.split("'")[1] if message.startswith("session '") else None
    if name is not None and message.startswith(f"session {name!r}: "):
        assert info.value.session == name, (info.value.session, message)  # the one it is about
    return info.value


def column_body(df: pd.DataFrame | None = None) -> bytes:
    """An encoded one-column frame, as the stores write it."""
    return bytes(codec_module.encode_frame(pd.DataFrame({"c": [1.5, None]}) if df is None else df))


# -- what a well-formed payload gives back ------------------------------------------------------
def test_a_payload_reads_back_where_it_was_signed_for() -> None:
    body = column_body()
    data = framing.pack_head(framing.KIND_FRAME, column_context("s", CID), body, KEY) + body
    assert data == signed(framing.KIND_FRAME, column_context("s", CID), body)
    frame = decode_column(data, "s", CID, KEY)
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"c": [1.5, None]}), check_exact=True)


def test_an_empty_body_is_a_payload_of_its_own() -> None:
    data = framing.pack_head(framing.KIND_MANIFEST, "manifest", b"", KEY)
    assert len(data) == framing.OVERHEAD
    assert bytes(framing.unpack(data, framing.KIND_MANIFEST, "manifest", KEY, session="s")) == b""


# -- context: session and column ----------------------------------------------------------------
def test_a_column_signed_for_another_session_is_refused() -> None:
    body = column_body()
    data = signed(framing.KIND_FRAME, column_context("other", CID), body)
    refused(
        ["session 'mine': stored data failed its integrity check"],
        decode_column,
        data,
        "mine",
        CID,
        KEY,
    )


def test_a_column_signed_for_another_column_id_is_refused() -> None:
    data = signed(framing.KIND_FRAME, column_context("s", "f" * 20), column_body())
    refused(
        ["session 's': stored data failed its integrity check"], decode_column, data, "s", CID, KEY
    )


def test_a_column_signed_with_another_key_is_refused() -> None:
    body = column_body()
    data = (
        framing.pack_head(framing.KIND_FRAME, column_context("s", CID), body, b"another key") + body
    )
    refused(["tampered or written with another key"], decode_column, data, "s", CID, KEY)


def save_two(tmp_path: Path) -> DiskStore:
    store = DiskStore(tmp_path / "store", key=KEY)
    for name, values in (("a", [1.0, 2.0]), ("b", [3.0, 4.0])):
        store.save(SessionRecord(name, {"v": 1}, {"r": 1}, {0: pd.DataFrame({"x": values})}))
    return store


def frames_of(store: DiskStore, name: str) -> list[Path]:
    return sorted((store.root / disk_module.folder_name(name) / "frames").glob("*.arrow"))


def test_a_column_file_of_another_session_is_refused_on_disk(tmp_path: Path) -> None:
    store = save_two(tmp_path)
    mine, theirs = frames_of(store, "a"), frames_of(store, "b")
    assert len(mine) == len(theirs) == 2  # the index and column x
    for target in mine:
        original = target.read_bytes()
        for source in theirs:
            target.write_bytes(source.read_bytes())
            refused(["session 'a': stored data failed its integrity check"], store.load, "a")
        target.write_bytes(original)
    assert store.load("a").frames[0]["x"].tolist() == [1.0, 2.0]


# -- generation -----------------------------------------------------------------------------------
@pytest.mark.xfail(
    strict=True,
    reason="a manifest is signed for the constant context 'manifest' and names its own "
    "generation; no reader knows which generation to expect, so an older signed manifest "
    "(with its column files) put back is loaded as the session's state",
)
def test_an_older_generation_put_back_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    first = SessionRecord("g", {"v": 1}, {"r": 1}, {0: pd.DataFrame({"x": [1.0]})})
    store.save(first)
    folder = store.root / disk_module.folder_name("g")
    shutil.copytree(folder, tmp_path / "old")
    second = store.load("g")
    second.frames[0] = pd.DataFrame({"x": [2.0]})
    store.save(second)
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "old", folder)
    refused(["session 'g'", "generation"], store.load, "g")


def test_a_save_from_an_older_generation_is_refused(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(SessionRecord("g", {"v": 1}, {"r": 1}, {0: pd.DataFrame({"x": [1.0]})}))
    one, two = store.load("g"), store.load("g")
    store.save(one)  # a new generation
    with pytest.raises(StoreError) as info:
        store.save(two)  # still based on the first one
    assert "'g'" in str(info.value)
    assert type(info.value).__name__ == "StoreConflictError"


# -- kind ---------------------------------------------------------------------------------------
def test_a_frame_payload_where_a_manifest_is_expected_is_refused() -> None:
    data = signed(framing.KIND_FRAME, "manifest", b"{}")
    refused(["session 's': stored data is of the wrong kind (2)"], decode_manifest, data, "s", KEY)


def test_a_manifest_where_a_column_is_expected_is_refused() -> None:
    data = signed(framing.KIND_MANIFEST, column_context("s", CID), column_body())
    refused(
        ["session 's': stored data is of the wrong kind (1)"], decode_column, data, "s", CID, KEY
    )


@pytest.mark.parametrize("kind", [0, 3, 255])
def test_an_unknown_kind_is_refused(kind: int) -> None:
    data = signed(kind, "manifest", b"{}")
    refused([f"is of the wrong kind ({kind})"], decode_manifest, data, "s", KEY)


def test_manifest_and_column_files_swapped_on_disk_are_refused(tmp_path: Path) -> None:
    store = save_two(tmp_path)
    manifest = store.root / disk_module.folder_name("a") / "manifest.json"
    column = frames_of(store, "a")[0]
    manifest_bytes, column_bytes = manifest.read_bytes(), column.read_bytes()
    column.write_bytes(manifest_bytes)
    refused(["session 'a': stored data"], store.load, "a")
    column.write_bytes(column_bytes)
    manifest.write_bytes(column_bytes)
    refused(["session 'a'", "stored data failed its integrity check"], store.load, "a")


# -- format and codec versions ----------------------------------------------------------------
@pytest.mark.parametrize("version", [0, 2, 65535])
def test_an_unknown_format_version_is_refused_even_when_signed(version: int) -> None:
    data = signed(framing.KIND_MANIFEST, "manifest", b"{}", version=version)
    refused(
        [
            f"session 's': stored data was written in format version {version}",
            "reads version 1 only",
        ],
        decode_manifest,
        data,
        "s",
        KEY,
    )


def with_codec_meta(body: bytes, change) -> bytes:
    """Re-encode an Arrow payload with its hydroml metadata changed by ``change(meta)``."""
    table = pa.ipc.open_stream(pa.py_buffer(body)).read_all()
    metadata = dict(table.schema.metadata)
    meta = json.loads(metadata[b"hydroml"])
    new = change(meta)
    if new is None:
        del metadata[b"hydroml"]
    else:
        metadata[b"hydroml"] = json.dumps(new).encode()
    table = table.replace_schema_metadata(metadata)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_an_unknown_codec_version_is_refused_even_when_signed(version: object) -> None:
    body = with_codec_meta(column_body(), lambda meta: {**meta, "v": version})
    data = signed(framing.KIND_FRAME, column_context("s", CID), body)
    refused(
        [f"session 's', column {CID}: the stored frame uses codec version {version!r}"],
        decode_column,
        data,
        "s",
        CID,
        KEY,
    )


@pytest.mark.xfail(
    strict=True,
    reason="decode_column names the session in the message of a codec failure, but the "
    "StoreError codec.decode_frame raises has session=None",
)
def test_a_codec_failure_carries_its_session() -> None:
    body = with_codec_meta(column_body(), lambda meta: {**meta, "v": 2})
    data = signed(framing.KIND_FRAME, column_context("s", CID), body)
    with pytest.raises(StoreError) as info:
        decode_column(data, "s", CID, KEY)
    assert info.value.session == "s"


def test_a_signed_frame_without_codec_metadata_or_not_arrow_is_refused() -> None:
    bare = with_codec_meta(column_body(), lambda meta: None)
    data = signed(framing.KIND_FRAME, column_context("s", CID), bare)
    refused(["the stored frame has no hydroml metadata"], decode_column, data, "s", CID, KEY)
    junk = signed(framing.KIND_FRAME, column_context("s", CID), b"not arrow at all")
    refused(
        [f"session 's', column {CID}: the stored frame cannot be read"],
        decode_column,
        junk,
        "s",
        CID,
        KEY,
    )


# -- lengths ----------------------------------------------------------------------------------
def test_a_payload_shorter_than_its_header_says_is_refused() -> None:
    body = b'{"a": 1}'
    data = signed(framing.KIND_MANIFEST, "manifest", body, length=len(body) + 1)
    refused(
        ["session 's': stored data is truncated (8 of 9 bytes)"], decode_manifest, data, "s", KEY
    )


def test_a_payload_longer_than_its_header_says_is_refused() -> None:
    body = b'{"a": 1}'
    data = signed(framing.KIND_MANIFEST, "manifest", body, length=len(body) - 1)
    refused(
        ["session 's': stored data is longer than its header says (8 of 7 bytes)"],
        decode_manifest,
        data,
        "s",
        KEY,
    )


@pytest.mark.parametrize("size", [0, 1, 17, framing.OVERHEAD - 1])
def test_a_payload_cut_inside_its_header_or_mac_is_refused(size: int) -> None:
    data = signed(framing.KIND_MANIFEST, "manifest", b"{}")[:size]
    refused(
        [f"session 's': stored data is truncated ({size} bytes)"], decode_manifest, data, "s", KEY
    )


def test_a_huge_length_in_the_header_is_refused_without_reading_it() -> None:
    data = signed(framing.KIND_MANIFEST, "manifest", b"{}", length=2**64 - 1)
    refused([f"is truncated (2 of {2**64 - 1} bytes)"], decode_manifest, data, "s", KEY)


def test_another_magic_is_refused() -> None:
    data = bytearray(signed(framing.KIND_MANIFEST, "manifest", b"{}"))
    data[:6] = b"HYDRMX"
    refused(
        ["session 's': stored data is not in hydroml store format"],
        decode_manifest,
        bytes(data),
        "s",
        KEY,
    )


def test_the_memory_store_refuses_a_column_of_another_session() -> None:
    store = MemoryStore(key=KEY)
    for name in ("a", "b"):
        store.save(SessionRecord(name, {"v": 1}, {"r": 1}, {0: pd.DataFrame({"x": [1.0]})}))
    manifest, payloads = store._data["a"]
    _, others = store._data["b"]
    first = next(iter(payloads))
    store._data["a"] = (manifest, {**payloads, first: next(iter(others.values()))})
    refused(["session 'a': stored data failed its integrity check"], store.load, "a")


# -- what a column payload holds --------------------------------------------------------------
def same_objects(got: pd.Series, values: list) -> None:
    """Each value comes back as the very kind of missing value it was."""
    assert got.dtype == object
    assert [type(v) for v in got] == [type(v) for v in values]
    assert [repr(v) for v in got] == [repr(v) for v in values]


@pytest.mark.parametrize(
    "values",
    [
        ["a", float("nan"), "b"],
        ["a", pd.NA],
        ["a", None, float("nan"), pd.NA, float("nan")],
        [b"x", None, float("nan")],
        [None, None],
        [1, None],
        [True, pd.NA],
    ],
    ids=repr,
)
def test_object_columns_keep_each_missing_value_as_it_was(values: list) -> None:
    body = column_body(pd.DataFrame({"o": pd.Series(values, dtype=object)}))
    data = signed(framing.KIND_FRAME, column_context("s", CID), body)
    same_objects(decode_column(data, "s", CID, KEY)["o"], values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1, "a"], "column 'o' mixes int and str values (first str at row 1); cast it to one type"),
        ([None, 1, 2.5], "column 'o' mixes int and float values (first float at row 2)"),
        (
            [None, {1: 2}],
            "column 'o' holds dict values, which cannot be stored as Arrow; convert them "
            "(e.g. to str) before saving",
        ),
    ],
)
def test_object_columns_arrow_cannot_hold_are_refused_naming_them(
    values: list, message: str
) -> None:
    refused(
        [f"step 1: {message}"],
        codec_module.encode_frame,
        pd.DataFrame({"o": pd.Series(values, dtype=object)}),
        where="step 1: ",
    )


def test_a_part_with_the_wrong_shape_or_dtype_is_refused() -> None:
    entry = {
        "step": 3,
        "rows": 2,
        "index": "i" * 20,
        "cols": ["c" * 20],
        "dtypes": ["float64"],
        "labels": codec_module.columns_meta(pd.DataFrame(columns=["x"])),
    }
    index = pd.DataFrame(index=pd.RangeIndex(2))
    good = {"i" * 20: index, "c" * 20: pd.DataFrame({"c": [1.0, 2.0]})}
    frame = assemble("s", entry, good)
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"x": [1.0, 2.0]}), check_exact=True)
    for part in (pd.DataFrame({"c": [1, 2]}), pd.DataFrame({"c": [1.0]})):
        refused(
            ["session 's', step 3: stored column 0 does not match its frame"],
            assemble,
            "s",
            entry,
            {**good, "c" * 20: part},
        )
    refused(
        ["session 's', step 3: stored index does not match its frame"],
        assemble,
        "s",
        {**entry, "rows": 3},
        good,
    )


def test_a_column_id_is_reused_only_for_the_same_owners() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0]})
    key, owners, _ = column_part(df, 0)
    ids = ColumnIds()
    ids.remember("s", {"c0": [(key, owners)]})
    assert ids.get("s", key, owners) == "c0"
    assert ids.get("other", key, owners) is None
    # the same key with other owners (of the same count) is another part
    other = [np.array(df["a"].to_numpy())]
    assert ids.get("s", key, other) is None
    assert ids.get("s", key, [*owners, other[0]]) is None
    ids.forget("s")
    assert ids.get("s", key, owners) is None


# -- manifests -------------------------------------------------------------------------------
def manifest_doc(**changes: object) -> dict:
    """A well-formed manifest document for session 's', with ``changes``."""
    cid, index, fid = "c" * 20, "i" * 20, "f" * 16
    doc = {
        "format": "hydroml-session",
        "layout": 2,
        "name": "s",
        "generation": "0123456789abcdef",
        "meta": {},
        "recipe": {},
        "frames": [
            {
                "step": 0,
                "rows": 1,
                "id": fid,
                "index": index,
                "cols": [cid],
                "dtypes": ["float64"],
                "labels": {"labels": ["x"], "dtype": "object", "name": None},
            }
        ],
        "blobs": {cid: {"bytes": 10}, index: {"bytes": 10}},
    }
    return {**doc, **changes}


def signed_manifest(doc: dict) -> bytes:
    return signed(framing.KIND_MANIFEST, "manifest", json.dumps(doc).encode())


def test_a_sound_manifest_is_read() -> None:
    assert decode_manifest(signed_manifest(manifest_doc()), "s", KEY)["generation"] == (
        "0123456789abcdef"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"meta": []},
        {"recipe": None},
        {"generation": "NOT HEX"},
        {"blobs": {"c" * 20: {"bytes": True}, "i" * 20: {"bytes": 10}}},
        {"blobs": {"c" * 20: {"bytes": -1}, "i" * 20: {"bytes": 10}}},
    ],
    ids=["meta", "recipe", "generation", "bool size", "negative size"],
)
def test_a_malformed_manifest_is_refused(changes: dict) -> None:
    refused(
        ["session 's': stored manifest is malformed"],
        decode_manifest,
        signed_manifest(manifest_doc(**changes)),
        "s",
        KEY,
    )


@pytest.mark.parametrize(
    "entry",
    [
        {"labels": {"labels": ["x", "y"], "dtype": "object", "name": None}},
        {"cols": ["C" * 20]},
        {"index": 5},
        {"dtypes": [1]},
        {"cols": ["d" * 20]},
        {"rows": -1},
    ],
    ids=["labels", "column id", "index id", "dtype", "unknown blob", "rows"],
)
def test_a_malformed_frame_entry_is_refused(entry: dict) -> None:
    doc = manifest_doc()
    doc["frames"] = [{**doc["frames"][0], **entry}]
    refused(
        ["session 's': stored manifest is malformed"],
        decode_manifest,
        signed_manifest(doc),
        "s",
        KEY,
    )


# -- parts reused between saves --------------------------------------------------------------
def frame_files(store: DiskStore, name: str) -> set[str]:
    return {p.name for p in (store.root / disk_module.folder_name(name) / "frames").glob("*")}


def test_an_index_that_is_not_a_range_is_written_once(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]}, index=[10, 20, 30])
    s = hj.Session(df, name="idx")
    persist.save(s, store)
    before = frame_files(store, "idx")
    assert len(before) == 3  # the index and two columns
    s.apply("formula", column="a", expr="a + 1")
    persist.save(s, store)
    assert len(frame_files(store, "idx") - before) == 1
    s.close()


def test_parts_of_a_loaded_session_are_not_written_again(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]}, index=[10, 20, 30])
    s = hj.Session(df, name="again")
    persist.save(s, DiskStore(tmp_path / "store", key=KEY))
    s.close()
    store = DiskStore(tmp_path / "store", key=KEY)  # another process, as far as ids go
    back = persist.restore("again", store)
    before = frame_files(store, "again")
    back.apply("formula", column="b", expr="b + 1")
    persist.save(back, store)
    assert len(frame_files(store, "again") - before) == 1
    back.close()


def test_column_ids_kept_between_saves_are_only_those_asked_for_and_alive() -> None:
    df = pd.DataFrame({"a": [1.0], "b": [2.0]})
    (ka, oa, _), (kb, ob, _) = column_part(df, 0), column_part(df, 1)
    ids = ColumnIds()
    ids.remember("s", {"ca": [(ka, oa)], "cb": [(kb, ob)]})
    ids.remember("s", {}, keep={"ca"})
    assert (ids.get("s", ka, oa), ids.get("s", kb, ob)) == ("ca", None)
    ids.remember("s", {}, keep=None)
    assert ids.get("s", ka, oa) is None


# -- frames that must come back exactly -------------------------------------------------------
def round_trip(df: pd.DataFrame) -> pd.DataFrame:
    back = codec_module.decode_frame(codec_module.encode_frame(df))
    pd.testing.assert_frame_equal(back, df, check_exact=True, check_column_type=True)
    return back


def test_frames_at_the_codecs_edges_come_back_exactly() -> None:
    # rows and no columns
    empty = round_trip(pd.DataFrame(index=pd.RangeIndex(3), columns=pd.Index([], dtype=object)))
    assert empty.shape == (3, 0) and empty.columns.dtype == object
    # text labels in an object index stay object
    labels = pd.Index(["a", "b"], dtype=object)
    assert round_trip(pd.DataFrame([[1, 2]], columns=labels)).columns.dtype == object
    # a numpy scalar as the columns' name
    named = pd.DataFrame({"a": [1]})
    named.columns.name = np.int64(5)
    assert round_trip(named).columns.name == 5
    # a tz-aware index
    paris = pd.DatetimeIndex(["2020-01-01", "2020-01-02"], tz="Europe/Paris")
    assert str(round_trip(pd.DataFrame({"a": [1, 2]}, index=paris)).index.dtype) == (
        "datetime64[us, Europe/Paris]"
    )


def test_codec_refusals_in_full() -> None:
    refused(
        [
            "column label Timestamp('2020-01-01 00:00:00') of type Timestamp cannot be stored "
            "(labels must be str, int, float, bool or None)"
        ],
        codec_module.encode_frame,
        pd.DataFrame({pd.Timestamp("2020-01-01"): [1]}),
    )
    error = refused(["the stored frame cannot be read: "], codec_module.decode_frame, b"junk")
    assert str(error).startswith("the stored frame cannot be read: ")


def test_a_part_that_does_not_match_carries_its_session() -> None:
    entry = {
        "step": 0,
        "rows": 1,
        "index": "i" * 20,
        "cols": ["c" * 20],
        "dtypes": ["int64"],
        "labels": codec_module.columns_meta(pd.DataFrame(columns=["x"])),
    }
    parts = {"i" * 20: pd.DataFrame(index=pd.RangeIndex(1)), "c" * 20: pd.DataFrame({"c": [1.5]})}
    with pytest.raises(StoreError) as info:
        assemble("s", entry, parts)
    assert info.value.session == "s"


def test_a_manifest_says_how_its_payloads_are_compressed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(SessionRecord("z", {"v": 1}, {"r": 1}, {0: pd.DataFrame({"x": [1.0]})}))
    data = (store.root / disk_module.folder_name("z") / "manifest.json").read_bytes()
    doc = decode_manifest(data, "z", KEY)
    assert doc["compression"] == codec_module.compression()
