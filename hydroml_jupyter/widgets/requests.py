"""The session-level requests every widget answers: summaries, steps, code and files.

Each function checks its request, acts on the session and returns the reply, or hands slow
read-only work (summaries, previews, exports) to the widget's background pool and returns
``None``: that reply is sent when the work is done.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.io.export import ExportError, suggest_path
from hydroml_jupyter.widgets.forms import decode_params
from hydroml_jupyter.widgets.protocol import (
    EXPORT_FORMATS,
    ColumnNames,
    ProtocolError,
    dict_field,
    error_reply,
    int_field,
    list_field,
    one_line,
    preview_dict,
    reply,
    str_field,
)

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.base import Reply, SessionWidget

__all__ = [
    "apply",
    "code",
    "export",
    "export_path",
    "goto",
    "preview",
    "redo",
    "save_as",
    "summary",
    "undo",
]

_ATTEMPTS = 3


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


def undo(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``undo``."""
    session.undo()
    return _done(session, content), None


def redo(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``redo``."""
    session.redo()
    return _done(session, content), None


def goto(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``goto``: move the history cursor to step ``index``."""
    session.goto(int_field(content, "index", "goto"))
    return _done(session, content), None


def code(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``code``: the pandas script that reproduces the current frame."""
    version = session.version
    script = session.code()
    return reply("code", content["request"], version=version, code=script), None


def _export_format(content: dict[str, Any], kind: str) -> str:
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


def export_path(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``export_path``: a file to export to that does not exist yet.

    It lies beside the session's source (``tiny.csv`` → ``tiny-clean.csv``, then
    ``tiny-clean-2.csv``...), relative to the kernel's working folder when inside it.
    """
    fmt = _export_format(content, "export_path")
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
            written = session.export(target, format=EXPORT_FORMATS[fmt], overwrite=overwrite)
        except ExportError as exc:
            path = os.fspath(exc.target)
            return error_reply(request, one_line(exc), reason=exc.reason, path=path), None
        path = os.path.abspath(written)
        return reply("done", request, version=version, path=path), None

    widget._in_background(content, work)


def save_as(session: Session, content: dict[str, Any]) -> Reply:
    """Answer ``save_as``: a new session from the current frame."""
    name = str_field(content, "name", "save_as")
    new = session.save_as(name)
    return _done(session, content, {"session": new.name}), None


def _done(
    session: Session, content: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return reply("done", content["request"], version=session.version, **(extra or {}))
