import { describe, expect, it } from "vitest";
import { countText } from "../src/find";
import { Grid } from "../src/grid";
import { Client } from "../src/protocol";
import { FakeKernel, MockModel, flush, tracked } from "./mock";

const SCHEMA = [
  { name: "id", dtype: "int64", kind: "integer" },
  { name: "name", dtype: "str", kind: "text" },
];

const grids = tracked<Grid>();

async function setup() {
  const model = new MockModel({ _kind: "grid", version: 1, view: 1, error: "" });
  const kernel = new FakeKernel(model, {
    schema: SCHEMA,
    columns: { id: [0, 1, 2, 3], name: ["a", "nice", "b", "NICE"] },
  });
  const finds: Record<string, any>[] = [];
  const answer = kernel.answer.bind(kernel);
  kernel.answer = (c) => (c.kind === "find" ? finds.push(c) : answer(c));
  const grid = new Grid(model, new Client(model, { firstId: 1 }));
  grids.push(grid);
  document.body.appendChild(grid.el);
  grid.renderNow();
  await flush();
  grid.renderNow();
  const input = grid.el.querySelector<HTMLInputElement>(".hydroml-find-input")!;
  const count = grid.el.querySelector<HTMLElement>(".hydroml-find-count")!;
  const found = (c: Record<string, any>, row: number | null, column: string | null, index: number, total = 2) =>
    model.reply({ kind: "find", request: c.request, version: 1, view: 1, total, index, row, column });
  return { model, grid, input, count, finds, found };
}

const key = (el: HTMLElement, k: string, init: KeyboardEventInit = {}) =>
  el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...init }));

describe("find", () => {
  it("says where it is: '3 of 120', or no match", () => {
    expect(countText(3, 120)).toBe("3 of 120");
    expect(countText(1, 12345)).toBe("1 of 12,345");
    expect(countText(0, 0)).toBe("no match");
  });

  it("opens with Ctrl+F, steps with Enter and Shift+Enter, highlights the match", async () => {
    const { grid, input, count, finds, found } = await setup();
    const bar = grid.el.querySelector<HTMLElement>(".hydroml-find")!;
    expect(bar.hidden).toBe(true);
    key(grid.el, "f", { ctrlKey: true });
    expect(bar.hidden).toBe(false);
    input.value = "nice";
    input.dispatchEvent(new Event("input"));
    key(input, "Enter");
    await flush();
    expect(finds[0]).toMatchObject({ kind: "find", text: "nice" });
    expect(finds[0]!.row).toBeUndefined();
    found(finds[0]!, 1, "name", 1);
    await flush();
    grid.renderNow();
    expect(count.textContent).toBe("1 of 2");
    expect(grid.selected).toEqual({ row: 1, col: 1 });
    const cell = grid.el.querySelector('.hydroml-cell[data-row="1"][data-column="name"]')!;
    expect(cell.classList.contains("hydroml-found")).toBe(true);
    key(input, "Enter");
    await flush();
    expect(finds[1]).toMatchObject({ text: "nice", row: 1, column: "name", step: 1 });
    found(finds[1]!, 3, "name", 2);
    await flush();
    expect(count.textContent).toBe("2 of 2");
    key(input, "Enter", { shiftKey: true });
    await flush();
    expect(finds[2]).toMatchObject({ row: 3, column: "name", step: -1 });
  });

  it("drops a reply overtaken by a newer step, and closes with Escape", async () => {
    const { grid, input, count, finds, found } = await setup();
    key(grid.el, "f", { ctrlKey: true });
    input.value = "zzz";
    key(input, "Enter");
    input.value = "nice";
    input.dispatchEvent(new Event("input"));
    key(input, "Enter");
    await flush();
    found(finds[1]!, 3, "name", 2);
    found(finds[0]!, null, null, 0, 0); // the older search answers last: dropped
    await flush();
    expect(count.textContent).toBe("2 of 2");
    key(input, "Escape");
    expect(grid.el.querySelector<HTMLElement>(".hydroml-find")!.hidden).toBe(true);
    grid.renderNow();
    expect(grid.el.querySelectorAll(".hydroml-found")).toHaveLength(0);
  });

  it("the message of a failed search is shown as text only", async () => {
    const { model, grid, input, count, finds } = await setup();
    key(grid.el, "f", { ctrlKey: true });
    input.value = "x";
    key(input, "Enter");
    await flush();
    model.reply({ kind: "error", request: finds[0]!.request, message: "<img src=x onerror=alert(1)>" });
    await flush();
    expect(count.textContent).toContain("<img");
    expect(count.querySelector("img")).toBeNull();
  });
});

describe("find after the view changed", () => {
  it("searches the new view from its first match", async () => {
    const { model, grid, input, count, finds, found } = await setup();
    key(grid.el, "f", { ctrlKey: true });
    input.value = "nice";
    key(input, "Enter");
    await flush();
    found(finds[0]!, 3, "name", 2);
    await flush();
    model.update({ view: 2, sort: [{ column: "id", descending: true }] });
    expect(count.textContent).toBe("");
    key(input, "Enter");
    await flush();
    expect(finds[1]).toMatchObject({ text: "nice" });
    expect(finds[1]!.row).toBeUndefined();
  });
});
