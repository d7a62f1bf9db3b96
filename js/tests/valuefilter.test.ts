import { describe, expect, it } from "vitest";
import { Grid } from "../src/grid";
import { Client } from "../src/protocol";
import { Choice, valuesOf as askValues } from "../src/valuelist";
import { FakeKernel, MockModel, flush, tracked } from "./mock";

const EVIL = "<img src=x onerror=alert(1)>";
const SCHEMA = [
  { name: "origin", dtype: "str", kind: "text" },
  { name: "n", dtype: "int64", kind: "integer" },
  { name: "code", dtype: "str", kind: "text" },
  { name: "x", dtype: "float64", kind: "float" },
];
const ORIGINS = ["JFK", "LGA", "JFK", "EWR", null, "JFK", "LGA", EVIL];

const grids = tracked<Grid>();

async function setup() {
  const model = new MockModel({ _kind: "grid", version: 1, view: 1, error: "" });
  const n = ORIGINS.length;
  const kernel = new FakeKernel(model, {
    schema: SCHEMA,
    columns: {
      origin: ORIGINS,
      n: Array.from({ length: n }, (_, i) => i % 3),
      // 300 distinct codes: more than one values reply lists.
      code: Array.from({ length: n }, (_, i) => `c${i}`),
      x: Array.from({ length: n }, (_, i) => i + 0.5),
    },
  });
  kernel.data.columns.code = Array.from({ length: 300 }, (_, i) => `code ${i}`);
  const client = new Client(model, { firstId: 1 });
  const grid = new Grid(model, client);
  grids.push(grid);
  document.body.appendChild(grid.el);
  grid.renderNow();
  await flush();
  grid.renderNow();
  return { model, kernel, grid };
}

function openFilter(grid: Grid, column: string): HTMLElement {
  grid.el.querySelector<HTMLElement>(`.hydroml-header-cell[data-column="${column}"] .hydroml-filter-button`)!.click();
  return grid.el.querySelector<HTMLElement>(".hydroml-filter-popover")!;
}

const items = (pop: HTMLElement) =>
  Array.from(pop.querySelectorAll<HTMLLabelElement>(".hydroml-values-item")).map((l) => [
    l.querySelector(".hydroml-values-value")!.textContent,
    l.querySelector(".hydroml-values-count")!.textContent,
    l.querySelector<HTMLInputElement>("input")!.checked,
  ]);

function box(pop: HTMLElement, value: string): HTMLInputElement {
  const label = Array.from(pop.querySelectorAll(".hydroml-values-item")).find(
    (l) => l.querySelector(".hydroml-values-value")!.textContent === value,
  )!;
  return label.querySelector("input")!;
}

function click(input: HTMLInputElement): void {
  input.click(); // toggles `checked` and fires change
}

const apply = (pop: HTMLElement) => pop.querySelector<HTMLElement>('[data-action="filter-apply"]')!.click();

describe("filter by value", () => {
  it("lists a text column's values with counts, most frequent first, as text", async () => {
    const { model, grid } = await setup();
    const pop = openFilter(grid, "origin");
    expect(pop.querySelector<HTMLSelectElement>("select.hydroml-filter-op")!.value).toBe("values");
    await flush();
    expect(model.lastRequest("values")).toMatchObject({ column: "origin" });
    expect(items(pop)).toEqual([
      ["JFK", "3", true],
      ["LGA", "2", true],
      [EVIL, "1", true],
      ["EWR", "1", true],
    ]);
    expect(pop.querySelector("img")).toBeNull();
    expect(pop.querySelector(".hydroml-values-note")!.textContent).toContain("1 missing");
  });

  it("unchecking values makes a not_in filter; None then checks make an in filter", async () => {
    const { model, grid } = await setup();
    let pop = openFilter(grid, "origin");
    await flush();
    click(box(pop, "EWR"));
    apply(pop);
    expect(model.lastRequest("view").filters).toEqual([{ column: "origin", op: "not_in", value: ["EWR"] }]);
    await flush();

    pop = openFilter(grid, "origin");
    await flush();
    expect(items(pop).map(([v, , on]) => [v, on])).toEqual([
      ["JFK", true],
      ["LGA", true],
      [EVIL, true],
      ["EWR", false],
    ]);
    pop.querySelector<HTMLElement>('[data-action="values-none"]')!.click();
    expect(items(pop).every(([, , on]) => on === false)).toBe(true);
    click(box(pop, "JFK"));
    click(box(pop, EVIL));
    apply(pop);
    expect(model.lastRequest("view").filters).toEqual([{ column: "origin", op: "in", value: ["JFK", EVIL] }]);
  });

  it("refuses an empty choice without sending, and All clears the column's filter", async () => {
    const { model, grid } = await setup();
    model.update({ filters: [{ column: "origin", op: "in", value: ["LGA"] }] });
    const pop = openFilter(grid, "origin");
    await flush();
    expect(items(pop).map(([v, , on]) => [v, on])).toEqual([
      ["JFK", false],
      ["LGA", true],
      [EVIL, false],
      ["EWR", false],
    ]);
    click(box(pop, "LGA"));
    apply(pop);
    expect(model.requests("view").length).toBe(0);
    expect(pop.querySelector(".hydroml-filter-message")!.textContent).toBe("check at least one value");
    pop.querySelector<HTMLElement>('[data-action="values-all"]')!.click();
    apply(pop);
    expect(model.lastRequest("view").filters).toEqual([]);
  });

  it("searches the listed values in place when all are listed", async () => {
    const { model, grid } = await setup();
    const pop = openFilter(grid, "origin");
    await flush();
    const search = pop.querySelector<HTMLInputElement>('input[data-part="search"]')!;
    search.value = "lg";
    search.dispatchEvent(new Event("input"));
    expect(items(pop).map(([v]) => v)).toEqual(["LGA"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(model.requests("values").length).toBe(1);
  });

  it("asks the kernel to search when the list is cut, and drops an older search's reply", async () => {
    const { model, kernel, grid } = await setup();
    const pop = openFilter(grid, "code");
    await flush();
    expect(items(pop).length).toBe(200);
    expect(pop.querySelector(".hydroml-values-note")!.textContent).toContain("200 most frequent of 300 values");
    kernel.autoReply = false;
    const search = pop.querySelector<HTMLInputElement>('input[data-part="search"]')!;
    search.value = "code 29";
    search.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 200));
    const older = model.lastRequest("values");
    expect(older).toMatchObject({ column: "code", search: "code 29" });
    search.value = "code 299";
    search.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 200));
    const newer = model.lastRequest("values");
    kernel.answer(newer);
    await flush();
    expect(items(pop).map(([v]) => v)).toEqual(["code 299"]);
    kernel.answer(older); // arrives last: dropped
    await flush();
    expect(items(pop).map(([v]) => v)).toEqual(["code 299"]);
    click(box(pop, "code 299"));
    apply(pop);
    expect(model.lastRequest("view").filters).toEqual([{ column: "code", op: "not_in", value: ["code 299"] }]);
  });

  it("offers the checklist after the range for integers, and not for floats", async () => {
    const { grid } = await setup();
    let pop = openFilter(grid, "n");
    const modes = () => Array.from(pop.querySelectorAll("select.hydroml-filter-op option")).map((o) => (o as HTMLOptionElement).value);
    expect(modes().slice(0, 2)).toEqual(["range", "values"]);
    pop.querySelector<HTMLElement>('[data-action="filter-cancel"]')!.click();
    pop = openFilter(grid, "x");
    expect(modes()).not.toContain("values");
  });

  it("shows a refusal from the kernel in the list", async () => {
    const { kernel, grid } = await setup();
    kernel.failNext = "values: 'origin' holds integers beyond ±2**53";
    const pop = openFilter(grid, "origin");
    await flush();
    expect(pop.querySelector(".hydroml-values-error")!.textContent).toBe("values: 'origin' holds integers beyond ±2**53");
  });
});

describe("header statistics follow the view", () => {
  it("asks again when the filters change and drops figures of other filters", async () => {
    const { model, kernel, grid } = await setup();
    const meta = () => grid.el.querySelector(".hydroml-header-cell[data-column=origin] .hydroml-header-meta")!.textContent;
    expect(meta()).toBe("str · 1 null");
    kernel.autoReply = false;
    const showRows = async (): Promise<void> => {
      grid.renderNow();
      kernel.answer(model.lastRequest("rows"));
      await flush();
      grid.renderNow();
    };
    model.update({ version: 2, view: 2 });
    await showRows();
    expect(meta()).toBe("str"); // the old version's figures are gone
    const older = model.lastRequest("header_stats");
    const filters = [{ column: "n", op: "==", value: 1 }];
    model.update({ filters, view: 3 });
    await showRows();
    const newer = model.lastRequest("header_stats");
    expect(newer.request).not.toBe(older.request);
    // The reply computed without the filter arrives late: dropped.
    kernel.answer(older);
    await flush();
    expect(meta()).toBe("str");
    const fresh = { rows: 3, nulls: 0, distinct: 2, histogram: null, top_values: [["LGA", 2], ["JFK", 1]] };
    model.reply({ kind: "header_stats", request: newer.request, version: 2, filters, stats: { origin: fresh } });
    await flush();
    expect(meta()).toBe("str · no nulls");
    const label = grid.el.querySelector(".hydroml-header-cell[data-column=origin] .hydroml-mini-label")!;
    expect(label.textContent).toBe("2 distinct");
    // A sort asks for nothing new.
    const asked = model.requests("header_stats").length;
    model.update({ sort: [{ column: "n", descending: false }], view: 4 });
    await showRows();
    expect(model.requests("header_stats").length).toBe(asked);
    expect(meta()).toBe("str · no nulls");
  });
});

describe("Choice", () => {
  it("keeps or drops values and says which filter that is", () => {
    const c = new Choice(undefined);
    expect(c.filters("a")).toEqual([]);
    c.set(1, false);
    expect(c.checked(1)).toBe(false);
    expect(c.checked(2)).toBe(true);
    expect(c.filters("a")).toEqual([{ column: "a", op: "not_in", value: [1] }]);
    c.all(false);
    expect(() => c.filters("a")).toThrow("check at least one value");
    c.set(true, true);
    expect(c.filters("a")).toEqual([{ column: "a", op: "in", value: [true] }]);
    // 1 and "1" are different values.
    const k = new Choice({ column: "a", op: "in", value: [1] });
    expect(k.checked(1)).toBe(true);
    expect(k.checked("1")).toBe(false);
  });

  it("asks the kernel with the search only when there is one", async () => {
    const model = new MockModel({ _kind: "grid" });
    const client = new Client(model, { firstId: 1 });
    void askValues(client, "a", "").catch(() => undefined);
    void askValues(client, "a", "x").catch(() => undefined);
    expect(model.requests("values").map((r) => ({ column: r.column, search: r.search }))).toEqual([
      { column: "a", search: undefined },
      { column: "a", search: "x" },
    ]);
    client.dispose();
  });
});
