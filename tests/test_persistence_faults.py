"""Faults as the person sees them: full disk, read-only folder, Redis going away."""

from __future__ import annotations

import errno
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import redis_server

from hydroml_jupyter.engine import registry
from hydroml_jupyter.store import (
    DiskStore,
    RedisStore,
    StoreError,
    StoreOutageWarning,
    StoreUnavailable,
    StoreWarning,
    persist,
    reset_default_store,
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "faults test key, long enough")
    monkeypatch.delenv("HYDROML_STORE", raising=False)
    reset_default_store()
    before = set(registry.sessions().values())
    yield
    for s in registry.sessions().values():
        if s not in before:
            s.close()
    reset_default_store()


def frame(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            "y": rng.integers(0, 9, n),
            "s": pd.Series([f"v{i % 11} " for i in range(n)], dtype="str"),
        }
    )


def fail_writes_under(monkeypatch: pytest.MonkeyPatch, root: Path, code: int) -> None:
    """Make writes of files under ``root`` fail with ``code`` (ENOSPC, EROFS)."""
    real_open, real_write = os.open, os.write

    def inside(path: object) -> bool:
        return str(path).startswith(str(root))

    def fake_open(path, flags, *args, dir_fd=None, **kwargs):
        # the disk store opens files relative to their folder's descriptor
        full = (
            path if dir_fd is None else os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        )
        if code == errno.EROFS and inside(full) and flags & (os.O_WRONLY | os.O_CREAT):
            raise OSError(code, os.strerror(code), str(full))
        return real_open(path, flags, *args, dir_fd=dir_fd, **kwargs)

    def fake_write(fd: int, data: bytes) -> int:
        if code == errno.ENOSPC and inside(os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "write", fake_write)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "no space left on device"), (errno.EROFS, "the file system is read-only")],
)
def test_disk_failure_warns_once_flush_raises_and_nothing_is_lost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int, reason: str
) -> None:
    s = persist.open_session(frame(), name="disk")
    s.apply("fill_missing", column="x", strategy="median")
    assert s.flush(timeout=30)
    store = DiskStore(tmp_path / ".hydroml")
    saved = store.load("disk")
    with monkeypatch.context() as patch, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fail_writes_under(patch, tmp_path / ".hydroml", code)
        s.apply("text", column="s", action="strip")
        expected = s.df
        with pytest.raises(StoreError) as info:
            s.flush(timeout=30)
        s.apply("filter_rows", column="y", op=">", value=2)
        with pytest.raises(StoreError):
            s.flush(timeout=30)
    message = str(info.value)
    assert message.startswith("session 'disk': cannot save to ")
    assert str(tmp_path / ".hydroml") in message and message.endswith(reason)
    assert info.value.session == "disk"
    mine = [w for w in caught if issubclass(w.category, StoreWarning)]
    assert len(mine) == 1, [str(w.message) for w in mine]
    assert "The session in memory is unchanged" in str(mine[0].message)
    # the store still holds the last good save; the session in memory has every step
    back = store.load("disk")
    assert back.meta == saved.meta and list(back.frames) == list(saved.frames)
    assert s.position == 3
    s.undo()
    pd.testing.assert_frame_equal(s.df, expected, check_exact=True)
    s.redo()
    # the disk is writable again: flush writes what is pending
    assert s.flush(timeout=30) is True
    assert store.load("disk").meta["version"] == s.version


def test_unstorable_frame_is_reported_by_flush_and_the_warning() -> None:
    mixed = pd.DataFrame({"m": pd.Series([1, "x"], dtype=object)})
    with pytest.warns(StoreWarning, match="column 'm' mixes int and str"):
        s = persist.open_session(mixed, name="odd")
        with pytest.raises(StoreError, match="session 'odd', step 0: column 'm' mixes int"):
            s.flush(timeout=30)
    s.apply("cast", column="m", dtype="str")
    with pytest.raises(StoreError, match="step 0: column 'm' mixes int"):
        s.flush(timeout=30)  # the original frame is still part of the session
    persist.drop("odd")  # (else the exit would report it unsaved)


@pytest.fixture
def server() -> Iterator[redis_server.RedisServer]:
    srv = redis_server.running_server()
    try:
        yield srv
    finally:
        srv.close()


def test_redis_killed_mid_session_loses_nothing(server: redis_server.RedisServer) -> None:
    store = RedisStore(server.url, ttl=3600, namespace=f"f-{uuid.uuid4().hex[:8]}")
    s = persist.open_session(frame(), name="outage", store=store)
    s.apply("fill_missing", column="x", strategy="median")
    s.apply("text", column="s", action="strip")
    assert s.flush(timeout=30)
    server.stop()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s.apply("filter_rows", column="y", op=">", value=2)
        s.apply("formula", column="z", expr="x * y")
        s.undo()
        s.apply("formula", column="z", expr="x + y")
        assert s.flush(timeout=1.0) is False  # nothing lost, not written yet
        assert s.df.shape[1] == 4  # the session keeps working
        server.start()
        assert s.flush(timeout=30) is True
    outage = [w for w in caught if issubclass(w.category, StoreOutageWarning)]
    assert len(outage) == 1 and "cannot reach Redis" in str(outage[0].message)
    expected, labels = s.df, [st.label for st in s.history]
    s.close()
    back = persist.session("outage", store=store)
    assert [st.label for st in back.history] == labels and back.position == 4
    pd.testing.assert_frame_equal(back.df, expected, check_exact=True)
    assert back.flush(timeout=30)
    back.close()
    store.close()


def test_unreachable_redis_at_open_refuses_instead_of_overwriting() -> None:
    store = RedisStore(f"redis://127.0.0.1:{redis_server.free_port()}/0")
    with pytest.raises(StoreUnavailable, match="cannot reach Redis"):
        persist.open_session(frame(), name="maybe-stored", store=store)
    assert "maybe-stored" not in registry.sessions()
