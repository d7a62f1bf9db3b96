"""Every request's handler, and :data:`HANDLERS`: the one table from request kind to handler.

A handler takes the widget and the request's content, checks the request, acts and returns
the reply, or hands slow read-only work (summaries, previews, exports) to the widget's
background pool and returns ``None``: that reply is sent when the work is done. What each
request carries, the reply it gets and the widgets that answer it are defined in
:mod:`~hydroml_jupyter.widgets.schema`; the Quality tab's handlers are in
:mod:`~hydroml_jupyter.widgets.quality`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.io.export import ExportError, suggest_path
from hydroml_jupyter.messages import first_line
from hydroml_jupyter.widgets import (
    columnstats,
    find,
    headerstats,
    previewgrid,
    quality,
    valuecounts,
)
from hydroml_jupyter.widgets.forms import decode_params
from hydroml_jupyter.widgets.protocol import (
    EXPORT_FORMATS,
    ColumnNames,
    ProtocolError,
    Reply,
    dict_field,
    error_reply,
    int_field,
    list_field,
    preview_dict,
    reply,
    str_field,
)
from hydroml_jupyter.widgets.schema import RequestKind
from hydroml_jupyter.widgets.shapes import ExportFormat
from hydroml_jupyter.widgets.viewspec import window_bounds

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.base import SessionWidget
    from hydroml_jupyter.widgets.experiment import ExperimentPanel
    from hydroml_jupyter.widgets.grid import DataGrid

__all__ = ["HANDLERS", "Handler"]

#: A request's handler: ``(widget, content)`` to the reply, or ``None`` when it comes later.
Handler = Callable[[Any, dict[str, Any]], Reply | None]

_ATTEMPTS = 3
#: The engine's name of each export format.
_ENGINE_FORMATS: dict[ExportFormat, str] = {
    "csv": "csv",
    "parquet": "parquet",
    "xlsx": "excel",
    "json": "json",
}


def summary(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``summary`` in the background: ``Session.column_info`` of each column."""
    names = widget._names()
    wanted = list_field(content, "columns", "summary")
    labels = [(name, names.label(name, "summary")) for name in wanted]
    session, request = widget.session, content["request"]

    def work() -> Reply:
        summaries: dict[str, Any] = {}
        for _ in range(_ATTEMPTS):
            version = session.version
            summaries = {}
            for name, label in labels:
                info = session.column_info(label).to_dict()
                info["summary"]["name"] = name
                summaries[name] = info
            if session.version == version:
                break
        return reply("summary", request, version=version, summaries=summaries), None

    widget._in_background(content, work)


def _operation(
    names: ColumnNames, content: dict[str, Any], kind: str
) -> tuple[str, dict[str, Any]]:
    op = str_field(content, "op", kind)
    params = decode_params(op, dict_field(content, "params", kind), names)
    return op, params


def preview(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``preview`` in the background: what the operation would change."""
    op, params = _operation(widget._names(), content, "preview")
    if content.get("grid") is True and widget._KIND in ("grid", "studio"):
        previewgrid.preview(widget, content, op, params)
        return
    session, request = widget.session, content["request"]

    def work() -> Reply:
        version = session.version
        result = session.preview(op, **params)
        return reply("preview", request, version=version, preview=preview_dict(result)), None

    widget._in_background(content, work)


def apply(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``apply``: one new step."""
    op, params = _operation(widget._names(), content, "apply")
    widget.session.apply(op, **params)
    return _done(widget.session, content), None


def undo(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``undo``."""
    widget.session.undo()
    return _done(widget.session, content), None


def redo(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``redo``."""
    widget.session.redo()
    return _done(widget.session, content), None


def goto(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``goto``: move the history cursor to step ``index``."""
    widget.session.goto(int_field(content, "index", "goto"))
    return _done(widget.session, content), None


def code(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``code``: the pandas script that reproduces the current frame."""
    session = widget.session
    version = session.version
    script = session.code()
    return reply("code", content["request"], version=version, code=script), None


def _export_format(content: dict[str, Any], kind: str) -> ExportFormat:
    fmt = content.get("format")
    if not isinstance(fmt, str) or fmt not in EXPORT_FORMATS:
        raise ProtocolError(
            f"{kind}: format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}"
        )
    return fmt


def _relative(path: Path) -> str:
    """Return ``path`` relative to the working folder when it lies inside it, else whole."""
    try:
        return os.fspath(path.relative_to(Path.cwd()))
    except ValueError:
        return os.fspath(path)


def export_path(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``export_path``: a file to export to that does not exist yet.

    It lies beside the session's source (``tiny.csv`` → ``tiny-clean.csv``, then
    ``tiny-clean-2.csv``...), relative to the kernel's working folder when inside it.
    """
    fmt = _export_format(content, "export_path")
    session = widget.session
    version = session.version
    path = suggest_path(session.recipe(), f".{fmt}", session.name)
    return reply("export_path", content["request"], version=version, path=_relative(path)), None


def export(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``export`` in the background: write the current frame to a file.

    A file that exists is replaced only with ``overwrite: true``; a session's source never.
    When a file is kept, the error reply says why in ``reason`` (``"exists"``, ``"source"``)
    and names it in ``path``.
    """
    fmt = _export_format(content, "export")
    overwrite = content.get("overwrite", False)
    if not isinstance(overwrite, bool):
        raise ProtocolError(f"export: overwrite must be true or false, not {overwrite!r}")
    session, request = widget.session, content["request"]
    given = str_field(content, "path", "export", required=False)
    target = given if given is not None else suggest_path(session.recipe(), f".{fmt}", session.name)

    def work() -> Reply:
        version = session.version
        try:
            written = session.export(target, format=_ENGINE_FORMATS[fmt], overwrite=overwrite)
        except ExportError as exc:
            path = os.fspath(exc.target)
            return error_reply(
                request, first_line(exc, limit=None), reason=exc.reason, path=path
            ), None
        path = os.path.abspath(written)
        return reply("done", request, version=version, path=path), None

    widget._in_background(content, work)


def save_as(widget: SessionWidget, content: dict[str, Any]) -> Reply:
    """Answer ``save_as``: a new session from the current frame."""
    name = str_field(content, "name", "save_as")
    new = widget.session.save_as(name)
    return _done(widget.session, content, {"session": new.name}), None


def _done(
    session: Session, content: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return reply("done", content["request"], version=session.version, **(extra or {}))


# -- the grid's view ------------------------------------------------------------------------
def rows(grid: DataGrid, content: dict[str, Any]) -> Reply | None:
    """Answer ``rows``: one window of the view, as an Arrow IPC buffer.

    A window past the first page of a sort still being computed is answered in the
    background, once the order is known.
    """
    start, stop = window_bounds(content.get("start"), content.get("stop"))
    view = grid.grid_view

    def work() -> Reply:
        window = view.rows(start, stop)
        body = reply(
            "rows",
            content["request"],
            start=window.start,
            stop=window.stop,
            version=window.version,
            view=window.view,
            rows=window.positions.tolist(),
        )
        return body, [memoryview(window.ipc)]

    if view.ready(start, stop):
        return work()
    grid._in_background(content, work)
    return None


def view(grid: DataGrid, content: dict[str, Any]) -> Reply:
    """Answer ``view``: a new sort and/or new filters; the traits are updated first."""
    if "sort" not in content and "filters" not in content:
        raise ProtocolError("view: give sort, filters or both")
    sort, filters = content.get("sort"), content.get("filters")
    if "sort" in content and sort is None:
        raise ProtocolError("view: sort must be a list of sort keys, not None")
    if "filters" in content and filters is None:
        raise ProtocolError("view: filters must be a list of filters, not None")
    grid._show(sort, filters)
    shown = grid.grid_view
    request = content["request"]
    body = reply("view", request, version=shown.version, view=shown.view, row_count=shown.row_count)
    return body, None


def apply_view(grid: DataGrid, content: dict[str, Any]) -> Reply:
    """Answer ``apply_view``: the view's sort and filters become steps."""
    grid.apply_view()
    return _done(grid.session, content), None


# -- the experiment panel ---------------------------------------------------------------------
def cancel(panel: ExperimentPanel, content: dict[str, Any]) -> Reply:
    """Answer ``cancel``: ask every run still going (or run ``run``) to stop."""
    index = content.get("run")
    handles = panel.handles
    if index is None:
        chosen = [i for i, h in enumerate(handles) if not h.done]
        if not chosen:
            ends = ", ".join(f"{h.name}: {h.status}" for h in handles)
            raise ProtocolError(f"cancel: nothing to cancel: every run has ended ({ends})")
    else:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(handles):
            raise ProtocolError(
                f"cancel: run must be an index from 0 to {len(handles) - 1}, not {index!r}"
            )
        handle = handles[index]
        if handle.done:
            raise ProtocolError(f"cancel: {handle.name} has already ended ({handle.status})")
        chosen = [index]
    for i in chosen:
        handles[i].cancel()
    panel._throttle.poke()
    return reply("done", content["request"], cancelled=chosen), None


#: Request kind → its handler: every kind of :data:`~hydroml_jupyter.widgets.schema.REQUESTS`.
HANDLERS: dict[RequestKind, Handler] = {
    "rows": rows,
    "summary": summary,
    "header_stats": headerstats.request,
    "values": valuecounts.request,
    "column_stats": columnstats.column_stats,
    "view": view,
    "find": find.find,
    "apply_view": apply_view,
    "preview": preview,
    "preview_rows": previewgrid.preview_rows,
    "preview_end": previewgrid.preview_end,
    "apply": apply,
    "undo": undo,
    "redo": redo,
    "goto": goto,
    "code": code,
    "export_path": export_path,
    "export": export,
    "save_as": save_as,
    "quality": quality.quality,
    "apply_suggestion": quality.apply_suggestion,
    "cancel": cancel,
}
