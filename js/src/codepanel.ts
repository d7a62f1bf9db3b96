// Code tab: the session's pandas script, highlighted; copy, insert as a new cell, export, save as
// a new data source.
import { button, h, traitNumber } from "./dom";
import { ExportForm } from "./exportform";
import { renderCode } from "./highlight";
import { insertCell } from "./insertcell";
import { errorMessage } from "./protocol";
import { type SidebarContext, TabPanel } from "./panel";

export async function copyText(text: string): Promise<void> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return;
    }
  } catch {
    // Denied (no permission, insecure context): the textarea route below still works.
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand("copy")) throw new Error("copy was refused");
  } finally {
    area.remove();
  }
}

export class CodePanel extends TabPanel {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly code: HTMLPreElement;
  private readonly note: HTMLDivElement;
  private readonly nameInput: HTMLInputElement;
  private readonly exportForm: ExportForm;
  private loadedVersion: number | null = null;
  private text = "";

  constructor(ctx: SidebarContext) {
    super();
    this.ctx = ctx;
    this.code = h("pre", { className: "hydroml-code" });
    this.note = h("div", { className: "hydroml-note", attrs: { "aria-live": "polite" } });
    const copy = button("Copy", "copy");
    const insert = button("Insert as a new cell", "insert-cell", "hydroml-button hydroml-secondary");
    insert.title = "Add this code as a new cell below this one (it is not run)";
    this.exportForm = new ExportForm(ctx, this.note);
    this.listeners.add(() => this.exportForm.dispose());
    this.nameInput = h("input", {
      className: "hydroml-input hydroml-save-name",
      attrs: { type: "text", name: "save-as-name", "aria-label": "New data source name", placeholder: "name" },
    });
    const save = button("Save as new data source", "save-as");
    this.el = h("div", { className: "hydroml-panel hydroml-panel-code", attrs: { "data-panel": "code" } }, [
      h("div", { className: "hydroml-buttons" }, [copy, insert]),
      this.code,
      h("div", { className: "hydroml-subtitle", text: "Export" }),
      this.exportForm.el,
      h("div", { className: "hydroml-subtitle", text: "Save as new data source" }),
      h("div", { className: "hydroml-buttons" }, [this.nameInput, save]),
      this.note,
    ]);
    this.listeners.dom(copy, "click", () => {
      copyText(this.text).then(
        () => (this.note.textContent = "Copied."),
        (err: unknown) => this.ctx.errors.show(`copy failed: ${errorMessage(err)}`),
      );
    });
    this.listeners.dom(insert, "click", () => this.insert());
    this.listeners.dom(save, "click", () => this.saveAs());
    this.listeners.dom(this.nameInput, "keydown", (e) => {
      if (e.key === "Enter") this.saveAs();
    });
    this.listeners.model(ctx.model, "change:version", () => this.shown && this.load());
  }

  protected onShow(): void {
    this.load();
  }

  private load(): void {
    const version = traitNumber(this.ctx.model, "version");
    if (version === this.loadedVersion) return;
    this.loadedVersion = version;
    this.ctx.client.request("code").then(
      (reply) => {
        if (reply.content.version !== undefined && reply.content.version !== traitNumber(this.ctx.model, "version")) return;
        this.text = typeof reply.content.code === "string" ? reply.content.code : "";
        renderCode(this.code, this.text);
      },
      (err: unknown) => {
        this.loadedVersion = null;
        this.ctx.errors.show(errorMessage(err));
      },
    );
  }

  /** Add the code shown as a new cell below the widget's own; where that cannot be, copy it. */
  private insert(): void {
    if (!this.text) {
      this.ctx.errors.show("insert: the code is still loading; try again in a moment");
      return;
    }
    if (insertCell(this.el, this.text)) {
      this.ctx.errors.clearLocal();
      this.note.textContent = "Inserted as a new cell below this one (not run).";
      return;
    }
    copyText(this.text).then(
      () => (this.note.textContent = "This front end lets no widget add a cell: the code was copied instead, paste it into a new cell."),
      (err: unknown) => this.ctx.errors.show(`insert: no cell could be added here, and copying failed: ${errorMessage(err)}`),
    );
  }

  private saveAs(): void {
    const name = this.nameInput.value.trim();
    if (!name) {
      this.ctx.errors.show("save as: enter a name for the new data source");
      return;
    }
    this.ctx.client.request("save_as", { name }).then(
      (reply) => {
        this.ctx.errors.clearLocal();
        this.note.textContent = `Saved as ${String(reply.content.session ?? name)}`;
      },
      (err: unknown) => this.ctx.errors.show(errorMessage(err)),
    );
  }
}
