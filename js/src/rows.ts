// The grid body: recycled row elements for the visible rows and columns only.
import { h } from "./dom";
import { type CellText, formatCount } from "./format";
import type { Cell } from "./keys";
import type { SchemaField } from "./protocol";
import type { VisibleRange } from "./scroll";

export interface VisibleColumn {
  field: SchemaField;
  left: number;
  width: number;
  index: number;
  pinned?: boolean;
}

export interface RowsFrame {
  range: VisibleRange;
  bodyHeight: number;
  totalWidth: number;
  rownumWidth: number;
  columns: VisibleColumn[];
  selection: Cell | null;
  /** Cell text, or null while the row is not loaded. */
  cell: (row: number, field: SchemaField) => CellText | null;
  frameRow: (row: number) => number | null;
  cellClass?: (row: number, field: SchemaField) => string;
}

interface Slot {
  row: HTMLDivElement;
  num: HTMLDivElement;
  cells: HTMLDivElement[];
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function setAttr(el: HTMLElement, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

export class RowsView {
  readonly body: HTMLDivElement;
  private readonly rownums: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly rowHeight: number;
  private readonly slots: Slot[] = [];

  constructor(rowHeight: number) {
    this.rowHeight = rowHeight;
    this.rownums = h("div", { className: "hydroml-rownums" });
    this.layer = h("div", { className: "hydroml-rows", attrs: { role: "rowgroup" } });
    this.body = h("div", { className: "hydroml-body" }, [this.rownums, this.layer]);
  }

  render(f: RowsFrame): void {
    this.body.style.height = `${f.bodyHeight}px`;
    this.body.style.width = `${f.totalWidth}px`;
    this.rownums.style.width = `${f.rownumWidth}px`;
    this.layer.style.width = `${f.totalWidth}px`;
    const count = f.range.stop - f.range.first;
    for (let i = 0; i < count; i++) {
      const slot = this.slots[i] ?? this.addSlot();
      this.renderRow(slot, f.range.first + i, f.range.shift + i * this.rowHeight, f);
    }
    while (this.slots.length > count) {
      const slot = this.slots.pop()!;
      slot.row.remove();
      slot.num.remove();
    }
  }

  private addSlot(): Slot {
    const slot: Slot = {
      row: h("div", { className: "hydroml-row", attrs: { role: "row" } }),
      num: h("div", { className: "hydroml-rownum" }),
      cells: [],
    };
    slot.row.style.height = slot.num.style.height = `${this.rowHeight}px`;
    this.layer.appendChild(slot.row);
    this.rownums.appendChild(slot.num);
    this.slots.push(slot);
    return slot;
  }

  private renderRow(slot: Slot, row: number, top: number, f: RowsFrame): void {
    const y = `${top}px`;
    slot.row.style.top = y;
    slot.num.style.top = y;
    const rowText = String(row);
    setAttr(slot.row, "data-row", rowText);
    setAttr(slot.num, "data-row", rowText);
    setText(slot.num, formatCount(row + 1));
    const frameRow = f.frameRow(row);
    // Counted from 1, as the row numbers are.
    slot.num.title = frameRow === null ? "" : `frame row ${formatCount(frameRow + 1)}`;
    const selectedRow = f.selection?.row === row;
    slot.row.classList.toggle("hydroml-selected-row", selectedRow);
    slot.num.classList.toggle("hydroml-selected-row", selectedRow);
    f.columns.forEach((col, j) => {
      let cell = slot.cells[j];
      if (!cell) {
        cell = h("div", { attrs: { role: "gridcell" } });
        slot.cells.push(cell);
        slot.row.appendChild(cell);
      }
      setAttr(cell, "data-row", rowText);
      setAttr(cell, "data-column", col.field.name);
      cell.style.left = `${col.left}px`;
      cell.style.width = `${col.width}px`;
      const text = f.cell(row, col.field);
      const selected = selectedRow && f.selection?.col === col.index;
      let cls = "hydroml-cell";
      if (text === null) cls += " hydroml-loading";
      else if (text.className) cls += ` ${text.className}`;
      const extra = f.cellClass?.(row, col.field);
      if (extra) cls += ` ${extra}`;
      if (selected) cls += " hydroml-selected";
      if (col.pinned) cls += " hydroml-pinned";
      if (cell.className !== cls) cell.className = cls;
      setAttr(cell, "aria-selected", selected ? "true" : "false");
      setText(cell, text === null ? "" : text.text);
      if (cell.title !== (text?.title ?? "")) cell.title = text?.title ?? "";
    });
    while (slot.cells.length > f.columns.length) slot.cells.pop()!.remove();
  }
}
