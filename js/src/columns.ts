// Horizontal layout of the grid: column widths and offsets, row-number width, visible columns.
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

export class ColumnLayout {
  /** Widths set by resizing, by column name; they outlive schema changes. */
  private readonly custom = new Map<string, number>();
  offsets: number[] = [];
  widths: number[] = [];
  rownumWidth = 56;

  setWidth(column: string, width: number): void {
    this.custom.set(column, width);
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

  /** First and last column index (inclusive) in view; [0, -1] when there are none. */
  visible(scrollLeft: number, viewWidth: number): [number, number] {
    const n = this.widths.length;
    if (n === 0) return [0, -1];
    const right = scrollLeft + viewWidth - this.rownumWidth;
    let c0 = 0;
    while (c0 < n - 1 && this.offsets[c0]! + this.widths[c0]! <= scrollLeft) c0++;
    let c1 = c0;
    while (c1 < n - 1 && this.offsets[c1 + 1]! < right) c1++;
    return [c0, c1];
  }
}
