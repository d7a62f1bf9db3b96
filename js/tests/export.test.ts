import { describe, expect, it } from "vitest";
import { Client, RequestError } from "../src/protocol";
import { Sidebar } from "../src/sidebar";
import { CATALOG } from "./fixtures";
import { MockModel, flush, tracked } from "./mock";

const EVIL = "<img src=x onerror=window.__pwned=1>";

const views = tracked<Sidebar>();

/** A sidebar on the Code tab; the test answers every request itself. */
function setup() {
  const model = new MockModel({
    _kind: "sidebar",
    version: 3,
    error: "",
    catalog: CATALOG,
    schema: [{ name: "a", dtype: "int64", kind: "integer" }],
    history: [{ index: 0, label: "Original (tiny.csv)", rows: 3, columns: 1 }],
    position: 0,
    can_undo: false,
    can_redo: false,
  });
  const sidebar = new Sidebar(model, new Client(model, { firstId: 1 }));
  views.push(sidebar);
  document.body.appendChild(sidebar.el);
  sidebar.showTab("code");
  const $ = <T extends Element = HTMLElement>(sel: string) => sidebar.el.querySelector<T>(sel)!;
  const answer = (kind: string, content: Record<string, unknown>) => {
    model.reply({ request: model.lastRequest(kind).request, version: 3, ...content });
  };
  const shown = (sel: string) => {
    const el = $(sel);
    return Boolean(el) && !el.closest("[hidden]");
  };
  const input = () => $<HTMLInputElement>("input.hydroml-export-name");
  const click = (action: string) => $(`button[data-action="${action}"]`).click();
  return { model, sidebar, $, answer, shown, input, click };
}

/** Choose CSV and take the kernel's proposal `path`. */
async function chooseCsv(t: ReturnType<typeof setup>, path = "data/tiny-clean.csv"): Promise<void> {
  t.click("export-csv");
  expect(t.model.lastRequest("export_path")).toMatchObject({ kind: "export_path", format: "csv" });
  t.answer("export_path", { kind: "export_path", path });
  await flush();
}

describe("export from the code tab", () => {
  it("asks for a file name, filled with the kernel's new name, before writing anything", async () => {
    const t = setup();
    expect(t.shown(".hydroml-export-form")).toBe(false);
    await chooseCsv(t);
    expect(t.shown(".hydroml-export-form")).toBe(true);
    expect(t.input().value).toBe("data/tiny-clean.csv");
    expect(document.activeElement).toBe(t.input());
    expect(t.model.requests("export")).toEqual([]);
    t.click("export-write");
    expect(t.model.lastRequest("export")).toEqual({
      kind: "export",
      request: expect.any(Number),
      format: "csv",
      path: "data/tiny-clean.csv",
      overwrite: false,
    });
    t.answer("export", { kind: "done", path: "/work/data/tiny-clean.csv" });
    await flush();
    expect(t.$(".hydroml-panel-code .hydroml-note").textContent).toBe("Written to /work/data/tiny-clean.csv");
    expect(t.shown(".hydroml-export-form")).toBe(false);
  });

  it("sends the name as typed, on Enter too", async () => {
    const t = setup();
    await chooseCsv(t);
    t.input().value = "  other.csv ";
    t.input().dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(t.model.lastRequest("export")).toMatchObject({ path: "other.csv", overwrite: false });
  });

  it("turns an 'exists' refusal into a question and overwrites only when the person confirms", async () => {
    const t = setup();
    await chooseCsv(t);
    t.input().value = "out.csv";
    t.click("export-write");
    t.answer("export", {
      kind: "error",
      reason: "exists",
      path: "/work/out.csv",
      message: "Not writing 'out.csv': the file exists; pass overwrite=True to replace it, or choose another name",
    });
    await flush();
    expect(t.shown(".hydroml-export-confirm")).toBe(true);
    expect(t.$(".hydroml-export-question").textContent).toBe("out.csv exists. Replace it?");
    expect(t.$(".hydroml-export-question").title).toBe("/work/out.csv");
    expect(t.sidebar.errors.message).toBe("");
    expect(document.activeElement).toBe(t.$('button[data-action="export-keep"]'));
    expect(t.model.requests("export").length).toBe(1);

    t.click("export-overwrite");
    expect(t.model.requests("export").length).toBe(2);
    expect(t.model.lastRequest("export")).toEqual({
      kind: "export",
      request: expect.any(Number),
      format: "csv",
      path: "/work/out.csv",
      overwrite: true,
    });
    t.answer("export", { kind: "done", path: "/work/out.csv" });
    await flush();
    expect(t.$(".hydroml-panel-code .hydroml-note").textContent).toBe("Written to /work/out.csv");
    expect(t.shown(".hydroml-export-form")).toBe(false);
    expect(t.model.requests("export").filter((r) => r.overwrite).length).toBe(1);
  });

  it("keeps the file when the person says so, or types another name", async () => {
    const t = setup();
    await chooseCsv(t);
    t.click("export-write");
    t.answer("export", { kind: "error", reason: "exists", path: "/work/data/tiny-clean.csv", message: "exists" });
    await flush();
    t.click("export-keep");
    expect(t.shown(".hydroml-export-confirm")).toBe(false);
    expect(t.shown(".hydroml-export-form")).toBe(true);
    expect(document.activeElement).toBe(t.input());

    t.click("export-write");
    t.answer("export", { kind: "error", reason: "exists", path: "/work/data/tiny-clean.csv", message: "exists" });
    await flush();
    expect(t.shown(".hydroml-export-confirm")).toBe(true);
    t.input().value = "data/new.csv";
    t.input().dispatchEvent(new Event("input"));
    expect(t.shown(".hydroml-export-confirm")).toBe(false);
    t.click("export-overwrite"); // hidden and forgotten: nothing is sent
    expect(t.model.requests("export").every((r) => r.overwrite === false)).toBe(true);
  });

  it("shows a refusal to write the source under the file name, with no way to overwrite", async () => {
    const t = setup();
    await chooseCsv(t);
    t.input().value = "data/tiny.csv";
    t.click("export-write");
    const message =
      "Not writing 'data/tiny.csv': it is the source of session 'tiny', and its script reads it; " +
      "choose another name, e.g. 'data/tiny-clean.csv'";
    t.answer("export", { kind: "error", reason: "source", path: "/work/data/tiny.csv", message });
    await flush();
    expect(t.$(".hydroml-export-error").textContent).toBe(message);
    expect(t.shown(".hydroml-export-error")).toBe(true);
    expect(t.sidebar.errors.message).toBe("");
    expect(t.shown(".hydroml-export-confirm")).toBe(false);
    expect(t.shown(".hydroml-export-form")).toBe(true);
    expect(t.model.requests("export").length).toBe(1);
    // Another name is another try: the refusal goes.
    t.input().value = "data/tiny-2.csv";
    t.input().dispatchEvent(new Event("input"));
    expect(t.shown(".hydroml-export-error")).toBe(false);
  });

  it("ignores a proposal that arrives after another format was chosen", async () => {
    const t = setup();
    t.click("export-csv");
    const first = t.model.lastRequest("export_path");
    t.click("export-parquet");
    t.answer("export_path", { kind: "export_path", path: "data/tiny-clean.parquet" });
    t.model.reply({ request: first.request, version: 3, kind: "export_path", path: "data/tiny-clean.csv" });
    await flush();
    expect(t.input().value).toBe("data/tiny-clean.parquet");
    expect(t.$('button[data-action="export-parquet"]').getAttribute("aria-pressed")).toBe("true");
    expect(t.$('button[data-action="export-csv"]').getAttribute("aria-pressed")).toBe("false");
    t.click("export-write");
    expect(t.model.lastRequest("export")).toMatchObject({ format: "parquet", path: "data/tiny-clean.parquet" });
  });

  it("cancels with the button or Escape; an empty name is refused here", async () => {
    const t = setup();
    await chooseCsv(t);
    t.click("export-cancel");
    expect(t.shown(".hydroml-export-form")).toBe(false);
    await chooseCsv(t);
    t.input().dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(t.shown(".hydroml-export-form")).toBe(false);
    await chooseCsv(t);
    t.input().value = "   ";
    t.click("export-write");
    expect(t.sidebar.errors.message).toBe("export: enter a file name");
    expect(t.model.requests("export")).toEqual([]);
  });

  it("sets file names as text, never as HTML", async () => {
    const t = setup();
    await chooseCsv(t, `${EVIL}.csv`);
    expect(t.input().value).toBe(`${EVIL}.csv`);
    t.click("export-write");
    t.answer("export", { kind: "error", reason: "exists", path: `/work/${EVIL}.csv`, message: "exists" });
    await flush();
    expect(t.$(".hydroml-export-question").textContent).toBe(`${EVIL}.csv exists. Replace it?`);
    expect(t.$(".hydroml-export-question").title).toBe(`/work/${EVIL}.csv`);
    t.click("export-overwrite");
    t.answer("export", { kind: "done", path: `/work/${EVIL}.csv` });
    await flush();
    expect(t.$(".hydroml-panel-code .hydroml-note").textContent).toBe(`Written to /work/${EVIL}.csv`);
    expect(t.sidebar.el.querySelectorAll("img").length).toBe(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe("error replies", () => {
  it("reject with a RequestError holding the reply's extra keys", async () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 7 });
    const pending = client.request("export", { format: "csv", path: "x.csv" });
    model.reply({ kind: "error", request: 7, message: "kept", reason: "exists", path: "/w/x.csv" });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toBeInstanceOf(Error);
    expect((err as RequestError).message).toBe("kept");
    expect((err as RequestError).reason).toBe("exists");
    expect((err as RequestError).content.path).toBe("/w/x.csv");
    const plain = client.request("undo");
    model.reply({ kind: "error", request: 8, message: "nothing to undo" });
    expect(((await plain.catch((e: unknown) => e)) as RequestError).reason).toBeNull();
    client.dispose();
  });
});
