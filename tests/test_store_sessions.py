"""Sessions saved in real stores survive a restart: frame, history, cursor, undo, code."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.store import DiskStore, RedisStore, Store, StoreError, persist

pytestmark = pytest.mark.usefixtures("store_env")


@pytest.fixture(params=["disk", "redis"])
def store(request, tmp_path: Path) -> Iterator[Store]:
    if request.param == "disk":
        st: Store = DiskStore(tmp_path / ".hydroml")
    else:
        server = request.getfixturevalue("server")
        st = RedisStore(server.url, ttl=3600, namespace=f"s-{uuid.uuid4().hex[:8]}")
    yield st
    st.close()


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 500
    return pd.DataFrame(
        {
            "price": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2, 10, n)),
            "city": pd.Series(rng.choice(["Paris", " lyon", None], n), dtype="str"),
            "qty": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "when": pd.date_range("2024-01-01", periods=n, freq="h"),
        }
    )


def test_autosaved_session_restores_with_its_whole_history(store, frame) -> None:
    s = hj.Session(frame, name="kept")
    autosave = persist.autosave(s, store)
    s.apply("fill_missing", column="price", strategy="median")
    s.apply("text", column="city", action="strip")
    s.apply("filter_rows", column="qty", op=">", value=0)
    s.apply("formula", column="total", expr="price * qty")
    s.undo()
    expected, code, labels = s.df, s.code(), [st.label for st in s.history]
    assert autosave.flush(timeout=30)
    (info,) = persist.stored_sessions(store)
    assert (info.name, info.version, tuple(info.shape)) == ("kept", s.version, s.shape)
    autosave.close()
    s.close()

    back = persist.restore("kept", store)  # as in a new kernel
    pd.testing.assert_frame_equal(back.df, expected, check_exact=True)
    assert [st.label for st in back.history] == labels and back.code() == code
    assert back.can_redo and back.position == 3
    back.redo()
    assert "total" in back.df.columns
    back.goto(0)
    pd.testing.assert_frame_equal(back.df, frame, check_exact=True)
    back.close()


def test_missing_and_tampered_sessions_are_refused(store, frame, monkeypatch) -> None:
    with pytest.raises(StoreError, match="nope"):
        persist.restore("nope", store)
    s = hj.Session(frame, name="signed")
    persist.save(s, store)
    s.close()
    monkeypatch.setenv("HYDROML_STORE_KEY", "another key, long enough")
    with pytest.raises(StoreError, match="signed"):
        persist.restore("signed", store)
    assert "signed" not in hj.sessions()
