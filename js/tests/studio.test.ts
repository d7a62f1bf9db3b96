import { afterEach, describe, expect, it } from "vitest";
import { render } from "../src/render";
import { FakeKernel, MockModel, flush } from "./mock";
import { CATALOG } from "./fixtures";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
  document.body.replaceChildren();
});

function mount(kind: string) {
  const model = new MockModel({
    _kind: kind,
    version: 1,
    view: 1,
    error: "",
    catalog: CATALOG,
    history: [{ index: 0, label: "Load", rows: 2, columns: 1 }],
    position: 0,
    can_undo: true,
    can_redo: true,
  });
  new FakeKernel(model, { schema: [{ name: "a", dtype: "int64", kind: "integer" }], columns: { a: [1, 2] } });
  const el = document.createElement("div");
  document.body.appendChild(el);
  const cleanup = render({ model, el });
  cleanups.push(cleanup);
  return { model, el, cleanup };
}

describe("index and studio", () => {
  it("renders the view named by _kind", () => {
    expect(mount("grid").el.querySelector(".hydroml-grid")).not.toBeNull();
    expect(mount("grid").el.querySelector(".hydroml-sidebar")).toBeNull();
    expect(mount("sidebar").el.querySelector(".hydroml-sidebar")).not.toBeNull();
    const studio = mount("studio").el;
    expect(studio.querySelector(".hydroml-studio .hydroml-grid")).not.toBeNull();
    expect(studio.querySelector(".hydroml-studio .hydroml-sidebar")).not.toBeNull();
    expect(studio.querySelectorAll(".hydroml-error").length).toBe(1);
    expect(studio.querySelector(".hydroml-studio")!.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
  });

  it("shows the error trait and its changes", () => {
    const { model, el } = mount("grid");
    const err = el.querySelector<HTMLElement>(".hydroml-error")!;
    expect(err.hidden).toBe(true);
    model.update({ error: "cannot read file" });
    expect(err.hidden).toBe(false);
    expect(err.textContent).toContain("cannot read file");
  });

  it("sends undo / redo for Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y, not from text inputs", () => {
    const { model, el } = mount("studio");
    const grid = el.querySelector<HTMLElement>(".hydroml-grid")!;
    const press = (target: HTMLElement, init: KeyboardEventInit) =>
      target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, ...init }));
    press(grid, { key: "z", ctrlKey: true });
    press(grid, { key: "Z", ctrlKey: true, shiftKey: true });
    press(grid, { key: "y", ctrlKey: true });
    expect(model.requests("undo").length).toBe(1);
    expect(model.requests("redo").length).toBe(2);
    const input = el.querySelector<HTMLElement>(".hydroml-save-name")!;
    press(input, { key: "z", ctrlKey: true });
    expect(model.requests("undo").length).toBe(1);
  });

  it("sends the selected header's column to the sidebar", async () => {
    const { model, el } = mount("studio");
    el.querySelector<HTMLElement>('button[data-tab="column"]')!.click();
    el.querySelector<HTMLElement>('.hydroml-header-cell[data-column="a"]')!.click();
    expect(model.lastRequest("summary").columns).toEqual(["a"]);
    await flush();
    expect(el.querySelector(".hydroml-column-title")!.textContent).toBe("a");
  });

  it("collapses the sidebar", () => {
    const { el } = mount("studio");
    el.querySelector<HTMLElement>('button[data-action="toggle-sidebar"]')!.click();
    expect(el.querySelector<HTMLElement>(".hydroml-studio-side")!.hidden).toBe(true);
    el.querySelector<HTMLElement>('button[data-action="toggle-sidebar"]')!.click();
    expect(el.querySelector<HTMLElement>(".hydroml-studio-side")!.hidden).toBe(false);
  });

  it("removes every listener it added on cleanup", () => {
    for (const kind of ["grid", "sidebar", "studio"]) {
      const { model, el, cleanup } = mount(kind);
      cleanup();
      expect(model.listenerCount()).toBe(0);
      expect(el.childElementCount).toBe(0);
    }
  });
});
