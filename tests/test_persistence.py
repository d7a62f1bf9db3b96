"""Persistence as the person sees it: open by name, restore, defaults, flush, incremental saves."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine import registry
from hydroml_jupyter.engine.state import RepeatedStepWarning
from hydroml_jupyter.store import (
    DiskStore,
    MemoryStore,
    RedisStore,
    StoreError,
    config,
    default_store,
    framing,
    persist,
    reset_default_store,
    set_default_store,
)
from hydroml_jupyter.store.disk import folder_name


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A working folder, key and default store of the test's own; sessions closed after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "persistence test key")
    monkeypatch.delenv("HYDROML_STORE", raising=False)
    reset_default_store()
    before = set(registry.sessions().values())
    yield
    for s in registry.sessions().values():
        if s not in before:
            s.flush(timeout=10)
            s.close()
    reset_default_store()


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    n = 400
    path = tmp_path / "customers.csv"
    pd.DataFrame(
        {
            "age": np.where(rng.random(n) < 0.1, np.nan, rng.integers(18, 90, n)),
            "city": rng.choice([" Paris", "lyon ", "Lyon", None], n),
            "spend": rng.gamma(2.0, 40.0, n).round(2),
        }
    ).to_csv(path, index=False)
    return path


def steps(s: hj.Session) -> None:
    s.apply("fill_missing", column="age", strategy="median")
    s.apply("text", column="city", action="strip")
    s.apply("filter_rows", column="spend", op=">", value=20.0)


def frame_files(store: DiskStore, name: str) -> dict[str, int]:
    folder = store.root / folder_name(name) / "frames"
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


# -- defaults -------------------------------------------------------------------------------
def test_default_store_is_dot_hydroml_in_the_working_folder(tmp_path: Path) -> None:
    store = default_store()
    assert isinstance(store, DiskStore) and store.root == tmp_path / ".hydroml"
    assert store.label == ".hydroml"
    assert default_store() is store


def test_environment_and_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HYDROML_STORE", "memory:")
    assert isinstance(default_store(), MemoryStore)
    assert default_store() is default_store()
    for off in ("none", "off", "OFF"):
        monkeypatch.setenv("HYDROML_STORE", off)
        assert default_store() is None and persist.stored_sessions() == []
    monkeypatch.setenv("HYDROML_STORE", "redis://127.0.0.1:1/0?namespace=x")
    assert isinstance(default_store(), RedisStore)
    monkeypatch.setenv("HYDROML_STORE", str(tmp_path / "elsewhere"))
    assert default_store().root == tmp_path / "elsewhere"  # type: ignore[union-attr]
    assert isinstance(set_default_store("memory:"), MemoryStore)
    assert isinstance(default_store(), MemoryStore)  # the configuration wins
    assert set_default_store("off") is None and default_store() is None
    mine = MemoryStore()
    assert set_default_store(mine) is mine and default_store() is mine
    with pytest.raises(StoreError, match="unknown store"):
        set_default_store("s3://bucket")
    assert default_store() is mine  # unchanged
    reset_default_store()
    assert default_store().root == tmp_path / "elsewhere"  # type: ignore[union-attr]
    assert config.store_spec() == str(tmp_path / "elsewhere")


def test_store_none_is_the_plain_engine(csv: Path, tmp_path: Path) -> None:
    s = persist.open_session(csv, name="plain", store=None)
    steps(s)
    assert s.flush() is True and not (tmp_path / ".hydroml").exists()


# -- open by name ---------------------------------------------------------------------------
def test_named_session_restores_after_a_restart(csv: Path) -> None:
    s = persist.open_session(csv, name="customers")
    steps(s)
    s.undo()
    expected, code, labels = s.df, s.code(), [st.label for st in s.history]
    assert s.flush(timeout=30)
    assert "restored" not in repr(s)
    s.close()  # as if the kernel restarted: nothing live

    back = persist.open_session(csv, name="customers")
    assert back is not s
    assert repr(back).endswith(", restored from .hydroml>")
    assert back.restored_from == ".hydroml"
    pd.testing.assert_frame_equal(back.df, expected, check_exact=True)
    assert [st.label for st in back.history] == labels and back.code() == code
    assert back.position == 2 and back.can_redo
    back.redo()
    back.undo()
    back.undo()
    pd.testing.assert_frame_equal(back.df, d_after_one(csv), check_exact=True)


def d_after_one(csv: Path) -> pd.DataFrame:
    df = pd.read_csv(csv)
    return df.assign(age=df["age"].fillna(df["age"].median()))


def test_restored_session_undoes_to_the_exact_frames(csv: Path) -> None:
    s = persist.open_session(csv, name="exact")
    steps(s)
    frames = [s.df]
    for _ in range(3):
        s.undo()
        frames.append(s.df)
    s.goto(3)
    assert s.flush(timeout=30)
    s.close()
    back = persist.session("exact")
    for expected in frames:
        pd.testing.assert_frame_equal(back.df, expected, check_exact=True)
        if back.can_undo:
            back.undo()


def test_unnamed_sessions_are_saved_but_never_restored_by_open(csv: Path) -> None:
    s = persist.open_session(csv)
    assert s.name == "customers"
    steps(s)
    assert s.flush(timeout=30)
    s.close()
    again = persist.open_session(csv)  # the notebook runs again: a fresh load
    assert again.position == 0 and "restored" not in repr(again)
    assert again.flush(timeout=30)
    assert persist.stored_sessions()[0].version == 0  # its save replaced the stored one


def test_session_by_name_restores_an_unnamed_one_after_a_crash(csv: Path) -> None:
    s = persist.open_session(csv)
    steps(s)
    assert s.flush(timeout=30)
    s.close()
    back = hj_session("customers")
    assert back.position == 3 and back.restored_from == ".hydroml"
    assert hj_session("customers") is back  # live now


def hj_session(name: str) -> hj.Session:
    return persist.session(name)


def test_live_named_session_continues_in_the_same_kernel(csv: Path) -> None:
    s = persist.open_session(csv, name="live")
    steps(s)
    again = persist.open_session(csv, name="live")
    assert again is s and again.position == 3


def test_fresh_loads_the_source_and_replaces_the_stored_history(csv: Path) -> None:
    s = persist.open_session(csv, name="f")
    steps(s)
    assert s.flush(timeout=30)
    new = persist.open_session(csv, name="f", fresh=True)
    assert new is not s and new.position == 0
    s.apply("dedupe")  # the replaced session no longer writes to the store
    assert new.flush(timeout=30)
    assert persist.stored_sessions()[0].version == 0
    new.close()
    s.close()
    assert persist.session("f").position == 0


def test_another_source_under_a_stored_name_is_refused(csv: Path, tmp_path: Path) -> None:
    s = persist.open_session(csv, name="mine")
    steps(s)
    assert s.flush(timeout=30)
    s.close()
    other = tmp_path / "other.csv"
    pd.DataFrame({"x": [1, 2]}).to_csv(other, index=False)
    with pytest.raises(StoreError) as info:
        persist.open_session(other, name="mine")
    message = str(info.value)
    assert message.startswith("session 'mine' stored in .hydroml was opened from customers.csv")
    assert "not " + repr(str(other)) in message and "fresh=True" in message
    assert "mine" not in hj.sessions()
    assert persist.stored_sessions()[0].version == s.version  # nothing replaced
    with pytest.raises(StoreError, match=r"was opened from customers\.csv"):
        persist.open_session(csv, name="mine", sep=";")  # other reader options
    assert persist.open_session(str(csv), name="mine").position == 3  # same path as str


def test_dataframes_continue_only_on_equal_data() -> None:
    df = pd.DataFrame({"a": [1.0, None, 3.0]})
    s = persist.open_session(df, name="frame")
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    assert s.flush(timeout=30)
    s.close()
    back = persist.open_session(df.copy(), name="frame")
    assert back.position == 1
    back.close()
    with pytest.raises(StoreError, match="a DataFrame with other values"):
        persist.open_session(pd.DataFrame({"a": [1.0, None, 4.0]}), name="frame")
    with pytest.raises(StoreError, match="was opened from a DataFrame of 3 rows"):
        persist.open_session(pd.DataFrame({"b": [1.0]}), name="frame")


def test_running_the_notebook_again_warns_once_about_a_repeated_step(csv: Path) -> None:
    s = persist.open_session(csv, name="rerun")
    steps(s)
    assert s.flush(timeout=30)
    s.close()
    back = persist.open_session(csv, name="rerun")  # a new kernel runs the notebook again
    with pytest.warns(RepeatedStepWarning) as caught:
        back.apply("fill_missing", column="age", strategy="median")
    message = str(caught[0].message)
    assert message.startswith("session 'rerun' continues at step 3 (restored from .hydroml)")
    assert "repeats step 1 (Fill missing age by median)" in message and "fresh=True" in message
    assert caught[0].filename == __file__  # points at the person's own call
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back.apply("text", column="city", action="strip")  # only the first apply is checked
    again = persist.open_session(csv, name="rerun")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.apply("dedupe")  # a new step: no warning
    with pytest.warns(RepeatedStepWarning, match="opened again in this kernel"):
        persist.open_session(csv, name="rerun").apply("dedupe")


def test_a_repeated_step_that_cannot_apply_says_why(csv: Path) -> None:
    s = persist.open_session(csv, name="notes")
    s.apply("rename", columns={"age": "years"})
    s.apply("text", column="city", action="strip")
    assert s.flush(timeout=30)
    s.close()
    back = persist.open_session(csv, name="notes")
    with pytest.raises(hj.OperationError) as info:
        back.apply("rename", columns={"age": "years"})  # the notebook's first cell, again
    assert "no column named 'age'" in str(info.value)
    (note,) = info.value.__notes__
    assert note.startswith("session 'notes' continues at step 2 (restored from .hydroml)")
    assert "repeats step 1 (Rename age → years)" in note
    with pytest.warns(RepeatedStepWarning, match="repeats step 2"):  # still checked
        back.apply("text", column="city", action="strip")


def test_session_lookup_names_live_and_stored(csv: Path) -> None:
    s = persist.open_session(csv, name="known")
    assert s.flush(timeout=30)
    with pytest.raises(KeyError) as info:
        persist.session("unknown")
    text = str(info.value)
    assert "no session named 'unknown'" in text and "stored in .hydroml: 'known'" in text


def test_drop_deletes_and_stops_saving(csv: Path) -> None:
    s = persist.open_session(csv, name="gone")
    steps(s)
    assert s.flush(timeout=30)
    assert persist.drop("gone") is True
    s.apply("dedupe")
    assert s.flush(timeout=10) and persist.stored_sessions() == []
    assert persist.drop("gone") is False


def test_flush_all_live_sessions(csv: Path) -> None:
    a = persist.open_session(csv, name="a")
    b = persist.open_session(pd.DataFrame({"x": [1]}), name="b")
    steps(a)
    b.apply("rename", columns={"x": "y"})
    assert persist.flush(timeout=30)
    assert {i.name: i.version for i in persist.stored_sessions()} == {"a": 3, "b": 1}


# -- saves write only what is new --------------------------------------------------------------
def stored_columns(store: DiskStore, name: str) -> dict[str, dict[str, object]]:
    """Column id -> blob entry of every payload the stored manifest references."""
    data = (store.root / folder_name(name) / "manifest.json").read_bytes()
    return json.loads(data[framing.OVERHEAD :])["blobs"]


def test_a_step_writes_only_the_changed_column(csv: Path) -> None:
    store = default_store()
    assert isinstance(store, DiskStore)
    s = persist.open_session(csv, name="inc")
    assert s.flush(timeout=30)
    base = frame_files(store, "inc")
    assert len(base) == 1 + 3  # the index and three columns
    s.apply("fill_missing", column="age", strategy="median")
    assert s.flush(timeout=30)
    after_one = frame_files(store, "inc")
    assert {n: after_one[n] for n in base} == base and len(after_one) == 5  # step 0 kept
    s.apply("text", column="city", action="strip")
    assert s.flush(timeout=30)
    after_two = frame_files(store, "inc")
    assert len(after_two) == 6 and set(after_one) <= set(after_two)  # only city is new
    s.undo()  # step 1 shares every column with steps 0 and 2: nothing new to write
    assert s.flush(timeout=30)
    assert set(frame_files(store, "inc")) == set(after_one)  # step 2's city is gone
    assert set(stored_columns(store, "inc")) == {n.split(".")[0] for n in after_one}
    s.close()
    back = persist.session("inc")
    before = frame_files(store, "inc")
    assert back.flush(timeout=30)  # the restored session's first save: the manifest only
    assert frame_files(store, "inc") == before
    pd.testing.assert_frame_equal(back.df, d_after_one(csv), check_exact=True)
    back.apply("filter_rows", column="spend", op=">", value=20.0)  # every part changes
    assert back.flush(timeout=30)
    assert len(set(frame_files(store, "inc")) - set(before)) == 4


def test_a_column_swapped_for_an_older_one_is_refused(csv: Path) -> None:
    store = default_store()
    assert isinstance(store, DiskStore)
    s = persist.open_session(csv, name="swap")
    s.apply("fill_missing", column="age", strategy="median")
    assert s.flush(timeout=30)
    folder = store.root / folder_name("swap") / "frames"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    s.undo()
    s.apply("fill_missing", column="age", strategy="mean")
    assert s.flush(timeout=30)
    (new,) = [p for p in folder.iterdir() if p.name not in first]
    (old,) = [data for name, data in first.items() if not (folder / name).exists()]
    new.write_bytes(old)  # a valid payload of this session, another column's
    with pytest.raises(StoreError, match="integrity check"):
        store.load("swap")


def test_gone_frame_files_are_written_again(csv: Path) -> None:
    store = default_store()
    assert isinstance(store, DiskStore)
    s = persist.open_session(csv, name="heal")
    s.apply("fill_missing", column="age", strategy="median")
    assert s.flush(timeout=30)
    folder = store.root / folder_name("heal") / "frames"
    for path in folder.iterdir():
        path.unlink()
    s.apply("text", column="city", action="strip")
    assert s.flush(timeout=30)
    back = store.load("heal")
    assert back.frames[0].shape == s.history[0].shape
    pd.testing.assert_frame_equal(back.frames[2], s.df, check_exact=True)


def test_memory_store_reuses_frames_too() -> None:
    store = MemoryStore()
    s = persist.open_session(pd.DataFrame({"a": [1, 2]}), name="m", store=store)
    assert s.flush(timeout=10)
    first = dict(store._data["m"][1])
    s.apply("rename", columns={"a": "b"})
    assert s.flush(timeout=10)
    second = store._data["m"][1]
    assert len(first) == 2  # the index and column a
    assert all(second[k] is first[k] for k in first) and len(second) == 2  # a rename: no data
    assert os.environ["HYDROML_STORE_KEY"]


def test_a_batch_is_checked_for_a_repeated_step_like_one_apply(csv: Path) -> None:
    s = persist.open_session(csv, name="batch-rerun")
    steps(s)
    assert s.flush(timeout=30)
    s.close()
    rerun = persist.open_session(csv, name="batch-rerun")  # the recipe cell runs again
    with pytest.warns(RepeatedStepWarning, match=r"repeats step 1 \(Fill missing age by median\)"):
        rerun.apply_all([("fill_missing", {"column": "age", "strategy": "median"})])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rerun.apply_all([("dedupe", {})])  # checked once, like apply
