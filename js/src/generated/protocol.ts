// Generated from hydroml_jupyter/widgets/shapes.py and schema.py; do not edit.
// After changing them, run `python -m hydroml_jupyter.widgets.generate --write`.

/** What a column holds, as the front end sees it. */
export type Kind =
  | "integer"
  | "float"
  | "boolean"
  | "datetime"
  | "timedelta"
  | "text"
  | "category"
  | "other";

export const KINDS: readonly Kind[] = [
  "integer",
  "float",
  "boolean",
  "datetime",
  "timedelta",
  "text",
  "category",
  "other",
];

/** The `filter_rows` comparisons a view filter may use (the engine's own list). */
export type FilterOp =
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "between"
  | "in"
  | "not_in"
  | "contains"
  | "startswith"
  | "endswith"
  | "is_null"
  | "not_null";

export const FILTER_OPS: readonly FilterOp[] = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "between",
  "in",
  "not_in",
  "contains",
  "startswith",
  "endswith",
  "is_null",
  "not_null",
];

/** How a form parameter is typed in (the engine's own list of form widgets). */
export type ParamType =
  | "column"
  | "columns"
  | "choice"
  | "bool"
  | "text"
  | "dtype"
  | "expression"
  | "value"
  | "mapping";

export const PARAM_TYPES: readonly ParamType[] = [
  "column",
  "columns",
  "choice",
  "bool",
  "text",
  "dtype",
  "expression",
  "value",
  "mapping",
];

/** Which view the front end renders (the `_kind` trait). */
export type WidgetKind = "grid" | "sidebar" | "studio" | "experiment";

export const WIDGET_KINDS: readonly WidgetKind[] = ["grid", "sidebar", "studio", "experiment"];

/** How a previewed operation changes a column: shown in the grid while it is previewed. */
export type ColumnChange = "same" | "changed" | "added" | "removed";

export const COLUMN_CHANGES: readonly ColumnChange[] = ["same", "changed", "added", "removed"];

/** The file formats of `export` and `export_path`. */
export type ExportFormat = "csv" | "parquet" | "xlsx" | "json";

export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "parquet", "xlsx", "json"];

/**
 * Why an `export` kept a file: it exists (ask, then send `overwrite: true`), or a session reads it
 * (never written).
 */
export type ExportRefusal = "exists" | "source";

export const EXPORT_REFUSALS: readonly ExportRefusal[] = ["exists", "source"];

/** How serious a data-quality alert is, most serious first. */
export type Severity = "high" | "medium" | "low";

export const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

/** Where a run is, as the experiment panel shows it. */
export type RunStatus = "queued" | "running" | "done" | "failed" | "cancelled";

export const RUN_STATUSES: readonly RunStatus[] = [
  "queued",
  "running",
  "done",
  "failed",
  "cancelled",
];

/** The most rows one `rows` request may ask for. */
export const MAX_WINDOW = 5000;

/** One column of the `schema` trait. */
export interface SchemaField {
  name: string;
  dtype: string;
  kind: Kind;
}

/** One sort key of a grid's view; the first is the primary one. */
export interface SortKey {
  column: string;
  descending: boolean;
}

/** One condition of a grid's view; all of them must hold. */
export interface Filter {
  column: string;
  op: FilterOp;
  value: unknown;
}

/** One step of a sidebar's `history`; index 0 is the loaded data. */
export interface HistoryEntry {
  index: number;
  label: string;
  rows: number;
  columns: number;
}

/**
 * How one parameter of an operation's form is typed in.
 *
 * `key` and `value` say how each side of a `mapping` is typed in; `advanced` parameters may be
 * folded away; `placeholder` is the hint text of an empty input.
 */
export interface ParamSpec {
  name?: string;
  type: ParamType;
  kinds?: Kind[] | null;
  choices?: string[] | null;
  required?: boolean;
  default?: unknown;
  key?: ParamSpec;
  value?: ParamSpec;
  placeholder?: string;
  advanced?: boolean;
  help?: string;
}

/** The form of one operation of the engine's catalog. */
export interface OpForm {
  name: string;
  summary: string;
  description: string;
  params: ParamSpec[];
}

/** A column's figures, from `Session.column_info`. */
export interface ColumnSummary {
  name: string;
  dtype: string;
  kind: string;
  count: number;
  nulls: number;
  null_share: number;
  distinct: number | null;
  min: unknown;
  max: unknown;
  mean: unknown;
  std: unknown;
  top: [unknown, number][];
}

/** The histogram of a numeric or datetime column. */
export interface Histogram {
  edges: number[];
  counts: number[];
  labels: string[];
  ignored: number;
  kind: string;
  unit: string | null;
}

/** `Session.column_info(column).to_dict()`. */
export interface ColumnInfo {
  summary: ColumnSummary;
  histogram: Histogram | null;
  top_values: [unknown, number][];
}

/**
 * A column's figures in the grid header, over the `rows` rows the view's filters keep.
 *
 * `distinct` and `top_values` (the 10 most frequent, ties in value order) are given for columns
 * without a `histogram`; `distinct` is `null` for the others.
 */
export interface HeaderStats {
  rows: number;
  nulls: number;
  distinct: number | null;
  histogram: Histogram | null;
  top_values: [unknown, number][];
}

/** A value an operation could not convert. */
export interface Failure {
  row: unknown;
  column: string;
  value: unknown;
}

/** Rows of the changed columns before and after, as text (`null` for missing values). */
export interface Sample {
  columns: string[];
  rows: (string | null)[][];
}

/**
 * What an operation would change; `failures` lists at most 100 of `failures_total`.
 *
 * `notes` are plain-text lines the operation adds (a join: the rows that found no match), shown as
 * text.
 */
export interface Preview {
  op: string;
  label: string;
  ok: boolean;
  error: string | null;
  rows_before: number;
  rows_after: number;
  columns_added: string[];
  columns_removed: string[];
  dtypes_changed: Record<string, [string, string]>;
  changed: Record<string, number>;
  failures: Failure[];
  failures_total: number;
  sample: Sample | null;
  notes: string[];
}

/** One column of a previewed frame: `removed` columns keep their old values, if rows align. */
export interface PreviewField {
  name: string;
  dtype: string;
  kind: Kind;
  change: ColumnChange;
}

/**
 * The frame a preview would give, served in windows by `preview_rows`.
 *
 * The kernel keeps it until `preview_end`, an apply or the next change.
 *
 * `aligned` says whether its rows match the current frame's (then changed cells are marked);
 * `rows_removed` counts the current frame's rows it no longer has. Its rows follow the grid's
 * filters and sort where they still apply (`row_count` counts those); the preview's `notes` say
 * which do not.
 */
export interface PreviewGrid {
  id: number;
  version: number;
  row_count: number;
  schema: PreviewField[];
  aligned: boolean;
  rows_removed: number;
}

/** A data-quality finding; `columns` is empty for the whole frame. */
export interface Alert {
  kind: string;
  columns: string[];
  severity: Severity;
  figure: number | string | null;
  message: string;
}

/** A proposed step; `id` is valid for its reply's version and target only. */
export interface Suggestion {
  id: number;
  op: string;
  params: Record<string, unknown>;
  label: string;
  confidence: number;
  rationale: string;
  alert: Alert;
}

/** A column that looks like a model's target, most likely first. */
export interface TargetCandidate {
  name: string;
  confidence: number;
  reason: string;
  task: string;
}

/** A new step of the history. */
export interface StepRef {
  index: number;
  label: string;
}

/** The best trial of a tuning run so far. */
export interface BestTrial {
  trial: number;
  value: number | null;
  params: Record<string, unknown>;
}

/**
 * One run of the experiment panel's `runs`.
 *
 * `best_round` is the round (counted from 1) a boosting model that stopped early predicts with,
 * else `null`. `phase` says what the run is doing (`preparing data`, `training`, `tuning`,
 * `finishing`, `computing charts`; `""` when nothing).
 */
export interface RunState {
  name: string;
  kind: string;
  model: string;
  task: string;
  target: string;
  status: RunStatus;
  phase: string;
  progress: number;
  done_steps: number | null;
  total: number | null;
  unit: string;
  elapsed: number | null;
  metrics: Record<string, number | null>;
  latest: Record<string, number | null>;
  best: BestTrial | null;
  best_round: number | null;
  error: string;
  cancel_requested: boolean;
  run_id: string;
  experiment: string;
  experiment_id: string;
  tracking_uri: string;
  model_uri: string;
  logs: string[];
}

/** One line of a run's curve (`null` where the step has no value). */
export interface Series {
  name: string;
  values: (number | null)[];
}

/** A run's curve: at most 500 points, one kept every `stride` of the `points` seen. */
export interface CurveData {
  x_label: string;
  x: number[];
  series: Series[];
  points: number;
  stride: number;
}

/** The traits of every Data Studio widget. */
export interface SessionTraits {
  _kind: WidgetKind;
  session_name: string;
  version: number;
  schema: SchemaField[];
  error: string;
}

/** The traits of `DataGrid` (and `Studio`). */
export interface GridTraits {
  _kind: WidgetKind;
  session_name: string;
  version: number;
  schema: SchemaField[];
  error: string;
  total_rows: number;
  row_count: number;
  view: number;
  sort: SortKey[];
  filters: Filter[];
}

/** The traits of `Sidebar` (and `Studio`). */
export interface SidebarTraits {
  _kind: WidgetKind;
  session_name: string;
  version: number;
  schema: SchemaField[];
  error: string;
  catalog: OpForm[];
  history: HistoryEntry[];
  position: number;
  can_undo: boolean;
  can_redo: boolean;
}

/** The traits of `Studio`: a grid's and a sidebar's. */
export interface StudioTraits {
  _kind: WidgetKind;
  session_name: string;
  version: number;
  schema: SchemaField[];
  error: string;
  total_rows: number;
  row_count: number;
  view: number;
  sort: SortKey[];
  filters: Filter[];
  catalog: OpForm[];
  history: HistoryEntry[];
  position: number;
  can_undo: boolean;
  can_redo: boolean;
}

/** The traits of `ExperimentPanel`. */
export interface ExperimentTraits {
  _kind: WidgetKind;
  status: RunStatus;
  progress: number;
  runs: RunState[];
  curves: CurveData[];
  error: string;
}

/** Every request kind, in the order the documentation lists them. */
export type RequestKind =
  | "rows"
  | "summary"
  | "header_stats"
  | "values"
  | "column_stats"
  | "view"
  | "find"
  | "apply_view"
  | "preview"
  | "preview_rows"
  | "preview_end"
  | "apply"
  | "undo"
  | "redo"
  | "goto"
  | "code"
  | "export_path"
  | "export"
  | "save_as"
  | "quality"
  | "apply_suggestion"
  | "cancel";

/** No keys besides `kind` and `request`. */
export type NoFields = Record<string, never>;

/** Positions `start..stop` of the view (`0 <= start <= stop`, at most 5,000 rows). */
export interface RowsRequest {
  start: number;
  stop: number;
}

/** The columns to summarise. */
export interface SummaryRequest {
  columns: string[];
}

/** The column whose percentiles to compute. */
export interface ColumnStatsRequest {
  column: string;
}

/** The columns whose header figures to compute. */
export interface HeaderStatsRequest {
  columns: string[];
}

/** A column, the text its listed values must hold (any case), and how many to list. */
export interface ValuesRequest {
  column: string;
  search?: string | null;
  limit?: number | null;
}

/** A new sort, new filters, or both. */
export interface ViewRequest {
  sort?: SortKey[];
  filters?: Filter[];
}

/** An operation of the catalog and its parameters (columns by protocol name). */
export interface OperationRequest {
  op: string;
  params: Record<string, unknown>;
}

/** An operation to preview; with `grid` true a grid keeps the frame it would give. */
export interface PreviewRequest {
  op: string;
  params: Record<string, unknown>;
  grid?: boolean;
}

/** Positions `start..stop` of the kept preview `preview` (its `PreviewGrid.id`). */
export interface PreviewRowsRequest {
  preview: number;
  start: number;
  stop: number;
}

/** The kept preview to drop; absent: whichever is kept. */
export interface PreviewEndRequest {
  preview?: number;
}

/** Text to find, and the cell to step from (absent: the first match). */
export interface FindRequest {
  text: string;
  row?: number | null;
  column?: string | null;
  step?: number;
}

/** The step to move the history cursor to. */
export interface GotoRequest {
  index: number;
}

/** The format to propose a file for. */
export interface ExportPathRequest {
  format: ExportFormat;
}

/** Where and how to export; `path` absent: the `export_path` proposal. */
export interface ExportRequest {
  format: ExportFormat;
  path?: string | null;
  overwrite?: boolean;
}

/** The new session's name. */
export interface SaveAsRequest {
  name: string;
}

/** The target column; absent or `null`: detect it. */
export interface QualityRequest {
  target?: string | null;
}

/** One suggestion of the `quality` reply made for `version` and `target`. */
export interface ApplyOneSuggestion {
  suggestion: number;
  version: number;
  target?: string | null;
}

/** Distinct suggestions of one `quality` reply, applied in order as one change. */
export interface ApplySuggestions {
  suggestions: number[];
  version: number;
  target?: string | null;
}

/** The `apply_suggestion` request: one suggestion, or several. */
export type ApplySuggestionRequest = ApplyOneSuggestion | ApplySuggestions;

/** The run to cancel (an index of `runs`); absent: every run still going. */
export interface CancelRequest {
  run?: number;
}

/** The window's bounds (`stop` clipped to `row_count`) and each row's frame position. */
export interface RowsReply {
  start: number;
  stop: number;
  version: number;
  view: number;
  rows: number[];
}

/** Each asked column's summary, by name. */
export interface SummaryReply {
  version: number;
  summaries: Record<string, ColumnInfo>;
}

/** `(percentile, value)` for 1, 5, 25, 50, 75, 95 and 99; empty for non-numeric kinds. */
export interface ColumnStatsReply {
  version: number;
  column: string;
  percentiles: [number, unknown][];
}

/** Each asked column's figures, for the version and the filters they describe. */
export interface HeaderStatsReply {
  version: number;
  filters: Filter[];
  stats: Record<string, HeaderStats>;
}

/**
 * The most frequent values holding `search`, with their counts.
 *
 * Counted over the `rows` rows the filters on other columns keep; `distinct` values hold `search`,
 * and `complete` says whether all of them are listed.
 */
export interface ValuesReply {
  version: number;
  filters: Filter[];
  column: string;
  rows: number;
  nulls: number;
  distinct: number;
  complete: boolean;
  values: [unknown, number][];
}

/** The view after the change. */
export interface ViewReply {
  version: number;
  view: number;
  row_count: number;
}

/** The match found (`row` a view row; `null` when none), its ordinal and the count. */
export interface FindReply {
  version: number;
  view: number;
  total: number;
  index: number;
  row: number | null;
  column: string | null;
}

/** The session's version after the change. */
export interface Done {
  version: number;
}

/** What the operation would change. */
export interface PreviewReply {
  version: number;
  preview: Preview;
  grid?: PreviewGrid;
}

/**
 * A window of a kept preview: its bounds, rows and changed cells.
 *
 * `rows` holds each row's position in the previewed frame; `changed`, per column, the window
 * offsets (`0` is `start`) of the cells the operation changes.
 */
export interface PreviewRowsReply {
  preview: number;
  start: number;
  stop: number;
  rows: number[];
  changed: Record<string, number[]>;
}

/** The pandas script that reproduces the current frame. */
export interface CodeReply {
  version: number;
  code: string;
}

/** A file that does not exist yet, relative to the kernel's folder when inside it. */
export interface ExportPathReply {
  version: number;
  path: string;
}

/** The file written, as an absolute path. */
export interface ExportDone {
  version: number;
  path: string;
}

/** The new session's name. */
export interface SaveAsDone {
  version: number;
  session: string;
}

/** The profile's alerts by severity, suggestions and target candidates. */
export interface QualityReport {
  version: number;
  target: string | null;
  target_used: string | null;
  alerts: Record<Severity, Alert[]>;
  counts: Record<Severity, number>;
  suggestions: Suggestion[];
  targets: TargetCandidate[];
}

/** Every new step; `index` and `label` are the last one's. */
export interface SuggestionsDone {
  version: number;
  index: number;
  label: string;
  steps: StepRef[];
}

/** The indexes of the runs asked to stop. */
export interface CancelDone {
  cancelled: number[];
}

/**
 * The reply to any request that failed; nothing was changed.
 *
 * `reason` and `path` come with an `export` that kept a file.
 */
export interface ErrorReply {
  message: string;
  reason?: ExportRefusal;
  path?: string;
}

/** Every request kind. */
export const REQUEST_KINDS: readonly RequestKind[] = [
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
];

/** Every reply kind: the success replies' and `error`. */
export const REPLY_KINDS = [
  "rows",
  "summary",
  "header_stats",
  "values",
  "column_stats",
  "view",
  "find",
  "done",
  "preview",
  "preview_rows",
  "code",
  "export_path",
  "quality",
  "error",
] as const;

/** Each widget kind's traits. */
export interface Traits {
  grid: GridTraits;
  sidebar: SidebarTraits;
  studio: StudioTraits;
  experiment: ExperimentTraits;
}

/** Each request's keys besides `kind` and `request`. */
export interface RequestFields {
  rows: RowsRequest;
  summary: SummaryRequest;
  header_stats: HeaderStatsRequest;
  values: ValuesRequest;
  column_stats: ColumnStatsRequest;
  view: ViewRequest;
  find: FindRequest;
  apply_view: NoFields;
  preview: PreviewRequest;
  preview_rows: PreviewRowsRequest;
  preview_end: PreviewEndRequest;
  apply: OperationRequest;
  undo: NoFields;
  redo: NoFields;
  goto: GotoRequest;
  code: NoFields;
  export_path: ExportPathRequest;
  export: ExportRequest;
  save_as: SaveAsRequest;
  quality: QualityRequest;
  apply_suggestion: ApplySuggestionRequest;
  cancel: CancelRequest;
}

/** The keys of each request's success reply besides `kind` and `request`. */
export interface ReplyFields {
  rows: RowsReply;
  summary: SummaryReply;
  header_stats: HeaderStatsReply;
  values: ValuesReply;
  column_stats: ColumnStatsReply;
  view: ViewReply;
  find: FindReply;
  apply_view: Done;
  preview: PreviewReply;
  preview_rows: PreviewRowsReply;
  preview_end: Done;
  apply: Done;
  undo: Done;
  redo: Done;
  goto: Done;
  code: CodeReply;
  export_path: ExportPathReply;
  export: ExportDone;
  save_as: SaveAsDone;
  quality: QualityReport;
  apply_suggestion: SuggestionsDone;
  cancel: CancelDone;
}

/** The `kind` of each request's success reply (any request may get `error` instead). */
export const REPLY_OF = {
  rows: "rows",
  summary: "summary",
  header_stats: "header_stats",
  values: "values",
  column_stats: "column_stats",
  view: "view",
  find: "find",
  apply_view: "done",
  preview: "preview",
  preview_rows: "preview_rows",
  preview_end: "done",
  apply: "done",
  undo: "done",
  redo: "done",
  goto: "done",
  code: "code",
  export_path: "export_path",
  export: "done",
  save_as: "done",
  quality: "quality",
  apply_suggestion: "done",
  cancel: "done",
} as const;

/** The requests each widget kind answers. */
export const ANSWERS: { readonly [K in WidgetKind]: readonly RequestKind[] } = {
  grid: [
    "rows",
    "summary",
    "header_stats",
    "values",
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
  ],
  sidebar: [
    "summary",
    "column_stats",
    "preview",
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
  ],
  studio: [
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
  ],
  experiment: ["cancel"],
};
