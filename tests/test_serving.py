"""A real MLflow scoring server on 127.0.0.1: start, POST rows, compare, stop, port free.

One server (a small registered model, served by its alias) is shared by the module's
tests; the others start their own only where starting is what they test.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from frames import flights

import hydroml_jupyter as hj
from hydroml_jupyter import experiments as ex
from hydroml_jupyter.experiments import ExperimentError
from hydroml_jupyter.experiments.serving import ModelServer, port_is_free, serve
from hydroml_jupyter.experiments.serving_model import ModelCard

pytestmark = pytest.mark.timeout(180)


def rows(n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})


def log_tiny_model(client: Any, experiment_id: str, folder: Path) -> tuple[str, Any]:
    """Fit a small classifier, log it as a run's ``model`` artifact; return the run id and it."""
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    X = rows(80)
    model = LogisticRegression().fit(X, (X["a"] + X["b"] > 0).astype(int))
    mlflow.sklearn.save_model(model, folder, input_example=X.head(3), pip_requirements=[])
    run_id = client.create_run(experiment_id).info.run_id
    client.log_artifacts(run_id, str(folder), "model")
    client.set_terminated(run_id)
    return run_id, model


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real sqlite store with a small model logged in a run, registered as tiny@champion."""
    from mlflow import MlflowClient

    root = tmp_path_factory.mktemp("serving")
    uri = f"sqlite:///{root}/mlflow.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mp.setenv("XDG_CONFIG_HOME", str(root / "config"))
        client = MlflowClient(uri)
        experiment = client.create_experiment("serving", (root / "mlruns").as_uri())
        run_id, model = log_tiny_model(client, experiment, root / "tiny")
        client.create_registered_model("tiny")
        version = client.create_model_version("tiny", f"runs:/{run_id}/model", run_id=run_id)
        client.set_registered_model_alias("tiny", "champion", version.version)
        yield {"uri": uri, "run_id": run_id, "model": model, "root": root, "client": client}


@pytest.fixture(scope="module")
def server(store: dict[str, Any]) -> Iterator[ModelServer]:
    with serve("models:/tiny@champion") as srv:
        yield srv


def listening_address(port: int) -> str:
    """The local address of the socket listening on ``port`` (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":
            return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    raise AssertionError(f"nothing listens on {port}")


def post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["predictions"]


def test_the_server_scores_rows_as_the_model_does(
    server: ModelServer, store: dict[str, Any]
) -> None:
    frame = rows(25, seed=1)
    expected = store["model"].predict(frame)
    assert server.running and server.url == f"http://127.0.0.1:{server.port}"
    assert listening_address(server.port) == "127.0.0.1"
    got = server.predict(frame)
    assert isinstance(got, np.ndarray) and got.tolist() == expected.tolist()
    assert 0 < expected.sum() < len(expected)
    records = {"dataframe_records": frame.to_dict(orient="records")}
    assert post(f"{server.url}/invocations", records) == expected.tolist()


def test_requests_to_the_server_skip_a_proxy(
    server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    urllib.request.install_opener(None)  # urlopen's next opener reads the proxy settings
    try:
        assert len(server.predict(rows(3))) == 3
    finally:
        urllib.request.install_opener(None)


def test_the_curl_line_runs_as_printed(server: ModelServer, store: dict[str, Any]) -> None:
    argv = shlex.split(server.curl)
    assert argv[:2] == ["curl", "-s"] and f"{server.url}/invocations" in argv
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    example = pd.DataFrame(**json.loads(argv[-1])["dataframe_split"])
    assert len(example) == 2 and list(example.columns) == ["a", "b", "c"]
    assert json.loads(done.stdout)["predictions"] == store["model"].predict(example).tolist()


def test_rows_the_model_refuses_give_one_line_naming_the_column(server: ModelServer) -> None:
    with pytest.raises(ExperimentError) as info:
        server.predict(rows(3).drop(columns="c"))
    assert str(info.value) == "the server refused the rows: Model is missing inputs ['c']."
    text = rows(2).assign(a=["x", "1.5"])
    with pytest.raises(ExperimentError) as info:
        server.predict(text)
    assert str(info.value).startswith(
        "the server refused the rows: Failed to convert column a to type 'float64'. "
    )
    assert "could not convert string to float: 'x'" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_log_repr_and_html(server: ModelServer) -> None:
    assert "/ping" in server.log and "Uvicorn running on http://127.0.0.1" in server.log
    assert repr(server) == (
        f"<ModelServer 'models:/tiny@champion' at {server.url} running pid={server.pid}>"
    )
    page = server._repr_html_()
    assert "models:/tiny@champion" in page and "Content-Type: application/json" in page


def test_text_in_the_display_and_the_curl_line_is_quoted() -> None:
    odd = "x'<script>&\"\u2028"
    card = ModelCard("models:/a<script>'&", ("python_function",), (odd,))
    server = ModelServer(card, 5999, "sqlite:///x.db")
    body = json.loads(shlex.split(server.curl)[-1])
    assert body == {"dataframe_split": {"columns": [odd], "data": [[None]]}}
    assert server.curl.isascii()
    page = server._repr_html_()
    assert "<script>" not in page and "a&lt;script&gt;&#x27;&amp;" in page and "stopped" in page
    assert repr(server) == ('<ModelServer "models:/a<script>\'&" at http://127.0.0.1:5999 stopped>')
    server.stop()


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("models:/nope@champion", "Registered Model with name=nope not found"),
        ("models:/tiny@nope", "alias nope not found"),
        ("models:/tiny/7", r"Model Version \(name=tiny, version=7\) not found"),
        ("models:/m-0123456789abcdef", "Logged model with ID 'm-0123456789abcdef' not found"),
        ("runs:/0123456789abcdef/model", "Run with id=0123456789abcdef not found"),
        ("/no/such/model", "no MLmodel file in /no/such/model"),
    ],
)
def test_a_bad_model_uri_is_refused_at_once(store: dict[str, Any], uri: str, why: str) -> None:
    # Refused with the cause, before any process is started (the message says so).
    with pytest.raises(ExperimentError, match=rf"^cannot serve '{uri}': .*{why}"):
        serve(uri)


def test_a_taken_or_bad_port_is_refused_at_once(store: dict[str, Any]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(ExperimentError, match=rf"^port {port} on 127.0.0.1 is in use$"):
            serve("models:/tiny@champion", port)
    for bad in (0, 70000, True, "5000"):
        with pytest.raises(ExperimentError, match=r"^port must be a whole number from 1 to 65535"):
            serve("models:/tiny@champion", bad)  # type: ignore[arg-type]


def test_a_server_that_dies_says_why(tmp_path: Path, store: dict[str, Any]) -> None:
    import mlflow.pyfunc

    (tmp_path / "data.txt").write_text("x")
    folder = tmp_path / "broken"
    data = tmp_path / "data.txt"
    mlflow.pyfunc.save_model(
        folder, loader_module="hydroml_no_such_loader", data_path=data, pip_requirements=[]
    )
    with pytest.raises(ExperimentError) as info:
        serve(str(folder), timeout=120)
    message = str(info.value)  # the process's exit is seen: not a timeout
    assert message.startswith(f"the server for '{folder}' exited (code 1) before it was ready: ")
    assert "ModuleNotFoundError: No module named 'hydroml_no_such_loader'" in message
    assert "\n" not in message


@pytest.fixture(scope="module")
def run(store: dict[str, Any]) -> Iterator[ex.TrainingRun]:
    """A tracked hydroml run on a session whose recipe renames, fills and filters rows."""
    s = hj.Session(flights(200, seed=0, ids=False, gap_every=7), name="serving-flights")
    s.apply("rename", columns={"dep_delay": "delay"})
    s.apply("fill_missing", column="delay", strategy="value", value=0.0)
    s.apply("filter_rows", column="distance", op=">=", value=150)
    handle = ex.train(s, "late", model="logistic_regression", tracking_uri=store["uri"])
    assert handle.wait(120) == "completed", handle.logs
    yield handle
    s.close()


def test_a_run_served_next_to_another_answers_as_run_predict_and_stops_clean(
    server: ModelServer, run: ex.TrainingRun
) -> None:
    raw = flights(40, seed=3).drop(columns="late")
    expected = run.predict(raw)
    assert len(expected) < len(raw) and set(expected) == {"yes", "no"}
    with run.serve() as served:
        assert served.model_uri == run.model_uri and served.port != server.port
        assert listening_address(served.port) == "127.0.0.1"
        pgid = served.pid
        assert pgid is not None and os.getpgid(pgid) == pgid != os.getpgid(0)
        got = served.predict(raw)
        assert isinstance(got, pd.Series) and got.name == "late"
        assert got.tolist() == expected.tolist()
        whole = raw[raw["distance"] >= 150]
        assert served.predict(whole).index.equals(whole.index)
        records = {"dataframe_records": json.loads(raw.to_json(orient="records"))}
        answer = post(f"{served.url}/invocations", records)
        assert answer == [{"late": v} for v in expected]
        curl = subprocess.run(shlex.split(served.curl), capture_output=True, check=True)
        assert {p["late"] for p in json.loads(curl.stdout)["predictions"]} <= {"yes", "no"}
        assert server.running and len(server.predict(rows(4))) == 4
        folder = served._folder
        assert folder is not None and folder.is_dir()
    assert not served.running and served.pid is None and not folder.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    assert port_is_free(served.port)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", served.port)).close()
    assert "Finished server process" in served.log
    served.stop()
    assert "stopped" in repr(served) and server.running


def test_a_run_without_a_tracked_model_is_not_served(store: dict[str, Any]) -> None:
    untracked = ex.train(flights(60, seed=4), "late", model="logistic_regression", track=False)
    assert untracked.wait(60) == "completed"
    with pytest.raises(ExperimentError, match=r"has no model to serve: it was not tracked$"):
        untracked.serve()
    pending = ex.TrainingRun("not started", "ridge", "regression", "y")
    with pytest.raises(ExperimentError, match=r"^not started has no model to serve: it is pending"):
        pending.serve()


@pytest.mark.parametrize("end", ["exit", "kill"])
def test_the_server_ends_with_its_process(store: dict[str, Any], end: str) -> None:
    """At a normal exit the exit hook stops it; a process killed outright takes it along."""
    script = textwrap.dedent(
        """
        import sys
        from hydroml_jupyter.experiments.serving import serve
        srv = serve("models:/tiny@champion")
        print(srv.port, srv.pid, srv._folder, flush=True)
        sys.stdin.readline()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    port_text, pid_text, folder = child.stdout.readline().split()
    port, pid = int(port_text), int(pid_text)
    assert not port_is_free(port) and os.getpgid(pid) == pid
    if end == "kill":
        child.kill()
    else:
        child.stdin.close()
    assert child.wait(30) == (-9 if end == "kill" else 0)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    assert port_is_free(port)
    # the exit hook removes the server's temporary folder; a killed process cannot
    assert Path(folder).exists() == (end == "kill")
    shutil.rmtree(folder, ignore_errors=True)
