import { afterEach, describe, expect, it, vi } from "vitest";
import * as entry from "../src/index";
import { findPlaceholder, hidePlaceholder } from "../src/placeholder";
import { render } from "../src/render";
import { MockModel } from "./mock";

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe("the anywidget entry point", () => {
  it("exports the widget only as the default object (no deprecated direct `render`)", () => {
    // anywidget warns "Direct export of a 'render' will likely be deprecated" when the module
    // has a `render` export of its own.
    expect(Object.keys(entry)).toEqual(["default"]);
    expect(typeof entry.default.render).toBe("function");
  });
});

/** A JupyterLab-like output area: the widget's output, then the placeholder output. */
function outputs(): { area: HTMLElement; widget: HTMLElement; placeholder: HTMLElement } {
  const area = document.createElement("div");
  area.className = "jp-OutputArea";
  const child = (inner: HTMLElement): HTMLElement => {
    const c = document.createElement("div");
    c.className = "jp-OutputArea-child";
    const out = document.createElement("div");
    out.className = "jp-OutputArea-output";
    out.appendChild(inner);
    c.appendChild(out);
    area.appendChild(c);
    return c;
  };
  const widget = document.createElement("div");
  child(widget);
  const mark = document.createElement("div");
  mark.className = "hydroml-static";
  mark.dataset.hydromlStatic = "1";
  mark.textContent = "Data Studio of session 'x': its kernel has stopped. Run the cell again to show it.";
  const placeholder = child(mark);
  document.body.appendChild(area);
  return { area, widget, placeholder };
}

describe("the static placeholder beside a widget", () => {
  it("is hidden while the widget is shown and back when the view goes", () => {
    const { widget, placeholder } = outputs();
    const model = new MockModel({ _kind: "experiment", status: "running", progress: 0, runs: [], curves: [], error: "" });
    const dispose = render({ model, el: widget });
    expect(placeholder.style.display).toBe("none");
    dispose();
    expect(placeholder.style.display).toBe("");
  });

  it("is found only in the output right after the widget's, never in a later one", () => {
    const { area, widget, placeholder } = outputs();
    expect(findPlaceholder(widget)).toBe(placeholder);
    // A widget whose output has no placeholder after it leaves the next output's alone.
    const lone = document.createElement("div");
    const c = document.createElement("div");
    c.className = "jp-OutputArea-child";
    c.appendChild(lone);
    area.insertBefore(c, area.firstChild);
    expect(findPlaceholder(lone)).toBeNull();
  });

  it("waits for a placeholder output that arrives after the widget rendered", () => {
    vi.useFakeTimers();
    const el = document.createElement("div");
    document.body.appendChild(el);
    const restore = hidePlaceholder(el);
    const later = document.createElement("div");
    later.dataset.hydromlStatic = "1";
    document.body.appendChild(later);
    vi.advanceTimersByTime(150);
    expect(later.style.display).toBe("none");
    restore();
    expect(later.style.display).toBe("");
  });
});
