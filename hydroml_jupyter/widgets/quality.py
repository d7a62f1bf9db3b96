"""The Quality tab's requests: a profile's alerts, the suggestions answering them, and applying one.

``quality`` profiles the current frame in the background (profiling a large frame takes
seconds) and replies with the alerts grouped by severity, the suggestions and the target
candidates. A suggestion's ``id`` is its index in the list made for one session version and
one target. ``apply_suggestion`` names that id, version and target: the list is made again
in the background (the profile is cached per step, so this is cheap) and, back on the
kernel's loop, the suggestion is applied as an ordinary, undoable step, unless the session
changed since, in which case nothing is applied and the reply is an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hydroml_jupyter.analysis.profile import SEVERITIES, Alert, Profile, TargetCandidate
from hydroml_jupyter.engine.batch import BatchError
from hydroml_jupyter.engine.extras import SessionSuggestion
from hydroml_jupyter.engine.ops.base import make_operation
from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.widgets.protocol import (
    ColumnNames,
    ProtocolError,
    Reply,
    int_field,
    jsonable,
    protocol_name,
    reply,
)

if TYPE_CHECKING:
    from hydroml_jupyter.widgets.base import SessionWidget

__all__ = ["alert_dict", "apply_suggestion", "quality", "suggestion_dict", "target_dict"]

_ATTEMPTS = 3
_COLUMN_KEYS = ("column", "columns", "subset")

#: What one profiling pass gives: the version it was made for, the profile, the suggestions.
Analysis = tuple[int, Profile, list[SessionSuggestion]]


# -- the requests ------------------------------------------------------------------------------
def quality(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``quality`` in the background: alerts, suggestions and target candidates."""
    target, label = _target(widget._names(), content, "quality")
    session, request = widget.session, content["request"]

    def work() -> Reply:
        version, profile, found = _analyse(session, label, "quality")
        alerts: dict[str, list[dict[str, Any]]] = {severity: [] for severity in SEVERITIES}
        for alert in profile.alerts:
            alerts.setdefault(alert.severity, []).append(alert_dict(alert))
        used = None if profile.target is None else protocol_name(profile.target)
        body = reply(
            "quality",
            request,
            version=version,
            target=target,
            target_used=used,
            alerts=alerts,
            counts={severity: len(items) for severity, items in alerts.items()},
            suggestions=[suggestion_dict(i, s) for i, s in enumerate(found)],
            targets=[target_dict(candidate) for candidate in profile.targets],
        )
        return body, None

    widget._in_background(content, work)


def apply_suggestion(widget: SessionWidget, content: dict[str, Any]) -> None:
    """Answer ``apply_suggestion``: apply suggestions of a ``quality`` reply as steps.

    ``suggestion`` names one id; ``suggestions`` a list of ids, applied in that order as
    one change, all or nothing. The reply is ``{"kind": "done", "request", "version",
    "index", "label", "steps"}``: the last new step's index and label, and every new step
    as ``{"index", "label"}``. It is an error when the session changed since ``version``,
    an id names no suggestion, or a suggestion fails; the session is then unchanged.
    """
    kind = "apply_suggestion"
    wanted = _ids(content, kind)
    version = int_field(content, "version", kind)
    _, label = _target(widget._names(), content, kind)
    session, request = widget.session, content["request"]
    _check_version(session.version, version)

    def work() -> Analysis:
        return _analyse(session, label, kind)

    def finish(result: Analysis) -> Reply:
        made_for, _profile, found = result
        _check_version(made_for, version)
        _check_version(session.version, version)
        missing = [i for i in wanted if i >= len(found)]
        if missing:
            raise ProtocolError(
                f"{kind}: no suggestion {missing[0]} for version {version} (there are "
                f"{len(found)}); ask for the quality report again"
            )
        chosen = [found[i] for i in wanted]
        try:
            steps = session.apply_all([(s.op, s.params) for s in chosen])
        except BatchError as exc:
            which = f"suggestion {wanted[exc.index]} ({chosen[exc.index].op})"
            raise ProtocolError(
                f"{kind}: {which} failed: {exc.cause}; nothing was applied"
            ) from None
        done = [{"index": step.index, "label": step.label} for step in steps]
        last = done[-1]
        return reply("done", request, version=session.version, steps=done, **last), None

    widget._in_background(content, work, then=finish)


def _ids(content: dict[str, Any], kind: str) -> list[int]:
    """Return the suggestion ids of the request: ``suggestion`` or ``suggestions``."""
    if ("suggestion" in content) == ("suggestions" in content):
        raise ProtocolError(f"{kind}: give either suggestion (an id) or suggestions (a list)")
    if "suggestion" in content:
        return [int_field(content, "suggestion", kind)]
    ids = content["suggestions"]
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids)
        or len(set(ids)) != len(ids)
    ):
        raise ProtocolError(
            f"{kind}: suggestions must be a non-empty list of distinct ids (integers >= 0), "
            f"not {ids!r}"
        )
    return ids


# -- reply shapes ------------------------------------------------------------------------------
def alert_dict(alert: Alert) -> dict[str, Any]:
    """Return an alert as the protocol's ``Alert`` object (column names as strings)."""
    return {**alert.to_dict(), "columns": [protocol_name(c) for c in alert.columns]}


def suggestion_dict(index: int, suggestion: SessionSuggestion) -> dict[str, Any]:
    """Return a suggestion as the protocol's ``Suggestion`` object, with ``id`` ``index``."""
    try:
        label = make_operation(suggestion.op, dict(suggestion.params)).label()
    except (HydroMLError, TypeError, ValueError):
        label = suggestion.op
    return {
        "id": index,
        "op": suggestion.op,
        "params": {key: _param(key, value) for key, value in suggestion.params.items()},
        "label": label,
        "confidence": float(suggestion.confidence),
        "rationale": suggestion.rationale,
        "alert": alert_dict(suggestion.alert),
    }


def target_dict(candidate: TargetCandidate) -> dict[str, Any]:
    """Return a target candidate as the protocol's ``TargetCandidate`` object."""
    return {
        "name": protocol_name(candidate.name),
        "confidence": float(candidate.confidence),
        "reason": candidate.reason,
        "task": candidate.task,
    }


def _param(key: str, value: Any) -> Any:
    """Return a suggestion parameter as plain JSON, columns by protocol name, mappings as pairs."""
    if key in _COLUMN_KEYS and isinstance(value, list | tuple):
        return [protocol_name(c) for c in value]
    if key in _COLUMN_KEYS and isinstance(value, Label):
        return protocol_name(value)
    if isinstance(value, dict):
        return [[jsonable(k), jsonable(v)] for k, v in value.items()]
    return jsonable(value)


# -- helpers -----------------------------------------------------------------------------------
def _target(names: ColumnNames, content: dict[str, Any], kind: str) -> tuple[str | None, Any]:
    """Return the request's ``target`` (a protocol name or ``None``) and its column label."""
    target = content.get("target")
    if target is None:
        return None, None
    return target, names.label(target, f"{kind}: target")


def _check_version(current: int, expected: int) -> None:
    if current != expected:
        raise ProtocolError(
            f"apply_suggestion: the data changed since the suggestions were made (version "
            f"{expected}, now {current}); nothing was applied, refresh the list"
        )


def _analyse(session: Session, target: Any, kind: str) -> Analysis:
    """Profile the session's current step and suggest steps, for one stable version."""
    for _ in range(_ATTEMPTS):
        version = session.version
        if target is not None and target not in session.df.columns:
            raise ProtocolError(f"{kind}: no column named {protocol_name(target)!r} (target)")
        profile = session.profile(target)
        found = session.suggest(target)
        if session.version == version:
            break
    return version, profile, found
