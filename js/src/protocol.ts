// Types and request client for docs/widget-protocol.md.

export type Kind =
  | "integer"
  | "float"
  | "boolean"
  | "datetime"
  | "timedelta"
  | "text"
  | "category"
  | "other";

export interface SchemaField {
  name: string;
  dtype: string;
  kind: Kind;
}

export interface SortKey {
  column: string;
  descending: boolean;
}

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

export interface Filter {
  column: string;
  op: FilterOp;
  value: unknown;
}

export interface HistoryEntry {
  index: number;
  label: string;
  rows: number;
  columns: number;
}

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

export interface ParamSpec {
  name?: string;
  type: ParamType;
  kinds?: Kind[] | null;
  choices?: string[] | null;
  required?: boolean;
  default?: unknown;
  key?: ParamSpec;
  value?: ParamSpec;
  help?: string;
}

export interface OpForm {
  name: string;
  summary: string;
  params: ParamSpec[];
}

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

export interface Histogram {
  edges: number[];
  counts: number[];
  labels: string[];
  ignored: number;
  kind: string;
  unit: string | null;
}

export interface ColumnInfo {
  summary: ColumnSummary;
  histogram: Histogram | null;
  top_values: [unknown, number][];
}

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
  failures: { row: unknown; column: string; value: unknown }[];
  sample: { columns: string[]; rows: string[][] } | null;
}

export type Severity = "high" | "medium" | "low";

export const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

/** A data-quality finding of the `quality` reply. */
export interface Alert {
  kind: string;
  columns: string[];
  severity: Severity;
  figure: number | string | null;
  message: string;
}

/** A proposed step of the `quality` reply; `id` is valid for its reply's version and target. */
export interface Suggestion {
  id: number;
  op: string;
  params: Record<string, unknown>;
  label: string;
  confidence: number;
  rationale: string;
  alert: Alert;
}

export interface TargetCandidate {
  name: string;
  confidence: number;
  reason: string;
  task: string;
}

/** The `quality` request's extra keys. */
export interface QualityRequest {
  target: string | null;
}

/**
 * The `apply_suggestion` request's extra keys: one suggestion (`suggestion`) or several applied
 * as one change, all or nothing (`suggestions`), of the reply made for `version` and `target`.
 */
export type ApplySuggestionRequest = ({ suggestion: number } | { suggestions: number[] }) & {
  version: number;
  target: string | null;
};

/** The `quality` reply. */
export interface QualityReport {
  version: number;
  target: string | null;
  target_used: string | null;
  alerts: Record<Severity, Alert[]>;
  counts: Record<Severity, number>;
  suggestions: Suggestion[];
  targets: TargetCandidate[];
}

function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function nameOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** Read a `quality` reply, tolerating missing keys (clients ignore what they do not know). */
export function qualityReport(content: Record<string, unknown>): QualityReport {
  const groups = (typeof content.alerts === "object" && content.alerts !== null ? content.alerts : {}) as Record<
    string,
    unknown
  >;
  const alerts = {} as Record<Severity, Alert[]>;
  const counts = {} as Record<Severity, number>;
  for (const severity of SEVERITIES) {
    alerts[severity] = listOf<Alert>(groups[severity]);
    counts[severity] = alerts[severity].length;
  }
  return {
    version: typeof content.version === "number" ? content.version : -1,
    target: nameOrNull(content.target),
    target_used: nameOrNull(content.target_used),
    alerts,
    counts,
    suggestions: listOf<Suggestion>(content.suggestions),
    targets: listOf<TargetCandidate>(content.targets),
  };
}

export type WidgetKind = "grid" | "sidebar" | "studio";

/** The part of anywidget's model that the front end uses. */
export interface Model {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  on(event: string, callback: (...args: any[]) => void): void;
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: (ArrayBuffer | ArrayBufferView)[]): void;
  save_changes(): void;
}

export interface Reply {
  content: Record<string, unknown>;
  buffers: Uint8Array[];
}

export type RequestKind =
  | "rows"
  | "summary"
  | "view"
  | "apply_view"
  | "preview"
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

/** Why an `export` kept a file: it exists (confirm, then send `overwrite: true`), or a session reads it. */
export type ExportRefusal = "exists" | "source";

/** An error reply, as the rejection of `Client.request`: `content` holds its extra keys. */
export class RequestError extends Error {
  readonly content: Record<string, unknown>;

  constructor(message: string, content: Record<string, unknown>) {
    super(message);
    this.name = "RequestError";
    this.content = content;
  }

  /** The error reply's `reason`, when it has one (an `export`'s `ExportRefusal`). */
  get reason(): string | null {
    return typeof this.content.reason === "string" ? this.content.reason : null;
  }
}

export function toBytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  return new Uint8Array(buffer);
}

interface Pending {
  kind: string;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

// Replies go to every view of a model (and every front end attached to the kernel), so
// ids come from one sequence per page, started at a random point: two views never share
// an id and two pages almost never do.
let sharedNextId = 1 + Math.floor(Math.random() * 2 ** 40);

export interface ClientOptions {
  timeoutMs?: number;
  firstId?: number;
}

export class Client {
  readonly timeoutMs: number;
  private readonly model: Model;
  private readonly pending = new Map<number, Pending>();
  private nextId: number | null;
  private closed = false;
  private readonly onMessage = (msg: unknown, buffers?: unknown[]): void => {
    this.receive(msg, buffers ?? []);
  };

  constructor(model: Model, options: ClientOptions = {}) {
    this.model = model;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.nextId = options.firstId ?? null;
    model.on("msg:custom", this.onMessage);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  request(kind: RequestKind, extra: Record<string, unknown> = {}): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error("the widget view is closed"));
    const id = this.takeId();
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `no reply from the kernel to '${kind}' after ${Math.round(this.timeoutMs / 1000)} s ` +
              "(is the kernel busy or restarted?)",
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { kind, resolve, reject, timer });
      try {
        this.model.send({ ...extra, kind, request: id }, undefined, []);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.model.off("msg:custom", this.onMessage);
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private takeId(): number {
    if (this.nextId !== null) return this.nextId++;
    return sharedNextId++;
  }

  private receive(msg: unknown, buffers: unknown[]): void {
    if (typeof msg !== "object" || msg === null) return;
    const content = msg as Record<string, unknown>;
    const id = content.request;
    if (typeof id !== "number") return;
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (content.kind === "error") {
      const message = typeof content.message === "string" ? content.message : "request failed";
      p.reject(new RequestError(message, content));
      return;
    }
    const bytes = buffers
      .filter((b): b is ArrayBuffer | ArrayBufferView => b instanceof ArrayBuffer || ArrayBuffer.isView(b))
      .map(toBytes);
    p.resolve({ content, buffers: bytes });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
