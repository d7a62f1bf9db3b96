// The find bar: text searched by the kernel across the view, Enter / Shift+Enter from match to match.
import { h } from "./dom";
import { type Client, errorMessage } from "./protocol";

export interface FindMatch {
  row: number;
  column: string;
}

export interface FindHooks {
  /** Show a match: select and scroll to its cell. */
  show: (match: FindMatch) => void;
  /** Where the grid's cursor is, to step from when the text is new. */
  cursor: () => FindMatch | null;
  /** The bar closed: give the focus back. */
  closed: () => void;
}

/** "3 of 120", "no match", or "" before any search. */
export function countText(index: number, total: number): string {
  if (total <= 0) return "no match";
  return `${index.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`;
}

export class FindBar {
  readonly el: HTMLDivElement;
  readonly input: HTMLInputElement;
  readonly count: HTMLSpanElement;
  private readonly client: Client;
  private readonly hooks: FindHooks;
  private current: FindMatch | null = null;
  private searched = "";
  private asked = 0;
  private fromTop = false;

  constructor(client: Client, hooks: FindHooks) {
    this.client = client;
    this.hooks = hooks;
    this.input = h("input", {
      className: "hydroml-find-input",
      attrs: { type: "search", placeholder: "Find in the view", "aria-label": "Find in the view", spellcheck: "false" },
    });
    this.count = h("span", { className: "hydroml-find-count", attrs: { "aria-live": "polite" } });
    const button = (text: string, title: string, act: () => void): HTMLButtonElement => {
      const b = h("button", { className: "hydroml-find-button", text, title, attrs: { type: "button", "aria-label": title } });
      b.addEventListener("click", act);
      return b;
    };
    this.el = h("div", { className: "hydroml-find", attrs: { role: "search", hidden: "" } }, [
      this.input,
      this.count,
      button("↑", "Previous match (Shift+Enter)", () => this.step(-1)),
      button("↓", "Next match (Enter)", () => this.step(1)),
      button("×", "Close (Escape)", () => this.close()),
    ]);
    this.input.addEventListener("keydown", (e) => {
      e.stopPropagation(); // the notebook's own shortcuts stay out of the text
      if (e.key === "Enter") {
        e.preventDefault();
        this.step(e.shiftKey ? -1 : 1);
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.close();
      }
    });
    this.input.addEventListener("input", () => {
      this.current = null;
      this.count.textContent = "";
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** The cell of the match shown, for highlighting. */
  get match(): FindMatch | null {
    return this.isOpen ? this.current : null;
  }

  open(): void {
    this.el.hidden = false;
    this.input.focus();
    this.input.select();
  }

  close(): void {
    this.el.hidden = true;
    this.current = null;
    this.asked += 1; // a reply still coming is dropped
    this.hooks.closed();
  }

  /** The view changed: the next step searches it again, from its first match. */
  reset(): void {
    this.current = null;
    this.fromTop = true;
    this.asked += 1; // a reply about the old view is dropped
    if (this.isOpen && this.input.value) this.count.textContent = "";
  }

  /** Ask the kernel for the next (1) or previous (-1) match; the first one for new text. */
  step(step: 1 | -1): void {
    const text = this.input.value;
    if (!text) return;
    const fresh = text !== this.searched || this.current === null;
    const from = fresh ? (this.fromTop ? null : this.hooks.cursor()) : this.current;
    this.fromTop = false;
    const fields = from ? { text, row: from.row, column: from.column, step: fresh ? 0 : step } : { text };
    const asked = ++this.asked;
    this.searched = text;
    this.count.textContent = "searching…";
    this.client.request("find", fields).then(
      (reply) => {
        if (asked !== this.asked) return;
        const c = reply.content;
        const total = Number(c.total);
        this.count.textContent = countText(Number(c.index), total);
        if (typeof c.row === "number" && typeof c.column === "string") {
          this.current = { row: c.row, column: c.column };
          this.hooks.show(this.current);
        } else {
          this.current = null;
        }
      },
      (err) => {
        if (asked !== this.asked) return;
        this.count.textContent = errorMessage(err);
      },
    );
  }
}
