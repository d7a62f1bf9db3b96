// DOM helpers. Text always goes in through textContent: no HTML parsing anywhere.
import type { Model } from "./protocol";

export interface ElementOptions {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  if (options.text !== undefined) el.textContent = options.text;
  if (options.title) el.title = options.title;
  if (options.attrs) {
    for (const [k, v] of Object.entries(options.attrs)) el.setAttribute(k, v);
  }
  for (const c of children) el.appendChild(c);
  return el;
}

export function button(text: string, action: string, className = "hydroml-button"): HTMLButtonElement {
  return h("button", { className, text, attrs: { type: "button", "data-action": action } });
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A simple two-column table of text. */
export function textTable(headers: string[], rows: string[][], className = "hydroml-table"): HTMLTableElement {
  const table = h("table", { className });
  if (headers.length) {
    const tr = h("tr", {}, headers.map((t) => h("th", { text: t })));
    table.appendChild(h("thead", {}, [tr]));
  }
  const body = h("tbody");
  for (const r of rows) body.appendChild(h("tr", {}, r.map((t) => h("td", { text: t }))));
  table.appendChild(body);
  return table;
}

/** Tracks model and DOM listeners so that one call removes them all. */
export class Listeners {
  private readonly undo: (() => void)[] = [];

  model(model: Model, event: string, cb: (...args: any[]) => void): void {
    model.on(event, cb);
    this.undo.push(() => model.off(event, cb));
  }

  dom<K extends keyof HTMLElementEventMap>(
    target: HTMLElement | Document | Window,
    event: K,
    cb: (e: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void {
    const fn = cb as EventListener;
    target.addEventListener(event, fn, options);
    this.undo.push(() => target.removeEventListener(event, fn, options));
  }

  add(fn: () => void): void {
    this.undo.push(fn);
  }

  dispose(): void {
    while (this.undo.length) this.undo.pop()!();
  }
}

/** The inline error area: the model's `error` trait, or the latest local error. */
export class ErrorArea {
  readonly el: HTMLDivElement;
  private local = "";
  private trait = "";
  private readonly text: HTMLSpanElement;

  constructor() {
    this.text = h("span", { className: "hydroml-error-text" });
    const close = h("button", {
      className: "hydroml-error-close",
      text: "×",
      title: "Dismiss",
      attrs: { type: "button", "aria-label": "Dismiss" },
    });
    close.addEventListener("click", () => {
      this.local = "";
      this.trait = "";
      this.render();
    });
    this.el = h("div", { className: "hydroml-error", attrs: { role: "alert" } }, [this.text, close]);
    this.render();
  }

  show(message: string): void {
    this.local = message;
    this.render();
  }

  clearLocal(): void {
    this.local = "";
    this.render();
  }

  setTrait(message: string): void {
    this.trait = message;
    this.render();
  }

  get message(): string {
    return this.local || this.trait;
  }

  private render(): void {
    const msg = this.message;
    this.text.textContent = msg;
    this.el.hidden = msg === "";
  }
}

export function traitString(model: Model, name: string): string {
  const v = model.get(name);
  return typeof v === "string" ? v : "";
}

export function traitNumber(model: Model, name: string): number {
  const v = model.get(name);
  return typeof v === "number" ? v : 0;
}

export function traitList<T>(model: Model, name: string): T[] {
  const v = model.get(name);
  return Array.isArray(v) ? (v as T[]) : [];
}
