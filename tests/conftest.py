"""Shared fixtures: a real Redis server, store keys, and an IPython shell with the magics."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from redis_server import RedisServer, running_server
from traitlets.config import Config

from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.extension import context_of
from hydroml_jupyter.widgets.dispatch import Dispatcher


@pytest.fixture(autouse=True)
def _close_new_sessions() -> Iterator[None]:
    """Close the sessions a test opened, so the next test starts with only its own."""
    from hydroml_jupyter.engine import registry

    before = set(registry.sessions())
    yield
    for name, session in registry.sessions().items():
        if name not in before:
            session.close()


@pytest.fixture
def store_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the store key and config folder at this test's own values."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HYDROML_STORE_KEY", "store test key, 16 bytes or more")


@pytest.fixture(scope="session")
def server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, checked by pid."""
    srv = running_server()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture(scope="module")
def magics_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Sessions a magics module opens are saved in a temporary folder, never in the checkout."""
    folder = tmp_path_factory.mktemp("magics-store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HYDROML_STORE", str(folder / "sessions"))
        mp.setenv("XDG_CONFIG_HOME", str(folder / "config"))
        mp.setenv("HYDROML_STORE_KEY", "magics test key, 16 bytes or more")
        yield


def hydroml(shell: InteractiveShell, line: str) -> tuple[object, str]:
    """Run ``%hydroml line``; return its value and what it printed."""
    with capture_output() as cap:
        value = shell.run_line_magic("hydroml", line)
    return value, cap.stdout


def magics_shell() -> InteractiveShell:
    """A real IPython shell, history off, with ``%load_ext hydroml_jupyter`` run."""
    config = Config()
    config.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "hydroml_jupyter")
    return ip


@pytest.fixture(scope="module")
def shell(magics_env: None) -> Iterator[InteractiveShell]:
    """A module's IPython shell with the magics loaded, sessions saved in a temporary store."""
    ip = magics_shell()
    yield ip
    ip.run_line_magic("unload_ext", "hydroml_jupyter")


@pytest.fixture
def ctx(shell: InteractiveShell) -> Iterator[Context]:
    """The magics' state, reset; variables a test binds are dropped after it."""
    context = context_of(shell)
    assert context is not None
    names = set(shell.user_ns)
    context.current = None
    context.marks.clear()
    context.config.autodisplay = False
    context.config.code_cell = True
    yield context
    for name in set(shell.user_ns) - names:
        del shell.user_ns[name]


@contextlib.contextmanager
def kernel_loop() -> Iterator[Dispatcher]:
    """A dispatcher on an asyncio loop in its own thread, standing in for the kernel's loop."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    ident: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        ident.append(threading.get_ident())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="fake-kernel-loop", daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield Dispatcher(loop, ident[0])
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def loop_thread() -> Iterator[Dispatcher]:
    """The kernel's loop stood in for one test (see :func:`kernel_loop`)."""
    with kernel_loop() as dispatcher:
        yield dispatcher


@pytest.fixture(scope="module")
def module_loop_thread() -> Iterator[Dispatcher]:
    """The kernel's loop stood in for a whole module (see :func:`kernel_loop`)."""
    with kernel_loop() as dispatcher:
        yield dispatcher


@pytest.fixture(scope="module")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One sqlite MLflow tracking store per module (creating its tables takes ~2 s)."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow')}/mlflow.db"


@pytest.fixture
def mlflow_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mlflow_store: str) -> None:
    """Runs track to the module's store; presets and the working folder are the test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_store)
    monkeypatch.chdir(tmp_path)
