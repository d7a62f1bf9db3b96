"""The REST view: a real `jupyter server` with the extension, called over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from redis_server import free_port

from hydroml_jupyter.engine import Session
from hydroml_jupyter.store import DiskStore, persist
from hydroml_jupyter.store.disk import folder_name

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyter-config" / "jupyter_server_config.d" / "hydroml_jupyter.json"
TOKEN = "hydroml-test-token"
KEY = "server test key"


@dataclass
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path


def build_sessions(root: Path) -> None:
    """Store sessions the way a kernel in ``root`` would (default disk store)."""
    store = DiskStore(root / ".hydroml", key=KEY.encode())
    frame = pd.DataFrame(
        {
            "price": [10.0, None, 30.0, 40.0],
            "city": pd.Series([" Paris", "Lyon", None, "Lyon"], dtype="str"),
        }
    )
    s = Session(frame, name="cleaning")
    s.apply("fill_missing", column="price", strategy="median")
    s.apply("text", column="city", action="strip")
    s.apply("filter_rows", column="price", op=">", value=15.0)
    s.undo()
    persist.save(s, store)
    s.close()
    t = Session(frame, name="team/a b")
    persist.save(t, store)
    t.close()
    u = Session(frame, name="tampered")
    persist.save(u, store)
    u.close()
    manifest = store.root / folder_name("tampered") / "manifest.json"
    data = bytearray(manifest.read_bytes())
    data[-5] ^= 0x20
    manifest.write_bytes(bytes(data))
    sub = DiskStore(root / "notebooks" / ".hydroml", key=KEY.encode())
    v = Session(frame, name="in-a-folder")
    persist.save(v, sub)
    v.close()


@contextlib.contextmanager
def running_server(base: Path, root: Path, **env_extra: str) -> Iterator[Server]:
    """A real ``jupyter server`` over ``root`` with the shipped config; stopped at the end."""
    config = base / "config"
    (config / "jupyter_server_config.d").mkdir(parents=True)
    shutil.copy(CONFIG, config / "jupyter_server_config.d" / CONFIG.name)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "XDG_CONFIG_HOME": str(base / "xdg"),
        "HYDROML_STORE_KEY": KEY,
        **env_extra,
    }
    env.pop("HYDROML_STORE", None)
    env.pop("JUPYTER_PATH", None)
    port = free_port()
    log = base / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={TOKEN}",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=base,
        )
    srv = Server(f"http://127.0.0.1:{port}", root, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter server exited:\n{log.read_text()[-3000:]}")
            try:
                status, _ = get(srv, "/api/status")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield srv
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("jupyter")
    root = base / "root"
    (root / "notebooks").mkdir(parents=True)
    build_sessions(root)
    with running_server(base, root) as srv:
        yield srv


def get(srv: Server, path: str, token: str | None = TOKEN) -> tuple[int, dict]:
    request = urllib.request.Request(srv.url + path)
    if token is not None:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body.decode("utf-8", "replace")}


def quoted(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def test_the_extension_is_loaded_from_the_shipped_config_file(server: Server) -> None:
    assert "hydroml_jupyter: session view at /hydroml/api/sessions" in server.log.read_text()


def test_list_needs_the_token(server: Server) -> None:
    status, _ = get(server, "/hydroml/api/sessions", token=None)
    assert status in (401, 403)
    status, _ = get(server, "/hydroml/api/sessions", token="wrong")
    assert status in (401, 403)
    for part in ("", "/history", "/code", "/summary"):
        status, _ = get(server, f"/hydroml/api/sessions/cleaning{part}", token=None)
        assert status in (401, 403), part


def test_list(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions")
    assert status == 200, body
    assert body["stores"] == [
        {"dir": "", "store": (server.root / ".hydroml").as_uri(), "problem": None},
        {
            "dir": "notebooks",
            "store": (server.root / "notebooks/.hydroml").as_uri(),
            "problem": None,
        },
    ]
    by_name = {s["name"]: s for s in body["sessions"]}
    assert by_name["cleaning"]["shape"] == [4, 2] and by_name["cleaning"]["problem"] is None
    assert by_name["cleaning"]["version"] == 4 and by_name["cleaning"]["bytes"] > 0
    assert by_name["team/a b"]["problem"] is None and by_name["team/a b"]["dir"] == ""
    assert [s for s in body["sessions"] if s["problem"]]  # the tampered one, unnamed
    assert by_name["in-a-folder"]["dir"] == "notebooks"


def test_one_session(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions/cleaning")
    assert status == 200, body
    assert body["status"] == "stored"
    assert (body["shape"], body["version"], body["steps"], body["position"]) == ([4, 2], 4, 3, 2)
    assert body["parent"] is None and body["source"] is None
    assert body["created"] <= body["updated"] and body["created"].endswith("+00:00")


def test_history_code_and_summary(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions/cleaning/history")
    assert status == 200, body
    steps = body["steps"]
    assert [s["op"] for s in steps] == ["original", "fill_missing", "text", "filter_rows"]
    assert [s["state"] for s in steps] == ["", "", "current", "undone"]
    assert steps[1]["params"]["strategy"] == "median" and steps[3]["shape"] == [3, 2]
    status, body = get(server, "/hydroml/api/sessions/cleaning/code")
    assert status == 200, body
    assert "fillna" in body["code"] and "strip" in body["code"] and "15.0" not in body["code"]
    status, body = get(server, "/hydroml/api/sessions/cleaning/summary")
    assert status == 200, body
    assert body["shape"] == [4, 2]
    price, city = body["columns"]
    assert (price["name"], price["nulls"], price["min"], price["max"]) == ("price", 0, 10.0, 40.0)
    assert city["top"][0] == ["Lyon", 2]


def test_names_are_url_encoded(server: Server) -> None:
    status, body = get(server, f"/hydroml/api/sessions/{quoted('team/a b')}")
    assert status == 200, body
    assert body["name"] == "team/a b"


def test_unknown_and_unreadable_sessions(server: Server) -> None:
    for part in ("", "/history", "/code", "/summary"):
        status, body = get(server, f"/hydroml/api/sessions/nope{part}")
        assert status == 404, (part, body)
        assert body["message"] == "no session named 'nope' in the stores of the root, 'notebooks'"
    status, body = get(server, "/hydroml/api/sessions/nope?dir=notebooks")
    where = (server.root / "notebooks" / ".hydroml").as_uri()
    assert (status, body["message"]) == (404, f"no session named 'nope' in {where}")
    status, body = get(server, "/hydroml/api/sessions/tampered")
    assert status == 422, body
    assert body["message"].startswith("session 'tampered': stored data failed its integrity")


def test_dir_picks_a_notebook_folder_inside_the_root(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions?dir=notebooks")
    assert status == 200, body
    assert [s["name"] for s in body["sessions"]] == ["in-a-folder"]
    status, body = get(server, "/hydroml/api/sessions/in-a-folder/summary?dir=notebooks")
    assert status == 200 and body["shape"] == [4, 2] and body["dir"] == "notebooks"
    for outside in ("..", "../..", "/etc", "missing"):
        status, body = get(server, f"/hydroml/api/sessions?dir={quoted(outside)}")
        assert status == 404, (outside, body)
