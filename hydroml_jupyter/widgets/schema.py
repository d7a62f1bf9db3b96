"""The widget protocol, defined once: every request, the reply it gets and who answers it.

Every message is an object with ``kind`` and ``request`` (the id the front end chose, echoed
by the reply). :data:`REQUESTS` has one :class:`Request` per request kind: its other keys,
the kind and keys of its success reply, and the widgets that answer it; any request may get
the :class:`ErrorReply` instead. The value lists, object shapes and traits they use are in
:mod:`~hydroml_jupyter.widgets.shapes`.

From these two modules :mod:`~hydroml_jupyter.widgets.generate` writes
``js/src/generated/protocol.ts`` and the generated parts of ``docs/widget-protocol.md``, and
:data:`~hydroml_jupyter.widgets.requests.HANDLERS` maps each request kind to its handler; the
tests check that all of them agree. Replies may carry more keys than declared here; clients
ignore what they do not know.
"""

# No ``from __future__ import annotations``: TypedDict finds NotRequired keys only in
# evaluated annotations on Python 3.11.
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict, get_args

from hydroml_jupyter.widgets.shapes import (
    Alert,
    ColumnInfo,
    ExportFormat,
    ExportRefusal,
    Filter,
    HeaderStats,
    Preview,
    PreviewGrid,
    Severity,
    SortKey,
    StepRef,
    Suggestion,
    TargetCandidate,
    WidgetKind,
)

__all__ = [
    "REPLY_KINDS",
    "REQUESTS",
    "REQUEST_KINDS",
    "ApplyOneSuggestion",
    "ApplySuggestionRequest",
    "ApplySuggestions",
    "CancelDone",
    "CancelRequest",
    "CodeReply",
    "ColumnStatsReply",
    "ColumnStatsRequest",
    "Done",
    "ErrorReply",
    "ExportDone",
    "ExportPathReply",
    "ExportPathRequest",
    "ExportRequest",
    "FindReply",
    "FindRequest",
    "GotoRequest",
    "HeaderStatsReply",
    "HeaderStatsRequest",
    "NoFields",
    "OperationRequest",
    "PreviewEndRequest",
    "PreviewReply",
    "PreviewRequest",
    "PreviewRowsReply",
    "PreviewRowsRequest",
    "QualityReport",
    "QualityRequest",
    "Request",
    "RequestKind",
    "RowsReply",
    "RowsRequest",
    "SaveAsDone",
    "SaveAsRequest",
    "SuggestionsDone",
    "SummaryReply",
    "SummaryRequest",
    "ValuesReply",
    "ValuesRequest",
    "ViewReply",
    "ViewRequest",
    "answers",
    "request",
]

#: Every request kind, in the order the documentation lists them.
RequestKind = Literal[
    "rows",
    "summary",
    "header_stats",
    "values",
    "column_stats",
    "view",
    "find",
    "apply_view",
    "preview",
    "preview_rows",
    "preview_end",
    "apply",
    "undo",
    "redo",
    "goto",
    "code",
    "export_path",
    "export",
    "save_as",
    "quality",
    "apply_suggestion",
    "cancel",
]


# -- requests --------------------------------------------------------------------------------
class NoFields(TypedDict):
    """No keys besides ``kind`` and ``request``."""


class RowsRequest(TypedDict):
    """Positions ``start..stop`` of the view (``0 <= start <= stop``, at most 5,000 rows)."""

    start: int
    stop: int


class SummaryRequest(TypedDict):
    """The columns to summarise."""

    columns: list[str]


class ColumnStatsRequest(TypedDict):
    """The column whose percentiles to compute."""

    column: str


class HeaderStatsRequest(TypedDict):
    """The columns whose header figures to compute."""

    columns: list[str]


class ValuesRequest(TypedDict):
    """A column, the text its listed values must hold (any case), and how many to list."""

    column: str
    search: NotRequired[str | None]
    limit: NotRequired[int | None]


class ViewRequest(TypedDict):
    """A new sort, new filters, or both."""

    sort: NotRequired[list[SortKey]]
    filters: NotRequired[list[Filter]]


class OperationRequest(TypedDict):
    """An operation of the catalog and its parameters (columns by protocol name)."""

    op: str
    params: dict[str, Any]


class PreviewRequest(OperationRequest):
    """An operation to preview; with ``grid`` true a grid keeps the frame it would give."""

    grid: NotRequired[bool]


class PreviewRowsRequest(TypedDict):
    """Positions ``start..stop`` of the kept preview ``preview`` (its ``PreviewGrid.id``)."""

    preview: int
    start: int
    stop: int


class PreviewEndRequest(TypedDict):
    """The kept preview to drop; absent: whichever is kept."""

    preview: NotRequired[int]


class FindRequest(TypedDict):
    """Text to find, and the cell to step from (absent: the first match)."""

    text: str
    row: NotRequired[int | None]
    column: NotRequired[str | None]
    step: NotRequired[int]


class GotoRequest(TypedDict):
    """The step to move the history cursor to."""

    index: int


class ExportPathRequest(TypedDict):
    """The format to propose a file for."""

    format: ExportFormat


class ExportRequest(TypedDict):
    """Where and how to export; ``path`` absent: the ``export_path`` proposal."""

    format: ExportFormat
    path: NotRequired[str | None]
    overwrite: NotRequired[bool]


class SaveAsRequest(TypedDict):
    """The new session's name."""

    name: str


class QualityRequest(TypedDict):
    """The target column; absent or ``null``: detect it."""

    target: NotRequired[str | None]


class ApplyOneSuggestion(TypedDict):
    """One suggestion of the ``quality`` reply made for ``version`` and ``target``."""

    suggestion: int
    version: int
    target: NotRequired[str | None]


class ApplySuggestions(TypedDict):
    """Distinct suggestions of one ``quality`` reply, applied in order as one change."""

    suggestions: list[int]
    version: int
    target: NotRequired[str | None]


#: The ``apply_suggestion`` request: one suggestion, or several.
ApplySuggestionRequest = ApplyOneSuggestion | ApplySuggestions


class CancelRequest(TypedDict):
    """The run to cancel (an index of ``runs``); absent: every run still going."""

    run: NotRequired[int]


# -- replies -----------------------------------------------------------------------------------
class RowsReply(TypedDict):
    """The window's bounds (``stop`` clipped to ``row_count``) and each row's frame position."""

    start: int
    stop: int
    version: int
    view: int
    rows: list[int]


class SummaryReply(TypedDict):
    """Each asked column's summary, by name."""

    version: int
    summaries: dict[str, ColumnInfo]


class ColumnStatsReply(TypedDict):
    """``(percentile, value)`` for 1, 5, 25, 50, 75, 95 and 99; empty for non-numeric kinds."""

    version: int
    column: str
    percentiles: list[tuple[int, Any]]


class HeaderStatsReply(TypedDict):
    """Each asked column's figures, for the version and the filters they describe."""

    version: int
    filters: list[Filter]
    stats: dict[str, HeaderStats]


class ValuesReply(TypedDict):
    """The most frequent values holding ``search``, with their counts.

    Counted over the ``rows`` rows the filters on other columns keep; ``distinct`` values
    hold ``search``, and ``complete`` says whether all of them are listed.
    """

    version: int
    filters: list[Filter]
    column: str
    rows: int
    nulls: int
    distinct: int
    complete: bool
    values: list[tuple[Any, int]]


class ViewReply(TypedDict):
    """The view after the change."""

    version: int
    view: int
    row_count: int


class FindReply(TypedDict):
    """The match found (``row`` a view row; ``null`` when none), its ordinal and the count."""

    version: int
    view: int
    total: int
    index: int
    row: int | None
    column: str | None


class Done(TypedDict):
    """The session's version after the change."""

    version: int


class PreviewReply(TypedDict):
    """What the operation would change."""

    version: int
    preview: Preview
    grid: NotRequired[PreviewGrid]


class PreviewRowsReply(TypedDict):
    """A window of a kept preview: its bounds, rows and changed cells.

    ``rows`` holds each row's position in the previewed frame; ``changed``, per column, the
    window offsets (``0`` is ``start``) of the cells the operation changes.
    """

    preview: int
    start: int
    stop: int
    rows: list[int]
    changed: dict[str, list[int]]


class CodeReply(TypedDict):
    """The pandas script that reproduces the current frame."""

    version: int
    code: str


class ExportPathReply(TypedDict):
    """A file that does not exist yet, relative to the kernel's folder when inside it."""

    version: int
    path: str


class ExportDone(TypedDict):
    """The file written, as an absolute path."""

    version: int
    path: str


class SaveAsDone(TypedDict):
    """The new session's name."""

    version: int
    session: str


class QualityReport(TypedDict):
    """The profile's alerts by severity, suggestions and target candidates."""

    version: int
    target: str | None
    target_used: str | None
    alerts: dict[Severity, list[Alert]]
    counts: dict[Severity, int]
    suggestions: list[Suggestion]
    targets: list[TargetCandidate]


class SuggestionsDone(TypedDict):
    """Every new step; ``index`` and ``label`` are the last one's."""

    version: int
    index: int
    label: str
    steps: list[StepRef]


class CancelDone(TypedDict):
    """The indexes of the runs asked to stop."""

    cancelled: list[int]


class ErrorReply(TypedDict):
    """The reply to any request that failed; nothing was changed.

    ``reason`` and ``path`` come with an ``export`` that kept a file.
    """

    message: str
    reason: NotRequired[ExportRefusal]
    path: NotRequired[str]


@dataclass(frozen=True)
class Request:
    """One request kind: what it carries, what it gets back, who answers it.

    Attributes
    ----------
    kind
        The request's ``kind``.
    fields
        Its keys besides ``kind`` and ``request``: a ``TypedDict``, or a union of them.
    reply
        The ``kind`` of its success reply.
    answer
        The success reply's keys besides ``kind`` and ``request``: a ``TypedDict``.
    widgets
        The widget kinds that answer it.
    buffers
        How many binary buffers the success reply carries.
    doc
        What it does, for the documentation.
    """

    kind: RequestKind
    fields: Any
    reply: str
    answer: Any
    widgets: tuple[WidgetKind, ...]
    buffers: int
    doc: str


_DATA: tuple[WidgetKind, ...] = ("grid", "sidebar", "studio")
_GRIDS: tuple[WidgetKind, ...] = ("grid", "studio")
_SIDEBARS: tuple[WidgetKind, ...] = ("sidebar", "studio")
_PANEL: tuple[WidgetKind, ...] = ("experiment",)

#: Every request of the protocol, in :data:`RequestKind` order.
# fmt: off
REQUESTS: tuple[Request, ...] = (
    Request("rows", RowsRequest, "rows", RowsReply, _GRIDS, 1,
            "The buffer is an Arrow IPC stream of the view's positions `start..stop` (`stop` "
            "clipped to `row_count`), every column of `schema` in order; `rows` holds each "
            "row's position in the frame, for row numbers."),
    Request("summary", SummaryRequest, "summary", SummaryReply, _DATA, 0,
            "Each column's summary, computed in the background."),
    Request("header_stats", HeaderStatsRequest, "header_stats", HeaderStatsReply, _GRIDS, 0,
            "Each column's header figures over the rows the view's filters keep, computed in "
            "the background and cached per version and filters."),
    Request("values", ValuesRequest, "values", ValuesReply, _GRIDS, 0,
            "A text, category, integer or boolean column's values and counts, most frequent "
            "first, over the rows the filters on other columns keep: at most `limit` (default "
            "200, at most 1,000), those holding `search` when given."),
    Request("column_stats", ColumnStatsRequest, "column_stats", ColumnStatsReply, _SIDEBARS, 0,
            "The percentiles of a number, date or duration column (none for other kinds), "
            "computed in the background."),
    Request("view", ViewRequest, "view", ViewReply, _GRIDS, 0,
            "Sorts and filters the whole frame in the kernel; the traits are updated first."),
    Request("find", FindRequest, "find", FindReply, _GRIDS, 0,
            "Finds `text` in every cell of the view (text by substring in any case, numbers "
            "and true/false by value, times by their text), in the background: the match "
            "after (`step` 1, the default), before (-1) or at (0) the cell `row`, `column`, "
            "wrapping around; `index` counts from 1 in view order. A newer `find` stops an "
            "older one still running (an error reply)."),
    Request("apply_view", NoFields, "done", Done, _GRIDS, 0,
            "The view's filters become `filter_rows` steps and its sort a `sort_rows` step; "
            "the view's sort and filters are then cleared."),
    Request("preview", PreviewRequest, "preview", PreviewReply, _DATA, 0,
            "What `apply` would do; changes nothing. With `grid` a grid keeps the frame it "
            "would give (dropping any kept before) and describes it in `grid`."),
    Request("preview_rows", PreviewRowsRequest, "preview_rows", PreviewRowsReply, _GRIDS, 1,
            "A window of the kept preview, as `rows` gives one of the view: an Arrow IPC "
            "stream of every column of its `schema`; an error reply once it is dropped."),
    Request("preview_end", PreviewEndRequest, "done", Done, _GRIDS, 0,
            "Drops the kept preview (an apply or any change of the session also does)."),
    Request("apply", OperationRequest, "done", Done, _DATA, 0, "Adds one step."),
    Request("undo", NoFields, "done", Done, _DATA, 0, "Moves the history cursor back."),
    Request("redo", NoFields, "done", Done, _DATA, 0, "Moves the history cursor forward."),
    Request("goto", GotoRequest, "done", Done, _DATA, 0, "Moves the history cursor to `index`."),
    Request("code", NoFields, "code", CodeReply, _DATA, 0, "The session's pandas script."),
    Request("export_path", ExportPathRequest, "export_path", ExportPathReply, _DATA, 0,
            "A file name to propose: see [Export](#export)."),
    Request("export", ExportRequest, "done", ExportDone, _DATA, 0,
            "Writes the current frame; a file that exists is replaced only with `overwrite: "
            "true` (default `false`), "
            "a session's source never (the error reply then has `reason` and `path`): see "
            "[Export](#export)."),
    Request("save_as", SaveAsRequest, "done", SaveAsDone, _DATA, 0,
            "A new session from the current frame."),
    Request("quality", QualityRequest, "quality", QualityReport, _SIDEBARS, 0,
            "Profiles the current frame in the background: see [Quality](#quality)."),
    Request("apply_suggestion", ApplySuggestionRequest, "done", SuggestionsDone, _SIDEBARS, 0,
            "Applies suggestions of a `quality` reply as ordinary steps, all or none: see "
            "[Quality](#quality)."),
    Request("cancel", CancelRequest, "done", CancelDone, _PANEL, 0,
            "Asks runs to stop; an error reply when nothing is left to cancel."),
)
# fmt: on

#: Every request kind.
REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)
#: Every reply kind: the success replies' and ``error``.
REPLY_KINDS: tuple[str, ...] = (*dict.fromkeys(r.reply for r in REQUESTS), "error")

_BY_KIND: dict[str, Request] = {r.kind: r for r in REQUESTS}
if tuple(_BY_KIND) != REQUEST_KINDS or len(_BY_KIND) != len(REQUESTS):
    raise RuntimeError("schema.REQUESTS must define each RequestKind once, in order")


def request(kind: str) -> Request:
    """Return the definition of request ``kind``.

    Raises
    ------
    KeyError
        When no request has that kind.
    """
    return _BY_KIND[kind]


def answers(widget: str) -> tuple[RequestKind, ...]:
    """Return the request kinds widgets of kind ``widget`` answer, in protocol order.

    Examples
    --------
    >>> answers("experiment")
    ('cancel',)
    """
    return tuple(r.kind for r in REQUESTS if widget in r.widgets)
