// Column tab: one column's summary, percentiles, histogram (on a log scale when its counts are
// skewed, or as the person chooses), top values
// with counts and shares, and quick actions.
import { displayName } from "./columns";
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
  // The percentiles of `column` at `version`, asked for beside its summary.
  private stats: { key: string; percentiles: [number, unknown][] | null } | null = null;
  // The person's choice of a log-scale histogram; null: log exactly when the counts are skewed.
  private logChoice: boolean | null = null;

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
    for (const n of names) this.picker.appendChild(h("option", { text: displayName(n), attrs: { value: n } }));
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
    this.loadStats(key, column, version);
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

  private loadStats(key: string, column: string, version: number): void {
    if (this.stats?.key === key) return;
    this.stats = { key, percentiles: null };
    this.ctx.client.request("column_stats", { column }).then(
      (reply) => {
        if (this.stats?.key !== key || reply.content.version !== version) return;
        const found = reply.content.percentiles;
        this.stats.percentiles = Array.isArray(found)
          ? found.filter((x): x is [number, unknown] => Array.isArray(x) && typeof x[0] === "number")
          : [];
        if (this.loaded?.column === column && this.loaded.version === version && this.column === column) {
          this.render(this.loaded.info);
        }
      },
      (err: unknown) => {
        if (this.stats?.key !== key) return;
        this.stats = null;
        if (this.column === column) this.ctx.errors.show(errorMessage(err));
      },
    );
  }

  private percentileTable(): HTMLElement | null {
    const version = traitNumber(this.ctx.model, "version");
    const found = this.stats?.key === `${version}\u0000${this.column}` ? this.stats.percentiles : null;
    if (!found || !found.length) return null;
    return h("div", {}, [
      h("div", { className: "hydroml-subtitle", text: "percentiles" }),
      textTable(
        [],
        found.map(([p, v]) => [`${p}%`, formatStat(v)]),
        "hydroml-table hydroml-summary-table hydroml-percentiles",
      ),
    ]);
  }

  private render(info: ColumnInfo): void {
    const s = info.summary;
    const focused = this.content.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.action : undefined;
    clear(this.content);
    this.content.append(
      h("div", { className: "hydroml-column-title", text: displayName(this.column ?? s.name) }),
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
    const percentiles = this.percentileTable();
    if (percentiles) this.content.append(percentiles);
    const hist = info.histogram;
    if (hist && hist.counts.length) {
      const bins = hist.counts.map((count, i): BarItem => ({
        label: `${hist.labels[i] ?? ""} – ${hist.labels[i + 1] ?? ""}`,
        count,
      }));
      const toggle = h("input", { attrs: { type: "checkbox", "data-action": "log-scale" } });
      const log = this.logChoice ?? skewed(hist.counts);
      toggle.checked = log;
      toggle.addEventListener("change", () => {
        this.logChoice = toggle.checked;
        if (this.loaded) this.render(this.loaded.info);
      });
      const head = h("div", { className: "hydroml-column-subhead" }, [
        h("div", { className: "hydroml-subtitle", text: "histogram" }),
        h("label", { className: "hydroml-log-toggle", title: "Bar lengths on a log scale: small bins stay visible beside a huge one (on by itself when some bin would hardly show)" }, [
          toggle,
          h("span", { text: "log scale" }),
        ]),
      ]);
      const list = barList(bins, "hydroml-histogram", log);
      if (log) list.classList.add("hydroml-log");
      this.content.append(head, list);
      if (hist.ignored) {
        this.content.append(h("div", { className: "hydroml-hint", text: `${formatCount(hist.ignored)} infinite values not shown` }));
      }
    }
    if (info.top_values.length) {
      const rows = s.count + s.nulls;
      const tops = info.top_values.map(([v, c]): BarItem => ({ label: formatValue(v), count: c, share: rows ? c / rows : 0 }));
      this.content.append(
        h("div", { className: "hydroml-subtitle", text: "top values", title: "Count and share of all rows, missing values included" }),
        barList(tops, "hydroml-top-values hydroml-with-share", false),
      );
    }
    this.content.append(this.quickActions());
    // A re-render (a log toggle, percentiles arriving) keeps the focus where it was.
    if (focused) this.content.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
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

/** Below this share of the largest bin a bar is hard to see on a linear scale. */
const VISIBLE_SHARE = 0.02;

/** Whether some non-empty bin would be drawn at under 2% of the largest on a linear scale. */
export function skewed(counts: number[]): boolean {
  const max = Math.max(0, ...counts);
  return counts.some((c) => c > 0 && c < max * VISIBLE_SHARE);
}

interface BarItem {
  label: string;
  count: number;
  /** Share of all rows, shown after the count when given. */
  share?: number;
}

/** Bars scaled to the largest count, or to log(1 + count) so that small counts stay visible. */
function barList(items: BarItem[], className: string, log: boolean): HTMLElement {
  const scale = (c: number): number => (log ? Math.log1p(c) : c);
  const max = Math.max(scale(1), ...items.map((i) => scale(i.count)));
  const list = h("div", { className: `hydroml-bars ${className}` });
  for (const { label, count, share } of items) {
    const bar = h("div", { className: "hydroml-bar-fill" });
    bar.style.width = `${(scale(count) / max) * 100}%`;
    const shareText = share === undefined ? "" : formatShare(share);
    const row = h("div", { className: "hydroml-bar-row", title: `${label}: ${formatCount(count)}${shareText ? ` (${shareText})` : ""}` }, [
      h("span", { className: "hydroml-bar-label", text: label }),
      h("span", { className: "hydroml-bar-track" }, [bar]),
      h("span", { className: "hydroml-bar-count", text: formatCount(count) }),
    ]);
    if (share !== undefined) row.appendChild(h("span", { className: "hydroml-bar-share", text: shareText }));
    list.appendChild(row);
  }
  return list;
}
