"""Shared fixtures: a real Redis server, store keys, and an IPython shell with the magics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from redis_server import RedisServer, running_server
from traitlets.config import Config


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
    monkeypatch.setenv("HYDROML_STORE_KEY", "store test key")


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
        mp.setenv("HYDROML_STORE_KEY", "magics test key")
        yield


def magics_shell() -> InteractiveShell:
    """A real IPython shell, history off, with ``%load_ext hydroml_jupyter`` run."""
    config = Config()
    config.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "hydroml_jupyter")
    return ip
