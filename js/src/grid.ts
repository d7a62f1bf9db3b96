// The data grid: virtual rows over the kernel's view, header with summaries and filters.
import { decodeWindow } from "./arrow";
import { WindowCache, type RowsWindow } from "./cache";
import { ColumnMenu } from "./columnmenu";
import { ColumnLayout } from "./columns";
import { ErrorArea, Listeners, h, traitList, traitNumber } from "./dom";
import { FilterPopover } from "./filters";
import { FindBar } from "./find";
import { formatCell } from "./format";
import { Header } from "./header";
import { moveSelection, type Cell } from "./keys";
import { type Client, type Filter, type Model, type SchemaField, type SortKey, errorMessage } from "./protocol";
import { RowsView } from "./rows";
import { Selection, contains, rangeOf, rangeTsv } from "./selection";
import { type Geometry, offsetForScroll, offsetShowingRow, scrollForOffset, isScaled, spacerHeight, visibleRange, clampOffset } from "./scroll";
import { SummaryLoader } from "./summaries";
import { valuesOf } from "./valuelist";
import { ViewBar } from "./viewbar";
import { filtersFor, nextSort, replaceFilters } from "./viewstate";

export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 66;
// Before the grid was ever laid out (hidden output, tests) assume a typical viewport.
const FALLBACK_HEIGHT = 420;
const FALLBACK_WIDTH = 1200;
const POPOVER_WIDTH = 270;

export interface GridOptions {
  errors?: ErrorArea;
  onSelectColumn?: (column: string) => void;
  /** An extra CSS class for a cell (the diff preview marks changed cells). */
  cellClass?: (row: number, field: SchemaField) => string;
  /** Open operation `op`'s form for `column` (the column menu's quick actions). */
  onQuickAction?: (op: string, column: string) => void;
}

export class Grid {
  readonly el: HTMLDivElement;
  readonly errors: ErrorArea;
  readonly cache: WindowCache;
  private readonly model: Model;
  private readonly client: Client;
  private readonly options: GridOptions;
  private readonly listeners = new Listeners();
  private readonly scroll: HTMLDivElement;
  private readonly canvas: HTMLDivElement;
  private readonly bar: ViewBar;
  private readonly header: Header;
  private readonly rows: RowsView;
  private readonly popover: FilterPopover;
  private readonly summaries: SummaryLoader;
  private readonly menu: ColumnMenu;
  private schema: SchemaField[] = [];
  private readonly layout = new ColumnLayout();
  private offset = 0;
  private lastScrollTop = 0;
  private measured = { height: 0, width: 0 };
  private selection: Cell | null = null;
  private readonly range = new Selection();
  private readonly finder: FindBar;
  private shownView = "";
  private selectedColumn: string | null = null;
  private frame: number | null = null;
  private disposed = false;

  constructor(model: Model, client: Client, options: GridOptions = {}) {
    this.model = model;
    this.client = client;
    this.options = options;
    this.errors = options.errors ?? new ErrorArea();
    this.cache = new WindowCache((start, stop) => this.fetchRows(start, stop));
    this.cache.onUpdate = () => {
      this.summaries.rowsArrived();
      this.scheduleRender();
    };
    this.cache.onError = (err) => this.errors.show(errorMessage(err));

    this.header = new Header({
      sort: (column, additive) => this.sortBy(column, additive),
      filter: (column, anchor) => this.openFilter(column, anchor),
      select: (column) => this.selectColumn(column),
      menu: (column, anchor, at) => this.menu.open(column, anchor, at),
      resize: (column, width) => {
        this.layout.setWidth(column, width);
        this.layoutColumns();
        this.renderNow();
      },
    });
    this.summaries = new SummaryLoader(client, this.header, this.errors);
    this.rows = new RowsView(ROW_HEIGHT);
    this.header.el.style.height = `${HEADER_HEIGHT}px`;
    this.rows.body.style.top = `${HEADER_HEIGHT}px`;
    this.canvas = h("div", { className: "hydroml-canvas" }, [this.header.el, this.rows.body]);
    this.scroll = h("div", { className: "hydroml-scroll" }, [this.canvas]);
    this.bar = new ViewBar(model, client, this.errors, this.listeners, () => this.setOffset(0));
    this.popover = new FilterPopover({
      apply: (column, filters) => this.applyFilters(column, filters),
      values: (column, search) => valuesOf(client, column, search),
    });
    this.finder = new FindBar(client, {
      show: (m) => this.showMatch(m.row, m.column),
      cursor: () => (this.selection ? { row: this.selection.row, column: this.schema[this.selection.col]?.name ?? "" } : null),
      closed: () => {
        this.el.focus({ preventScroll: true });
        this.renderNow();
      },
    });
    this.el = h("div", { className: "hydroml-grid", attrs: { tabindex: "0", role: "grid" } }, [this.bar.el, this.finder.el]);
    if (!options.errors) this.el.appendChild(this.errors.el);
    this.el.append(this.scroll, this.popover.el);
    this.menu = new ColumnMenu({
      client, errors: this.errors, layout: this.layout, root: this.el,
      shown: () => this.schema,
      all: () => traitList<SchemaField>(this.model, "schema"),
      sortKeys: () => this.bar.sort,
      sort: (column, descending) => this.bar.send({ sort: descending === null ? [] : [{ column, descending }] }),
      filter: (column, anchor) => this.openFilter(column, anchor),
      changed: () => this.sync(),
      quick: options.onQuickAction,
    });
    this.bind();
    this.sync();
  }

  get selected(): Cell | null {
    return this.selection;
  }

  dispose(): void {
    this.disposed = true;
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.listeners.dispose();
    this.menu.dispose();
    this.cache.clear();
  }

  private bind(): void {
    const l = this.listeners;
    for (const name of ["schema", "version", "view", "row_count", "total_rows", "sort", "filters"]) {
      l.model(this.model, `change:${name}`, () => this.sync());
    }
    l.dom(this.scroll, "scroll", () => this.onScroll());
    l.dom(this.scroll, "wheel", (e) => this.onWheel(e), { passive: false });
    l.dom(this.el, "keydown", (e) => this.onKey(e));
    l.dom(this.rows.body, "click", (e) => this.onCellClick(e));
    l.dom(this.rows.body, "pointerdown", (e) => this.onPress(e));
    l.dom(this.rows.body, "pointermove", (e) => this.onDrag(e));
    l.dom(document, "pointerup", () => this.range.release());
    l.dom(document, "pointerdown", (e) => {
      const target = e.target as Element;
      if (!this.popover.isOpen || this.popover.el.contains(target)) return;
      // A filter button toggles the popover itself (see openFilter).
      if (target instanceof Element && target.closest(".hydroml-filter-button")) return;
      this.popover.close();
    });
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(() => this.scheduleRender());
      ro.observe(this.scroll);
      l.add(() => ro.disconnect());
    }
  }

  private get rowCount(): number {
    return traitNumber(this.model, "row_count");
  }

  /** Read the traits; drop cached rows when version or view changed. */
  private sync(): void {
    if (this.disposed) return;
    const version = traitNumber(this.model, "version");
    const view = traitNumber(this.model, "view");
    const rowCount = this.rowCount;
    this.cache.reset(version, view, rowCount);
    if (`${version}:${view}` !== this.shownView) {
      this.shownView = `${version}:${view}`;
      this.finder.reset();
    }
    this.summaries.setView(version, traitList<Filter>(this.model, "filters"));
    this.schema = this.layout.arrange(traitList<SchemaField>(this.model, "schema"));
    this.header.setColumns(this.schema);
    this.header.setSelected(this.selectedColumn);
    this.summaries.refresh();
    this.layoutColumns();
    const sort = traitList<SortKey>(this.model, "sort");
    const filters = traitList<Filter>(this.model, "filters");
    this.header.setView(sort, filters);
    this.bar.sync(rowCount);
    if (this.selection) {
      if (rowCount === 0 || this.schema.length === 0) this.selection = null;
      else
        this.selection = {
          row: Math.min(this.selection.row, rowCount - 1),
          col: Math.min(this.selection.col, this.schema.length - 1),
        };
    }
    this.offset = clampOffset(this.offset, this.geometry());
    this.scheduleRender();
  }

  private async fetchRows(start: number, stop: number): Promise<RowsWindow> {
    const reply = await this.client.request("rows", { start, stop });
    const c = reply.content;
    const buffer = reply.buffers[0];
    if (buffer === undefined) throw new Error("the rows reply carried no data buffer");
    const version = Number(c.version);
    const view = Number(c.view);
    const rows = Array.isArray(c.rows) ? (c.rows as number[]) : [];
    const [v, w] = this.cache.generation;
    // A stale reply is dropped by the cache; skip decoding it.
    const data =
      version === v && view === w
        ? decodeWindow(buffer)
        : { numRows: 0, names: [], index: new Map<string, number>(), hints: [], columns: [] };
    return { start: Number(c.start ?? start), stop: Number(c.stop ?? stop), version, view, rows, data };
  }

  private layoutColumns(): void {
    const l = this.layout;
    l.update(this.schema, this.rowCount);
    this.header.layout(l.offsets, l.widths, l.rownumWidth, l.totalWidth);
    this.header.setPinned(this.schema.slice(0, l.pinnedCount).map((f) => f.name));
  }

  /** Whether the scroll area has a layout box now (not inside a hidden ancestor). */
  private laidOut(): boolean {
    return this.scroll.clientHeight > 0;
  }

  /**
   * The scroll area's size. JupyterLab hides outputs for a frame at times (theme changes),
   * and the ResizeObserver may not see that frame: keep the last size seen instead of 0.
   */
  private viewportSize(): { height: number; width: number } {
    const { clientHeight, clientWidth } = this.scroll;
    if (clientHeight > 0) this.measured.height = clientHeight;
    if (clientWidth > 0) this.measured.width = clientWidth;
    return {
      height: this.measured.height || FALLBACK_HEIGHT,
      width: this.measured.width || FALLBACK_WIDTH,
    };
  }

  private geometry(): Geometry {
    const height = this.viewportSize().height;
    return { rows: this.rowCount, rowHeight: ROW_HEIGHT, viewport: Math.max(ROW_HEIGHT, height - HEADER_HEIGHT) };
  }

  private visibleColumns(): [number, number] {
    return this.layout.visible(this.scroll.scrollLeft, this.viewportSize().width);
  }

  scheduleRender(): void {
    if (this.frame !== null || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.renderNow();
    });
  }

  renderNow(): void {
    if (this.disposed) return;
    const g = this.geometry();
    const spacer = spacerHeight(g);
    const l = this.layout;
    const totalWidth = l.totalWidth;
    this.canvas.style.height = `${HEADER_HEIGHT + spacer}px`;
    this.canvas.style.width = `${totalWidth}px`;
    if (this.laidOut()) {
      // Put the scrollbar back where the offset is (after being hidden, or a spacer change).
      const top = scrollForOffset(this.offset, g);
      if (Math.abs(this.scroll.scrollTop - top) > 1) {
        this.scroll.scrollTop = top;
        this.lastScrollTop = this.scroll.scrollTop;
      }
    }
    const range = visibleRange(this.offset, g);
    void this.cache.want(range.first, range.stop);
    const cols = this.visibleColumns();
    // Pinned columns follow the horizontal scroll, in the header as in the rows.
    if (l.pinnedCount) this.header.layout(l.offsetsAt(this.scroll.scrollLeft), l.widths, l.rownumWidth, totalWidth);
    this.rows.render({
      range,
      bodyHeight: Math.min(g.viewport, spacer),
      totalWidth,
      rownumWidth: l.rownumWidth,
      columns: l.shown(this.scroll.scrollLeft, this.viewportSize().width).map((index) => ({
        field: this.schema[index]!,
        left: l.rownumWidth + l.offsetsAt(this.scroll.scrollLeft)[index]!,
        width: l.widths[index]!,
        index,
        pinned: index < l.pinnedCount,
      })),
      selection: this.selection,
      cell: (row, field) => {
        const ref = this.cache.row(row);
        if (!ref) return null;
        const i = ref.data.index.get(field.name);
        if (i === undefined) return null;
        return formatCell(ref.data.columns[i]!(ref.index), field.kind, ref.data.hints[i]);
      },
      frameRow: (row) => this.cache.row(row)?.frameRow ?? null,
      cellClass: this.options.cellClass,
    });
    this.summaries.want(this.schema.slice(cols[0], cols[1] + 1).map((f) => f.name));
    this.paintRange();
  }

  /** Mark the cells of the selected range and the match found (visible cells only). */
  private paintRange(): void {
    const range = this.range.range;
    const many = range !== null && (range.top !== range.bottom || range.left !== range.right);
    const match = this.finder.match;
    for (const el of Array.from(this.rows.body.querySelectorAll<HTMLElement>(".hydroml-cell"))) {
      const row = Number(el.dataset.row);
      const col = this.schema.findIndex((f) => f.name === el.dataset.column);
      el.classList.toggle("hydroml-in-range", many && contains(range!, row, col));
      el.classList.toggle("hydroml-found", match !== null && match.row === row && match.column === el.dataset.column);
    }
  }

  private cellAt(e: Event): Cell | null {
    const el = (e.target as HTMLElement).closest<HTMLElement>(".hydroml-cell");
    if (!el) return null;
    const row = Number(el.dataset.row);
    const col = this.schema.findIndex((f) => f.name === el.dataset.column);
    return Number.isFinite(row) && col >= 0 ? { row, col } : null;
  }

  private onPress(e: PointerEvent): void {
    const cell = this.cellAt(e);
    if (!cell || e.button !== 0) return;
    if (e.shiftKey) e.preventDefault(); // no text selection on shift-click
    this.range.press(cell, e.shiftKey);
    this.paintRange();
  }

  private onDrag(e: PointerEvent): void {
    if (!(e.buttons & 1)) return;
    const cell = this.cellAt(e);
    if (cell && this.range.drag(cell)) {
      e.preventDefault();
      this.selection = cell;
      this.renderNow();
    }
  }

  /** Copy the selected range (or the selected cell) to the clipboard as TSV. */
  copy(headers: boolean): Promise<string | null> {
    const range = this.range.range ?? (this.selection ? rangeOf(this.selection, this.selection) : null);
    if (!range) return Promise.resolve(null);
    return rangeTsv(range, this.schema, (row) => this.cache.row(row), (a, b) => this.fetchRows(a, b), headers)
      .then(async (text) => {
        await navigator.clipboard.writeText(text);
        return text;
      })
      .catch((err) => {
        this.errors.show(errorMessage(err));
        return null;
      });
  }

  private showMatch(row: number, column: string): void {
    const col = this.schema.findIndex((f) => f.name === column);
    if (col < 0) return;
    this.range.set({ row, col });
    this.select({ row, col });
  }

  private onScroll(): void {
    // Hiding resets scrollTop to 0; that is no scroll by the user.
    if (!this.laidOut()) return;
    const top = this.scroll.scrollTop;
    // Our own scrollTop writes echo back here; keep the exact offset they came from.
    if (Math.abs(top - this.lastScrollTop) >= 1) {
      this.offset = offsetForScroll(top, this.geometry());
      this.lastScrollTop = top;
    }
    this.scheduleRender();
  }

  private onWheel(e: WheelEvent): void {
    const g = this.geometry();
    // Scaled scrolling would turn one wheel notch into many rows: move by content pixels.
    if (!isScaled(g) || e.ctrlKey) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? ROW_HEIGHT : e.deltaMode === 2 ? g.viewport : 1;
    this.setOffset(this.offset + e.deltaY * unit);
    if (e.deltaX) this.scroll.scrollLeft += e.deltaX * unit;
  }

  private setOffset(offset: number): void {
    const g = this.geometry();
    this.offset = clampOffset(offset, g);
    this.scroll.scrollTop = scrollForOffset(this.offset, g);
    this.lastScrollTop = this.scroll.scrollTop;
    this.renderNow();
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    if (target !== this.el && !this.scroll.contains(target)) return;
    if (e.key === "Escape" && this.popover.isOpen) {
      this.popover.close();
      return;
    }
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === "f" || e.key === "F")) {
      e.preventDefault();
      e.stopPropagation(); // the notebook's own find stays closed
      this.finder.open();
      return;
    }
    if (mod && (e.key === "c" || e.key === "C")) {
      e.preventDefault();
      e.stopPropagation(); // the notebook would copy its cells
      void this.copy(e.shiftKey || e.altKey);
      return;
    }
    const g = this.geometry();
    const from = this.selection ?? { row: visibleRange(this.offset, g).first, col: 0 };
    const pageRows = Math.max(1, Math.floor(g.viewport / ROW_HEIGHT) - 1);
    const next = moveSelection(e, from, this.rowCount, this.schema.length, pageRows);
    if (next === null) return;
    e.preventDefault();
    if (e.shiftKey) this.range.extend(from, next);
    else this.range.set(next);
    this.select(next);
  }

  select(cell: Cell): void {
    this.selection = cell;
    const g = this.geometry();
    this.offset = offsetShowingRow(cell.row, this.offset, g);
    const left = this.layout.offsets[cell.col] ?? 0;
    const right = left + (this.layout.widths[cell.col] ?? 0);
    const viewWidth = this.viewportSize().width - this.layout.rownumWidth;
    if (left < this.scroll.scrollLeft) this.scroll.scrollLeft = left;
    else if (right > this.scroll.scrollLeft + viewWidth) this.scroll.scrollLeft = right - viewWidth;
    this.setOffset(this.offset);
  }

  private onCellClick(e: MouseEvent): void {
    const cell = (e.target as HTMLElement).closest<HTMLElement>(".hydroml-cell");
    if (!cell) return;
    const row = Number(cell.dataset.row);
    const col = this.schema.findIndex((f) => f.name === cell.dataset.column);
    if (!Number.isFinite(row) || col < 0) return;
    this.el.focus({ preventScroll: true });
    this.select({ row, col });
  }

  selectColumn(column: string): void {
    this.selectedColumn = column;
    this.header.setSelected(column);
    this.options.onSelectColumn?.(column);
  }

  private sortBy(column: string, additive: boolean): void {
    this.bar.send({ sort: nextSort(this.bar.sort, column, additive) });
  }

  private openFilter(column: string, anchor: HTMLElement): void {
    const field = this.schema.find((f) => f.name === column);
    if (!field) return;
    if (this.popover.isOpen) {
      const same = this.popover.column === column;
      this.popover.close();
      if (same) return;
    }
    const root = this.el.getBoundingClientRect();
    const at = anchor.getBoundingClientRect();
    const left = Math.min(at.left - root.left - 160, root.width - POPOVER_WIDTH - 4);
    this.popover.open(field, filtersFor(this.bar.filters, column), left, at.bottom - root.top + 2);
  }

  private applyFilters(column: string, filters: Filter[]): void {
    this.bar.send({ filters: replaceFilters(this.bar.filters, column, filters) });
  }
}
