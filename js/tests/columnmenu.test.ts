import { afterEach, describe, expect, it } from "vitest";
import { ColumnLayout, displayName } from "../src/columns";
import { Grid } from "../src/grid";
import { Client, type SchemaField } from "../src/protocol";
import { render } from "../src/render";
import { FakeKernel, MockModel, flush, tracked } from "./mock";
import { CATALOG } from "./fixtures";

const SCHEMA: SchemaField[] = [
  { name: "id", dtype: "int64", kind: "integer" },
  { name: "price", dtype: "float64", kind: "float" },
  { name: "name", dtype: "str", kind: "text" },
  { name: "name ", dtype: "str", kind: "text" },
];

const grids = tracked<Grid>();
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function setup() {
  const model = new MockModel({ _kind: "grid", version: 1, view: 1, error: "" });
  new FakeKernel(model, {
    schema: SCHEMA,
    columns: { id: [0, 1, 2], price: [1.5, null, 3], name: ["a", "b", "c"], "name ": ["x", "y", "z"] },
  });
  const grid = new Grid(model, new Client(model, { firstId: 1 }));
  grids.push(grid);
  document.body.appendChild(grid.el);
  grid.renderNow();
  await flush();
  grid.renderNow();
  const headers = () => Array.from(grid.el.querySelectorAll<HTMLElement>(".hydroml-header-cell")).map((h) => h.dataset.column);
  const open = (column: string) => {
    const cell = Array.from(grid.el.querySelectorAll<HTMLElement>(".hydroml-header-cell")).find((c) => c.dataset.column === column)!;
    cell.querySelector<HTMLElement>(".hydroml-menu-button")!.click();
    return grid.el.querySelector<HTMLElement>(".hydroml-column-menu")!;
  };
  const choose = (column: string, action: string) => open(column).querySelector<HTMLElement>(`[data-action="${action}"]`)!.click();
  return { model, grid, headers, open, choose };
}

describe("column names as shown", () => {
  it("makes spaces at the ends, runs of spaces and line breaks visible", () => {
    expect(displayName("a")).toBe("a");
    expect(displayName("a ")).toBe("a␠");
    expect(displayName(" a")).toBe("␠a");
    expect(displayName("a b")).toBe("a b");
    expect(displayName("a  b")).toBe("a␠␠b");
    expect(displayName("two\nlines")).toBe("two↵lines");
    expect(displayName("tab\there")).toBe("tab⇥here");
    expect(displayName("   ")).toBe("␠␠␠");
    expect(displayName("")).toBe("(empty)");
  });

  it("shows names that differ only in spaces apart in the header, whole on hover", async () => {
    const { grid } = await setup();
    const labels = Array.from(grid.el.querySelectorAll<HTMLElement>(".hydroml-header-label"));
    expect(labels.map((l) => l.textContent)).toEqual(["id", "price", "name", "name␠"]);
    expect(labels.map((l) => l.title)).toEqual(["id", "price", "name", "name␠"]);
    grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="name "] .hydroml-filter-button')!.click();
    expect(grid.el.querySelector(".hydroml-filter-title")!.textContent).toBe("Filter name␠");
  });
});

describe("column layout", () => {
  it("hides, pins first and moves within each group", () => {
    const l = new ColumnLayout();
    const names = () => l.arrange(SCHEMA).map((f) => f.name);
    l.hide("price");
    expect(names()).toEqual(["id", "name", "name "]);
    l.togglePin("name ");
    expect(names()).toEqual(["name ", "id", "name"]);
    expect(l.pinnedCount).toBe(1);
    // A pinned column does not move among the others, nor past them.
    expect(l.move("name ", 1, l.arrange(SCHEMA), SCHEMA)).toBe(false);
    expect(l.move("id", 1, l.arrange(SCHEMA), SCHEMA)).toBe(true);
    expect(names()).toEqual(["name ", "name", "id"]);
    l.showAll();
    expect(names()).toEqual(["name ", "price", "name", "id"]);
    l.renamed("name ", "label");
    expect(l.arrange([...SCHEMA.slice(0, 3), { name: "label", dtype: "str", kind: "text" }]).map((f) => f.name)).toEqual([
      "label", "price", "name", "id",
    ]);
  });

  it("keeps pinned columns in view at any scroll", () => {
    const l = new ColumnLayout();
    l.togglePin("name");
    const arranged = l.arrange(SCHEMA);
    l.update(arranged, 3);
    expect(l.shown(10_000, 300)).toEqual([0, 3]);
    expect(l.offsetsAt(500)[0]).toBe(500);
    expect(l.offsetsAt(500)[1]).toBe(l.offsets[1]);
  });
});

describe("column menu", () => {
  it("sorts by the column, either way, and clears it", async () => {
    const { model, choose } = await setup();
    choose("price", "sort-desc");
    expect(model.lastRequest("view")).toMatchObject({ sort: [{ column: "price", descending: true }] });
    await flush();
    choose("price", "sort-clear");
    expect(model.lastRequest("view")).toMatchObject({ sort: [] });
  });

  it("opens the column's filter", async () => {
    const { grid, choose } = await setup();
    choose("price", "filter");
    const popover = grid.el.querySelector<HTMLElement>(".hydroml-filter-popover")!;
    expect(popover.hidden).toBe(false);
    expect(popover.querySelector(".hydroml-filter-title")!.textContent).toBe("Filter price");
  });

  it("hides a column, shows all again, pins one to the left and moves one", async () => {
    const { grid, headers, choose, open } = await setup();
    choose("price", "hide");
    expect(headers()).toEqual(["id", "name", "name "]);
    expect(open("id").querySelector('[data-action="show-all"]')!.textContent).toBe("Show all (1 hidden)");
    choose("id", "show-all");
    expect(headers()).toEqual(["id", "price", "name", "name "]);
    choose("name", "pin");
    expect(headers()[0]).toBe("name");
    grid.renderNow();
    const pinned = grid.el.querySelector<HTMLElement>('.hydroml-cell[data-row="0"][data-column="name"]')!;
    expect(pinned.classList.contains("hydroml-pinned")).toBe(true);
    expect(open("name").querySelector('[data-action="pin"]')!.textContent).toBe("Unpin");
    choose("id", "move-right");
    expect(headers()).toEqual(["name", "price", "id", "name "]);
  });

  it("renames in place: Enter applies a rename step, Escape leaves the name", async () => {
    const { model, grid, choose } = await setup();
    choose("name ", "rename");
    const box = grid.el.querySelector<HTMLInputElement>(".hydroml-rename-box")!;
    expect(box.value).toBe("name ");
    box.value = "label";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.lastRequest("apply")).toMatchObject({ op: "rename", params: { columns: [["name ", "label"]] } });
    expect(grid.el.querySelector(".hydroml-rename-box")).toBeNull();
    const applies = model.requests("apply").length;
    choose("id", "rename");
    const again = grid.el.querySelector<HTMLInputElement>(".hydroml-rename-box")!;
    again.value = "other";
    again.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(model.requests("apply").length).toBe(applies);
  });

  it("copies the column's name, spaces and all", async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (t: string) => void copied.push(t) },
    });
    const { choose } = await setup();
    choose("name ", "copy-name");
    await flush();
    expect(copied).toEqual(["name "]);
  });

  it("opens on a right-click, closes on Escape or a click elsewhere", async () => {
    const { grid } = await setup();
    const cell = grid.el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="id"]')!;
    cell.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 20, clientY: 30 }));
    const menu = grid.el.querySelector<HTMLElement>(".hydroml-column-menu")!;
    expect(menu.hidden).toBe(false);
    expect(menu.querySelector(".hydroml-column-menu-title")!.textContent).toBe("id");
    menu.querySelector("button")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(menu.hidden).toBe(true);
    cell.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true }));
    expect(menu.hidden).toBe(false);
    document.body.dispatchEvent(new Event("pointerdown", { bubbles: true }));
    expect(menu.hidden).toBe(true);
  });

  it("has no quick actions in a grid alone", async () => {
    const { open } = await setup();
    expect(open("price").querySelector('[data-action="quick-fill"]')).toBeNull();
  });
});

describe("column menu in the studio", () => {
  it("opens the matching form pre-filled from a quick action", async () => {
    const model = new MockModel({
      _kind: "studio",
      version: 1,
      view: 1,
      error: "",
      catalog: CATALOG,
      history: [{ index: 0, label: "Load", rows: 3, columns: 2 }],
      position: 0,
    });
    new FakeKernel(model, {
      schema: [...SCHEMA.slice(0, 2), { name: "city ", dtype: "str", kind: "text" }],
      columns: { id: [1, 2, 3], price: [1, null, 3], "city ": ["a", "b", "c"] },
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    cleanups.push(render({ model, el }));
    await flush();
    el.querySelector<HTMLElement>('[data-tab="column"]')!.click();
    const picker = el.querySelector<HTMLSelectElement>('[data-panel="column"] select')!;
    expect(Array.from(picker.options).map((o) => [o.value, o.textContent])).toContainEqual(["city ", "city␠"]);
    for (const [action, op] of [
      ["quick-fill", "fill_missing"],
      ["quick-cast", "cast"],
      ["quick-drop", "drop_columns"],
    ] as const) {
      el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="price"] .hydroml-menu-button')!.click();
      el.querySelector<HTMLElement>(`.hydroml-column-menu [data-action="${action}"]`)!.click();
      expect(el.querySelector<HTMLSelectElement>(".hydroml-op-select")!.value).toBe(op);
      const tab = el.querySelector<HTMLElement>('[data-tab="ops"]')!;
      expect(tab.getAttribute("aria-selected")).toBe("true");
      const param = el.querySelector<HTMLSelectElement>(op === "drop_columns" ? '[data-param="columns"]' : '[data-param="column"]')!;
      const chosen = Array.from(param.selectedOptions).map((o) => o.value);
      expect(chosen).toEqual(["price"]);
    }
  });
});

describe("studio height", () => {
  it("follows the grip when dragged, and has a full-height mode", async () => {
    const model = new MockModel({ _kind: "studio", version: 1, view: 1, error: "", catalog: CATALOG, history: [], position: 0 });
    new FakeKernel(model, { schema: SCHEMA.slice(0, 1), columns: { id: [1, 2, 3] } });
    const el = document.createElement("div");
    document.body.appendChild(el);
    cleanups.push(render({ model, el }));
    await flush();
    const studio = el.querySelector<HTMLElement>(".hydroml-studio")!;
    expect(studio.style.getPropertyValue("--hydroml-studio-height")).toBe("");
    const grip = el.querySelector<HTMLElement>(".hydroml-height-grip")!;
    grip.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true, clientY: 500, pointerId: 1 }));
    grip.dispatchEvent(new PointerEvent("pointermove", { bubbles: true, clientY: 640, pointerId: 1 }));
    grip.dispatchEvent(new PointerEvent("pointerup", { bubbles: true, clientY: 640, pointerId: 1 }));
    // Unlaid-out in the test page, the studio counts as its default 520 px.
    expect(studio.style.getPropertyValue("--hydroml-studio-height")).toBe("660px");
    grip.dispatchEvent(new PointerEvent("pointermove", { bubbles: true, clientY: 100, pointerId: 1 }));
    expect(studio.style.getPropertyValue("--hydroml-studio-height")).toBe("660px");
    const full = el.querySelector<HTMLButtonElement>('[data-action="full-height"]')!;
    full.click();
    expect(studio.classList.contains("hydroml-full")).toBe(true);
    expect(full.getAttribute("aria-pressed")).toBe("true");
    full.click();
    expect(studio.classList.contains("hydroml-full")).toBe(false);
  });
});
