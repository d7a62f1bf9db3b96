// Operations tab: choose an op, fill its form, preview, apply.
import { Listeners, button, clear, h } from "./dom";
import { FormError, OpFormView } from "./forms";
import { renderPreview } from "./preview";
import { type OpForm, type Preview, errorMessage } from "./protocol";
import { type Panel, type SidebarContext, catalogOf, schemaOf } from "./panel";

export class OpsPanel implements Panel {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly listeners = new Listeners();
  private readonly select: HTMLSelectElement;
  private readonly formHost: HTMLDivElement;
  private readonly preview: HTMLDivElement;
  private readonly note: HTMLDivElement;
  private readonly previewButton: HTMLButtonElement;
  private readonly applyButton: HTMLButtonElement;
  private form: OpFormView | null = null;
  private catalogKey = "";
  private schemaKey = "";
  private busy = false;

  constructor(ctx: SidebarContext) {
    this.ctx = ctx;
    this.select = h("select", { className: "hydroml-op-select hydroml-input", attrs: { "aria-label": "Operation" } });
    this.formHost = h("div", { className: "hydroml-form-host" });
    this.previewButton = button("Preview", "preview", "hydroml-button hydroml-secondary");
    this.applyButton = button("Apply", "apply", "hydroml-button hydroml-primary");
    this.note = h("div", { className: "hydroml-note", attrs: { "aria-live": "polite" } });
    this.preview = h("div", { className: "hydroml-preview" });
    this.el = h("div", { className: "hydroml-panel hydroml-panel-ops", attrs: { "data-panel": "ops" } }, [
      this.select,
      this.formHost,
      h("div", { className: "hydroml-buttons" }, [this.previewButton, this.applyButton]),
      this.note,
      this.preview,
    ]);
    this.listeners.dom(this.select, "change", () => this.buildForm({}));
    this.listeners.dom(this.previewButton, "click", () => this.run("preview"));
    this.listeners.dom(this.applyButton, "click", () => this.run("apply"));
    this.listeners.model(ctx.model, "change:catalog", () => this.syncCatalog());
    this.listeners.model(ctx.model, "change:schema", () => this.syncSchema());
    this.listeners.model(ctx.model, "change:version", () => clear(this.preview));
    this.syncCatalog();
  }

  get currentOp(): string {
    return this.select.value;
  }

  get formView(): OpFormView | null {
    return this.form;
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

  /** Select `op` and fill its form (quick actions from the Column tab). */
  prefill(op: string, column: string, mappingKeys = false): boolean {
    if (!catalogOf(this.ctx.model).some((f) => f.name === op)) return false;
    this.select.value = op;
    this.buildForm({});
    this.form?.setColumn(column, mappingKeys);
    this.form?.focusFirstEmpty();
    return true;
  }

  private opForm(): OpForm | undefined {
    return catalogOf(this.ctx.model).find((f) => f.name === this.select.value);
  }

  private syncCatalog(): void {
    const catalog = catalogOf(this.ctx.model);
    const key = JSON.stringify(catalog);
    if (key === this.catalogKey) return;
    this.catalogKey = key;
    const current = this.select.value;
    clear(this.select);
    for (const f of catalog) {
      this.select.appendChild(h("option", { text: f.summary ? `${f.summary} (${f.name})` : f.name, attrs: { value: f.name } }));
    }
    const keep = catalog.some((f) => f.name === current);
    if (keep || catalog.length) this.select.value = keep ? current : catalog[0]!.name;
    this.buildForm(this.form?.draft() ?? {});
  }

  private syncSchema(): void {
    const key = JSON.stringify(schemaOf(this.ctx.model));
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    this.buildForm(this.form?.draft() ?? {});
  }

  private buildForm(values: Record<string, unknown>): void {
    clear(this.formHost);
    clear(this.preview);
    this.note.textContent = "";
    this.schemaKey = JSON.stringify(schemaOf(this.ctx.model));
    const spec = this.opForm();
    if (!spec) {
      this.form = null;
      return;
    }
    this.form = new OpFormView(spec, schemaOf(this.ctx.model));
    this.form.set(values);
    this.formHost.appendChild(this.form.el);
  }

  private run(kind: "preview" | "apply"): void {
    const form = this.form;
    if (!form || this.busy) return;
    let params: Record<string, unknown>;
    try {
      params = form.values();
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      this.ctx.errors.show(err.message);
      return;
    }
    this.busy = true;
    this.note.textContent = kind === "preview" ? "Previewing…" : "Applying…";
    const op = form.form.name;
    this.ctx.client.request(kind, { op, params }).then(
      (reply) => {
        this.busy = false;
        this.ctx.errors.clearLocal();
        clear(this.preview);
        if (kind === "preview") {
          this.note.textContent = "";
          const preview = reply.content.preview;
          if (preview && typeof preview === "object") this.preview.appendChild(renderPreview(preview as Preview));
          else this.ctx.errors.show("the preview reply carried no preview");
        } else {
          this.note.textContent = "Applied.";
        }
      },
      (err: unknown) => {
        this.busy = false;
        this.note.textContent = "";
        this.ctx.errors.show(errorMessage(err));
      },
    );
  }
}
