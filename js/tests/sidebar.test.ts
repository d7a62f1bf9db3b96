import { describe, expect, it } from "vitest";
import { Client } from "../src/protocol";
import { Sidebar } from "../src/sidebar";
import { CATALOG } from "./fixtures";
import { FakeKernel, MockModel, flush, tracked } from "./mock";


const SCHEMA = [
  { name: "age", dtype: "float64", kind: "float" },
  { name: "city", dtype: "str", kind: "text" },
  { name: "when", dtype: "datetime64[ns]", kind: "datetime" },
];

const views = tracked<Sidebar>();

function setup() {
  const model = new MockModel({
    _kind: "sidebar",
    version: 3,
    error: "",
    catalog: CATALOG,
    history: [
      { index: 0, label: "Load data.csv", rows: 410, columns: 3 },
      { index: 1, label: "Cast age to Int64", rows: 410, columns: 3 },
      { index: 2, label: "Drop city", rows: 410, columns: 2 },
    ],
    position: 1,
    can_undo: true,
    can_redo: false,
  });
  const kernel = new FakeKernel(model, { schema: SCHEMA, columns: { age: [1, null, 3], city: ["a", "b", "a"], when: [0, 1, 2] } });
  const sidebar = new Sidebar(model, new Client(model, { firstId: 1 }));
  views.push(sidebar);
  document.body.appendChild(sidebar.el);
  const $ = <T extends Element = HTMLElement>(sel: string) => sidebar.el.querySelector<T>(sel)!;
  const chooseOp = (name: string) => {
    const sel = $<HTMLSelectElement>("select.hydroml-op-select");
    sel.value = name;
    sel.dispatchEvent(new Event("change"));
  };
  return { model, kernel, sidebar, $, chooseOp };
}

describe("operations form", () => {
  it("lists every op of the catalog", () => {
    const { $ } = setup();
    const options = Array.from($<HTMLSelectElement>("select.hydroml-op-select").options).map((o) => o.value);
    expect(options).toEqual(CATALOG.map((f) => f.name));
  });

  it("builds a rename apply message from mapping rows", () => {
    const { model, $, chooseOp } = setup();
    chooseOp("rename");
    const row = $(".hydroml-mapping-row");
    const key = row.querySelector<HTMLSelectElement>('[data-part="key"]')!;
    expect(Array.from(key.options).map((o) => o.value)).toEqual(["", "age", "city", "when"]);
    key.value = "age";
    row.querySelector<HTMLInputElement>('[data-part="value"]')!.value = "age_years";
    $('button[data-action="add-pair"]').click();
    const second = $("[data-param=columns]").querySelectorAll(".hydroml-mapping-row")[1]!;
    second.querySelector<HTMLSelectElement>('[data-part="key"]')!.value = "city";
    second.querySelector<HTMLInputElement>('[data-part="value"]')!.value = "town";
    $('button[data-action="apply"]').click();
    expect(model.lastRequest("apply")).toEqual({
      kind: "apply",
      request: 1,
      op: "rename",
      params: {
        columns: [
          ["age", "age_years"],
          ["city", "town"],
        ],
      },
    });
  });

  it("parses a value literal and lists only columns of the allowed kinds", async () => {
    const { model, $, chooseOp } = setup();
    chooseOp("fill_missing");
    const column = $<HTMLSelectElement>('select[data-param="column"]');
    expect(Array.from(column.options).map((o) => o.value)).toEqual(["", "age", "city"]);
    column.value = "age";
    expect($<HTMLSelectElement>('select[data-param="strategy"]').value).toBe("value");
    $<HTMLInputElement>('input[data-param="value"]').value = "0";
    $('button[data-action="apply"]').click();
    expect(model.lastRequest("apply").params).toEqual({ column: "age", strategy: "value", value: 0 });
    await flush();
    $<HTMLSelectElement>('select[data-param="strategy"]').value = "mean";
    $<HTMLInputElement>('input[data-param="value"]').value = "";
    $('button[data-action="preview"]').click();
    expect(model.lastRequest("preview")).toMatchObject({ op: "fill_missing", params: { column: "age", strategy: "mean" } });
  });

  it("sends columns, bool and dtype params", async () => {
    const { model, $, chooseOp } = setup();
    chooseOp("dedupe");
    const subset = $<HTMLSelectElement>('select[data-param="subset"]');
    subset.options[0]!.selected = true;
    subset.options[2]!.selected = true;
    expect($<HTMLInputElement>('input[data-param="keep_first"]').checked).toBe(true);
    $<HTMLInputElement>('input[data-param="keep_first"]').checked = false;
    $('button[data-action="apply"]').click();
    expect(model.lastRequest("apply").params).toEqual({ subset: ["age", "when"], keep_first: false });
    await flush();
    chooseOp("cast");
    const dtype = $<HTMLInputElement>('input[data-param="dtype"]');
    expect(dtype.getAttribute("list")).toBeTruthy();
    $<HTMLSelectElement>('select[data-param="column"]').value = "age";
    dtype.value = "Int64";
    $('button[data-action="apply"]').click();
    expect(model.lastRequest("apply").params).toEqual({ column: "age", dtype: "Int64" });
  });

  it("shows a missing required parameter without sending", () => {
    const { model, $, chooseOp } = setup();
    chooseOp("cast");
    $('button[data-action="apply"]').click();
    expect(model.requests("apply").length).toBe(0);
    expect($(".hydroml-error").textContent).toContain("'column' is required");
  });

  it("shows the engine's error inline and keeps the form", async () => {
    const { kernel, $, chooseOp } = setup();
    chooseOp("cast");
    $<HTMLSelectElement>('select[data-param="column"]').value = "city";
    $<HTMLInputElement>('input[data-param="dtype"]').value = "Int64";
    kernel.failNext = "cast: column 'city' has a value that is not a number: 'a' (row 0)";
    $('button[data-action="apply"]').click();
    await flush();
    expect($(".hydroml-error").hidden).toBe(false);
    expect($(".hydroml-error").textContent).toContain("not a number: 'a' (row 0)");
    expect($<HTMLSelectElement>('select[data-param="column"]').value).toBe("city");
    expect($<HTMLInputElement>('input[data-param="dtype"]').value).toBe("Int64");
  });

  it("renders a preview", async () => {
    const { model, $, chooseOp } = setup();
    chooseOp("cast");
    $<HTMLSelectElement>('select[data-param="column"]').value = "age";
    $<HTMLInputElement>('input[data-param="dtype"]').value = "Int64";
    model.onSend = null;
    $('button[data-action="preview"]').click();
    const req = model.lastRequest("preview");
    model.reply({
      kind: "preview",
      request: req.request,
      version: 3,
      preview: {
        op: "cast",
        label: "Cast age to Int64",
        ok: true,
        error: null,
        rows_before: 410,
        rows_after: 400,
        columns_added: [],
        columns_removed: [],
        dtypes_changed: { age: ["float64", "Int64"] },
        changed: { age: 3 },
        failures: [{ row: 17, column: "age", value: "abc" }],
        sample: { columns: ["age (before)", "age (after)"], rows: [["31.0", "31"]] },
      },
    });
    await flush();
    const text = $(".hydroml-preview").textContent!;
    expect(text).toContain("Cast age to Int64");
    expect(text).toContain("410 → 400");
    expect(text).toContain("age: float64 → Int64");
    expect(text).toContain("age: 3");
    expect(text).toContain("abc");
    expect(Array.from($(".hydroml-preview").querySelectorAll(".hydroml-sample td")).map((td) => td.textContent)).toEqual([
      "31.0",
      "31",
    ]);
  });
});

describe("history", () => {
  it("shows the steps, the current one and the undone ones", () => {
    const { sidebar, $ } = setup();
    sidebar.showTab("history");
    const items = Array.from(sidebar.el.querySelectorAll<HTMLElement>(".hydroml-history-item"));
    expect(items.map((i) => i.dataset.index)).toEqual(["0", "1", "2"]);
    expect(items[1]!.classList.contains("hydroml-current")).toBe(true);
    expect(items[2]!.classList.contains("hydroml-undone")).toBe(true);
    expect(items[1]!.textContent).toContain("410 × 3");
    expect($<HTMLButtonElement>('button[data-action="undo"]').disabled).toBe(false);
    expect($<HTMLButtonElement>('button[data-action="redo"]').disabled).toBe(true);
  });

  it("sends goto, undo and redo", () => {
    const { model, sidebar, $ } = setup();
    sidebar.showTab("history");
    $('.hydroml-history-item[data-index="2"]').click();
    expect(model.lastRequest("goto").index).toBe(2);
    $('button[data-action="undo"]').click();
    expect(model.requests("undo").length).toBe(1);
    model.update({ can_redo: true, position: 2 });
    expect($<HTMLButtonElement>('button[data-action="redo"]').disabled).toBe(false);
    expect($('.hydroml-history-item[data-index="2"]').classList.contains("hydroml-current")).toBe(true);
    $('button[data-action="redo"]').click();
    expect(model.requests("redo").length).toBe(1);
  });
});

describe("column tab", () => {
  it("loads the selected column's summary and prefills quick actions", async () => {
    const { model, sidebar, $ } = setup();
    sidebar.selectColumn("age");
    expect(model.requests("summary").length).toBe(0);
    $('button[data-tab="column"]').click();
    expect(model.lastRequest("summary").columns).toEqual(["age"]);
    await flush();
    const text = $(".hydroml-column-info").textContent!;
    expect(text).toContain("missing");
    expect($(".hydroml-column-info").querySelectorAll(".hydroml-histogram .hydroml-bar-row").length).toBe(2);
    $('button[data-action="quick-rename"]').click();
    expect(sidebar.tab).toBe("ops");
    expect($<HTMLSelectElement>("select.hydroml-op-select").value).toBe("rename");
    expect($<HTMLSelectElement>('.hydroml-mapping-row [data-part="key"]').value).toBe("age");
  });

  it("drops a column after a confirming second click", async () => {
    const { model, sidebar, $ } = setup();
    sidebar.selectColumn("city");
    sidebar.showTab("column");
    await flush();
    $('button[data-action="quick-drop"]').click();
    expect(model.requests("apply").length).toBe(0);
    $('button[data-action="quick-drop"]').click();
    expect(model.lastRequest("apply")).toMatchObject({ op: "drop_columns", params: { columns: ["city"] } });
  });
});

describe("code tab", () => {
  it("loads the code on open and on version changes while shown", async () => {
    const { model, sidebar, $ } = setup();
    expect(model.requests("code").length).toBe(0);
    $('button[data-tab="code"]').click();
    expect(model.requests("code").length).toBe(1);
    await flush();
    expect($("pre.hydroml-code").textContent).toBe("import pandas as pd\n");
    model.update({ version: 4 });
    expect(model.requests("code").length).toBe(2);
    sidebar.showTab("ops");
    model.update({ version: 5 });
    expect(model.requests("code").length).toBe(2);
  });

  it("exports and saves as a new data source", async () => {
    const { model, $ } = setup();
    $('button[data-tab="code"]').click();
    model.onSend = null;
    $('button[data-action="export-xlsx"]').click();
    const ask = model.lastRequest("export_path");
    expect(ask.format).toBe("xlsx");
    model.reply({ kind: "export_path", request: ask.request, version: 3, path: "sales-clean.xlsx" });
    await flush();
    $('button[data-action="export-write"]').click();
    const req = model.lastRequest("export");
    expect(req).toMatchObject({ format: "xlsx", path: "sales-clean.xlsx", overwrite: false });
    model.reply({ kind: "done", request: req.request, version: 3, path: "/work/sales-clean.xlsx" });
    await flush();
    expect($(".hydroml-panel-code .hydroml-note").textContent).toBe("Written to /work/sales-clean.xlsx");
    for (const f of ["csv", "parquet", "json"]) $(`button[data-action="export-${f}"]`).click();
    expect(model.requests("export_path").map((r) => r.format)).toEqual(["xlsx", "csv", "parquet", "json"]);
    $<HTMLInputElement>(".hydroml-save-name").value = "clean sales";
    $('button[data-action="save-as"]').click();
    expect(model.lastRequest("save_as").name).toBe("clean sales");
  });
});
