"""What is pending when a process or a kernel ends is saved then, within a bounded time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from jupyter_client.manager import start_new_kernel
from kernels import run
from redis_server import RedisServer, free_port

from hydroml_jupyter.store import DiskStore, RedisStore, persist

KEY = "durability test key, long enough"

# A script that opens a named session, applies two steps and ends at once.
TWO_STEPS = """
import hydroml_jupyter as hj
s = hj.open("data.csv", name="script")
s.apply("fill_missing", column="x", strategy="value", value=0.0)
s.apply("rename", columns={"x": "y"})
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pd.DataFrame({"x": [1.0, None, 3.0], "k": ["a", "b", "c"]}).to_csv(
        tmp_path / "data.csv", index=False
    )
    return tmp_path


def env_for(folder: Path, store: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HYDROML_STORE_KEY": KEY,
        "HYDROML_STORE": store,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        **extra,
    }
    env.pop("HYDROML_STORE_EXIT_TIMEOUT", None)
    env.update(extra)
    return env


def run_script(code: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_two_steps(store: DiskStore | RedisStore) -> None:
    """A new process (this one) restores the script's two steps."""
    back = persist.restore("script", store)
    try:
        assert back.position == 2 and len(back.history) == 3
        assert back.df.columns.tolist() == ["y", "k"] and back.df["y"].tolist() == [1.0, 0.0, 3.0]
    finally:
        back.close()


def test_a_script_that_ends_right_after_two_steps_keeps_them_on_disk(folder: Path) -> None:
    done = run_script(TWO_STEPS, folder, env_for(folder, str(folder / "sessions")))
    assert done.returncode == 0, done.stderr
    assert "not saved" not in done.stderr
    assert_two_steps(DiskStore(folder / "sessions", key=KEY.encode()))


def test_a_script_that_ends_right_after_two_steps_keeps_them_on_redis(
    folder: Path, server: RedisServer
) -> None:
    namespace = f"exit-{uuid.uuid4().hex[:8]}"
    url = f"{server.url}?namespace={namespace}"
    done = run_script(TWO_STEPS, folder, env_for(folder, url))
    assert done.returncode == 0, done.stderr
    store = RedisStore(server.url, namespace=namespace, key=KEY.encode())
    try:
        assert_two_steps(store)
    finally:
        store.close()


def test_the_exit_waits_a_bounded_time_and_says_what_is_lost_in_one_line(folder: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    code = f"""
    import logging, warnings
    import pandas as pd
    import hydroml_jupyter as hj
    from hydroml_jupyter.store import RedisStore, persist
    warnings.simplefilter("ignore")  # (the writer's outage warning, and its log line)
    logging.disable(logging.CRITICAL)
    s = hj.Session(pd.DataFrame({{"a": [1.0, None]}}), name="lost\\nline")
    persist.autosave(s, RedisStore({url!r}, connect_timeout=0.2))
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    """
    started = time.monotonic()
    done = run_script(code, folder, env_for(folder, "off", HYDROML_STORE_EXIT_TIMEOUT="1.5"))
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines == [
        f"hydroml: 1 session not saved at exit (waited up to 1.5 s): 'lost\\nline' "
        f"(cannot reach Redis at {url}: connection refused)"
    ], done.stderr
    assert elapsed < 1.5 + 8, elapsed  # the wait, plus starting Python and pandas


def test_the_exit_hook_is_registered_when_a_writer_starts_not_at_import(folder: Path) -> None:
    code = """
    import atexit, pandas as pd
    import hydroml_jupyter as hj
    from hydroml_jupyter.store import exiting, persist
    before = exiting._state["registered"]
    s = persist.open_session(pd.DataFrame({"a": [1]}), name="x", store="memory:")
    print(before, exiting._state["registered"])
    """
    done = run_script(code, folder, env_for(folder, "off"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


# -- a real kernel ---------------------------------------------------------------------------
@pytest.fixture
def kernel(folder: Path) -> Iterator[tuple]:
    env = env_for(folder, "disk")
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env=env)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_kernel_restarted_right_after_a_cell_keeps_that_cells_step(kernel) -> None:
    km, kc = kernel
    run(
        kc,
        """
        import hydroml_jupyter as hj
        from hydroml_jupyter.store import default_store
        from hydroml_jupyter.store.autosaving import writer_for
        # a long settling wait: nothing is saved before the restart unless the exit saves it
        writer_for(default_store()).debounce = 60
        s = hj.open("data.csv", name="cell")
        s.apply("fill_missing", column="x", strategy="value", value=-1.0)
        """,
    )
    km.restart_kernel(now=False)  # what a person's "Restart kernel" does: a shutdown request
    kc.wait_for_ready(timeout=120)
    out = run(
        kc,
        """
        import hydroml_jupyter as hj
        s = hj.session("cell")
        print(s.position, s.df["x"].tolist())
        """,
    )
    assert out.split("\n")[0] == "1 [1.0, -1.0, 3.0]"
