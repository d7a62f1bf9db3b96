import { afterEach, describe, expect, it } from "vitest";
import { cellClass, diffSummary } from "../src/diffpreview";
import type { Preview, PreviewGrid } from "../src/protocol";
import { render } from "../src/render";
import { FakeKernel, MockModel, flush, ipc } from "./mock";
import { CATALOG } from "./fixtures";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
  document.body.replaceChildren();
});

const N = 1000;
const ages = Array.from({ length: N }, (_, i) => (i % 10 === 3 ? null : i));
const names = Array.from({ length: N }, (_, i) => `n${i}`);

const PREVIEW: Preview = {
  op: "fill_missing",
  label: "Fill missing age with 0",
  ok: true,
  error: null,
  rows_before: N,
  rows_after: N,
  columns_added: ["flag"],
  columns_removed: ["name"],
  dtypes_changed: {},
  changed: { age: 100, flag: N },
  failures: [],
  failures_total: 0,
  sample: null,
  notes: [],
};

const GRID: PreviewGrid = {
  id: 7,
  version: 1,
  row_count: N,
  aligned: true,
  rows_removed: 0,
  schema: [
    { name: "age", dtype: "float64", kind: "float", change: "changed" },
    { name: "name", dtype: "str", kind: "text", change: "removed" },
    { name: "flag", dtype: "bool", kind: "boolean", change: "added" },
  ],
};

/** A studio whose fake kernel also answers `preview` (with `grid`) and `preview_rows`. */
function mount() {
  const model = new MockModel({
    _kind: "studio",
    version: 1,
    view: 1,
    error: "",
    catalog: CATALOG,
    history: [{ index: 0, label: "Load", rows: N, columns: 2 }],
    position: 0,
  });
  const kernel = new FakeKernel(model, {
    schema: [
      { name: "age", dtype: "float64", kind: "float" },
      { name: "name", dtype: "str", kind: "text" },
    ],
    columns: { age: ages, name: names },
  });
  const windows: Record<string, any>[] = [];
  const answer = kernel.answer.bind(kernel);
  kernel.answer = (c) => {
    if (c.kind === "preview") {
      model.reply({ kind: "preview", request: c.request, version: 1, preview: PREVIEW, ...(c.grid ? { grid: GRID } : {}) });
    } else if (c.kind === "preview_rows") {
      windows.push(c);
      const stop = Math.min(c.stop, N);
      const rows = Array.from({ length: stop - c.start }, (_, i) => c.start + i);
      const changed = rows.map((r, i) => [r, i] as const).filter(([r]) => r % 10 === 3).map(([, i]) => i);
      model.reply(
        { kind: "preview_rows", request: c.request, preview: c.preview, start: c.start, stop, rows, changed: { age: changed } },
        [ipc({ age: rows.map((r) => (r % 10 === 3 ? 0 : r)), name: rows.map((r) => `n${r}`), flag: rows.map((r) => r % 2 === 0) })],
      );
    } else answer(c);
  };
  const el = document.createElement("div");
  document.body.appendChild(el);
  cleanups.push(render({ model, el }));
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => el.querySelector<T>(sel)!;
  return { model, el, $, windows };
}

async function preview(m: ReturnType<typeof mount>): Promise<void> {
  const select = m.$<HTMLSelectElement>(".hydroml-op-select");
  select.value = "fill_missing";
  select.dispatchEvent(new Event("change", { bubbles: true }));
  const column = m.$<HTMLSelectElement>('[data-param="column"]');
  column.value = "age";
  m.$('button[data-action="preview"]').click();
  await flush(10);
}

describe("diff preview in the grid", () => {
  it("asks the kernel to keep the frame and shows it with the changes marked", async () => {
    const m = await (async () => {
      const m = mount();
      await flush(10);
      return m;
    })();
    await preview(m);
    expect(m.model.lastRequest("preview")).toMatchObject({ op: "fill_missing", grid: true, params: { column: "age" } });
    const grids = m.el.querySelectorAll<HTMLElement>(".hydroml-grid");
    expect(grids.length).toBe(2);
    expect(grids[0]!.hidden).toBe(true);
    const diff = m.$(".hydroml-diff-grid");
    // Only windows of the preview are asked for, never the whole frame.
    expect(m.windows.length).toBeGreaterThan(0);
    for (const w of m.windows) {
      expect(w.preview).toBe(7);
      expect(w.stop - w.start).toBeLessThanOrEqual(5000);
    }
    const changed = Array.from(diff.querySelectorAll<HTMLElement>(".hydroml-cell.hydroml-diff-changed"));
    expect(changed.length).toBeGreaterThan(0);
    for (const cell of changed) {
      expect(cell.dataset.column).toBe("age");
      expect(Number(cell.dataset.row) % 10).toBe(3);
      expect(cell.textContent).toBe("0");
    }
    const unchanged = diff.querySelector<HTMLElement>('.hydroml-cell[data-row="2"][data-column="age"]')!;
    expect(unchanged.classList.contains("hydroml-diff-changed")).toBe(false);
    expect(diff.querySelector('.hydroml-cell[data-column="flag"]')!.classList.contains("hydroml-diff-added")).toBe(true);
    expect(diff.querySelector('.hydroml-cell[data-column="name"]')!.classList.contains("hydroml-diff-removed")).toBe(true);
    expect(diff.querySelector('.hydroml-header-cell[data-column="name"]')!.classList.contains("hydroml-diff-removed")).toBe(true);
    expect(diff.querySelector('.hydroml-header-cell[data-column="flag"]')!.classList.contains("hydroml-diff-added")).toBe(true);
    const banner = m.$(".hydroml-diff-banner");
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("Fill missing age with 0");
    expect(banner.textContent).toContain("100 values changed in age · 1 column added · 1 column removed");
  });

  it("Discard ends it in the grid and in the kernel", async () => {
    const m = mount();
    await flush(10);
    await preview(m);
    m.$('button[data-action="diff-discard"]').click();
    expect(m.model.lastRequest("preview_end")).toMatchObject({ preview: 7 });
    expect(m.el.querySelector(".hydroml-diff-grid")).toBeNull();
    expect(m.$(".hydroml-diff-banner").hidden).toBe(true);
    expect(m.$<HTMLElement>(".hydroml-grid").hidden).toBe(false);
  });

  it("Apply sends the previewed operation; the new version ends the preview", async () => {
    const m = mount();
    await flush(10);
    await preview(m);
    m.$('button[data-action="diff-apply"]').click();
    expect(m.model.lastRequest("apply")).toMatchObject({ op: "fill_missing", params: { column: "age" } });
    expect(m.el.querySelector(".hydroml-diff-grid")).not.toBeNull();
    m.model.update({ version: 2 });
    expect(m.el.querySelector(".hydroml-diff-grid")).toBeNull();
    // The kernel dropped it with the change: nothing to tell it.
    expect(m.model.requests("preview_end")).toEqual([]);
  });

  it("choosing another operation discards the preview", async () => {
    const m = mount();
    await flush(10);
    await preview(m);
    const select = m.$<HTMLSelectElement>(".hydroml-op-select");
    select.value = "cast";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    expect(m.el.querySelector(".hydroml-diff-grid")).toBeNull();
    expect(m.model.requests("preview_end").length).toBe(1);
  });

  it("sorting or filtering the preview says to end it first, without asking the kernel", async () => {
    const m = mount();
    await flush(10);
    await preview(m);
    const sent = m.model.sent.length;
    m.$(".hydroml-diff-grid .hydroml-header-name").click();
    await flush();
    expect(m.model.sent.length).toBe(sent);
    expect(m.$(".hydroml-error").textContent).toContain("apply or discard it first");
  });
});

describe("diff summary", () => {
  it("counts values, columns and rows in words", () => {
    expect(diffSummary(PREVIEW, GRID)).toBe("100 values changed in age · 1 column added · 1 column removed");
    const dropped = { ...PREVIEW, changed: {}, columns_added: [], columns_removed: [], rows_after: 990 };
    const grid = { ...GRID, schema: [GRID.schema[0]!], rows_removed: 10, row_count: 990 };
    expect(diffSummary(dropped, grid)).toBe("10 rows removed");
    expect(diffSummary({ ...dropped, rows_after: N }, { ...grid, rows_removed: 0 })).toBe("no change");
  });

  it("marks a cell by its column's change first, then by the changed-cell marks", () => {
    const [changed, removed, added] = GRID.schema;
    expect(cellClass(changed, true)).toBe("hydroml-diff-changed");
    expect(cellClass(changed, false)).toBe("");
    expect(cellClass(removed, false)).toBe("hydroml-diff-removed");
    expect(cellClass(added, false)).toBe("hydroml-diff-added");
    expect(cellClass(undefined, true)).toBe("");
  });
});
