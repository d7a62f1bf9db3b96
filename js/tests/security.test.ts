import { afterEach, describe, expect, it } from "vitest";
import { render } from "../src/render";
import { FakeKernel, MockModel, flush } from "./mock";

const EVIL = "<img src=x onerror=alert(1)>";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
  document.body.replaceChildren();
});

describe("text-only rendering", () => {
  it("renders a hostile value and column name as literal text in the studio", async () => {
    const model = new MockModel({
      _kind: "studio",
      version: 1,
      view: 1,
      error: EVIL,
      catalog: [{ name: EVIL, summary: EVIL, params: [{ name: EVIL, type: "text", required: true }] }],
      history: [{ index: 0, label: EVIL, rows: 1, columns: 1 }],
      position: 0,
      can_undo: false,
      can_redo: false,
    });
    new FakeKernel(model, {
      schema: [{ name: EVIL, dtype: EVIL, kind: "text" }],
      columns: { [EVIL]: [EVIL, EVIL] },
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    cleanups.push(render({ model, el }));
    await flush();
    const grid = el.querySelector<HTMLElement>(".hydroml-grid")!;
    grid.dispatchEvent(new Event("scroll"));
    await flush(10);

    const cells = el.querySelectorAll<HTMLElement>(".hydroml-cell");
    expect(cells.length).toBe(2);
    expect(cells[0]!.textContent).toBe(EVIL);
    expect(cells[0]!.getAttribute("data-column")).toBe(EVIL);
    const header = el.querySelector<HTMLElement>(".hydroml-header-cell")!;
    expect(header.querySelector(".hydroml-header-label")!.textContent).toBe(EVIL);
    expect(el.querySelector(".hydroml-error")!.textContent).toContain(EVIL);
    expect(el.querySelector(".hydroml-op-select")!.textContent).toContain(EVIL);
    expect(el.querySelector(".hydroml-field-label")!.textContent).toContain(EVIL);
    el.querySelector<HTMLElement>('button[data-tab="history"]')!.click();
    expect(el.querySelector(".hydroml-history-label")!.textContent).toBe(EVIL);
    el.querySelector<HTMLElement>('button[data-tab="column"]')!.click();
    el.querySelector<HTMLElement>(".hydroml-header-meta")!.click();
    await flush();
    expect(el.querySelector(".hydroml-column-info")!.textContent).toContain(EVIL);

    expect(document.querySelector("img")).toBeNull();
    expect(el.getElementsByTagName("img").length).toBe(0);
    // Serialised, the text is escaped: it was never parsed as markup.
    expect(el.innerHTML).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});
