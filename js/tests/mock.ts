// A mock anywidget model and a small fake kernel answering the widget protocol.
import { afterEach, expect } from "vitest";
import { tableFromArrays, tableToIPC } from "@uwdata/flechette";
import { ANSWERS, type Model, WIDGET_KINDS, type WidgetKind } from "../src/protocol";

type Handler = (...args: any[]) => void;

export interface Sent {
  content: Record<string, any>;
  buffers: unknown[];
}

// Requests a view sent to a widget kind that does not answer them: none, after every test.
const unanswerable: string[] = [];
afterEach(() => {
  expect(unanswerable.splice(0)).toEqual([]);
});

export class MockModel implements Model {
  traits: Record<string, unknown>;
  readonly sent: Sent[] = [];
  readonly handlers = new Map<string, Set<Handler>>();
  onSend: ((content: Record<string, any>) => void) | null = null;

  constructor(traits: Record<string, unknown> = {}) {
    this.traits = { ...traits };
  }

  get(name: string): unknown {
    return this.traits[name];
  }

  set(name: string, value: unknown): void {
    this.update({ [name]: value });
  }

  /** Set several traits, then fire their change events (as Backbone does). */
  update(values: Record<string, unknown>): void {
    Object.assign(this.traits, values);
    for (const name of Object.keys(values)) this.emit(`change:${name}`, this, values[name]);
    this.emit("change", this);
  }

  on(event: string, callback: Handler): void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(callback);
  }

  off(event?: string | null, callback?: Handler | null): void {
    if (!event) {
      this.handlers.clear();
      return;
    }
    if (!callback) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(callback);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }

  send(content: unknown, _callbacks?: unknown, buffers?: unknown[]): void {
    const c = content as Record<string, any>;
    const widget = WIDGET_KINDS.find((k) => k === this.traits._kind);
    if (widget && !(ANSWERS[widget] as readonly string[]).includes(c.kind)) {
      unanswerable.push(`'${c.kind}' sent to a ${widget satisfies WidgetKind}`);
    }
    this.sent.push({ content: c, buffers: buffers ?? [] });
    this.onSend?.(c);
  }

  save_changes(): void {}

  emit(event: string, ...args: unknown[]): void {
    for (const h of Array.from(this.handlers.get(event) ?? [])) h(...args);
  }

  /** Deliver a custom message from the kernel; buffers arrive as DataView like in anywidget. */
  reply(content: Record<string, unknown>, buffers: Uint8Array[] = []): void {
    const views = buffers.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
    this.emit("msg:custom", content, views);
  }

  requests(kind?: string): Record<string, any>[] {
    return this.sent.map((s) => s.content).filter((c) => kind === undefined || c.kind === kind);
  }

  lastRequest(kind: string): Record<string, any> {
    const all = this.requests(kind);
    if (!all.length) throw new Error(`no '${kind}' request was sent`);
    return all[all.length - 1]!;
  }
}

export function ipc(columns: Record<string, unknown[]>): Uint8Array {
  const table = tableFromArrays(columns as Record<string, any>);
  return tableToIPC(table, { format: "stream" })!;
}

/** Views a test file makes: disposed, removed and the page emptied after each test. */
export function tracked<T extends { dispose(): void; el: HTMLElement }>(): T[] {
  const views: T[] = [];
  afterEach(() => {
    for (const v of views.splice(0)) {
      v.dispose();
      v.el.remove();
    }
    document.body.replaceChildren();
  });
  return views;
}

export const flush = async (times = 5): Promise<void> => {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
};

export interface FakeData {
  columns: Record<string, unknown[]>;
  schema: { name: string; dtype: string; kind: string }[];
}

/** Answers rows and summary requests from `data` (in frame order) after a tick. */
export class FakeKernel {
  readonly model: MockModel;
  data: FakeData;
  order: number[];
  autoReply = true;
  failNext: string | null = null;

  constructor(model: MockModel, data: FakeData) {
    this.model = model;
    this.data = data;
    const n = Object.values(data.columns)[0]?.length ?? 0;
    this.order = Array.from({ length: n }, (_, i) => i);
    model.update({
      schema: data.schema,
      row_count: n,
      total_rows: n,
      version: model.get("version") ?? 1,
      view: model.get("view") ?? 1,
      sort: [],
      filters: [],
    });
    model.onSend = (c) => {
      if (this.autoReply) setTimeout(() => this.answer(c), 0);
    };
  }

  answer(c: Record<string, any>): void {
    const base = { request: c.request, version: this.model.get("version") };
    if (this.failNext !== null) {
      const message = this.failNext;
      this.failNext = null;
      this.model.reply({ kind: "error", request: c.request, message });
      return;
    }
    if (c.kind === "rows") {
      const stop = Math.min(c.stop, this.order.length);
      const rows = this.order.slice(c.start, stop);
      const cols: Record<string, unknown[]> = {};
      for (const [name, values] of Object.entries(this.data.columns)) cols[name] = rows.map((r) => values[r]);
      this.model.reply(
        { ...base, kind: "rows", start: c.start, stop, view: this.model.get("view"), rows },
        [ipc(cols)],
      );
    } else if (c.kind === "summary") {
      const summaries: Record<string, unknown> = {};
      for (const name of c.columns as string[]) summaries[name] = summaryOf(this.data.columns[name] ?? []);
      this.model.reply({ ...base, kind: "summary", summaries });
    } else if (c.kind === "header_stats") {
      const stats: Record<string, unknown> = {};
      for (const name of c.columns as string[]) stats[name] = headerStatsOf(this.data.columns[name] ?? []);
      this.model.reply({ ...base, kind: "header_stats", filters: this.model.get("filters") ?? [], stats });
    } else if (c.kind === "values") {
      const listed = valuesOf(this.data.columns[c.column] ?? [], c.search ?? "", c.limit ?? 200);
      this.model.reply({ ...base, kind: "values", column: c.column, filters: this.model.get("filters") ?? [], ...listed });
    } else if (c.kind === "view") {
      const view = Number(this.model.get("view")) + 1;
      this.model.update({ ...(c.sort ? { sort: c.sort } : {}), ...(c.filters ? { filters: c.filters } : {}), view });
      this.model.reply({ ...base, kind: "view", view, row_count: this.model.get("row_count") });
    } else if (c.kind === "code") {
      this.model.reply({ ...base, kind: "code", code: "import pandas as pd\n" });
    } else {
      this.model.reply({ ...base, kind: "done" });
    }
  }
}

export function summaryOf(values: unknown[]): Record<string, unknown> {
  const present = values.filter((v) => v !== null && v !== undefined);
  const counts = new Map<unknown, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const numeric = present.every((v) => typeof v === "number");
  return {
    summary: {
      name: "",
      dtype: numeric ? "float64" : "str",
      kind: numeric ? "f" : "O",
      count: present.length,
      nulls: values.length - present.length,
      null_share: values.length ? (values.length - present.length) / values.length : 0,
      distinct: counts.size,
      min: null,
      max: null,
      mean: null,
      std: null,
      top,
    },
    histogram: numeric ? { edges: [0, 1, 2], counts: [present.length, 0], labels: ["0", "1", "2"], ignored: 0, kind: "numeric", unit: null } : null,
    top_values: top,
  };
}

/** A `header_stats` entry of `values`, as the kernel shapes it (figures from `summaryOf`). */
export function headerStatsOf(values: unknown[]): Record<string, unknown> {
  const info = summaryOf(values) as { summary: Record<string, any>; histogram: unknown; top_values: unknown };
  const distinct = info.histogram ? null : info.summary.distinct;
  return { rows: values.length, nulls: info.summary.nulls, distinct, histogram: info.histogram, top_values: info.top_values };
}

/** A `values` reply over `values`: most frequent first, ties in text order, `search` in any case. */
export function valuesOf(values: unknown[], search: string, limit: number): Record<string, unknown> {
  const present = values.filter((v) => v !== null && v !== undefined);
  const counts = new Map<unknown, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  const needle = search.toLowerCase();
  const matching = [...counts.entries()]
    .filter(([v]) => String(v).toLowerCase().includes(needle))
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  return {
    rows: values.length,
    nulls: values.length - present.length,
    distinct: matching.length,
    complete: matching.length <= limit,
    values: matching.slice(0, limit),
  };
}
