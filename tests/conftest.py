"""Fixtures shared by the store tests: a real Redis server and a store key per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis_server import RedisServer, running_server


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
