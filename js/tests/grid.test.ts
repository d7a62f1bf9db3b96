import { describe, expect, it } from "vitest";
import { Grid } from "../src/grid";
import { Client } from "../src/protocol";
import { FakeKernel, MockModel, flush, ipc, tracked } from "./mock";

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
      price: Array.from({ length: n }, (_, i) => (i === 1 ? null : i + 0.5)),
      name: Array.from({ length: n }, (_, i) => `item ${i}`),
    },
  });
  const client = new Client(model, { firstId: 1 });
  const grid = new Grid(model, client);
  grids.push(grid);
  document.body.appendChild(grid.el);
  grid.renderNow();
  await flush();
  grid.renderNow();
  return { model, kernel, grid };
}

const cell = (grid: Grid, row: number, column: string) =>
  grid.el.querySelector<HTMLElement>(`.hydroml-cell[data-row="${row}"][data-column="${column}"]`);

describe("grid", () => {
  it("renders header cells, rows from an Arrow reply, row numbers and the status", async () => {
    const { model, grid } = await setup();
    expect(model.lastRequest("rows")).toMatchObject({ start: 0, stop: 5 });
    const headers = Array.from(grid.el.querySelectorAll<HTMLElement>(".hydroml-header-cell")).map((h) => h.dataset.column);
    expect(headers).toEqual(["id", "price", "name"]);
    expect(grid.el.querySelector(".hydroml-header-cell[data-column=price] .hydroml-filter-button")).not.toBeNull();
    expect(cell(grid, 0, "id")!.textContent).toBe("0");
    expect(cell(grid, 2, "id")!.textContent).toBe("4");
    expect(cell(grid, 2, "price")!.textContent).toBe("2.5");
    expect(cell(grid, 2, "price")!.classList.contains("hydroml-num")).toBe(true);
    expect(cell(grid, 1, "price")!.textContent).toBe("null");
    expect(cell(grid, 1, "price")!.classList.contains("hydroml-null")).toBe(true);
    expect(cell(grid, 4, "name")!.textContent).toBe("item 4");
    const num = grid.el.querySelector<HTMLElement>('.hydroml-rownum[data-row="3"]')!;
    expect(num.textContent).toBe("4");
    expect(num.title).toBe("frame row 4");
    expect(grid.el.querySelectorAll(".hydroml-row").length).toBe(5);
    expect(grid.el.querySelector(".hydroml-status")!.textContent).toBe("5 rows");
    expect((grid.el.querySelector('[data-action="apply-view"]') as HTMLElement).hidden).toBe(true);
  });

  it("asks for summaries of the visible columns after rows arrive, once per version", async () => {
    const { model, grid } = await setup();
    expect(model.requests("header_stats").map((r) => r.columns)).toEqual([["id", "price", "name"]]);
    const meta = grid.el.querySelector(".hydroml-header-cell[data-column=price] .hydroml-header-meta")!;
    expect(meta.textContent).toBe("float64 · 1 null");
    expect(grid.el.querySelectorAll(".hydroml-header-cell[data-column=price] .hydroml-bar").length).toBe(2);
    expect(grid.el.querySelectorAll(".hydroml-header-cell[data-column=name] .hydroml-top-segment").length).toBeGreaterThan(0);
    grid.renderNow();
    await flush();
    expect(model.requests("header_stats").length).toBe(1);
    model.update({ version: 2, view: 2 });
    grid.renderNow();
    await flush();
    grid.renderNow();
    await flush();
    expect(model.requests("header_stats").length).toBe(2);
  });

  it("drops the window on a view change and ignores stale rows replies", async () => {
    const { model, kernel, grid } = await setup();
    kernel.autoReply = false;
    const before = model.requests("rows").length;
    model.update({ view: 2 });
    grid.renderNow();
    const req = model.lastRequest("rows");
    expect(model.requests("rows").length).toBe(before + 1);
    expect(cell(grid, 0, "id")!.textContent).toBe("");
    // A reply claiming the old view is dropped.
    model.reply({ kind: "rows", request: req.request, start: 0, stop: 5, version: 1, view: 1, rows: [0, 1, 2, 3, 4] }, [
      ipc({ id: [9, 9, 9, 9, 9], price: [1, 1, 1, 1, 1], name: ["a", "a", "a", "a", "a"] }),
    ]);
    await flush();
    grid.renderNow();
    expect(cell(grid, 0, "id")!.textContent).toBe("");
  });

  it("sorts through a view request: asc, desc, none; shift adds a key", async () => {
    const { model, grid } = await setup();
    const name = (col: string) =>
      grid.el.querySelector<HTMLElement>(`.hydroml-header-cell[data-column="${col}"] .hydroml-header-name`)!;
    name("price").click();
    expect(model.lastRequest("view").sort).toEqual([{ column: "price", descending: false }]);
    await flush();
    expect(grid.el.querySelector(".hydroml-status")!.textContent).toBe("5 rows · sorted by price ↑");
    expect((grid.el.querySelector('[data-action="apply-view"]') as HTMLElement).hidden).toBe(false);
    name("id").dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    expect(model.lastRequest("view").sort).toEqual([
      { column: "price", descending: false },
      { column: "id", descending: false },
    ]);
    await flush();
    name("price").click();
    expect(model.lastRequest("view").sort).toEqual([{ column: "price", descending: true }]);
    await flush();
    name("price").click();
    expect(model.lastRequest("view").sort).toEqual([]);
  });

  it("builds filters from the popover", async () => {
    const { model, grid } = await setup();
    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="price"] .hydroml-filter-button')!.click();
    const pop = grid.el.querySelector<HTMLElement>(".hydroml-filter-popover")!;
    expect(pop.hidden).toBe(false);
    pop.querySelector<HTMLInputElement>('input[data-part="low"]')!.value = "1";
    pop.querySelector<HTMLInputElement>('input[data-part="high"]')!.value = "3.5";
    pop.querySelector<HTMLElement>('[data-action="filter-apply"]')!.click();
    expect(model.lastRequest("view").filters).toEqual([{ column: "price", op: "between", value: [1, 3.5] }]);
    await flush();
    expect(pop.hidden).toBe(true);

    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="name"] .hydroml-filter-button')!.click();
    const op = pop.querySelector<HTMLSelectElement>("select.hydroml-filter-op")!;
    expect(op.value).toBe("values");
    op.value = "contains";
    op.dispatchEvent(new Event("change"));
    pop.querySelector<HTMLInputElement>('input[data-part="value"]')!.value = "item";
    pop.querySelector<HTMLElement>('[data-action="filter-apply"]')!.click();
    expect(model.lastRequest("view").filters).toEqual([
      { column: "price", op: "between", value: [1, 3.5] },
      { column: "name", op: "contains", value: "item" },
    ]);
    await flush();

    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="price"] .hydroml-filter-button')!.click();
    expect(pop.querySelector<HTMLInputElement>('input[data-part="low"]')!.value).toBe("1");
    const op2 = pop.querySelector<HTMLSelectElement>("select.hydroml-filter-op")!;
    expect(op2.value).toBe("range");
    op2.value = "is_null";
    op2.dispatchEvent(new Event("change"));
    pop.querySelector<HTMLElement>('[data-action="filter-apply"]')!.click();
    expect(model.lastRequest("view").filters).toEqual([
      { column: "name", op: "contains", value: "item" },
      { column: "price", op: "is_null", value: null },
    ]);
  });

  it("rejects a bad number in a numeric filter without sending", async () => {
    const { model, grid } = await setup();
    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="id"] .hydroml-filter-button')!.click();
    const pop = grid.el.querySelector<HTMLElement>(".hydroml-filter-popover")!;
    pop.querySelector<HTMLInputElement>('input[data-part="low"]')!.value = "abc";
    pop.querySelector<HTMLElement>('[data-action="filter-apply"]')!.click();
    expect(model.requests("view").length).toBe(0);
    expect(pop.querySelector(".hydroml-filter-message")!.textContent).toBe("'abc' is not a number");
  });

  it("sends apply_view and shows error replies inline", async () => {
    const { model, kernel, grid } = await setup();
    model.update({ sort: [{ column: "id", descending: true }] });
    kernel.failNext = "sort_rows: column 'id' is gone";
    grid.el.querySelector<HTMLElement>('[data-action="apply-view"]')!.click();
    expect(model.requests("apply_view").length).toBe(1);
    await flush();
    const err = grid.el.querySelector<HTMLElement>(".hydroml-error")!;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toContain("sort_rows: column 'id' is gone");
  });

  it("moves the selection with the keyboard", async () => {
    const { grid } = await setup(300);
    const key = (k: string, extra: KeyboardEventInit = {}) =>
      grid.el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra }));
    cell(grid, 0, "id")!.click();
    expect(grid.selected).toEqual({ row: 0, col: 0 });
    key("ArrowDown");
    key("ArrowRight");
    expect(grid.selected).toEqual({ row: 1, col: 1 });
    expect(cell(grid, 1, "price")!.classList.contains("hydroml-selected")).toBe(true);
    key("End");
    expect(grid.selected).toEqual({ row: 1, col: 2 });
    key("Home");
    expect(grid.selected).toEqual({ row: 1, col: 0 });
    key("PageDown");
    expect(grid.selected!.row).toBeGreaterThan(10);
    key("End", { ctrlKey: true });
    expect(grid.selected).toEqual({ row: 299, col: 0 });
    await flush();
    grid.renderNow();
    expect(cell(grid, 299, "id")).not.toBeNull();
    key("Home", { ctrlKey: true });
    expect(grid.selected).toEqual({ row: 0, col: 0 });
    key("ArrowUp");
    expect(grid.selected).toEqual({ row: 0, col: 0 });
  });

  it("tells who listens which column was selected", async () => {
    const model = new MockModel({ version: 1, view: 1 });
    new FakeKernel(model, { schema: SCHEMA, columns: { id: [1], price: [1], name: ["a"] } });
    const chosen: string[] = [];
    const grid = new Grid(model, new Client(model), { onSelectColumn: (c) => chosen.push(c) });
    grids.push(grid);
    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="name"] .hydroml-header-meta')!.click();
    expect(chosen).toEqual(["name"]);
    expect(model.requests("view").length).toBe(0);
  });

  it("removes its model listeners when disposed", async () => {
    const { model, grid } = await setup();
    grid.dispose();
    // Only the client's msg:custom listener and the fake kernel's are left.
    expect([...model.handlers.entries()].filter(([, s]) => s.size > 0).map(([e]) => e)).toEqual(["msg:custom"]);
  });
});
