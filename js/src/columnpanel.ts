// Column tab: one column's summary, histogram or top values, and quick actions.
import { button, clear, h, textTable, traitNumber } from "./dom";
import { formatCount, formatShare, formatStat, formatValue } from "./format";
import { type ColumnInfo, errorMessage } from "./protocol";
import { type SidebarContext, TabPanel, catalogOf, schemaOf } from "./panel";

export interface ColumnActions {
  /** Open the Operations tab on `op` with `column` filled in. */
  prefill(op: string, column: string, mappingKeys?: boolean): void;
}

const QUICK: [string, string, string, boolean][] = [
  ["Rename", "quick-rename", "rename", true],
  ["Cast", "quick-cast", "cast", false],
  ["Fill missing", "quick-fill", "fill_missing", false],
];
const DROP_OP = "drop_columns";

export class ColumnPanel extends TabPanel {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly actions: ColumnActions;
  private readonly picker: HTMLSelectElement;
  private readonly content: HTMLDivElement;
  private column: string | null = null;
  private loaded: { column: string; version: number; info: ColumnInfo } | null = null;
  private loading: string | null = null;

  constructor(ctx: SidebarContext, actions: ColumnActions) {
    super();
    this.ctx = ctx;
    this.actions = actions;
    this.picker = h("select", { className: "hydroml-column-select hydroml-input", attrs: { "aria-label": "Column" } });
    this.content = h("div", { className: "hydroml-column-info" });
    this.el = h("div", { className: "hydroml-panel hydroml-panel-column", attrs: { "data-panel": "column" } }, [
      this.picker,
      this.content,
    ]);
    this.listeners.dom(this.picker, "change", () => this.setColumn(this.picker.value || null));
    this.listeners.model(ctx.model, "change:schema", () => this.syncSchema());
    this.listeners.model(ctx.model, "change:version", () => this.shown && this.load());
    this.syncSchema();
  }

  get selected(): string | null {
    return this.column;
  }

  setColumn(column: string | null): void {
    this.column = column;
    this.picker.value = column ?? "";
    if (this.shown) this.load();
  }

  protected onShow(): void {
    this.load();
  }

  private syncSchema(): void {
    const names = schemaOf(this.ctx.model).map((f) => f.name);
    clear(this.picker);
    this.picker.appendChild(h("option", { text: "(choose a column)", attrs: { value: "" } }));
    for (const n of names) this.picker.appendChild(h("option", { text: n, attrs: { value: n } }));
    if (this.column !== null && !names.includes(this.column)) this.column = null;
    this.picker.value = this.column ?? "";
  }

  private load(): void {
    const column = this.column;
    const version = traitNumber(this.ctx.model, "version");
    if (column === null) {
      clear(this.content);
      this.content.appendChild(h("div", { className: "hydroml-hint", text: "Click a column header in the grid, or choose a column above." }));
      return;
    }
    if (this.loaded && this.loaded.column === column && this.loaded.version === version) {
      this.render(this.loaded.info);
      return;
    }
    const key = `${version}\u0000${column}`;
    if (this.loading === key) return;
    this.loading = key;
    clear(this.content);
    this.content.appendChild(h("div", { className: "hydroml-hint", text: `Loading ${column}…` }));
    this.ctx.client.request("summary", { columns: [column] }).then(
      (reply) => {
        if (this.loading === key) this.loading = null;
        const summaries = (reply.content.summaries ?? {}) as Record<string, ColumnInfo>;
        const info = summaries[column];
        if (!info || reply.content.version !== version) return;
        this.loaded = { column, version, info };
        if (this.column === column && traitNumber(this.ctx.model, "version") === version) this.render(info);
      },
      (err: unknown) => {
        if (this.loading === key) this.loading = null;
        if (this.column !== column) return;
        clear(this.content);
        this.ctx.errors.show(errorMessage(err));
      },
    );
  }

  private render(info: ColumnInfo): void {
    const s = info.summary;
    clear(this.content);
    this.content.append(
      h("div", { className: "hydroml-column-title", text: this.column ?? s.name }),
      textTable(
        [],
        [
          ["dtype", s.dtype],
          ["values", formatCount(s.count)],
          ["missing", `${formatCount(s.nulls)} (${formatShare(s.null_share)})`],
          ["distinct", s.distinct === null ? "—" : formatCount(s.distinct)],
          ["min", formatStat(s.min)],
          ["max", formatStat(s.max)],
          ["mean", formatStat(s.mean)],
          ["std", formatStat(s.std)],
        ],
        "hydroml-table hydroml-summary-table",
      ),
    );
    const hist = info.histogram;
    if (hist && hist.counts.length) {
      const bins = hist.counts.map((count, i): [string, number] => [
        `${hist.labels[i] ?? ""} – ${hist.labels[i + 1] ?? ""}`,
        count,
      ]);
      this.content.append(h("div", { className: "hydroml-subtitle", text: "histogram" }), barList(bins, "hydroml-histogram"));
      if (hist.ignored) {
        this.content.append(h("div", { className: "hydroml-hint", text: `${formatCount(hist.ignored)} infinite values not shown` }));
      }
    } else if (info.top_values.length) {
      const tops = info.top_values.map(([v, c]): [string, number] => [formatValue(v), c]);
      this.content.append(h("div", { className: "hydroml-subtitle", text: "top values" }), barList(tops, "hydroml-top-values"));
    }
    this.content.append(this.quickActions());
  }

  private quickActions(): HTMLElement {
    const column = this.column ?? "";
    const catalog = new Set(catalogOf(this.ctx.model).map((f) => f.name));
    const box = h("div", { className: "hydroml-buttons hydroml-quick-actions" });
    for (const [text, action, op, mappingKeys] of QUICK) {
      if (!catalog.has(op)) continue;
      const b = button(text, action, "hydroml-button hydroml-secondary");
      b.addEventListener("click", () => this.actions.prefill(op, column, mappingKeys));
      box.appendChild(b);
    }
    if (catalog.has(DROP_OP)) {
      const drop = button("Drop", "quick-drop", "hydroml-button hydroml-danger");
      let armed = false;
      drop.addEventListener("click", () => {
        if (!armed) {
          armed = true;
          drop.textContent = `Drop ${column}? Click again`;
          return;
        }
        this.drop(column);
      });
      box.appendChild(drop);
    }
    return box;
  }

  private drop(column: string): void {
    const form = catalogOf(this.ctx.model).find((f) => f.name === DROP_OP);
    if (!form) return;
    const params: Record<string, unknown> = {};
    for (const p of form.params) {
      if (p.type === "columns") params[p.name ?? ""] = [column];
      else if (p.type === "column") params[p.name ?? ""] = column;
    }
    this.ctx.client.request("apply", { op: DROP_OP, params }).then(
      () => this.ctx.errors.clearLocal(),
      (err: unknown) => this.ctx.errors.show(errorMessage(err)),
    );
  }
}

function barList(items: [string, number][], className: string): HTMLElement {
  const max = Math.max(1, ...items.map(([, c]) => c));
  const list = h("div", { className: `hydroml-bars ${className}` });
  for (const [label, count] of items) {
    const bar = h("div", { className: "hydroml-bar-fill" });
    bar.style.width = `${(count / max) * 100}%`;
    list.appendChild(
      h("div", { className: "hydroml-bar-row", title: `${label}: ${formatCount(count)}` }, [
        h("span", { className: "hydroml-bar-label", text: label }),
        h("span", { className: "hydroml-bar-track" }, [bar]),
        h("span", { className: "hydroml-bar-count", text: formatCount(count) }),
      ]),
    );
  }
  return list;
}
