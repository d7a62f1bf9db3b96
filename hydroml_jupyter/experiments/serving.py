"""A real local scoring server for a model: MLflow's, in a background process on 127.0.0.1.

:func:`serve` (and ``run.serve()``) runs, as a child of this Python::

    python -m mlflow models serve -m URI --env-manager local -h 127.0.0.1 -p PORT -w 1

which starts MLflow's scoring server (FastAPI on uvicorn) with this
environment's packages, and waits until ``/ping`` answers. The handle it
returns (:class:`ModelServer`) has the server's ``url``, a ready-to-copy
``curl`` line, ``predict(frame)``, ``stop()`` and the server's ``log``.

Process
-------
- The server only ever binds to 127.0.0.1.
- The child gets ``MLFLOW_TRACKING_URI`` (so ``runs:/`` and ``models:/`` URIs
  resolve in the same store), ``MLFLOW_DISABLE_TELEMETRY=true``, and this
  environment's ``bin`` folder first on ``PATH``: MLflow starts ``uvicorn`` by
  name, which fails in a kernel whose virtual environment is not activated.
- It starts in its own process group (``stop`` ends the group: the MLflow
  command and the uvicorn it starts), and it does not outlive this process:
  every server still running is stopped at exit, and on Linux a server
  started from the main thread also gets ``SIGTERM`` when this process dies
  without running its exit hooks (``SIGKILL``, a crash).
- Its output goes to a file in a temporary folder (``TMPDIR`` of the child,
  so MLflow's copy of the model is there too); ``stop`` removes the folder and
  keeps the log's last lines.

Starting takes about 6-10 s on two cores shared with other work (two Python
starts that import MLflow, then the model's load), stopping about 2 s
(uvicorn's graceful shutdown). Starting uvicorn on MLflow's scoring app
directly would save one of the Python starts (about 4 s), but only through
MLflow's private names; the command above is MLflow's documented one, the
same a registered model is served with outside Jupyter.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.serving_model import ModelCard, inspect_model, request_body
from hydroml_jupyter.experiments.serving_process import (
    HOST,
    cause,
    die_with_parent,
    free_port,
    port_is_free,
    refusal,
    tail,
    wait_group,
)
from hydroml_jupyter.messages import first_line

__all__ = ["HOST", "ModelServer", "port_is_free", "serve", "serve_run"]

#: Seconds :func:`serve` waits for the server to answer ``/ping``.
START_SECONDS = 120.0
_LIVE: set[ModelServer] = set()
_LIVE_LOCK = threading.Lock()
_watching: list[bool] = []
#: Requests to the server never go through a proxy that ``$http_proxy`` may name.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _stop_all() -> None:
    """Stop every server still running (registered with :mod:`atexit` by the first start)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for server in live:
        server.stop(timeout=3.0)


def _remember(server: ModelServer) -> None:
    with _LIVE_LOCK:
        if not _watching:
            atexit.register(_stop_all)
            _watching.append(True)
        _LIVE.add(server)


class ModelServer:
    """A scoring server for one model, in a background process on 127.0.0.1.

    Made by :func:`serve` or ``run.serve()``, already answering. Use it as a context
    manager to stop it on leaving the block.

    Attributes
    ----------
    model_uri
        The model served.
    port
        Its port on 127.0.0.1.
    tracking_uri
        The MLflow store the model URI is resolved in.
    """

    def __init__(self, card: ModelCard, port: int, tracking_uri: str) -> None:
        self.model_uri = card.uri
        self.port = port
        self.tracking_uri = tracking_uri
        self.card = card
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._folder: Path | None = None
        self._log_path: Path | None = None
        self._last_log = ""

    # -- what it is --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    @property
    def command(self) -> list[str]:
        """The command the server runs (``sys.executable -m mlflow models serve ...``)."""
        return [sys.executable, "-m", "mlflow", "models", "serve", "-m", self.model_uri,
                "--env-manager", "local", "-h", HOST, "-p", str(self.port), "-w", "1"]  # fmt: skip

    @property
    def curl(self) -> str:
        """A shell line that POSTs the model's example rows to ``/invocations``."""
        body = json.dumps(request_body(self.card), ensure_ascii=True, separators=(",", ":"))
        return (
            f"curl -s -X POST {self.url}/invocations "
            f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
        )

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group), while it runs."""
        return self._proc.pid if self.running and self._proc is not None else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        proc = self._proc
        return proc is not None and proc.poll() is None

    @property
    def log(self) -> str:
        """The last 40 lines the server wrote (kept after :meth:`stop`)."""
        path = self._log_path
        return tail(path, 40) if path is not None and path.exists() else self._last_log

    # -- lifecycle ---------------------------------------------------------------------
    def _start(self, timeout: float) -> None:
        folder = Path(tempfile.mkdtemp(prefix="hydroml-serve-"))
        self._folder, self._log_path = folder, folder / "server.log"
        bin_dir = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            "MLFLOW_TRACKING_URI": self.tracking_uri,
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
            "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": str(folder),
        }
        try:
            with self._log_path.open("wb") as out:
                self._proc = subprocess.Popen(
                    self.command,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=die_with_parent(),  # noqa: PLW1509 - only prctl and getppid run
                )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _remember(self)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        proc = self._proc
        assert proc is not None
        while True:
            code = proc.poll()
            if code is not None:
                raise ExperimentError(
                    f"the server for {self.model_uri!r} exited (code {code}) before it was "
                    f"ready: {cause(self.log)}"
                )
            with (
                contextlib.suppress(OSError),
                _OPENER.open(f"{self.url}/ping", timeout=2) as reply,
            ):
                if reply.status == 200:
                    return
            if time.monotonic() > deadline:
                raise ExperimentError(
                    f"the server for {self.model_uri!r} did not answer within {timeout:g} s: "
                    f"{cause(self.log)}"
                )
            time.sleep(0.15)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server's process group and wait for it; nothing happens if stopped already.

        The group gets ``SIGTERM``, then ``SIGKILL`` after ``timeout`` seconds.
        """
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            wait_group(proc.pid, timeout)
            if self._log_path is not None:
                self._last_log = tail(self._log_path, 40)
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = self._log_path = None
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- scoring -----------------------------------------------------------------------
    def predict(self, frame: pd.DataFrame | Any, timeout: float = 60.0) -> Any:
        """POST rows to ``/invocations`` (``dataframe_split``) and return the predictions.

        Parameters
        ----------
        frame
            A DataFrame, or anything ``pd.DataFrame`` takes (a list of row dicts).
        timeout
            Seconds to wait for the answer.

        Returns
        -------
        numpy.ndarray, pandas.Series or pandas.DataFrame
            What the model answers: an array of values, or, for named values, a Series
            (one name, e.g. a hydroml run's target) or a frame. Named values are on the
            rows' index when the model kept every row (a run's recipe may filter rows).

        Raises
        ------
        ExperimentError
            When the server refuses the rows (its message, one line) or does not answer.
        """
        rows = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
        split = rows.to_json(orient="split", index=False, date_format="iso", date_unit="us")
        data = f'{{"dataframe_split": {split}}}'.encode()
        request = urllib.request.Request(
            f"{self.url}/invocations",
            data=data,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with _OPENER.open(request, timeout=timeout) as reply:
                answer = json.loads(reply.read())
        except urllib.error.HTTPError as e:
            raise ExperimentError(f"the server refused the rows: {refusal(e)}") from e
        except OSError as e:
            raise ExperimentError(
                f"the server at {self.url} did not answer: {first_line(e)}"
            ) from e
        predictions = answer.get("predictions") if isinstance(answer, dict) else answer
        if not (isinstance(predictions, list) and predictions and isinstance(predictions[0], dict)):
            return np.asarray(predictions)
        # the model's rows are the input's when it kept them all (a recipe may filter rows)
        index = rows.index if len(predictions) == len(rows) else None
        table = pd.DataFrame(predictions, index=index)
        return table.iloc[:, 0] if table.shape[1] == 1 else table

    # -- display -----------------------------------------------------------------------
    def __repr__(self) -> str:
        state = f"running pid={self.pid}" if self.running else "stopped"
        return f"<ModelServer {self.model_uri!r} at {self.url} {state}>"

    def _repr_html_(self) -> str:
        e = html.escape
        state = "running" if self.running else "stopped"
        log = self.log
        return (
            f"<div class='hydroml-server'><b>Model server</b> ({e(state)}) for "
            f"<code>{e(self.model_uri)}</code> at <code>{e(self.url)}/invocations</code>"
            f"<pre style='white-space:pre-wrap'>{e(self.curl)}</pre>"
            f"<details><summary>log</summary><pre>{e(log)}</pre></details></div>"
        )


def serve(
    model_uri: str,
    port: int | None = None,
    *,
    tracking_uri: str | None = None,
    timeout: float = START_SECONDS,
) -> ModelServer:
    """Start MLflow's scoring server for ``model_uri`` on 127.0.0.1 and wait until it answers.

    Parameters
    ----------
    model_uri
        Any pyfunc model: ``models:/<model_id>``, ``models:/<name>@<alias>``,
        ``models:/<name>/<version>``, ``runs:/<run_id>/<path>`` or a model folder.
    port
        The port; ``None`` picks a free one.
    tracking_uri
        The MLflow store (default: ``$MLFLOW_TRACKING_URI`` or ``sqlite:///mlflow.db``).
    timeout
        Seconds to wait for the server to answer ``/ping``.

    Returns
    -------
    ModelServer
        The running server.

    Raises
    ------
    ExperimentError
        At once when the model is not found or cannot be served, or the port is taken;
        when the server exits before it answers (quoting its log), or does not answer
        within ``timeout``.
    """
    from hydroml_jupyter.experiments.presets import resolve_tracking_uri

    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
    ):
        raise ExperimentError(f"port must be a whole number from 1 to 65535, not {port!r}")
    uri = resolve_tracking_uri(tracking_uri)
    card = inspect_model(model_uri, uri)
    if port is not None and not port_is_free(port):
        raise ExperimentError(f"port {port} on {HOST} is in use")
    server = ModelServer(card, port if port is not None else free_port(), uri)
    server._start(timeout)
    return server


def serve_run(run: Any, port: int | None = None) -> ModelServer:
    """Serve a completed, tracked run's model (``run.model_uri``) in its own store."""
    if run.status != "completed" or not run.model_uri:
        why = "it was not tracked" if run.status == "completed" else f"it is {run.status}"
        raise ExperimentError(f"{run.name} has no model to serve: {why}")
    return serve(str(run.model_uri), port, tracking_uri=run.tracking_uri)
