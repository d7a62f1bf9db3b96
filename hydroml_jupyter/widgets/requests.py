"""The session-level requests every widget answers: summaries, steps, code and files.

Each function checks its request, acts on the session and returns the reply, or hands slow
read-only work (summaries, previews, exports) to the widget's background pool and returns
``None``: that reply is sent when the work is done.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.widgets.forms import decode_params
from hydroml_jupyter.widgets.protocol import (
    EXPORT_FORMATS,
    ColumnNames,
    ProtocolError,
    dict_field,
    int_field,
    list_field,
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
    "goto",
    "preview",
    "redo",
    "save_as",
    "summary",
    "undo",
]

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")
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


def export(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``export`` in the background: write the current frame to a file."""
    fmt = content.get("format")
    if fmt not in EXPORT_FORMATS:
        raise ProtocolError(
            f"export: format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}"
        )
    session, request = widget.session, content["request"]
    given = str_field(content, "path", "export", required=False)
    if given is None:
        target = Path.cwd() / f"{_UNSAFE.sub('_', session.name)}.{fmt}"
    else:
        target = Path(os.path.expanduser(given))
        if not target.is_absolute():
            target = Path.cwd() / target

    def work() -> Reply:
        version = session.version
        written = session.export(target, format=EXPORT_FORMATS[fmt])
        return reply("done", request, version=version, path=os.fspath(written)), None

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
