// A rectangular range of cells (click-drag, shift-click) and its copy as TSV.
import type { RowsWindow } from "./cache";
import { formatCell } from "./format";
import type { Cell } from "./keys";
import type { SchemaField } from "./protocol";

/** Rows one copy may hold: larger ranges are refused with a message, not cut silently. */
export const MAX_COPY_ROWS = 100_000;
/** Rows asked of the kernel per request (the protocol's window limit). */
export const FETCH_ROWS = 5_000;

export interface Range {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The range spanned by two corner cells, whatever their order. */
export function rangeOf(anchor: Cell, focus: Cell): Range {
  return {
    top: Math.min(anchor.row, focus.row),
    bottom: Math.max(anchor.row, focus.row),
    left: Math.min(anchor.col, focus.col),
    right: Math.max(anchor.col, focus.col),
  };
}

export function contains(range: Range, row: number, col: number): boolean {
  return row >= range.top && row <= range.bottom && col >= range.left && col <= range.right;
}

/** One value quoted for TSV: in double quotes (doubled inside) when it holds a tab, a line break or a quote. */
export function tsvField(text: string): string {
  return /[\t\n\r"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The text a cell is copied as: numbers in full (no grouping), times as the grid shows them, missing as empty. */
export function copyText(value: unknown, field: SchemaField, hint?: Parameters<typeof formatCell>[2]): string {
  if (value === null || value === undefined) return "";
  if (hint && hint.type !== "value") return formatCell(value, field.kind, hint).text;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

export type CachedRow = (row: number) => { data: RowsWindow["data"]; index: number } | undefined;
export type FetchWindow = (start: number, stop: number) => Promise<RowsWindow>;

/**
 * The range as TSV, rows joined with "\n": rows held by `cached` are used as they are, the
 * others are asked of the kernel in windows of at most FETCH_ROWS rows.
 */
export async function rangeTsv(
  range: Range,
  schema: SchemaField[],
  cached: CachedRow,
  fetch: FetchWindow,
  headers: boolean,
): Promise<string> {
  const count = range.bottom - range.top + 1;
  if (count > MAX_COPY_ROWS) {
    throw new Error(`copy: ${count.toLocaleString("en-US")} rows selected; a copy holds at most ${MAX_COPY_ROWS.toLocaleString("en-US")}`);
  }
  const fields = schema.slice(range.left, range.right + 1);
  const lines: string[] = [];
  if (headers) lines.push(fields.map((f) => tsvField(f.name)).join("\t"));
  const line = (data: RowsWindow["data"], index: number): string =>
    fields
      .map((f) => {
        const i = data.index.get(f.name);
        return i === undefined ? "" : tsvField(copyText(data.columns[i]!(index), f, data.hints[i]));
      })
      .join("\t");
  let row = range.top;
  while (row <= range.bottom) {
    const ref = cached(row);
    if (ref) {
      lines.push(line(ref.data, ref.index));
      row += 1;
      continue;
    }
    let stop = row + 1;
    while (stop <= range.bottom && stop - row < FETCH_ROWS && !cached(stop)) stop += 1;
    const window = await fetch(row, stop);
    if (window.stop - window.start < stop - row) throw new Error("copy: the view changed while copying; copy again");
    for (let k = 0; k < stop - row; k++) lines.push(line(window.data, k));
    row = stop;
  }
  return lines.join("\n");
}

/** The anchor and focus of a selection, with what mouse and keys do to them. */
export class Selection {
  anchor: Cell | null = null;
  focus: Cell | null = null;
  private dragging = false;

  get range(): Range | null {
    return this.anchor && this.focus ? rangeOf(this.anchor, this.focus) : null;
  }

  /** A press on a cell: starts a range, or extends it with Shift. */
  press(cell: Cell, shift: boolean): void {
    if (!shift || this.anchor === null) this.anchor = cell;
    this.focus = cell;
    this.dragging = true;
  }

  /** The pointer over a cell while pressed: the range follows it. Returns whether it moved. */
  drag(cell: Cell): boolean {
    if (!this.dragging || (this.focus && this.focus.row === cell.row && this.focus.col === cell.col)) return false;
    this.focus = cell;
    return true;
  }

  release(): void {
    this.dragging = false;
  }

  /** Shift with a move key: the range grows from its anchor (or from `from`) to `cell`. */
  extend(from: Cell, cell: Cell): void {
    if (this.anchor === null) this.anchor = from;
    this.focus = cell;
  }

  /** A single cell (keyboard moves, find): the range collapses to it. */
  set(cell: Cell): void {
    this.anchor = cell;
    this.focus = cell;
  }

  clear(): void {
    this.anchor = null;
    this.focus = null;
    this.dragging = false;
  }
}
