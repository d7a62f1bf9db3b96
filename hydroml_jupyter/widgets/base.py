"""What every Data Studio widget shares: a session, the common traits, and one request router.

Requests arrive as custom messages; the
:class:`~hydroml_jupyter.widgets.requesting.RequestRouter` mixed in hands each to its handler
(:data:`~hydroml_jupyter.widgets.requests.HANDLERS`) and sends exactly one reply, an error
reply when anything fails. The widget follows its session through a weak listener, handing
every update to the kernel's event loop (:mod:`~hydroml_jupyter.widgets.dispatch`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import pandas as pd
import traitlets

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.widgets.dispatch import kernel_dispatcher, worker_pool
from hydroml_jupyter.widgets.placeholder import display_with_placeholder
from hydroml_jupyter.widgets.protocol import ColumnNames, error_reply, schema_of
from hydroml_jupyter.widgets.requesting import (
    Reply,
    RequestRouter,
    set_changed,
    weak_listener,
)
from hydroml_jupyter.widgets.shapes import WidgetKind

__all__ = ["CSS_PATH", "ESM_PATH", "Reply", "SessionWidget"]

#: The bundled front end, built from ``js/``.
ESM_PATH = Path(__file__).resolve().parent.parent / "static" / "widget.js"
CSS_PATH = ESM_PATH.with_name("widget.css")

_UNBUILT_ESM = """
export default {
  render({ el }) {
    el.textContent = "hydroml-jupyter: the widget front end is not built " +
      "(hydroml_jupyter/static/widget.js is missing; build it from js/).";
  },
};
"""


def _asset(path: Path, fallback: str) -> str:
    # The text, not the path: anywidget ties every widget to a file-backed asset through a
    # change callback (for hot reload), which would keep closed widgets alive.
    return path.read_text(encoding="utf-8") if path.is_file() else fallback


class SessionWidget(RequestRouter, anywidget.AnyWidget):
    """Base class of the Data Studio widgets: a face over one :class:`Session`.

    Traits (written by the kernel only): ``_kind``, ``session_name``, ``version``,
    ``schema`` and ``error``; see ``docs/widget-protocol.md``.
    """

    _esm = _asset(ESM_PATH, _UNBUILT_ESM)
    _css = _asset(CSS_PATH, "")

    _kind = traitlets.Unicode("grid", help="Which view the front end renders.").tag(sync=True)
    session_name = traitlets.Unicode("", help="The session's name.").tag(sync=True)
    version = traitlets.Int(0, help="The session's version.").tag(sync=True)
    schema = traitlets.List(
        traitlets.Dict(), help="The frame's columns: name, dtype and kind, in order."
    ).tag(sync=True)
    error = traitlets.Unicode("", help="The last error shown by the widget.").tag(sync=True)

    #: Keyword arguments the constructor accepts; subclasses add theirs.
    _OPTIONS: ClassVar[tuple[str, ...]] = ("name",)
    _KIND: ClassVar[WidgetKind] = "grid"

    def __init__(self, data: Session | pd.DataFrame, /, **kwargs: Any) -> None:
        self._check_options(kwargs)
        self._session = _as_session(type(self).__name__, data, kwargs.pop("name", None))
        self._dispatch = kernel_dispatcher()
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()
        self._closed = False
        self._unsubscribe: Callable[[], None] | None = None
        try:
            self._setup(kwargs)
            state = self._state(initial=True)
        except BaseException:
            if self._session is not data:  # the session made here goes with the widget
                self._session.close()
            raise
        super().__init__(**state)
        self.on_msg(self._on_message)
        self._unsubscribe = _subscribe(self._session, self)
        if self._session.version != self.version:
            self._dispatch(self._sync)

    # -- hooks for the grid and the sidebar ----------------------------------------------------
    def _setup(self, options: dict[str, Any]) -> None:
        """Prepare what :meth:`_state` needs, from the constructor's options."""

    def _state(self, initial: bool = False) -> dict[str, Any]:
        """Return the traits' values for the session's current state."""
        version, frame = self._current()
        return {
            "_kind": self._KIND,
            "session_name": self._session.name,
            "version": version,
            "schema": schema_of(frame),
        }

    def _current(self) -> tuple[int, pd.DataFrame]:
        """Return the session's version and frame (the frame is at least that recent)."""
        version = self._session.version
        return version, self._session.df

    # -- state -------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session this widget shows."""
        return self._session

    def _names(self) -> ColumnNames:
        """Return the protocol names of the current frame's columns."""
        return ColumnNames(self._session.df.columns)

    def _sync(self) -> None:
        """Bring every trait to the session's current state, in one message."""
        if self._closed:
            return
        set_changed(self, self._state())

    def _session_changed(self) -> None:
        self._sync()

    # -- requests -----------------------------------------------------------------------------
    def _in_background(
        self,
        content: dict[str, Any],
        work: Callable[[], Any],
        then: Callable[[Any], Reply] | None = None,
    ) -> None:
        """Run ``work`` in the shared worker pool and send the reply on the kernel's loop.

        Without ``then``, ``work`` returns the reply. With ``then``, ``then(result)`` runs
        on the kernel's loop (where changes to the session belong) and returns the reply.
        Any exception becomes the error reply.
        """
        request, kind = content["request"], content["kind"]

        def failed(exc: Exception) -> Reply:
            return error_reply(request, self._message(exc, kind)), None

        def finish(result: Any) -> None:
            if self._closed or then is None:
                return
            try:
                answer = then(result)
            except Exception as exc:
                answer = failed(exc)
            self._reply(*answer)

        def run() -> None:
            try:
                result = work()
            except Exception as exc:
                self._dispatch(self._reply, *failed(exc))
                return
            if then is None:
                self._dispatch(self._reply, *result)
            else:
                self._dispatch(finish, result)

        future = worker_pool().submit(run)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def join(self, timeout: float | None = 60.0) -> None:
        """Wait until this widget's background work (summaries, previews, exports...) is done.

        Raises
        ------
        TimeoutError
            When some work is still running after ``timeout`` seconds.
        """
        with self._pending_lock:
            pending = list(self._pending)
        _done, not_done = wait(pending, timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} widget request(s) still running")

    def __repr__(self) -> str:
        rows, cols = self._session.shape
        name = type(self).__name__
        return f"<{name} of session {self.session_name!r}: {rows:,} rows × {cols} columns>"

    def _ipython_display_(self) -> None:
        # The widget, then what a saved notebook shows once the kernel is gone.
        rows, cols = self._session.shape
        title = _TITLES.get(self._KIND, type(self).__name__)
        what = f"{title} of session {self.session_name!r} ({rows:,} rows × {cols} columns)"
        display_with_placeholder(self, what)

    # -- closing ------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop following the session and close the widget's comm."""
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
            self._unsubscribe = None
        self._closed = True
        super().close()


_TITLES = {"studio": "Data Studio", "grid": "Data grid", "sidebar": "Data Studio sidebar"}


def _as_session(owner: str, data: Any, name: str | None) -> Session:
    if isinstance(data, Session):
        if name is not None:
            raise TypeError(
                f"{owner}(): name= only applies to a DataFrame; the session is already "
                f"named {data.name!r}"
            )
        return data
    if isinstance(data, pd.DataFrame):
        return Session(data, name=name)
    raise TypeError(f"{owner}() needs a Session or a pandas DataFrame, not {type(data).__name__}")


def _subscribe(session: Session, widget: SessionWidget) -> Callable[[], None]:
    """Follow ``session`` without keeping ``widget`` alive; return the unsubscribe function."""
    unsubscribe = weak_listener(session.subscribe, widget, _notify)
    weakref.finalize(widget, unsubscribe)
    return unsubscribe


def _notify(widget: SessionWidget) -> None:
    widget._dispatch(widget._session_changed)
