"""%hydroml sessions --stored, restore, drop, flush, and the HydroML.store, mlflow_uri and
memory_budget options, in a real InteractiveShell with disk and memory stores."""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import hydroml
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets import TraitError
from traitlets.config import Config

import hydroml_jupyter as hj
from hydroml_jupyter.engine import registry
from hydroml_jupyter.experiments.presets import resolve_tracking_uri
from hydroml_jupyter.magics.config import HydroML
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.extension import context_of
from hydroml_jupyter.store import (
    DiskStore,
    MemoryStore,
    SessionRecord,
    StoreConflictError,
    StoreError,
    StoreWarning,
    default_store,
    reset_default_store,
    set_default_store,
)

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = ROOT / "notebooks" / "data" / "customers.csv"


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    config = Config()
    config.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "hydroml_jupyter")
    yield ip
    ip.run_line_magic("unload_ext", "hydroml_jupyter")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keys, the environment's store and the working folder are this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "magics store test key")
    monkeypatch.setenv("HYDROML_STORE", str(tmp_path / "env-store"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    reset_default_store()


@pytest.fixture
def ctx(shell: InteractiveShell, tmp_path: Path) -> Iterator[Context]:
    """The magics' state, reset, with HydroML.store on a disk store in ``tmp_path/store``."""
    context = context_of(shell)
    assert context is not None
    before = set(hj.sessions())
    context.current = None
    context.config.autodisplay = False
    context.config.store = str(tmp_path / "store")
    yield context
    for name, session in hj.sessions().items():
        if name not in before:
            session.close()
    # through %config, so the shell's own config (read when the extension loads) forgets them
    config(shell, "HydroML.store = ''")
    config(shell, "HydroML.mlflow_uri = ''")
    config(shell, f"HydroML.memory_budget = {HydroML.memory_budget.default_value}")


def config(shell: InteractiveShell, line: str) -> None:
    shell.run_line_magic("config", line)


def stored(store: object = None) -> list[str]:
    found = default_store() if store is None else store
    assert found is not None
    return sorted(info.name for info in found.list())  # type: ignore[attr-defined]


@pytest.fixture
def saved(shell: InteractiveShell, ctx: Context) -> hj.Session:
    """customers, two steps applied and one undone, saved in the disk store."""
    hydroml(shell, f"open {CUSTOMERS}")
    hydroml(shell, "apply dedupe")
    hydroml(shell, "apply text column=Country action=upper")
    hydroml(shell, "undo")
    session = hj.sessions()["customers"]
    assert session.flush(10)
    return session


# -- HydroML.store -------------------------------------------------------------------------
def test_store_option_sets_the_kernels_default_store(shell, ctx, tmp_path: Path) -> None:
    store = default_store()
    assert isinstance(store, DiskStore) and store.root == tmp_path / "store"
    session = hj.open(pd.DataFrame({"a": [1, None]}), name="plain")
    assert session.flush(10) and stored() == ["plain"]

    config(shell, "HydroML.store = 'memory:'")
    assert isinstance(default_store(), MemoryStore)
    config(shell, "HydroML.store = 'off'")
    assert default_store() is None
    config(shell, f"HydroML.store = {str(tmp_path / 'other')!r}")
    assert default_store().root == tmp_path / "other"  # type: ignore[union-attr]
    config(shell, "HydroML.store = ''")
    assert default_store().root == tmp_path / "env-store"  # type: ignore[union-attr]


def test_the_magics_save_to_the_configured_store(shell, ctx) -> None:
    config(shell, "HydroML.store = 'memory:'")
    memory = default_store()
    try:
        hydroml(shell, f"open {CUSTOMERS} --name in_memory")
        hydroml(shell, "apply dedupe")
        hydroml(shell, "flush")
        assert "in_memory" in stored(memory)
        table, _ = hydroml(shell, "sessions --stored")
        assert table.loc["in_memory", "step"] == 1
    finally:
        hj.store.drop("in_memory", store=memory)


BAD_STORES = [
    ("bogus://x", "HydroML.store: unknown store 'bogus://x'"),
    ("redis://localhost:port/0", "HydroML.store: Port could not be cast"),
    ("a-file.txt", "is a file, not a folder"),
]


@pytest.mark.parametrize(("value", "word"), BAD_STORES)
def test_a_bad_store_is_refused_and_nothing_changes(
    shell, ctx, caplog, tmp_path: Path, value: str, word: str
) -> None:
    (tmp_path / "a-file.txt").write_text("not a folder")
    before = default_store()
    with caplog.at_level(logging.ERROR), capture_output():
        config(shell, f"HydroML.store = {value!r}")
    assert [r.getMessage() for r in caplog.records if word in r.getMessage()]
    assert ctx.config.store == str(tmp_path / "store")
    assert default_store() is before
    with pytest.raises(TraitError, match=re.escape(word)):
        ctx.config.store = value


def test_the_store_from_a_config_file_applies_when_the_extension_loads(tmp_path: Path) -> None:
    cfg = Config()
    cfg.HydroML.store = str(tmp_path / "from-config")
    options = HydroML(config=cfg)
    try:
        assert default_store().root == tmp_path / "from-config"  # type: ignore[union-attr]
    finally:
        options.release()
    assert default_store().root == tmp_path / "env-store"  # type: ignore[union-attr]


def test_unloading_puts_the_store_and_tracking_uri_back(shell, ctx, monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///before.db")
    config(shell, "HydroML.store = 'memory:'")
    config(shell, "HydroML.mlflow_uri = 'sqlite:///during.db'")
    shell.run_line_magic("unload_ext", "hydroml_jupyter")
    try:
        assert default_store().root.name == "env-store"  # type: ignore[union-attr]
        assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///before.db"
    finally:
        shell.run_line_magic("load_ext", "hydroml_jupyter")
    # loading again brings back what %config set in this shell
    fresh = context_of(shell)
    assert fresh is not None and fresh is not ctx
    assert fresh.config.store == "memory:" and isinstance(default_store(), MemoryStore)
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///during.db"


# -- HydroML.mlflow_uri --------------------------------------------------------------------
def test_mlflow_uri_is_the_kernels_tracking_uri(shell, ctx, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///before.db")
    uri = f"sqlite:///{tmp_path / 'runs.db'}"
    config(shell, f"HydroML.mlflow_uri = {uri!r}")
    assert os.environ["MLFLOW_TRACKING_URI"] == uri
    assert resolve_tracking_uri() == uri and ctx.tracking_uri == uri
    config(shell, "HydroML.mlflow_uri = 'http://127.0.0.1:5000'")
    assert os.environ["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5000"
    config(shell, "HydroML.mlflow_uri = ''")
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///before.db"
    assert ctx.tracking_uri is None

    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    config(shell, "HydroML.mlflow_uri = 'mlruns'")
    assert os.environ["MLFLOW_TRACKING_URI"] == "mlruns"
    config(shell, "HydroML.mlflow_uri = ''")
    assert "MLFLOW_TRACKING_URI" not in os.environ


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("foo://x", "unknown scheme 'foo'"),
        ("sqlite://runs.db", "an SQLite URI is sqlite:///path.db"),
        ("sqlite:///my runs.db", "holds spaces"),
    ],
)
def test_a_bad_mlflow_uri_is_refused_and_nothing_changes(
    shell, ctx, caplog, value: str, word: str
) -> None:
    config(shell, "HydroML.mlflow_uri = 'sqlite:///kept.db'")
    with caplog.at_level(logging.ERROR), capture_output():
        config(shell, f"HydroML.mlflow_uri = {value!r}")
    assert [r.getMessage() for r in caplog.records if word in r.getMessage()]
    assert ctx.config.mlflow_uri == "sqlite:///kept.db"
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///kept.db"
    with pytest.raises(TraitError, match=re.escape(word)):
        ctx.config.mlflow_uri = value


# -- HydroML.memory_budget -----------------------------------------------------------------
def test_memory_budget_applies_to_sessions_the_magics_open_and_restore(shell, ctx) -> None:
    config(shell, "HydroML.memory_budget = 2**20")
    hydroml(shell, f"open {CUSTOMERS}")
    opened = hj.sessions()["customers"]
    other = hj.Session(pd.DataFrame({"a": [1]}), name="by_hand")
    assert opened.memory_budget == 2**20
    config(shell, "HydroML.memory_budget = 2**21")
    assert opened.memory_budget == 2**21
    assert other.memory_budget == HydroML.memory_budget.default_value

    assert opened.flush(10)
    opened.close()
    config(shell, "HydroML.memory_budget = 2**22")
    hydroml(shell, "restore customers")
    assert hj.sessions()["customers"].memory_budget == 2**22

    with capture_output():
        config(shell, "HydroML.memory_budget = -1")
    assert ctx.config.memory_budget == 2**22
    with pytest.raises(TraitError, match="negative"):
        ctx.config.memory_budget = -1


# -- sessions --stored ---------------------------------------------------------------------
def test_sessions_stored_lists_what_the_store_holds(shell, ctx, saved) -> None:
    hj.open(pd.DataFrame({"a": [1.0, None]}), name="small").flush(10)
    hj.sessions()["small"].close()
    table, out = hydroml(shell, "sessions --stored")
    assert out == ""
    assert list(table.index) == ["customers", "small"]
    assert list(table.columns) == ["rows", "columns", "step", "steps", "updated", "live"]
    assert table.loc["customers"][["rows", "columns", "step", "steps"]].tolist() == [400, 9, 1, 2]
    assert table.loc["small"][["rows", "columns", "step", "steps"]].tolist() == [2, 1, 0, 0]
    assert table["live"].tolist() == [True, False]
    assert (pd.Timestamp.now() - table.loc["customers", "updated"]) < pd.Timedelta("1min")
    live, _ = hydroml(shell, "sessions")
    assert list(live.index) == ["customers"]


def test_sessions_stored_names_an_unreadable_session(shell, ctx, saved) -> None:
    store = default_store()
    assert isinstance(store, DiskStore)
    (manifest,) = store.root.glob("*/manifest.json")
    data = bytearray(manifest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    manifest.write_bytes(bytes(data))
    table, _ = hydroml(shell, "sessions --stored")
    assert "problem" in table.columns
    assert table["problem"].notna().all()


def test_sessions_stored_in_an_empty_memory_store(shell, ctx) -> None:
    config(shell, "HydroML.store = 'memory:'")
    for name in stored():
        hj.store.drop(name)
    table, _ = hydroml(shell, "sessions --stored")
    assert table.empty and list(table.columns)[:4] == ["rows", "columns", "step", "steps"]


# -- restore -------------------------------------------------------------------------------
def test_restore_brings_back_frame_history_and_cursor(shell, ctx, saved, monkeypatch) -> None:
    frame, history = saved.df, [s.op for s in saved.history]
    saved.close()  # as if the kernel restarted
    ctx.current = None
    shown: list[object] = []
    monkeypatch.setattr(ctx, "show", shown.append)
    ctx.config.autodisplay = True
    _, out = hydroml(shell, "restore customers")
    assert out == (
        "customers: restored from store at step 1 of 2 · 400 rows × 9 columns · "
        "now the current session\n"
    )
    back = hj.sessions()["customers"]
    assert ctx.current == "customers" and back is not saved
    pd.testing.assert_frame_equal(back.df, frame)
    assert [s.op for s in back.history] == history
    assert len(shown) == 1 and shown[0].session is back  # type: ignore[attr-defined]
    shown[0].close()  # type: ignore[attr-defined]
    hydroml(shell, "redo")
    assert back.position == 2 and back.history[2].op == "text"
    hydroml(shell, "undo")
    hydroml(shell, "undo")
    assert back.position == 0 and back.shape == (410, 9)
    # it is saved again after every change
    assert back.flush(10)
    assert default_store().peek("customers").meta["cursor"] == 0  # type: ignore[union-attr]


def test_restore_of_a_live_session_makes_it_current(shell, ctx, saved) -> None:
    hj.Session(pd.DataFrame({"a": [1]}), name="other")
    hydroml(shell, "use other")
    _, out = hydroml(shell, "restore customers")
    assert out == (
        "customers: live in this kernel already, now the current session · step 1 of 2 · "
        "400 rows × 9 columns\n"
    )
    assert ctx.current == "customers" and hj.sessions()["customers"] is saved


def test_a_tampered_session_is_refused_and_nothing_is_loaded(shell, ctx, saved) -> None:
    saved.close()
    ctx.current = None
    store = default_store()
    assert isinstance(store, DiskStore)
    frame = max(store.root.glob("*/frames/*.arrow"), key=lambda p: p.stat().st_size)
    data = bytearray(frame.read_bytes())
    data[-10] ^= 0x01
    frame.write_bytes(bytes(data))
    with pytest.raises(UsageError) as err:
        hydroml(shell, "restore customers")
    assert "\n" not in str(err.value) and "'customers'" in str(err.value)
    assert "customers" not in hj.sessions() and ctx.current is None


# -- drop ----------------------------------------------------------------------------------
def test_drop_removes_a_stored_session(shell, ctx, saved) -> None:
    hj.open(pd.DataFrame({"a": [1]}), name="gone").flush(10)
    hj.sessions()["gone"].close()
    _, out = hydroml(shell, "drop gone")
    assert out == "gone: dropped from store\n"
    assert stored() == ["customers"]

    _, out = hydroml(shell, "drop customers")
    assert out == (
        "customers: dropped from store; the live session keeps working in memory, no longer saved\n"
    )
    hydroml(shell, "apply dedupe")
    assert saved.position == 2
    _, out = hydroml(shell, "flush")
    assert out == "flushed: not saved to the store: customers\n"
    assert stored() == []


def test_drop_right_after_open_drops_the_pending_save(shell, ctx) -> None:
    hydroml(shell, f"open {CUSTOMERS} --name quick")
    hydroml(shell, "drop quick")
    assert hj.sessions()["quick"].flush(10)
    assert "quick" not in stored()


# -- flush ---------------------------------------------------------------------------------
def test_flush_says_what_was_saved(shell, ctx, saved) -> None:
    hj.Session(pd.DataFrame({"a": [1]}), name="unsaved")
    hydroml(shell, "apply dedupe --session customers")
    _, out = hydroml(shell, "flush")
    assert out == ("flushed: saved customers (step 2 of 2); not saved to the store: unsaved\n")
    _, out = hydroml(shell, "flush --session customers --timeout 5")
    assert out == "flushed: saved customers (step 2 of 2)\n"
    assert default_store().peek("customers").meta["cursor"] == 2  # type: ignore[union-attr]
    config(shell, "HydroML.store = 'off'")
    _, out = hydroml(shell, "flush --session unsaved")
    assert out == "flushed: saving is off, not saved: unsaved\n"


def test_flush_with_nothing_live(shell, ctx) -> None:
    before = hj.sessions()
    for session in before.values():
        session.close()
    try:
        assert hydroml(shell, "flush")[1] == "nothing to flush: no live session\n"
    finally:
        for session in before.values():
            registry.add(session)


class FailingStore(MemoryStore):
    """A store whose saves fail for good, as on a full disk."""

    def save(self, record: object) -> None:
        raise StoreError(f"session {record.name!r}: no space left on device", session="x")  # type: ignore[attr-defined]


class SlowStore(MemoryStore):
    """A store whose saves wait until ``gate`` is set."""

    def __init__(self) -> None:
        super().__init__(key=b"slow")
        self.gate = threading.Event()

    def save(self, record: object) -> None:
        self.gate.wait(30)
        super().save(record)  # type: ignore[arg-type]


def test_a_failed_save_is_a_one_line_usage_error(shell, ctx) -> None:
    set_default_store(FailingStore(key=b"fail"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)
        session = hj.open(pd.DataFrame({"a": [1]}), name="full")
        with pytest.raises(UsageError) as err:
            hydroml(shell, "flush --session full")
    assert str(err.value) == "%hydroml flush: session 'full': no space left on device"
    assert session.position == 0 and session.df["a"].tolist() == [1]


def test_a_store_that_does_not_answer_in_time(shell, ctx) -> None:
    slow = SlowStore()
    set_default_store(slow)
    try:
        hj.open(pd.DataFrame({"a": [1]}), name="slow")
        with pytest.raises(UsageError) as err:
            hydroml(shell, "flush --timeout 0.2")
        assert str(err.value) == (
            "%hydroml flush: slow not saved within 0.2 s (is the store reachable?); "
            "saving goes on in the background, nothing is lost"
        )
    finally:
        slow.gate.set()
    assert hydroml(shell, "flush --timeout 10")[1] == "flushed: saved slow (step 0 of 0)\n"
    assert stored(slow) == ["slow"]


# -- usage errors --------------------------------------------------------------------------
BAD_LINES = [
    ("restore custmers", "no session 'custmers' is stored in store (did you mean 'customers'?)"),
    ("restore", "the following arguments are required: NAME"),
    ("drop custmers", "%hydroml drop: no session 'custmers' is stored in store (did you mean"),
    ("drop", "the following arguments are required: NAME"),
    ("flush --timeout -1", "--timeout must be 0 or more seconds"),
    ("flush --timeout soon", "invalid float value: 'soon'"),
    ("flush --session nope", "no session named 'nope'"),
    ("sessions --stored --bogus", "unrecognized arguments: --bogus"),
    ("restore customers extra", "unrecognized arguments: extra"),
]


@pytest.mark.parametrize(("line", "word"), BAD_LINES)
def test_usage_errors_are_one_line_and_change_nothing(
    shell, ctx, saved, line: str, word: str
) -> None:
    version, names, current = saved.version, stored(), ctx.current
    with pytest.raises(UsageError) as err:
        hydroml(shell, line)
    assert "\n" not in str(err.value) and word in str(err.value)
    assert saved.version == version and stored() == names and ctx.current == current


@pytest.mark.parametrize("line", ["sessions --stored", "restore customers", "drop customers"])
def test_with_saving_off_the_store_commands_say_so(shell, ctx, line: str) -> None:
    config(shell, "HydroML.store = 'off'")
    with pytest.raises(UsageError, match="saving is off, so there is no store"):
        hydroml(shell, line)


# -- help, usage, completion ---------------------------------------------------------------
def test_usage_and_question_mark_list_the_store_commands(shell, ctx) -> None:
    _, out = hydroml(shell, "help")
    assert "Stored sessions (kept across restarts):" in out
    for row in ("sessions [--stored]", "restore NAME", "drop NAME", "flush [--session NAME]"):
        assert re.search(rf"^  {re.escape(row)}", out, re.M), row
    with capture_output() as cap:
        shell.run_cell("%hydroml?", store_history=False)
    assert "restore NAME" in cap.stdout and "flush [--session NAME] [--timeout S]" in cap.stdout
    _, out = hydroml(shell, "help flush")
    assert out.startswith("usage: %hydroml flush [--session NAME] [--timeout S]")


def test_restore_and_drop_complete_stored_names(shell, ctx, saved) -> None:
    from IPython.core.completer import provisionalcompleter

    def texts(text: str) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in shell.Completer.completions(text, len(text))]

    assert texts("%hydroml restore cu") == ["customers"]
    assert texts("%hydroml drop cu") == ["customers"]
    assert "--stored" in texts("%hydroml sessions --st")


# -- open with a name continues ------------------------------------------------------------
def test_open_with_a_name_continues_and_fresh_starts_over(shell, ctx) -> None:
    hydroml(shell, f"open {CUSTOMERS} --name kept")
    hydroml(shell, "apply dedupe")
    first = hj.sessions()["kept"]
    assert first.flush(10)
    _, out = hydroml(shell, f"open {CUSTOMERS} --name kept")
    assert out == "kept: open already, continues at step 1 of 1 · 400 rows × 9 columns\n"
    assert hj.sessions()["kept"] is first
    first.close()
    _, out = hydroml(shell, f"open {CUSTOMERS} --name kept")
    assert out == "kept: restored from store at step 1 of 1 · 400 rows × 9 columns\n"
    assert hj.sessions()["kept"].position == 1 and ctx.current == "kept"
    _, out = hydroml(shell, f"open {CUSTOMERS} --name kept --fresh")
    assert out == "kept: opened customers.csv (CSV, 25 KB) · 410 rows × 9 columns\n"
    assert hj.sessions()["kept"].position == 0
    with pytest.raises(UsageError, match="was opened from"):
        hydroml(shell, f"open {ROOT / 'tests' / 'nope.csv'} --name kept")


def test_save_as_keeps_the_new_session_saved(shell, ctx, saved) -> None:
    hydroml(shell, "save-as branch")
    hydroml(shell, "apply drop_columns columns=['plan']")
    _, out = hydroml(shell, "flush")
    assert out == "flushed: saved customers (step 1 of 2), branch (step 1 of 1)\n"
    assert default_store().peek("branch").meta["shape"] == [400, 8]  # type: ignore[union-attr]


def test_open_takeover_saves_over_another_writers_newer_save(shell, ctx, saved) -> None:
    store = default_store()
    assert store is not None
    other = SessionRecord("customers", {"version": 99}, {}, {0: pd.DataFrame({"z": [0]})})
    store.save(other)  # another kernel saved the same name meanwhile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)
        hydroml(shell, "apply dedupe")
        with pytest.raises(StoreConflictError, match="another writer"):
            saved.flush(10)
    assert store.load("customers").meta["version"] == 99  # nothing was overwritten
    hydroml(shell, f"open {CUSTOMERS} --name customers --takeover")
    assert saved.flush(10)
    assert store.load("customers").meta["version"] == saved.version
