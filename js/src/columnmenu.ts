// A column's menu in the grid header (its ⋮ button or a right-click): sort, filter, rename in
// place, copy the name, hide / show all, pin to the left, move, and quick actions that open
// the matching form pre-filled.
import { displayName, type ColumnLayout } from "./columns";
import { type ErrorArea, Listeners, h } from "./dom";
import { type Client, type SchemaField, type SortKey, errorMessage } from "./protocol";

export interface ColumnMenuHost {
  client: Client;
  errors: ErrorArea;
  layout: ColumnLayout;
  /** The grid's element: the menu and the rename box are placed in it. */
  root: HTMLElement;
  /** The columns shown (arranged) and all of them (the schema trait). */
  shown(): SchemaField[];
  all(): SchemaField[];
  sortKeys(): SortKey[];
  /** Sort by `column` alone; `null` removes it from the sort. */
  sort(column: string, descending: boolean | null): void;
  filter(column: string, anchor: HTMLElement): void;
  /** The layout changed (hidden, pinned, moved): draw the grid again. */
  changed(): void;
  /** Open operation `op`'s form with `column` filled in; absent: no quick actions. */
  quick?: (op: string, column: string) => void;
}

type Item = [label: string, action: string, run: () => void];

/** The quick actions: label, action name, operation. */
export const QUICK_ACTIONS: [string, string, string][] = [
  ["Drop…", "quick-drop", "drop_columns"],
  ["Fill missing…", "quick-fill", "fill_missing"],
  ["Change type…", "quick-cast", "cast"],
];

/** Put `text` on the clipboard; falls back to a hidden text area where the API is missing. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h("textarea", { attrs: { readonly: "" } });
  area.value = text;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("the browser refused to copy to the clipboard");
}

export class ColumnMenu {
  readonly el: HTMLDivElement;
  private readonly host: ColumnMenuHost;
  private readonly listeners = new Listeners();
  private column: string | null = null;
  private editor: HTMLInputElement | null = null;

  constructor(host: ColumnMenuHost) {
    this.host = host;
    this.el = h("div", { className: "hydroml-column-menu", attrs: { role: "menu" } });
    this.el.hidden = true;
    host.root.appendChild(this.el);
    this.listeners.dom(document, "pointerdown", (e) => {
      if (!this.el.hidden && !this.el.contains(e.target as Node)) this.close();
    });
    this.listeners.dom(this.el, "keydown", (e) => this.onKey(e));
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  get current(): string | null {
    return this.isOpen ? this.column : null;
  }

  dispose(): void {
    this.listeners.dispose();
    this.editor?.remove();
    this.el.remove();
  }

  close(): void {
    this.el.hidden = true;
    this.column = null;
  }

  /** Open the menu of `column` under `anchor` (or at the pointer, for a right-click). */
  open(column: string, anchor: HTMLElement, at?: { x: number; y: number }): void {
    const host = this.host;
    this.column = column;
    this.el.replaceChildren();
    this.el.appendChild(h("div", { className: "hydroml-column-menu-title", text: displayName(column), title: displayName(column) }));
    const key = host.sortKeys().find((k) => k.column === column);
    const items: (Item | null)[] = [
      ["Sort ascending", "sort-asc", () => host.sort(column, false)],
      ["Sort descending", "sort-desc", () => host.sort(column, true)],
    ];
    if (key) items.push(["Clear sort", "sort-clear", () => host.sort(column, null)]);
    items.push(
      ["Filter…", "filter", () => host.filter(column, this.headerCell(column) ?? anchor)],
      null,
      ["Rename…", "rename", () => this.rename(column)],
      ["Copy name", "copy-name", () => this.copyName(column)],
      null,
      ["Hide", "hide", () => this.relayout(() => host.layout.hide(column))],
    );
    const hidden = host.layout.hidden.size;
    if (hidden) items.push([`Show all (${hidden} hidden)`, "show-all", () => this.relayout(() => host.layout.showAll())]);
    const pinned = host.layout.isPinned(column);
    items.push(
      [pinned ? "Unpin" : "Pin to the left", "pin", () => this.relayout(() => host.layout.togglePin(column))],
      ["Move left", "move-left", () => this.move(column, -1)],
      ["Move right", "move-right", () => this.move(column, 1)],
    );
    if (host.quick) {
      items.push(null);
      for (const [label, action, op] of QUICK_ACTIONS) items.push([label, action, () => host.quick!(op, column)]);
    }
    for (const item of items) {
      if (item === null) {
        this.el.appendChild(h("div", { className: "hydroml-column-menu-sep", attrs: { role: "separator" } }));
        continue;
      }
      const [label, action, run] = item;
      const b = h("button", {
        className: "hydroml-column-menu-item",
        text: label,
        attrs: { type: "button", role: "menuitem", "data-action": action },
      });
      b.addEventListener("click", () => {
        this.close();
        run();
      });
      this.el.appendChild(b);
    }
    const root = host.root.getBoundingClientRect();
    const rect = anchor.getBoundingClientRect();
    const x = at ? at.x : rect.left;
    const y = at ? at.y : rect.bottom;
    this.el.hidden = false;
    const width = this.el.offsetWidth || 200;
    this.el.style.left = `${Math.max(0, Math.min(x - root.left, root.width - width - 4))}px`;
    this.el.style.top = `${Math.max(0, y - root.top + 2)}px`;
    this.el.querySelector<HTMLButtonElement>("button")?.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent): void {
    const buttons = Array.from(this.el.querySelectorAll<HTMLButtonElement>("button"));
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      e.stopPropagation();
      const next = (i + (e.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next]?.focus();
    }
  }

  private relayout(change: () => void): void {
    change();
    this.host.changed();
  }

  private move(column: string, step: -1 | 1): void {
    if (this.host.layout.move(column, step, this.host.shown(), this.host.all())) this.host.changed();
  }

  private headerCell(column: string): HTMLElement | null {
    for (const cell of Array.from(this.host.root.querySelectorAll<HTMLElement>(".hydroml-header-cell"))) {
      if (cell.dataset.column === column) return cell;
    }
    return null;
  }

  private copyName(column: string): void {
    copyText(column).then(
      () => this.host.errors.clearLocal(),
      (err: unknown) => this.host.errors.show(`cannot copy the name of ${JSON.stringify(column)}: ${errorMessage(err)}`),
    );
  }

  /** Rename in place: a text box over the header's name; Enter applies, Escape cancels. */
  rename(column: string): void {
    const cell = this.headerCell(column);
    if (!cell) return;
    this.editor?.remove();
    const root = this.host.root.getBoundingClientRect();
    const at = cell.getBoundingClientRect();
    const input = h("input", {
      className: "hydroml-input hydroml-rename-box",
      attrs: { type: "text", "aria-label": `New name for ${displayName(column)}`, "data-rename": column },
    });
    input.value = column;
    input.style.left = `${at.left - root.left}px`;
    input.style.top = `${at.top - root.top}px`;
    input.style.width = `${Math.max(120, at.width)}px`;
    this.editor = input;
    let done = false;
    const finish = (apply: boolean): void => {
      if (done) return;
      done = true;
      input.remove();
      if (this.editor === input) this.editor = null;
      const name = input.value;
      if (!apply || name === column) return;
      this.host.client.request("apply", { op: "rename", params: { columns: [[column, name]] } }).then(
        () => {
          this.host.layout.renamed(column, name);
          this.host.errors.clearLocal();
          this.host.changed();
        },
        (err: unknown) => this.host.errors.show(errorMessage(err)),
      );
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") finish(true);
      else if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(false));
    this.host.root.appendChild(input);
    input.focus();
    input.select();
  }
}
