import { describe, expect, it, vi } from "vitest";
import { Grid } from "../src/grid";
import { Client } from "../src/protocol";
import { MAX_COPY_ROWS, Selection, rangeOf, tsvField } from "../src/selection";
import { FakeKernel, MockModel, flush, tracked } from "./mock";

const SCHEMA = [
  { name: "id", dtype: "int64", kind: "integer" },
  { name: "price", dtype: "float64", kind: "float" },
  { name: "name", dtype: "str", kind: "text" },
];

const grids = tracked<Grid>();

async function setup(n = 5) {
  const model = new MockModel({ _kind: "grid", version: 1, view: 1, error: "" });
  const kernel = new FakeKernel(model, {
    schema: SCHEMA,
    columns: {
      id: Array.from({ length: n }, (_, i) => i * 2),
      price: Array.from({ length: n }, (_, i) => (i === 1 ? null : i * 1000 + 0.5)),
      name: Array.from({ length: n }, (_, i) => (i === 2 ? 'say "hi"\tthen\nbye' : `item ${i}`)),
    },
  });
  const grid = new Grid(model, new Client(model, { firstId: 1 }));
  grids.push(grid);
  document.body.appendChild(grid.el);
  grid.renderNow();
  await flush();
  grid.renderNow();
  const written: string[] = [];
  vi.spyOn(navigator.clipboard, "writeText").mockImplementation(async (text: string) => {
    written.push(text);
  });
  return { model, kernel, grid, written };
}

const cell = (grid: Grid, row: number, column: string) =>
  grid.el.querySelector<HTMLElement>(`.hydroml-cell[data-row="${row}"][data-column="${column}"]`)!;

function press(el: HTMLElement, type: string, init: PointerEventInit = {}): void {
  el.dispatchEvent(new PointerEvent(type, { bubbles: true, button: 0, buttons: 1, ...init }));
}

describe("selection", () => {
  it("quotes values holding tabs, line breaks or quotes, and nothing else", () => {
    expect(tsvField("plain text")).toBe("plain text");
    expect(tsvField("a\tb")).toBe('"a\tb"');
    expect(tsvField("a\nb")).toBe('"a\nb"');
    expect(tsvField("a\rb")).toBe('"a\rb"');
    expect(tsvField('say "hi"')).toBe('"say ""hi"""');
  });

  it("spans two corners in either order; shift extends from the anchor", () => {
    expect(rangeOf({ row: 5, col: 2 }, { row: 1, col: 0 })).toEqual({ top: 1, bottom: 5, left: 0, right: 2 });
    const s = new Selection();
    s.press({ row: 3, col: 1 }, false);
    s.release();
    s.press({ row: 0, col: 2 }, true);
    expect(s.range).toEqual({ top: 0, bottom: 3, left: 1, right: 2 });
    s.press({ row: 4, col: 0 }, false);
    expect(s.range).toEqual({ top: 4, bottom: 4, left: 0, right: 0 });
  });

  it("drags a range and copies it as TSV with Ctrl+C, headers with Ctrl+Shift+C", async () => {
    const { grid, written } = await setup();
    press(cell(grid, 1, "price"), "pointerdown");
    press(cell(grid, 2, "name"), "pointermove");
    press(cell(grid, 2, "name"), "pointerup");
    expect(cell(grid, 1, "price").classList.contains("hydroml-in-range")).toBe(true);
    expect(cell(grid, 2, "name").classList.contains("hydroml-in-range")).toBe(true);
    expect(cell(grid, 0, "price").classList.contains("hydroml-in-range")).toBe(false);
    grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: "c", ctrlKey: true, bubbles: true }));
    await flush();
    expect(written).toEqual(['\titem 1\n2000.5\t"say ""hi""\tthen\nbye"']);
    grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: "C", ctrlKey: true, shiftKey: true, bubbles: true }));
    await flush();
    expect(written[1]).toBe('price\tname\n\titem 1\n2000.5\t"say ""hi""\tthen\nbye"');
  });

  it("shift-click extends the range; rows not cached are asked of the kernel", async () => {
    const { model, grid, written } = await setup(300);
    press(cell(grid, 0, "id"), "pointerdown");
    press(cell(grid, 0, "id"), "pointerup");
    // Extend to row 250, far past the rows on screen: the cache does not hold them.
    (grid as any).range.press({ row: 250, col: 0 }, true);
    const before = model.requests("rows").length;
    const text = await grid.copy(false);
    const asked = model.requests("rows").slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.stop - r.start <= 5000)).toBe(true);
    const lines = text!.split("\n");
    expect(lines).toHaveLength(251);
    expect(lines[0]).toBe("0");
    expect(lines[250]).toBe("500");
    expect(written).toEqual([text]);
  });

  it("refuses a copy larger than the bound with a message", async () => {
    const { grid, written } = await setup();
    (grid as any).range.press({ row: 0, col: 0 }, false);
    (grid as any).range.press({ row: MAX_COPY_ROWS + 5, col: 0 }, true);
    expect(await grid.copy(false)).toBeNull();
    expect(written).toEqual([]);
    expect(grid.el.textContent).toContain("a copy holds at most 100,000");
  });

  it("Shift with the arrows grows the range from where it started", async () => {
    const { grid, written } = await setup();
    cell(grid, 1, "id").click();
    grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", shiftKey: true, bubbles: true }));
    grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", shiftKey: true, bubbles: true }));
    grid.renderNow();
    expect(grid.el.querySelectorAll(".hydroml-in-range")).toHaveLength(4);
    expect(await grid.copy(false)).toBe("2\t\n4\t2000.5");
    expect(written).toEqual(["2\t\n4\t2000.5"]);
  });

  it("a keyboard move collapses the range to the new cell", async () => {
    const { grid } = await setup();
    press(cell(grid, 0, "id"), "pointerdown");
    press(cell(grid, 2, "name"), "pointermove");
    press(cell(grid, 2, "name"), "pointerup");
    grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    grid.renderNow();
    expect(grid.el.querySelectorAll(".hydroml-in-range")).toHaveLength(0);
  });
});
