// The diff preview in the grid: while a form is previewed, a second grid shows the frame the
// operation would give (served in windows by `preview_rows`, like the view by `rows`), with
// changed cells, new columns and removed columns marked and removed rows counted; Apply or
// Discard ends it.
import { type ErrorArea, Listeners, button, h } from "./dom";
import { formatCount } from "./format";
import { Grid } from "./grid";
import {
  Client,
  type FieldsArg,
  type Model,
  type Preview,
  type PreviewGrid,
  type PreviewField,
  type Reply,
  type RequestKind,
  errorMessage,
} from "./protocol";

type Handler = (...args: unknown[]) => void;

/** The traits a Grid reads, for a kept preview: fixed while it is shown. */
class PreviewModel implements Model {
  private readonly traits: Record<string, unknown>;

  constructor(grid: PreviewGrid) {
    this.traits = {
      _kind: "grid",
      schema: grid.schema,
      version: grid.version,
      view: grid.id,
      row_count: grid.row_count,
      total_rows: grid.row_count,
      sort: [],
      filters: [],
      error: "",
    };
  }

  get(name: string): unknown {
    return this.traits[name];
  }

  set(): void {}
  on(_event: string, _callback: Handler): void {}
  off(): void {}
  send(): void {}
  save_changes(): void {}
}

/** Changed-cell offsets of the windows read, by window start; the oldest are forgotten. */
const KEEP_WINDOWS = 128;

/**
 * Answers a preview grid's requests: `rows` becomes `preview_rows` of the kept preview, whose
 * changed cells it remembers; the rest (sorting, filtering, summaries) wait for the end.
 */
export class PreviewClient extends Client {
  readonly preview: PreviewGrid;
  private readonly real: Client;
  private readonly windows = new Map<number, { stop: number; changed: Map<string, Set<number>> }>();

  constructor(real: Client, preview: PreviewGrid) {
    super(new PreviewModel(preview));
    this.real = real;
    this.preview = preview;
  }

  override request<K extends RequestKind>(kind: K, ...args: FieldsArg<K>): Promise<Reply> {
    const extra = (args[0] ?? {}) as Record<string, unknown>;
    if (kind === "rows") {
      const start = Number(extra.start);
      const stop = Number(extra.stop);
      return this.real.request("preview_rows", { preview: this.preview.id, start, stop }).then((reply) => {
        this.remember(reply.content);
        const content = { ...reply.content, kind: "rows", version: this.preview.version, view: this.preview.id };
        return { content, buffers: reply.buffers };
      });
    }
    if (kind === "summary" || kind === "header_stats") {
      // Header figures describe the session's frame; the preview shows its dtypes only.
      const content = { kind, version: this.preview.version, filters: [], summaries: {}, stats: {} };
      return Promise.resolve({ content, buffers: [] });
    }
    return Promise.reject(new Error("the grid shows a preview: apply or discard it first"));
  }

  /** Whether the cell at view row `row` of `column` is one the operation changes. */
  changed(row: number, column: string): boolean {
    for (const [start, w] of this.windows) {
      if (row >= start && row < w.stop) return w.changed.get(column)?.has(row - start) ?? false;
    }
    return false;
  }

  private remember(content: Record<string, unknown>): void {
    const start = Number(content.start);
    const stop = Number(content.stop);
    const raw = (content.changed ?? {}) as Record<string, unknown>;
    const changed = new Map<string, Set<number>>();
    for (const [column, offsets] of Object.entries(raw)) {
      if (Array.isArray(offsets)) changed.set(column, new Set(offsets.map(Number)));
    }
    this.windows.delete(start);
    this.windows.set(start, { stop, changed });
    while (this.windows.size > KEEP_WINDOWS) this.windows.delete(this.windows.keys().next().value!);
  }
}

/** One line of counts for the banner: what the preview changes. */
export function diffSummary(preview: Preview, grid: PreviewGrid): string {
  const parts: string[] = [];
  const changed = Object.entries(preview.changed ?? {}).filter(
    ([name, n]) => n > 0 && !preview.columns_added.includes(name),
  );
  const cells = changed.reduce((sum, [, n]) => sum + n, 0);
  if (cells) {
    const where = changed.length === 1 ? changed[0]![0] : `${changed.length} columns`;
    parts.push(`${formatCount(cells)} value${cells === 1 ? "" : "s"} changed in ${where}`);
  }
  const typed = Object.keys(preview.dtypes_changed ?? {}).length;
  if (typed) parts.push(`${typed} type${typed === 1 ? "" : "s"} changed`);
  const added = grid.schema.filter((f) => f.change === "added").length;
  const removed = grid.schema.filter((f) => f.change === "removed").length;
  if (added) parts.push(`${added} column${added === 1 ? "" : "s"} added`);
  if (removed) parts.push(`${removed} column${removed === 1 ? "" : "s"} removed`);
  if (grid.rows_removed) parts.push(`${formatCount(grid.rows_removed)} row${grid.rows_removed === 1 ? "" : "s"} removed`);
  const extra = preview.rows_after - preview.rows_before;
  if (extra > 0) parts.push(`${formatCount(extra)} row${extra === 1 ? "" : "s"} added`);
  if (!parts.length) parts.push("no change");
  return parts.join(" · ");
}

/** The CSS class of a preview cell, from its column's change and the changed-cell marks. */
export function cellClass(field: PreviewField | undefined, changed: boolean): string {
  if (!field) return "";
  if (field.change === "added") return "hydroml-diff-added";
  if (field.change === "removed") return "hydroml-diff-removed";
  return changed ? "hydroml-diff-changed" : "";
}

export interface DiffHost {
  /** The real client (the studio's). */
  client: Client;
  /** The session's model: a new version ends the preview. */
  model: Model;
  errors: ErrorArea;
  /** Where the preview grid goes; the main grid is hidden meanwhile. */
  main: Grid;
}

interface Shown {
  op: string;
  params: Record<string, unknown>;
  grid: Grid;
  client: PreviewClient;
}

export class DiffPreview {
  readonly banner: HTMLDivElement;
  private readonly host: DiffHost;
  private readonly listeners = new Listeners();
  private readonly text: HTMLSpanElement;
  private readonly label: HTMLSpanElement;
  private shown: Shown | null = null;
  /** Bumped by each preview asked for and each end: a late reply for an older one is dropped. */
  private asked = 0;

  constructor(host: DiffHost) {
    this.host = host;
    this.label = h("span", { className: "hydroml-diff-label" });
    this.text = h("span", { className: "hydroml-diff-counts", attrs: { "aria-live": "polite" } });
    const apply = button("Apply", "diff-apply", "hydroml-button hydroml-primary");
    const discard = button("Discard", "diff-discard", "hydroml-button hydroml-secondary");
    this.banner = h("div", { className: "hydroml-diff-banner", attrs: { role: "status" } }, [
      h("span", { className: "hydroml-diff-badge", text: "Preview" }),
      this.label,
      this.text,
      h("span", { className: "hydroml-diff-legend" }, [
        h("span", { className: "hydroml-diff-key hydroml-diff-changed", text: "changed" }),
        h("span", { className: "hydroml-diff-key hydroml-diff-added", text: "new" }),
        h("span", { className: "hydroml-diff-key hydroml-diff-removed", text: "removed" }),
      ]),
      apply,
      discard,
    ]);
    this.banner.hidden = true;
    this.listeners.dom(apply, "click", () => this.apply());
    this.listeners.dom(discard, "click", () => this.discard());
    this.listeners.model(host.model, "change:version", () => this.end(false));
  }

  get active(): boolean {
    return this.shown !== null;
  }

  get grid(): Grid | null {
    return this.shown?.grid ?? null;
  }

  /** A client for the sidebar: its previews ask the kernel to keep the frame and show here. */
  sidebarClient(): Client {
    const real = this.host.client;
    const preview = (op: string, params: Record<string, unknown>): Promise<Reply> => {
      const ticket = ++this.asked;
      return real.request("preview", { op, params, grid: true }).then((reply) => {
        if (ticket === this.asked) this.show(op, params, reply.content);
        return reply;
      });
    };
    return new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== "request") return Reflect.get(target, prop, receiver);
        return (kind: RequestKind, extra?: Record<string, unknown>): Promise<Reply> => {
          if (kind === "preview" && extra) return preview(String(extra.op), (extra.params ?? {}) as Record<string, unknown>);
          return (target.request as (k: RequestKind, e?: unknown) => Promise<Reply>).call(target, kind, extra);
        };
      },
    });
  }

  /** Show the reply of a `preview` asked with `grid`; one without `grid` ends any shown. */
  show(op: string, params: Record<string, unknown>, content: Record<string, unknown>): void {
    const grid = content.grid as PreviewGrid | undefined;
    const preview = content.preview as Preview | undefined;
    this.end(false);
    if (!grid || !preview || typeof grid !== "object") return;
    const client = new PreviewClient(this.host.client, grid);
    const fields = new Map(grid.schema.map((f) => [f.name, f]));
    const view = new Grid(new PreviewModel(grid), client, {
      errors: this.host.errors,
      cellClass: (row, field) => cellClass(fields.get(field.name), client.changed(row, field.name)),
    });
    view.el.classList.add("hydroml-diff-grid");
    this.host.main.el.hidden = true;
    this.host.main.el.after(view.el);
    this.shown = { op, params, grid: view, client };
    this.label.textContent = preview.label || preview.op;
    this.text.textContent = diffSummary(preview, grid);
    this.banner.hidden = false;
  }

  /** Apply the previewed operation: a new step; the version change ends the preview. */
  apply(): void {
    const shown = this.shown;
    if (!shown) return;
    this.host.client.request("apply", { op: shown.op, params: shown.params }).then(
      () => this.host.errors.clearLocal(),
      (err: unknown) => this.host.errors.show(errorMessage(err)),
    );
  }

  /** Drop the preview, in the kernel too. */
  discard(): void {
    this.end(true);
  }

  /** Stop showing the preview; with `tell`, ask the kernel to drop it. */
  end(tell: boolean): void {
    this.asked++;
    const shown = this.shown;
    if (!shown) return;
    this.shown = null;
    shown.grid.dispose();
    shown.client.dispose();
    shown.grid.el.remove();
    this.banner.hidden = true;
    this.host.main.el.hidden = false;
    this.host.main.scheduleRender();
    if (tell) {
      this.host.client.request("preview_end", { preview: shown.client.preview.id }).catch((err: unknown) => {
        this.host.errors.show(errorMessage(err));
      });
    }
  }

  dispose(): void {
    this.end(false);
    this.listeners.dispose();
  }
}
