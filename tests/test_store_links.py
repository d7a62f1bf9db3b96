"""The disk store never follows a link inside its folder and deletes only its own files."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

import pandas as pd
import pytest

from hydroml_jupyter.store import DiskStore, SessionRecord, StoreError, StoreKeyWarning, store_key
from hydroml_jupyter.store import disk as disk_module
from hydroml_jupyter.store import keys as keys_module
from hydroml_jupyter.store.disk_files import Folder

KEY = b"links test key, long enough"


def record(version: int = 1, name: str = "s") -> SessionRecord:
    df = pd.DataFrame({"a": [version] * 4, "b": ["x", "y", "z", "w"]})
    return SessionRecord(name, {"version": version}, {}, {0: df, 1: df.iloc[:2]})


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder outside the store, with files a link might expose."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    (folder / ("0" * 20 + ".arrow")).write_text("named like a frame file")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def session_folder(store: DiskStore, name: str = "s") -> Path:
    return store.root / disk_module.folder_name(name)


def test_a_frames_folder_replaced_by_a_link_is_refused_and_its_target_untouched(
    tmp_path: Path, victim: Path
) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(record(1))
    frames = session_folder(store) / "frames"
    before = snapshot(victim)
    for path in frames.iterdir():
        path.unlink()
    frames.rmdir()
    frames.symlink_to(victim, target_is_directory=True)
    with pytest.raises(StoreError) as info:
        store.save(record(2))
    message = str(info.value)
    assert message == (
        f"session 's': cannot save to {frames}: it is a symbolic link, and the store never "
        "follows links inside its folder"
    )
    with pytest.raises(StoreError, match="it is a symbolic link"):
        store.load("s")
    assert snapshot(victim) == before  # nothing written there, nothing deleted


def test_a_session_folder_that_is_a_link_is_refused(tmp_path: Path, victim: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(record(1, name="other"))
    folder = session_folder(store)
    folder.symlink_to(victim, target_is_directory=True)
    before = snapshot(victim)
    for call in (lambda: store.save(record(2)), lambda: store.load("s"), lambda: store.delete("s")):
        with pytest.raises(StoreError, match=r"^session 's': cannot .* symbolic link"):
            call()
    with pytest.raises(StoreError, match="symbolic link"):
        store.exists("s")
    infos = {info.name: info for info in store.list()}
    assert infos["other"].problem is None
    assert "symbolic link" in (infos[folder.name].problem or "")
    assert snapshot(victim) == before


def test_a_lock_or_manifest_that_is_a_link_is_never_followed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(record(1))
    outside = tmp_path / "created-through-a-link"
    lock = session_folder(store) / ".lock"
    lock.unlink()
    lock.symlink_to(outside)  # a dangling link: opening it to create would make the file
    with pytest.raises(StoreError, match="symbolic link"):
        store.save(record(2))
    assert not outside.exists()
    lock.unlink()
    manifest = session_folder(store) / "manifest.json"
    (tmp_path / "elsewhere.json").write_bytes(manifest.read_bytes())
    manifest.unlink()
    manifest.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(StoreError, match="symbolic link"):
        store.load("s")


def test_a_link_swapped_in_during_a_save_is_not_followed(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(record(1))
    frames = session_folder(store) / "frames"
    before = snapshot(victim)
    real_write = disk_module._write_file

    def swapping_write(folder: Folder, name: str, *parts: bytes | memoryview) -> None:
        if not frames.is_symlink():  # the folder is swapped for a link mid-save
            frames.rename(tmp_path / "frames-moved")
            frames.symlink_to(victim, target_is_directory=True)
        real_write(folder, name, *parts)

    monkeypatch.setattr(disk_module, "_write_file", swapping_write)
    store.save(record(2))
    assert snapshot(victim) == before
    assert any(p.suffix == ".arrow" for p in (tmp_path / "frames-moved").iterdir())


def test_saves_and_deletes_remove_only_the_stores_own_files(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "store", key=KEY)
    store.save(record(1))
    frames = session_folder(store) / "frames"
    foreign = {
        frames / "notes.txt": b"mine",
        frames / "mine.arrow": b"not a column id",
        session_folder(store) / "README": b"also mine",
    }
    for path, data in foreign.items():
        path.write_bytes(data)
    (frames / "sub").mkdir()
    store.save(record(2))  # sweeps the first save's frame files
    assert all(path.read_bytes() == data for path, data in foreign.items())
    assert store.load("s").meta == {"version": 2}
    assert store.delete("s") is True
    assert not store.exists("s") and store.list() == []
    assert all(path.read_bytes() == data for path, data in foreign.items())
    assert (frames / "sub").is_dir()
    assert sorted(p.name for p in frames.iterdir()) == ["mine.arrow", "notes.txt", "sub"]


def test_session_folders_are_private_and_the_root_may_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real-root"
    real.mkdir()
    (tmp_path / "root-link").symlink_to(real, target_is_directory=True)
    store = DiskStore(tmp_path / "root-link" / "store", key=KEY)
    old = os.umask(0o022)
    try:
        store.save(record(1))
    finally:
        os.umask(old)
    folder = real / "store" / disk_module.folder_name("s")
    for path in (real / "store", folder, folder / "frames"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert store.load("s").meta == {"version": 1}


# -- the key -----------------------------------------------------------------------------------
def key_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, StoreKeyWarning)]


def test_a_short_key_is_warned_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYDROML_STORE_KEY", "fifteen bytes!!")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert store_key() == b"fifteen bytes!!"
        store_key()
    assert key_warnings(caught) == [
        "the store key in $HYDROML_STORE_KEY is only 15 bytes, so stored sessions are easy to "
        "forge; use 16 bytes or more, e.g. 64 hex digits from secrets.token_hex(32)"
    ]
    monkeypatch.setenv("HYDROML_STORE_KEY", "sixteen bytes!!!")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store_key()
    assert key_warnings(caught) == []


def test_a_key_file_others_can_read_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HYDROML_STORE_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        key = store_key()  # created 0600: no warning
        path = keys_module.key_path()
        assert key_warnings(caught) == []
        path.chmod(0o644)
        assert store_key() == key
    assert key_warnings(caught) == [
        f"other users can read or change the store key file {str(path)!r} (mode 644); "
        f"run: chmod 600 {str(path)!r}"
    ]
