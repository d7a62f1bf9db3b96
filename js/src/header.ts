// Grid header: per column name, dtype, null count, a mini chart, sort/filter marks, resizing.
import { displayName } from "./columns";
import { clear, h } from "./dom";
import { formatCount, formatShare, formatValue } from "./format";
import type { Filter, HeaderStats, SchemaField, SortKey } from "./protocol";
import { sortArrow } from "./viewstate";

export interface HeaderCallbacks {
  sort(column: string, additive: boolean): void;
  filter(column: string, anchor: HTMLElement): void;
  select(column: string): void;
  resize(column: string, width: number): void;
  /** Open the column's menu (its ⋮ button, or a right-click at `at`). */
  menu?(column: string, anchor: HTMLElement, at?: { x: number; y: number }): void;
}

interface HeaderCell {
  root: HTMLDivElement;
  sortMark: HTMLSpanElement;
  filterButton: HTMLButtonElement;
  meta: HTMLDivElement;
  chart: HTMLDivElement;
}

export const MIN_COLUMN_WIDTH = 40;
const TOP_SEGMENTS = 3;

export class Header {
  readonly el: HTMLDivElement;
  private readonly corner: HTMLDivElement;
  private readonly callbacks: HeaderCallbacks;
  private cells = new Map<string, HeaderCell>();
  private schemaKey = "";
  private schema: SchemaField[] = [];

  constructor(callbacks: HeaderCallbacks) {
    this.callbacks = callbacks;
    this.corner = h("div", { className: "hydroml-header-corner", text: "#" });
    this.el = h("div", { className: "hydroml-header", attrs: { role: "row" } }, [this.corner]);
  }

  setColumns(schema: SchemaField[]): void {
    const key = JSON.stringify(schema.map((f) => [f.name, f.dtype, f.kind]));
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    this.schema = schema;
    for (const cell of this.cells.values()) cell.root.remove();
    this.cells = new Map();
    for (const field of schema) {
      const cell = this.makeCell(field);
      this.cells.set(field.name, cell);
      this.el.appendChild(cell.root);
    }
  }

  layout(offsets: number[], widths: number[], rownumWidth: number, totalWidth: number): void {
    this.el.style.width = `${totalWidth}px`;
    this.corner.style.width = `${rownumWidth}px`;
    this.schema.forEach((field, i) => {
      const cell = this.cells.get(field.name);
      if (!cell) return;
      cell.root.style.left = `${rownumWidth + (offsets[i] ?? 0)}px`;
      cell.root.style.width = `${widths[i] ?? 0}px`;
    });
  }

  setView(sort: SortKey[], filters: Filter[]): void {
    for (const [name, cell] of this.cells) {
      const idx = sort.findIndex((k) => k.column === name);
      const key = sort[idx];
      cell.sortMark.textContent = key ? `${sortArrow(key)}${sort.length > 1 ? idx + 1 : ""}` : "";
      cell.root.setAttribute("aria-sort", key ? (key.descending ? "descending" : "ascending") : "none");
      const filtered = filters.some((f) => f.column === name);
      cell.filterButton.classList.toggle("hydroml-active", filtered);
      cell.filterButton.title = filtered ? "Filter (active)" : "Filter";
    }
  }

  /** Mark the pinned columns' cells (they stay at the left, above the others). */
  setPinned(columns: string[]): void {
    for (const [name, cell] of this.cells) cell.root.classList.toggle("hydroml-pinned", columns.includes(name));
  }

  setSelected(column: string | null): void {
    for (const [name, cell] of this.cells) cell.root.classList.toggle("hydroml-selected", name === column);
  }

  setSummary(column: string, info: HeaderStats | null): void {
    const cell = this.cells.get(column);
    if (!cell) return;
    const field = this.schema.find((f) => f.name === column);
    const dtype = field?.dtype ?? "";
    clear(cell.chart);
    if (info === null) {
      cell.meta.textContent = dtype;
      return;
    }
    const nulls = info.nulls;
    cell.meta.textContent = `${dtype} · ${nulls ? `${formatCount(nulls)} null` : "no nulls"}`;
    const share = info.rows ? nulls / info.rows : 0;
    cell.meta.title = `${dtype}, ${formatCount(nulls)} missing of ${formatCount(info.rows)} rows (${formatShare(share)})`;
    if (info.histogram && info.histogram.counts.length) miniHistogram(cell.chart, info);
    else miniTopValues(cell.chart, info);
  }

  clearSummaries(): void {
    for (const field of this.schema) this.setSummary(field.name, null);
  }

  private makeCell(field: SchemaField): HeaderCell {
    // Spaces at the ends and line breaks made visible; the hover shows the whole name.
    const shown = displayName(field.name);
    const name = h("span", { className: "hydroml-header-label", text: shown, title: shown });
    const sortMark = h("span", { className: "hydroml-sort-mark" });
    const nameArea = h("div", { className: "hydroml-header-name", title: "Sort (shift-click: add a sort key)" }, [
      name,
      sortMark,
    ]);
    const filterButton = h("button", {
      className: "hydroml-filter-button",
      text: "▾",
      title: "Filter",
      attrs: { type: "button", "aria-label": `Filter ${field.name}` },
    });
    const meta = h("div", { className: "hydroml-header-meta", text: field.dtype });
    const chart = h("div", { className: "hydroml-header-chart" });
    const handle = h("div", { className: "hydroml-resize", title: "Drag to resize" });
    const root = h(
      "div",
      {
        className: `hydroml-header-cell hydroml-kind-${field.kind}${changeClass(field)}`,
        attrs: { "data-column": field.name, role: "columnheader" },
      },
      [h("div", { className: "hydroml-header-top" }, [nameArea, filterButton]), meta, chart, handle],
    );
    nameArea.addEventListener("click", (e) => {
      this.callbacks.sort(field.name, e.shiftKey);
    });
    root.addEventListener("click", () => this.callbacks.select(field.name));
    filterButton.addEventListener("click", (e) => {
      e.stopPropagation();
      this.callbacks.filter(field.name, filterButton);
    });
    handle.addEventListener("click", (e) => e.stopPropagation());
    if (this.callbacks.menu) {
      const menu = h("button", {
        className: "hydroml-menu-button",
        text: "⋮",
        title: "Column menu",
        attrs: { type: "button", "aria-label": `Menu of ${shown}`, "aria-haspopup": "menu" },
      });
      filterButton.after(menu);
      menu.addEventListener("click", (e) => {
        e.stopPropagation();
        this.callbacks.menu?.(field.name, menu);
      });
      root.addEventListener("contextmenu", (e) => {
        e.preventDefault();
        this.callbacks.menu?.(field.name, root, { x: e.clientX, y: e.clientY });
      });
    }
    handle.addEventListener("pointerdown", (e) => this.startResize(e, field.name, root, handle));
    return { root, sortMark, filterButton, meta, chart };
  }

  private startResize(e: PointerEvent, column: string, root: HTMLElement, handle: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const startWidth = root.getBoundingClientRect().width || parseFloat(root.style.width) || 100;
    const move = (ev: PointerEvent): void => {
      this.callbacks.resize(column, Math.max(MIN_COLUMN_WIDTH, Math.round(startWidth + ev.clientX - startX)));
    };
    const up = (): void => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
    };
    handle.setPointerCapture?.(e.pointerId);
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  }
}

/** The diff preview's mark of a column it adds, removes or changes (its fields carry `change`). */
function changeClass(field: SchemaField): string {
  const change = (field as { change?: unknown }).change;
  return typeof change === "string" && change !== "same" ? ` hydroml-diff-${change}` : "";
}

function miniHistogram(chart: HTMLElement, info: HeaderStats): void {
  const hist = info.histogram!;
  const max = Math.max(1, ...hist.counts);
  const bars = h("div", { className: "hydroml-mini-hist" });
  hist.counts.forEach((count, i) => {
    const bar = h("div", { className: "hydroml-bar" });
    bar.style.height = `${count ? Math.max(4, (count / max) * 100) : 0}%`;
    bar.title = `${hist.labels[i] ?? ""} – ${hist.labels[i + 1] ?? ""}: ${formatCount(count)}`;
    bars.appendChild(bar);
  });
  chart.appendChild(bars);
}

function miniTopValues(chart: HTMLElement, info: HeaderStats): void {
  const total = info.rows - info.nulls;
  const strip = h("div", { className: "hydroml-mini-top" });
  if (total > 0) {
    let shown = 0;
    info.top_values.slice(0, TOP_SEGMENTS).forEach(([value, count], i) => {
      shown += count;
      const seg = h("div", { className: `hydroml-top-segment hydroml-top-${i}` });
      seg.style.width = `${(count / total) * 100}%`;
      seg.title = `${formatValue(value)}: ${formatCount(count)} (${formatShare(count / total)})`;
      strip.appendChild(seg);
    });
    const rest = total - shown;
    if (rest > 0) {
      const seg = h("div", { className: "hydroml-top-segment hydroml-top-rest" });
      seg.style.width = `${(rest / total) * 100}%`;
      seg.title = `other values: ${formatCount(rest)} (${formatShare(rest / total)})`;
      strip.appendChild(seg);
    }
  }
  const distinct = info.distinct;
  const label = h("div", {
    className: "hydroml-mini-label",
    text: distinct === null ? "" : `${formatCount(distinct)} distinct`,
  });
  chart.appendChild(strip);
  chart.appendChild(label);
}
