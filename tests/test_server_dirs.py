"""The REST view finds the sessions of the notebooks it serves, in whatever folder they are.

A real `jupyter server` over a root whose notebooks saved sessions in their own folders
(``.hydroml`` beside each notebook, as kernels do by default), with hidden folders,
links out of the root and link loops around them.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from test_server import KEY, TOKEN, Server, get, quoted, running_server

from hydroml_jupyter.engine import Session
from hydroml_jupyter.server import stores
from hydroml_jupyter.store import DiskStore, persist

DEEP = "a/b/c/d/e"  # five levels down: past the search, found through a running kernel


def store_sessions(folder: Path, *names: str) -> None:
    """Save sessions the way a kernel working in ``folder`` does (its ``.hydroml``)."""
    store = DiskStore(folder / ".hydroml", key=KEY.encode())
    for name in names:
        s = Session(pd.DataFrame({"x": [1.0, 2.0]}), name=name)
        s.apply("filter_rows", column="x", op=">", value=1.0)
        persist.save(s, store)
        s.close()


def build_tree(base: Path) -> Path:
    root = base / "root"
    store_sessions(root, "at-root", "twin")
    store_sessions(root / "notebooks", "in-notebooks", "twin")
    store_sessions(root / "a/b/c/d", "four-down")
    store_sessions(root / DEEP, "five-down")
    store_sessions(root / ".hidden", "hidden")
    store_sessions(base / "elsewhere", "outside-the-root")
    (root / "outside").symlink_to(base / "elsewhere")
    (root / "linked").symlink_to(root / "notebooks")
    (root / "spin").symlink_to(root / "spin")
    (root / "ping").symlink_to(root / "pong")
    (root / "pong").symlink_to(root / "ping")
    (root / "notebooks" / "up").symlink_to(root)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("jupyter-dirs")
    with running_server(base, build_tree(base)) as srv:
        yield srv


def call(srv: Server, path: str, method: str, body: dict | None = None) -> tuple[int, dict]:
    """Call the server's own REST API with the token."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(srv.url + path, data=data, method=method)
    request.add_header("Authorization", f"token {TOKEN}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    return status, json.loads(raw) if raw else {}


def listed(srv: Server, query: str = "") -> dict[str, list[str]]:
    status, body = get(srv, "/hydroml/api/sessions" + query)
    assert status == 200, body
    out: dict[str, list[str]] = {}
    for session in body["sessions"]:
        out.setdefault(session["name"], []).append(session["dir"])
    return out


def test_sessions_of_notebooks_in_folders_are_listed_with_their_folder(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions")
    assert status == 200, body
    assert listed(server) == {
        "at-root": [""],
        "twin": ["", "notebooks"],
        "in-notebooks": ["notebooks"],
        "four-down": ["a/b/c/d"],
    }
    assert [s["dir"] for s in body["stores"]] == ["", "a/b/c/d", "notebooks"]
    # the root, a, notebooks, a/b, a/b/c, a/b/c/d: no hidden folder, no link followed
    assert body["searched"] == {"folders": 6, "complete": True}


def test_one_session_is_found_in_its_folder_without_dir(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions/in-notebooks")
    assert status == 200, body
    assert (body["dir"], body["steps"], body["shape"]) == ("notebooks", 1, [1, 1])
    for part in ("history", "code", "summary"):
        status, body = get(server, f"/hydroml/api/sessions/four-down/{part}")
        assert status == 200 and body["dir"] == "a/b/c/d", (part, body)


def test_a_name_stored_in_two_folders_needs_dir(server: Server) -> None:
    status, body = get(server, "/hydroml/api/sessions/twin")
    assert status == 409, body
    assert body["message"] == (
        "session 'twin' is stored in 2 folders (the root, 'notebooks'): add ?dir=FOLDER to pick one"
    )
    status, body = get(server, "/hydroml/api/sessions/twin/code?dir=notebooks")
    assert status == 200 and body["dir"] == "notebooks", body
    status, body = get(server, "/hydroml/api/sessions/twin?dir=.")
    assert status == 200 and body["dir"] == "", body


def test_dir_follows_a_link_inside_the_root(server: Server) -> None:
    assert listed(server, "?dir=linked") == {"in-notebooks": ["notebooks"], "twin": ["notebooks"]}
    assert listed(server, "?dir=notebooks/up/notebooks/up") == {"at-root": [""], "twin": [""]}


BAD_DIRS = {
    "x" * 300: 404,
    "a/" * 150: 404,
    "notebooks/" + "y" * 300 + "/z": 404,
    "spin": 404,  # a link to itself
    "ping/inside": 404,  # ping -> pong -> ping
    "outside": 404,  # a link out of the root
    "linked/../..": 404,
    "/etc": 404,
    "x" * 2000: 400,
}


def test_a_bad_dir_answers_4xx_never_500(server: Server) -> None:
    answers = {}
    for folder in BAD_DIRS:
        for path in ("", "/in-notebooks", "/in-notebooks/summary"):
            status, body = get(server, f"/hydroml/api/sessions{path}?dir={quoted(folder)}")
            answers[folder[:20], path] = (status, "message" in body)
    assert answers == {
        (folder[:20], path): (status, True)
        for folder, status in BAD_DIRS.items()
        for path in ("", "/in-notebooks", "/in-notebooks/summary")
    }
    assert "Traceback" not in server.log.read_text()


def test_the_folders_of_running_kernels_are_read_at_any_depth(server: Server) -> None:
    assert "five-down" not in listed(server)
    status, model = call(
        server,
        "/api/sessions",
        "POST",
        {
            "path": f"{DEEP}/deep.ipynb",
            "type": "notebook",
            "name": "deep.ipynb",
            "kernel": {"name": "python3"},
        },
    )
    assert status == 201, model
    try:
        assert listed(server)["five-down"] == [DEEP]
        status, body = get(server, "/hydroml/api/sessions/five-down")
        assert status == 200 and body["dir"] == DEEP, body
    finally:
        status, _ = call(server, f"/api/sessions/{model['id']}", "DELETE")
        assert status == 204
    assert "five-down" not in listed(server)


# -- the search itself, without a server --------------------------------------------------
def test_the_search_visits_a_bounded_number_of_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(6):
        (tmp_path / f"f{i}" / ".hydroml").mkdir(parents=True)
    scan = stores.Scan()
    assert len(stores.find_stores(tmp_path, spec="disk", scan=scan)) == 6
    assert (scan.folders, scan.complete) == (7, True)
    monkeypatch.setattr(stores, "MAX_FOLDERS", 4)
    scan = stores.Scan()
    found = stores.find_stores(tmp_path, spec="disk", scan=scan)
    assert [s.dir for s in found] == ["f0", "f1", "f2"]
    assert (scan.folders, scan.complete) == (4, False)


def test_a_store_every_kernel_shares_is_read_alone(tmp_path: Path) -> None:
    (tmp_path / "notebooks" / ".hydroml").mkdir(parents=True)
    shared = tmp_path / "shared"
    (found,) = stores.find_stores(tmp_path / "notebooks", spec=str(shared))
    assert found.dir is None and found.store.uri == shared.as_uri()
    assert stores.find_stores(tmp_path, spec="sessions") == []
    os.mkdir(tmp_path / "notebooks" / "sessions")
    (found,) = stores.find_stores(tmp_path, spec="sessions")
    assert found.dir == "notebooks" and found.store.root.name == "sessions"
