// History tab: the steps with the cursor, undo / redo, goto.
import { Listeners, button, clear, h, traitList, traitNumber } from "./dom";
import { formatCount } from "./format";
import { type FieldsArg, type HistoryEntry, errorMessage } from "./protocol";
import type { Panel, SidebarContext } from "./panel";

export class HistoryPanel implements Panel {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly listeners = new Listeners();
  private readonly list: HTMLOListElement;
  private readonly undo: HTMLButtonElement;
  private readonly redo: HTMLButtonElement;

  constructor(ctx: SidebarContext) {
    this.ctx = ctx;
    this.undo = button("↶ Undo", "undo");
    this.redo = button("↷ Redo", "redo");
    this.list = h("ol", { className: "hydroml-history" });
    this.el = h("div", { className: "hydroml-panel hydroml-panel-history", attrs: { "data-panel": "history" } }, [
      h("div", { className: "hydroml-buttons" }, [this.undo, this.redo]),
      this.list,
    ]);
    this.listeners.dom(this.undo, "click", () => this.send("undo"));
    this.listeners.dom(this.redo, "click", () => this.send("redo"));
    this.listeners.dom(this.list, "click", (e) => {
      const item = (e.target as HTMLElement).closest<HTMLElement>(".hydroml-history-item");
      if (!item) return;
      const index = Number(item.dataset.index);
      if (Number.isInteger(index) && index !== traitNumber(ctx.model, "position")) this.send("goto", { index });
    });
    for (const name of ["history", "position", "can_undo", "can_redo"]) {
      this.listeners.model(ctx.model, `change:${name}`, () => this.render());
    }
    this.render();
  }

  show(): void {
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
  }

  dispose(): void {
    this.listeners.dispose();
  }

  render(): void {
    const model = this.ctx.model;
    this.undo.disabled = model.get("can_undo") !== true;
    this.redo.disabled = model.get("can_redo") !== true;
    const position = traitNumber(model, "position");
    clear(this.list);
    for (const entry of traitList<HistoryEntry>(model, "history")) {
      const current = entry.index === position;
      const item = h(
        "button",
        {
          className: "hydroml-history-item",
          attrs: { type: "button", "data-index": String(entry.index) },
          title: current ? "Current step" : `Go to step ${entry.index}`,
        },
        [
          h("span", { className: "hydroml-history-index", text: String(entry.index) }),
          h("span", { className: "hydroml-history-label", text: entry.label }),
          h("span", {
            className: "hydroml-history-shape",
            text: `${formatCount(entry.rows)} × ${formatCount(entry.columns)}`,
          }),
        ],
      );
      if (current) {
        item.classList.add("hydroml-current");
        item.setAttribute("aria-current", "step");
      } else if (entry.index > position) {
        item.classList.add("hydroml-undone");
      }
      this.list.appendChild(h("li", {}, [item]));
    }
  }

  private send<K extends "undo" | "redo" | "goto">(kind: K, ...fields: FieldsArg<K>): void {
    this.ctx.client.request(kind, ...fields).then(
      () => this.ctx.errors.clearLocal(),
      (err: unknown) => this.ctx.errors.show(errorMessage(err)),
    );
  }
}
