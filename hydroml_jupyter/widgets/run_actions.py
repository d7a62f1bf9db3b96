"""``RunActions``: the Register, Serve and Check drift row under a completed run's charts.

The actions call the run handle's own methods (``run.register``, ``run.serve``,
``run.drift``). Each runs on a worker thread of its own (a server takes 6-25 s to
answer, a drift check about a second) and hands its result back to the kernel's event
loop through the view's :class:`~hydroml_jupyter.widgets.dispatch.Dispatcher`, where the
widgets are changed: widgets are never touched from a worker thread. While an action
runs its button is disabled and says so; a failure becomes one line in the row.

Every string shown as HTML (names, paths, URLs, messages) is escaped in :func:`_html`.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets

from hydroml_jupyter.messages import first_line
from hydroml_jupyter.widgets.dispatch import Dispatcher

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle
    from hydroml_jupyter.experiments.serving import ModelServer

__all__ = ["RunActions", "default_model_name", "has_actions"]

log = logging.getLogger("hydroml_jupyter")

_SERVE, _STOP = "Serve", "Stop"


def has_actions(handle: RunHandle) -> bool:
    """Whether ``handle`` gets an actions row: a completed run with a logged model."""
    return handle.status == "completed" and bool(handle.model_uri)


def default_model_name(target: object) -> str:
    """Return a registered model's name made from the run's target.

    Examples
    --------
    >>> default_model_name("churned"), default_model_name("Late arrival (min)")
    ('churned-model', 'late-arrival-min-model')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(target).lower()).strip("-")
    return f"{slug or 'hydroml'}-model"


def _html(text: str, *, kind: str = "message") -> str:
    """Return ``text`` escaped for HTML, in the row's style for ``kind``."""
    body = html.escape(text)
    if kind == "error":
        return f"<span style='color:#b00020'>{body}</span>"
    if kind == "code":
        return f"<pre style='white-space:pre-wrap;margin:2px 0'>{body}</pre>"
    return f"<span>{body}</span>"


class RunActions(ipywidgets.VBox):
    """Register, Serve and Check drift for one completed run with a model.

    Parameters
    ----------
    handle
        The run (``run.model_uri`` set).
    dispatch
        Hands the actions' results to the kernel's event loop (the view's dispatcher).

    Examples
    --------
    >>> RunActions(run, kernel_dispatcher())  # doctest: +SKIP
    """

    def __init__(self, handle: RunHandle, dispatch: Dispatcher) -> None:
        self.handle = handle
        self._dispatch = dispatch
        self._closed = False
        #: The running server, while one runs.
        self.server: ModelServer | None = None
        small, label = ipywidgets.Layout(width="auto"), {"description_width": "initial"}
        self.name = ipywidgets.Text(
            value=default_model_name(handle.target),
            description="Model name",
            layout=small,
            style=label,
        )
        self.alias = ipywidgets.Text(
            value="champion", description="Alias", layout=small, style=label
        )
        self.register_button = ipywidgets.Button(description="Register", icon="bookmark")
        self.serve_button = ipywidgets.Button(description=_SERVE, icon="play")
        self.path = ipywidgets.Text(
            placeholder="new data: a file's path or a session's name",
            description="New data",
            layout=ipywidgets.Layout(width="420px"),
            style=label,
        )
        self.drift_button = ipywidgets.Button(description="Check drift", icon="search")
        #: One line: what the last action did, or why it failed.
        self.message = ipywidgets.HTML("")
        #: The server's URL and curl line, while it runs.
        self.server_info = ipywidgets.HTML("")
        #: The last drift report.
        self.report = ipywidgets.Output()
        self.register_button.on_click(lambda _: self._register())
        self.serve_button.on_click(lambda _: self._toggle_serve())
        self.drift_button.on_click(lambda _: self._check_drift())
        rows = [
            ipywidgets.HBox([self.name, self.alias, self.register_button]),
            ipywidgets.HBox([self.serve_button, self.path, self.drift_button]),
            self.message,
            self.server_info,
            self.report,
        ]
        super().__init__(rows, layout=ipywidgets.Layout(width="100%"))
        self.add_class("hydroml-run-actions")

    @property
    def busy(self) -> bool:
        """Whether an action is running."""
        return any(b.disabled for b in (self.register_button, self.serve_button, self.drift_button))

    # -- the actions (called on the kernel loop) ----------------------------------------
    def _register(self) -> None:
        name, alias = self.name.value.strip(), self.alias.value.strip() or None
        if not name:
            self._say("Register: give the model a name", error=True)
            return

        def done(version: int) -> None:
            tag = f" as {alias}" if alias else ""
            self._say(f"Registered {name} version {version}{tag}: models:/{name}/{version}")

        work = lambda: self.handle.register(name, alias)  # noqa: E731
        self._start(self.register_button, "Registering…", "Register", work, done)

    def _toggle_serve(self) -> None:
        server = self.server
        if server is None:
            start = self.handle.serve
            self._start(
                self.serve_button, "Starting…", _SERVE, start, self._served, even_closed=True
            )
            return
        self.server = None

        def stopped(_: None) -> None:
            self.serve_button.icon = "play"
            self.server_info.value = ""
            self._say(f"Stopped the server at {server.url}")

        self._start(self.serve_button, "Stopping…", _SERVE, server.stop, stopped)

    def _served(self, server: ModelServer) -> None:
        if self._closed:
            threading.Thread(target=server.stop, name="hydroml-serve", daemon=True).start()
            return
        self.server = server
        self.serve_button.description = _STOP
        self.serve_button.icon = "stop"
        self._say(f"Serving {server.model_uri} at {server.url}/invocations")
        self.server_info.value = _html(server.curl, kind="code")

    def _check_drift(self) -> None:
        where = self.path.value.strip()
        if not where:
            self._say("Check drift: give a file's path or a session's name", error=True)
            return
        handle = self.handle

        def work() -> tuple[str, str]:
            report = handle.drift(_load(handle, where))
            return report._repr_html_(), repr(report)

        def done(made: tuple[str, str]) -> None:
            page, text = made
            self.report.outputs = (
                {
                    "output_type": "display_data",
                    "data": {"text/html": page, "text/plain": text},
                    "metadata": {},
                },
            )
            self._say(f"Drift of {where}: {text}")

        self._start(self.drift_button, "Checking…", "Check drift", work, done)

    # -- plumbing ----------------------------------------------------------------------
    def _start(
        self,
        button: ipywidgets.Button,
        busy: str,
        idle: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        even_closed: bool = False,
    ) -> None:
        """Run ``work`` on a worker thread; hand its result to ``done`` on the kernel loop.

        ``done`` is not called once the row is closed, unless ``even_closed`` (a server
        that comes up after the row closed must still be stopped).
        """
        if button.disabled or self._closed:
            return
        button.disabled, button.description = True, busy
        action = idle.lower()

        def finish(ok: bool, value: Any) -> None:
            if self._closed:
                if ok and even_closed:
                    done(value)
                return
            button.disabled = False
            if button.description == busy:
                button.description = idle
            if ok:
                done(value)
            else:
                self._say(f"{idle} failed: {value}", error=True)

        def run() -> None:
            try:
                value = work()
            except Exception as exc:  # every failure is a line in the row
                log.debug("the %s action of %s failed", action, self.handle.name, exc_info=True)
                self._dispatch(finish, False, first_line(exc))
                return
            self._dispatch(finish, True, value)

        threading.Thread(target=run, name=f"hydroml-{action}", daemon=True).start()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.value = _html(text, kind="error" if error else "message")

    def close(self) -> None:
        """Close the row and stop its server (on a worker thread: stopping takes ~2 s)."""
        self._closed = True
        server, self.server = self.server, None
        if server is not None:
            threading.Thread(target=server.stop, name="hydroml-serve", daemon=True).start()
        super().close()


def _load(handle: RunHandle, where: str) -> Any:
    """Return the session named ``where``, else the file it names, read as a frame.

    A file is read as ``hj.open`` reads it, with the training source's reader options
    when it has the source's format.
    """
    from hydroml_jupyter.engine import sessions
    from hydroml_jupyter.experiments.predict import read_raw

    live = sessions()
    if where in live:
        return live[where]
    scorer = getattr(handle, "scorer", None)
    recipe = getattr(getattr(scorer, "spec", None), "recipe", None) or {}
    return read_raw(where, recipe.get("source"))
