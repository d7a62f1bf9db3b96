// The widget protocol (docs/widget-protocol.md): the generated types and constants, and the
// request client. Every type and value list comes from ./generated/protocol.ts, written from
// the Python definitions (hydroml_jupyter/widgets/shapes.py and schema.py); add nothing here
// that the kernel also knows.
import {
  type Alert,
  EXPORT_REFUSALS,
  type ExportRefusal,
  type QualityReport,
  type RequestFields,
  type RequestKind,
  SEVERITIES,
  type Severity,
  type Suggestion,
  type TargetCandidate,
} from "./generated/protocol";

export * from "./generated/protocol";

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

/** An error reply, as the rejection of `Client.request`: `content` holds its extra keys. */
export class RequestError extends Error {
  readonly content: Record<string, unknown>;

  constructor(message: string, content: Record<string, unknown>) {
    super(message);
    this.name = "RequestError";
    this.content = content;
  }

  /** The error reply's `reason`, when it has one (an `export`'s `ExportRefusal`). */
  get reason(): ExportRefusal | null {
    const reason = this.content.reason;
    return EXPORT_REFUSALS.find((r) => r === reason) ?? null;
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

/** A request's keys: optional when it needs none. */
export type FieldsArg<K extends RequestKind> = {} extends RequestFields[K] ? [extra?: RequestFields[K]] : [extra: RequestFields[K]];

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

  /** Send a request of a defined kind with its keys; resolves with the reply, rejects with a `RequestError`. */
  request<K extends RequestKind>(kind: K, ...args: FieldsArg<K>): Promise<Reply> {
    const extra: object = args[0] ?? {};
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
