// Horizontal layout of the grid: which columns show and in what order (hidden, pinned to
// the left, moved), their widths and offsets, the row-number width; and column names shown
// so that spaces at their ends and line breaks can be seen.
import { formatCount } from "./format";
import type { SchemaField } from "./protocol";

export function defaultWidth(field: SchemaField): number {
  switch (field.kind) {
    case "integer":
    case "float":
    case "boolean":
      return 110;
    case "datetime":
    case "timedelta":
      return 170;
    default:
      return 150;
  }
}

/**
 * A column name as shown: spaces at either end (and runs of them inside) as ␠, line breaks
 * as ↵, tabs as ⇥, so that `a` and `a ` or `a b` and `a  b` look different; "" as “(empty)”.
 */
export function displayName(name: string): string {
  if (name === "") return "(empty)";
  const lead = /^ +/.exec(name)?.[0].length ?? 0;
  const trail = name.length > lead ? (/ +$/.exec(name)?.[0].length ?? 0) : 0;
  const middle = name
    .slice(lead, name.length - trail)
    .replace(/ {2,}/g, (run) => "␠".repeat(run.length))
    .replace(/\r\n|\n|\r/g, "↵")
    .replace(/\t/g, "⇥");
  return "␠".repeat(lead) + middle + "␠".repeat(trail);
}

export class ColumnLayout {
  /** Widths set by resizing, by column name; they outlive schema changes. */
  private readonly custom = new Map<string, number>();
  /** Columns hidden from the grid (by name); the data keeps them. */
  readonly hidden = new Set<string>();
  /** Pinned columns in the order they were pinned; they stay at the left. */
  private pinned: string[] = [];
  /** The order the columns were moved into (by name); empty: the frame's order. */
  private order: string[] = [];
  offsets: number[] = [];
  widths: number[] = [];
  rownumWidth = 56;
  /** How many columns at the start of the arranged schema are pinned. */
  pinnedCount = 0;

  setWidth(column: string, width: number): void {
    this.custom.set(column, width);
  }

  isPinned(column: string): boolean {
    return this.pinned.includes(column);
  }

  /** The columns to show, in their order: pinned first, hidden ones left out. */
  arrange(schema: SchemaField[]): SchemaField[] {
    let fields = schema;
    if (this.order.length) {
      const rank = new Map(this.order.map((name, i) => [name, i]));
      // Columns the order does not know (new ones) keep their place after the known ones.
      fields = schema
        .map((f, i) => ({ f, key: rank.get(f.name) ?? this.order.length + i }))
        .sort((a, b) => a.key - b.key)
        .map(({ f }) => f);
    }
    const shown = fields.filter((f) => !this.hidden.has(f.name));
    const pinned = this.pinned.map((name) => shown.find((f) => f.name === name)).filter((f): f is SchemaField => !!f);
    this.pinnedCount = pinned.length;
    return [...pinned, ...shown.filter((f) => !this.pinned.includes(f.name))];
  }

  hide(column: string): void {
    this.hidden.add(column);
  }

  showAll(): void {
    this.hidden.clear();
  }

  togglePin(column: string): void {
    this.pinned = this.isPinned(column) ? this.pinned.filter((c) => c !== column) : [...this.pinned, column];
  }

  /**
   * Move `column` one place left (-1) or right (+1) among the `shown` columns (the arranged
   * schema), within its group: pinned columns among pinned ones, the others among the others.
   * Returns whether it moved.
   */
  move(column: string, step: -1 | 1, shown: SchemaField[], all: SchemaField[]): boolean {
    const names = shown.map((f) => f.name);
    const i = names.indexOf(column);
    const j = i + step;
    if (i < 0 || j < 0 || j >= names.length) return false;
    const pinned = this.isPinned(column);
    if (pinned !== this.isPinned(names[j]!)) return false;
    if (pinned) {
      const a = this.pinned.indexOf(column);
      const b = this.pinned.indexOf(names[j]!);
      [this.pinned[a], this.pinned[b]] = [this.pinned[b]!, this.pinned[a]!];
      return true;
    }
    // The full order (hidden columns too): put the column just past its shown neighbour.
    const full = (this.order.length ? this.arrangeNames(all) : all.map((f) => f.name)).filter((c) => c !== column);
    const at = full.indexOf(names[j]!);
    full.splice(step > 0 ? at + 1 : at, 0, column);
    this.order = full;
    return true;
  }

  /** Keep the column's width, pin and place under its new name. */
  renamed(from: string, to: string): void {
    const width = this.custom.get(from);
    if (width !== undefined) this.custom.set(to, width);
    this.pinned = this.pinned.map((c) => (c === from ? to : c));
    this.order = this.order.map((c) => (c === from ? to : c));
    if (this.hidden.delete(from)) this.hidden.add(to);
  }

  private arrangeNames(all: SchemaField[]): string[] {
    const rank = new Map(this.order.map((name, i) => [name, i]));
    return all
      .map((f, i) => ({ name: f.name, key: rank.get(f.name) ?? this.order.length + i }))
      .sort((a, b) => a.key - b.key)
      .map(({ name }) => name);
  }

  update(schema: SchemaField[], rowCount: number): void {
    this.widths = schema.map((f) => this.custom.get(f.name) ?? defaultWidth(f));
    let x = 0;
    this.offsets = this.widths.map((w) => {
      const at = x;
      x += w;
      return at;
    });
    const digits = formatCount(Math.max(1, rowCount)).length;
    this.rownumWidth = Math.max(48, digits * 8 + 20);
  }

  get totalWidth(): number {
    return this.rownumWidth + this.widths.reduce((a, b) => a + b, 0);
  }

  /** Width of the pinned columns, which stay in view whatever the scroll. */
  get pinnedWidth(): number {
    let w = 0;
    for (let i = 0; i < this.pinnedCount; i++) w += this.widths[i]!;
    return w;
  }

  /** Offsets where the columns are drawn at this scroll: pinned ones follow the scroll. */
  offsetsAt(scrollLeft: number): number[] {
    return this.offsets.map((o, i) => (i < this.pinnedCount ? o + scrollLeft : o));
  }

  /** The column indexes to draw: the pinned ones, then those in view. */
  shown(scrollLeft: number, viewWidth: number): number[] {
    const [c0, c1] = this.visible(scrollLeft, viewWidth);
    const out: number[] = [];
    for (let i = 0; i < this.pinnedCount; i++) out.push(i);
    for (let i = Math.max(c0, this.pinnedCount); i <= c1; i++) out.push(i);
    return out;
  }

  /** First and last column index (inclusive) in view; [0, -1] when there are none. */
  visible(scrollLeft: number, viewWidth: number): [number, number] {
    const n = this.widths.length;
    if (n === 0) return [0, -1];
    const right = scrollLeft + viewWidth - this.rownumWidth;
    // Columns scrolled under the pinned ones are out of view.
    const left = scrollLeft + this.pinnedWidth;
    let c0 = this.pinnedCount < n ? this.pinnedCount : 0;
    while (c0 < n - 1 && this.offsets[c0]! + this.widths[c0]! <= left) c0++;
    let c1 = c0;
    while (c1 < n - 1 && this.offsets[c1 + 1]! < right) c1++;
    return [c0, c1];
  }
}
