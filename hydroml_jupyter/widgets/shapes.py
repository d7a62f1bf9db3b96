"""The widget protocol's value lists and object shapes, and each widget's traits.

The value lists are ``Literal`` types with a tuple of their values beside them; objects are
``TypedDict`` classes. :mod:`~hydroml_jupyter.widgets.schema` builds the messages from them,
and :mod:`~hydroml_jupyter.widgets.generate` writes both as TypeScript.
"""

# No ``from __future__ import annotations``: TypedDict finds NotRequired keys only in
# evaluated annotations on Python 3.11.
from typing import Any, Literal, NotRequired, TypedDict, get_args

from hydroml_jupyter.engine.ops.rows import Comparison
from hydroml_jupyter.engine.ops.spec import Widget
from hydroml_jupyter.io.export import Reason

__all__ = [
    "COLUMN_CHANGES",
    "EXPORT_FORMATS",
    "EXPORT_REFUSALS",
    "FILTER_OPS",
    "KINDS",
    "MAX_WINDOW",
    "PARAM_TYPES",
    "RUN_STATUSES",
    "SEVERITIES",
    "TRAITS",
    "WIDGET_KINDS",
    "Alert",
    "BestTrial",
    "ColumnChange",
    "ColumnInfo",
    "ColumnSummary",
    "CurveData",
    "ExperimentTraits",
    "ExportFormat",
    "ExportRefusal",
    "Failure",
    "Filter",
    "FilterOp",
    "GridTraits",
    "HeaderStats",
    "Histogram",
    "HistoryEntry",
    "Kind",
    "OpForm",
    "ParamSpec",
    "ParamType",
    "Preview",
    "PreviewField",
    "PreviewGrid",
    "RunState",
    "RunStatus",
    "Sample",
    "SchemaField",
    "Series",
    "SessionTraits",
    "Severity",
    "SidebarTraits",
    "SortKey",
    "StepRef",
    "StudioTraits",
    "Suggestion",
    "TargetCandidate",
    "WidgetKind",
]

# -- value lists -----------------------------------------------------------------------------
#: What a column holds, as the front end sees it.
Kind = Literal["integer", "float", "boolean", "datetime", "timedelta", "text", "category", "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)

#: The ``filter_rows`` comparisons a view filter may use (the engine's own list).
FilterOp = Comparison
FILTER_OPS: tuple[FilterOp, ...] = get_args(FilterOp)

#: How a form parameter is typed in (the engine's own list of form widgets).
ParamType = Widget
PARAM_TYPES: tuple[ParamType, ...] = get_args(ParamType)

#: Which view the front end renders (the ``_kind`` trait).
WidgetKind = Literal["grid", "sidebar", "studio", "experiment"]
WIDGET_KINDS: tuple[WidgetKind, ...] = get_args(WidgetKind)

#: How a previewed operation changes a column: shown in the grid while it is previewed.
ColumnChange = Literal["same", "changed", "added", "removed"]
COLUMN_CHANGES: tuple[ColumnChange, ...] = get_args(ColumnChange)

#: The file formats of ``export`` and ``export_path``.
ExportFormat = Literal["csv", "parquet", "xlsx", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

#: Why an ``export`` kept a file: it exists (ask, then send ``overwrite: true``), or a
#: session reads it (never written).
ExportRefusal = Reason
EXPORT_REFUSALS: tuple[ExportRefusal, ...] = get_args(ExportRefusal)

#: How serious a data-quality alert is, most serious first.
Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

#: Where a run is, as the experiment panel shows it.
RunStatus = Literal["queued", "running", "done", "failed", "cancelled"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)

#: The most rows one ``rows`` request may ask for.
MAX_WINDOW = 5000


# -- shapes ----------------------------------------------------------------------------------
class SchemaField(TypedDict):
    """One column of the ``schema`` trait."""

    name: str
    dtype: str
    kind: Kind


class SortKey(TypedDict):
    """One sort key of a grid's view; the first is the primary one."""

    column: str
    descending: bool


class Filter(TypedDict):
    """One condition of a grid's view; all of them must hold."""

    column: str
    op: FilterOp
    value: Any


class HistoryEntry(TypedDict):
    """One step of a sidebar's ``history``; index 0 is the loaded data."""

    index: int
    label: str
    rows: int
    columns: int


class ParamSpec(TypedDict):
    """How one parameter of an operation's form is typed in.

    ``key`` and ``value`` say how each side of a ``mapping`` is typed in; ``advanced``
    parameters may be folded away; ``placeholder`` is the hint text of an empty input.
    """

    name: NotRequired[str]
    type: ParamType
    kinds: NotRequired[list[Kind] | None]
    choices: NotRequired[list[str] | None]
    required: NotRequired[bool]
    default: NotRequired[Any]
    key: NotRequired["ParamSpec"]
    value: NotRequired["ParamSpec"]
    placeholder: NotRequired[str]
    advanced: NotRequired[bool]
    help: NotRequired[str]


class OpForm(TypedDict):
    """The form of one operation of the engine's catalog."""

    name: str
    summary: str
    description: str
    params: list[ParamSpec]


class ColumnSummary(TypedDict):
    """A column's figures, from ``Session.column_info``."""

    name: str
    dtype: str
    kind: str
    count: int
    nulls: int
    null_share: float
    distinct: int | None
    min: Any
    max: Any
    mean: Any
    std: Any
    top: list[tuple[Any, int]]


class Histogram(TypedDict):
    """The histogram of a numeric or datetime column."""

    edges: list[float]
    counts: list[int]
    labels: list[str]
    ignored: int
    kind: str
    unit: str | None


class ColumnInfo(TypedDict):
    """``Session.column_info(column).to_dict()``."""

    summary: ColumnSummary
    histogram: Histogram | None
    top_values: list[tuple[Any, int]]


class HeaderStats(TypedDict):
    """A column's figures in the grid header, over the ``rows`` rows the view's filters keep.

    ``distinct`` and ``top_values`` (the 10 most frequent, ties in value order) are given
    for columns without a ``histogram``; ``distinct`` is ``null`` for the others.
    """

    rows: int
    nulls: int
    distinct: int | None
    histogram: Histogram | None
    top_values: list[tuple[Any, int]]


class Failure(TypedDict):
    """A value an operation could not convert."""

    row: Any
    column: str
    value: Any


class Sample(TypedDict):
    """Rows of the changed columns before and after, as text (``null`` for missing values)."""

    columns: list[str]
    rows: list[list[str | None]]


class Preview(TypedDict):
    """What an operation would change; ``failures`` lists at most 100 of ``failures_total``.

    ``notes`` are plain-text lines the operation adds (a join: the rows that found no
    match), shown as text.
    """

    op: str
    label: str
    ok: bool
    error: str | None
    rows_before: int
    rows_after: int
    columns_added: list[str]
    columns_removed: list[str]
    dtypes_changed: dict[str, tuple[str, str]]
    changed: dict[str, int]
    failures: list[Failure]
    failures_total: int
    sample: Sample | None
    notes: list[str]


class PreviewField(TypedDict):
    """One column of a previewed frame: ``removed`` columns keep their old values, if rows align."""

    name: str
    dtype: str
    kind: Kind
    change: ColumnChange


class PreviewGrid(TypedDict):
    """The frame a preview would give, served in windows by ``preview_rows``.

    The kernel keeps it until ``preview_end``, an apply or the next change.

    ``aligned`` says whether its rows match the current frame's (then changed cells are
    marked); ``rows_removed`` counts the current frame's rows it no longer has. Its rows
    follow the grid's filters and sort where they still apply (``row_count`` counts those);
    the preview's ``notes`` say which do not.
    """

    id: int
    version: int
    row_count: int
    schema: list[PreviewField]
    aligned: bool
    rows_removed: int


class Alert(TypedDict):
    """A data-quality finding; ``columns`` is empty for the whole frame."""

    kind: str
    columns: list[str]
    severity: Severity
    figure: float | str | None
    message: str


class Suggestion(TypedDict):
    """A proposed step; ``id`` is valid for its reply's version and target only."""

    id: int
    op: str
    params: dict[str, Any]
    label: str
    confidence: float
    rationale: str
    alert: Alert


class TargetCandidate(TypedDict):
    """A column that looks like a model's target, most likely first."""

    name: str
    confidence: float
    reason: str
    task: str


class StepRef(TypedDict):
    """A new step of the history."""

    index: int
    label: str


class BestTrial(TypedDict):
    """The best trial of a tuning run so far."""

    trial: int
    value: float | None
    params: dict[str, Any]


class RunState(TypedDict):
    """One run of the experiment panel's ``runs``.

    ``best_round`` is the round (counted from 1) a boosting model that stopped early
    predicts with, else ``null``. ``phase`` says what the run is doing (``preparing data``,
    ``training``, ``tuning``, ``finishing``, ``computing charts``; ``""`` when nothing).
    """

    name: str
    kind: str
    model: str
    task: str
    target: str
    status: RunStatus
    phase: str
    progress: float
    done_steps: int | None
    total: int | None
    unit: str
    elapsed: float | None
    metrics: dict[str, float | None]
    latest: dict[str, float | None]
    best: BestTrial | None
    best_round: int | None
    error: str
    cancel_requested: bool
    run_id: str
    experiment: str
    experiment_id: str
    tracking_uri: str
    model_uri: str
    logs: list[str]


class Series(TypedDict):
    """One line of a run's curve (``null`` where the step has no value)."""

    name: str
    values: list[float | None]


class CurveData(TypedDict):
    """A run's curve: at most 500 points, one kept every ``stride`` of the ``points`` seen."""

    x_label: str
    x: list[float]
    series: list[Series]
    points: int
    stride: int


# -- traits ------------------------------------------------------------------------------------
class SessionTraits(TypedDict):
    """The traits of every Data Studio widget."""

    _kind: WidgetKind
    session_name: str
    version: int
    schema: list[SchemaField]
    error: str


class GridTraits(SessionTraits):
    """The traits of ``DataGrid`` (and ``Studio``)."""

    total_rows: int
    row_count: int
    view: int
    sort: list[SortKey]
    filters: list[Filter]


class SidebarTraits(SessionTraits):
    """The traits of ``Sidebar`` (and ``Studio``)."""

    catalog: list[OpForm]
    history: list[HistoryEntry]
    position: int
    can_undo: bool
    can_redo: bool


class StudioTraits(GridTraits, SidebarTraits):
    """The traits of ``Studio``: a grid's and a sidebar's."""


class ExperimentTraits(TypedDict):
    """The traits of ``ExperimentPanel``."""

    _kind: WidgetKind
    status: RunStatus
    progress: float
    runs: list[RunState]
    curves: list[CurveData]
    error: str


#: Each widget kind's traits.
TRAITS: dict[WidgetKind, type] = {
    "grid": GridTraits,
    "sidebar": SidebarTraits,
    "studio": StudioTraits,
    "experiment": ExperimentTraits,
}
