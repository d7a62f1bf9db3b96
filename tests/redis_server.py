"""A real, throw-away redis-server for tests (no fakeredis).

``RedisServer`` starts ``redis-server`` in the foreground (``--daemonize no``) as a
child process on a free loopback port, waits until ``PING`` answers and checks that
``INFO server`` reports the child's pid, so a server that was already listening on the
port is never mistaken for ours (``--daemonize yes`` exits 0 even when the port is
taken). ``stop()`` and ``start()`` again reuse the same port, for outage tests.

If ``redis-server`` is not installed, :func:`require_redis_server` fails the test
(CI installs it: ``apt-get install -y redis-server``); it never skips.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest
import redis

INSTALL_HINT = (
    "redis-server is not on PATH: the Redis store tests need a real server "
    "(apt-get update -qq && apt-get install -y -qq redis-server)"
)


def require_redis_server() -> str:
    """Return the path of redis-server, or fail the calling test (never skip)."""
    path = shutil.which("redis-server")
    if path is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return path


def free_port() -> int:
    """Return a loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server child process; a context manager.

    Parameters
    ----------
    port
        The port; default: a free one.
    """

    def __init__(self, port: int | None = None) -> None:
        self.binary = require_redis_server()
        self.port = port or free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="hydroml-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """The child's pid while it runs."""
        return self.process.pid if self.process else None

    def client(self) -> redis.Redis:
        """Return a plain redis-py client of this server."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start the server on :attr:`port` and wait until it is ours and answers."""
        if self.process is not None:
            raise RuntimeError("redis-server is already running")
        log = Path(self._dir.name) / f"redis-{self.port}.log"
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        args += ["--dir", self._dir.name, "--logfile", str(log), "--protected-mode", "yes"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        client = self.client()
        try:
            while True:
                if self.process.poll() is not None:
                    text = log.read_text(errors="replace") if log.exists() else ""
                    self.process = None
                    raise RuntimeError(f"redis-server exited at start on port {self.port}: {text}")
                try:
                    if client.ping():
                        break
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not answer on port {self.port}")
                time.sleep(0.02)
            served_by = int(client.info("server")["process_id"])
        finally:
            client.close()
        if served_by != self.process.pid:
            self.stop()
            raise RuntimeError(
                f"port {self.port} is served by pid {served_by}, not by our redis-server"
            )
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it to exit."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start again on the same port (the data is gone)."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        if self.process is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def running_server(attempts: int = 3) -> RedisServer:
    """Return a started server, retrying on another port if one was taken meanwhile."""
    error: Exception | None = None
    for _ in range(attempts):
        server = RedisServer()
        try:
            return server.start()
        except RuntimeError as exc:
            server.close()
            error = exc
    raise RuntimeError(f"could not start redis-server: {error}")
