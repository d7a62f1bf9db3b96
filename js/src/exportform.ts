// Export from the Code tab: pick a format, edit the proposed file name, confirm an overwrite.
//
// The kernel proposes a name that does not exist yet (`export_path`); an `export` that would
// replace a file is refused with reason "exists", and only after the person confirms here is
// it sent again with `overwrite: true`. A session's source is refused whatever is sent; that
// refusal, like any failed export, shows under the file name until the name is changed.
import { Listeners, button, h } from "./dom";
import { EXPORT_FORMATS, type ExportFormat, RequestError, errorMessage } from "./protocol";
import type { SidebarContext } from "./panel";

/** The button of each format the kernel exports (a new format does not compile until labelled). */
export const FORMAT_LABELS: Record<ExportFormat, string> = {
  csv: "CSV",
  parquet: "Parquet",
  xlsx: "Excel",
  json: "JSON",
};

export class ExportForm {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly note: HTMLElement;
  private readonly listeners = new Listeners();
  private readonly formats: HTMLButtonElement[];
  private readonly form: HTMLDivElement;
  private readonly nameInput: HTMLInputElement;
  private readonly write: HTMLButtonElement;
  private readonly confirm: HTMLDivElement;
  private readonly question: HTMLSpanElement;
  private readonly overwrite: HTMLButtonElement;
  private readonly keep: HTMLButtonElement;
  private readonly error: HTMLDivElement;
  private format: ExportFormat | null = null;
  // The file the person is asked about: the kernel's absolute path of the existing file.
  private confirmPath: string | null = null;
  // Bumped by every request: a reply to an older one is ignored.
  private turn = 0;

  /** `note` is the panel's status line, where "Written to ..." goes. */
  constructor(ctx: SidebarContext, note: HTMLElement) {
    this.ctx = ctx;
    this.note = note;
    this.formats = EXPORT_FORMATS.map((format) => {
      const b = button(FORMAT_LABELS[format], `export-${format}`, "hydroml-button hydroml-secondary");
      b.setAttribute("aria-pressed", "false");
      this.listeners.dom(b, "click", () => this.choose(format));
      return b;
    });
    this.nameInput = h("input", {
      className: "hydroml-input hydroml-export-name",
      attrs: { type: "text", name: "export-name", "aria-label": "Export file name", spellcheck: "false" },
    });
    this.write = button("Export", "export-write", "hydroml-button hydroml-primary");
    const cancel = button("Cancel", "export-cancel", "hydroml-button hydroml-secondary");
    this.question = h("span", { className: "hydroml-export-question" });
    this.overwrite = button("Replace it", "export-overwrite", "hydroml-button hydroml-danger");
    this.keep = button("Keep it", "export-keep", "hydroml-button hydroml-secondary");
    this.confirm = h("div", { className: "hydroml-export-confirm", attrs: { role: "group" } }, [
      this.question,
      h("div", { className: "hydroml-buttons" }, [this.overwrite, this.keep]),
    ]);
    this.error = h("div", { className: "hydroml-export-error", attrs: { role: "alert" } });
    this.form = h("div", { className: "hydroml-export-form" }, [
      h("label", { className: "hydroml-field-label", text: "File name" }),
      h("div", { className: "hydroml-buttons" }, [this.nameInput, this.write, cancel]),
      this.error,
      this.confirm,
    ]);
    this.el = h("div", { className: "hydroml-export" }, [
      h("div", { className: "hydroml-buttons" }, this.formats),
      this.form,
    ]);
    this.close();
    this.listeners.dom(this.write, "click", () => this.submit());
    this.listeners.dom(cancel, "click", () => this.close());
    this.listeners.dom(this.overwrite, "click", () => this.replace());
    this.listeners.dom(this.keep, "click", () => this.keepFile());
    this.listeners.dom(this.nameInput, "keydown", (e) => {
      if (e.key === "Enter") this.submit();
      else if (e.key === "Escape") this.close();
    });
    // A new name is a new question: the one asked about the old name no longer applies.
    this.listeners.dom(this.nameInput, "input", () => {
      this.hideConfirm();
      this.showError("");
    });
  }

  dispose(): void {
    this.turn++;
    this.listeners.dispose();
  }

  /** Show the file-name field for `format`, filled with the kernel's proposal. */
  choose(format: ExportFormat): void {
    const turn = ++this.turn;
    this.format = format;
    for (const b of this.formats) b.setAttribute("aria-pressed", String(b.dataset.action === `export-${format}`));
    this.hideConfirm();
    this.showError("");
    this.form.hidden = false;
    this.nameInput.value = "";
    this.setBusy(true);
    this.ctx.client.request("export_path", { format }).then(
      (reply) => {
        if (turn !== this.turn) return;
        this.setBusy(false);
        this.nameInput.value = typeof reply.content.path === "string" ? reply.content.path : "";
        this.nameInput.focus();
      },
      (err: unknown) => {
        if (turn !== this.turn) return;
        this.setBusy(false);
        this.ctx.errors.show(errorMessage(err));
      },
    );
  }

  private submit(): void {
    if (this.format === null || this.write.disabled) return;
    const path = this.nameInput.value.trim();
    if (!path) {
      this.ctx.errors.show("export: enter a file name");
      return;
    }
    this.send(path, false);
  }

  private replace(): void {
    if (this.confirmPath === null || this.overwrite.disabled) return;
    this.send(this.confirmPath, true);
  }

  private keepFile(): void {
    this.hideConfirm();
    this.nameInput.focus();
    this.nameInput.select();
  }

  private send(path: string, overwrite: boolean): void {
    const format = this.format;
    if (format === null) return;
    const turn = ++this.turn;
    this.setBusy(true);
    this.showError("");
    this.note.textContent = `Exporting ${format}…`;
    this.ctx.client.request("export", { format, path, overwrite }).then(
      (reply) => {
        if (turn !== this.turn) return;
        this.ctx.errors.clearLocal();
        this.note.textContent = `Written to ${String(reply.content.path ?? path)}`;
        this.close();
      },
      (err: unknown) => {
        if (turn !== this.turn) return;
        this.setBusy(false);
        this.note.textContent = "";
        if (err instanceof RequestError && err.reason === "exists" && !overwrite && !this.form.hidden) {
          const existing = typeof err.content.path === "string" ? err.content.path : path;
          this.ask(path, existing);
          return;
        }
        this.showError(errorMessage(err));
        this.nameInput.focus();
      },
    );
  }

  /** Ask whether to replace `shown` (the kernel's `path`); nothing is sent until the person answers. */
  private ask(shown: string, path: string): void {
    this.confirmPath = path;
    this.ctx.errors.clearLocal();
    this.question.textContent = `${shown} exists. Replace it?`;
    this.question.title = path;
    this.confirm.hidden = false;
    this.keep.focus();
  }

  /** Say why the file was not written, under its name (empty: hide). */
  private showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = message === "";
  }

  private hideConfirm(): void {
    this.confirmPath = null;
    this.confirm.hidden = true;
    this.question.textContent = "";
  }

  private setBusy(busy: boolean): void {
    this.write.disabled = busy;
    this.overwrite.disabled = busy;
  }

  private close(): void {
    this.format = null;
    this.hideConfirm();
    this.showError("");
    this.setBusy(false);
    this.form.hidden = true;
    for (const b of this.formats) b.setAttribute("aria-pressed", "false");
  }
}
