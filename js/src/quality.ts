// Quality tab: the profile's alerts by severity, suggestions to apply, target candidates.
import { displayName } from "./columns";
import { button, clear, h, traitNumber } from "./dom";
import {
  type Alert,
  type ApplySuggestionRequest,
  type QualityReport,
  type QualityRequest,
  SEVERITIES,
  type Severity,
  type Suggestion,
  type TargetCandidate,
  errorMessage,
  qualityReport,
} from "./protocol";
import { type SidebarContext, TabPanel, schemaOf } from "./panel";

const SEVERITY_LABELS: Record<Severity, string> = { high: "High", medium: "Medium", low: "Low" };
/** Suggestions at least this confident can be applied together with one button. */
const CONFIDENT = 0.8;
/** Longest text shown in a row (in characters); the whole text is in its tooltip. */
export const TEXT_LIMIT = 300;
const TITLE_LIMIT = 2000;

/** Clip ``text`` to ``limit`` characters (whole code points, so emoji are never cut) with "…". */
export function clipText(text: string, limit = TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, Math.max(1, limit - 1)).join("")}…`;
}

/** A span or div showing ``text`` clipped, with the (less) clipped whole as its tooltip. */
function shownText<K extends "span" | "div">(tag: K, className: string, text: string): HTMLElementTagNameMap[K] {
  const shown = clipText(text);
  return h(tag, { className, text: shown, title: shown === text ? undefined : clipText(text, TITLE_LIMIT) });
}

export function formatConfidence(confidence: number): string {
  if (!Number.isFinite(confidence)) return "–";
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}

function confidenceBar(confidence: number): HTMLSpanElement {
  const fill = h("span", { className: "hydroml-bar-fill" });
  const share = Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
  fill.style.width = `${Math.round(share * 100)}%`;
  return h("span", { className: "hydroml-bar-track hydroml-quality-bar", attrs: { "aria-hidden": "true" } }, [fill]);
}

/** Where the focus was: a button's action, its target column if any, and its position. */
interface FocusSpot {
  action: string;
  index: number;
  target: string | undefined;
}

export class QualityPanel extends TabPanel {
  readonly el: HTMLDivElement;
  private readonly ctx: SidebarContext;
  private readonly picker: HTMLSelectElement;
  private readonly refresh: HTMLButtonElement;
  private readonly status: HTMLDivElement;
  private readonly error: HTMLDivElement;
  private readonly note: HTMLDivElement;
  private readonly content: HTMLDivElement;
  private target: string | null = null;
  private report: QualityReport | null = null;
  private token = 0;
  private loadingKey: string | null = null;
  private applying = false;
  // The version an apply made: its "Applied: ..." note goes with the next step.
  private noteVersion: number | null = null;
  // Where the focus was when Apply was pressed, to put it back once the new report is shown.
  private pendingFocus: FocusSpot | null = null;

  constructor(ctx: SidebarContext) {
    super();
    this.ctx = ctx;
    this.picker = h("select", {
      className: "hydroml-input hydroml-quality-target",
      attrs: { "aria-label": "Target column", name: "quality-target" },
    });
    this.refresh = button("Refresh", "quality-refresh", "hydroml-button hydroml-secondary");
    this.status = h("div", { className: "hydroml-note hydroml-quality-status", attrs: { "aria-live": "polite" } });
    this.error = h("div", { className: "hydroml-quality-error", attrs: { role: "alert" } });
    this.error.hidden = true;
    this.note = h("div", { className: "hydroml-note hydroml-quality-note", attrs: { "aria-live": "polite" } });
    this.content = h("div", { className: "hydroml-quality" });
    this.el = h("div", { className: "hydroml-panel hydroml-panel-quality", attrs: { "data-panel": "quality" } }, [
      h("div", { className: "hydroml-buttons hydroml-quality-bar-top" }, [this.picker, this.refresh]),
      this.status,
      this.error,
      this.note,
      this.content,
    ]);
    this.listeners.dom(this.picker, "change", () => this.setTarget(this.picker.value || null));
    this.listeners.dom(this.refresh, "click", () => this.load(true));
    this.listeners.dom(this.content, "click", (e) => this.onClick(e));
    this.listeners.model(ctx.model, "change:schema", () => this.syncSchema());
    this.listeners.model(ctx.model, "change:version", () => this.onVersion());
    this.syncSchema();
  }

  /** The report shown, if any. */
  get current(): QualityReport | null {
    return this.report;
  }

  protected onShow(): void {
    this.load(false);
  }

  setTarget(target: string | null): void {
    this.target = target;
    this.picker.value = target ?? "";
    if (this.shown) this.load(false);
  }

  /** Ask for the report of the current version and target, unless it is shown or on its way. */
  load(force: boolean): void {
    const version = traitNumber(this.ctx.model, "version");
    const target = this.target;
    const key = `${version}\u0000${target ?? ""}`;
    if (!force) {
      if (this.report && this.report.version === version && this.report.target === target) {
        this.render();
        return;
      }
      if (this.loadingKey === key) return;
    }
    const token = ++this.token;
    this.loadingKey = key;
    this.renderStatus();
    const extra: QualityRequest = { target };
    this.ctx.client.request("quality", { ...extra }).then(
      (reply) => {
        if (token !== this.token) return;
        this.loadingKey = null;
        this.report = qualityReport(reply.content);
        this.showError("");
        this.render();
      },
      (err: unknown) => {
        if (token !== this.token) return;
        this.loadingKey = null;
        this.renderStatus();
        this.showError(errorMessage(err));
      },
    );
  }

  private onVersion(): void {
    if (this.noteVersion !== null && this.noteVersion !== traitNumber(this.ctx.model, "version")) {
      this.noteVersion = null;
      this.note.textContent = "";
    }
    if (this.shown) this.load(false);
    else this.renderStatus();
  }

  private syncSchema(): void {
    const names = schemaOf(this.ctx.model).map((f) => f.name);
    clear(this.picker);
    this.picker.appendChild(h("option", { text: "Target: detect automatically", attrs: { value: "" } }));
    for (const n of names) this.picker.appendChild(h("option", { text: `Target: ${displayName(n)}`, attrs: { value: n } }));
    if (this.target !== null && !names.includes(this.target)) this.target = null;
    this.picker.value = this.target ?? "";
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = message === "";
  }

  private stale(): boolean {
    return this.report !== null && this.report.version !== traitNumber(this.ctx.model, "version");
  }

  private renderStatus(): void {
    const report = this.report;
    for (const b of this.content.querySelectorAll<HTMLButtonElement>('button[data-action^="apply-"]')) {
      b.disabled = this.applying || this.stale();
    }
    if (this.loadingKey !== null) {
      this.status.textContent = "Profiling the data…";
    } else if (report === null) {
      this.status.textContent = "";
    } else if (this.stale()) {
      this.status.textContent = "The data changed since this report: Refresh to profile it again.";
    } else if (report.target_used !== null) {
      const how = report.target === null ? "detected" : "chosen";
      this.status.textContent = `Target alerts refer to ${report.target_used} (${how}).`;
    } else {
      this.status.textContent = "No target: choose one to check imbalance and leakage.";
    }
  }

  private render(): void {
    const report = this.report;
    const spot = this.focusSpot() ?? this.takePendingFocus();
    clear(this.content);
    if (report === null) return;
    this.content.append(this.renderAlerts(report), this.renderSuggestions(report), this.renderTargets(report));
    this.renderStatus();
    if (spot) this.restoreFocus(spot);
  }

  /** The button of the report that has the focus, if one has. */
  private focusSpot(): FocusSpot | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.content.contains(active) || !active.dataset.action) return null;
    const action = active.dataset.action;
    const same = this.buttonsOf(action);
    return { action, index: Math.max(0, same.indexOf(active)), target: active.dataset.target };
  }

  /** The spot saved when Apply was pressed, while the focus has not gone elsewhere since. */
  private takePendingFocus(): FocusSpot | null {
    const spot = this.pendingFocus;
    this.pendingFocus = null;
    const active = document.activeElement;
    const free = active === null || active === document.body || (active instanceof Node && this.el.contains(active));
    return spot && free ? spot : null;
  }

  private buttonsOf(action: string): HTMLElement[] {
    return Array.from(this.content.querySelectorAll<HTMLElement>("[data-action]")).filter((b) => b.dataset.action === action);
  }

  /** Focus the same button again: the same target, else the same place in the list, else Refresh. */
  private restoreFocus(spot: FocusSpot): void {
    const same = this.buttonsOf(spot.action).filter((b) => !(b as HTMLButtonElement).disabled);
    const byTarget = spot.target === undefined ? undefined : same.find((b) => b.dataset.target === spot.target);
    (byTarget ?? same[Math.min(spot.index, same.length - 1)] ?? this.refresh).focus();
  }

  private renderAlerts(report: QualityReport): HTMLElement {
    const total = SEVERITIES.reduce((n, s) => n + report.alerts[s].length, 0);
    const section = h("div", { className: "hydroml-quality-alerts" }, [
      h("div", { className: "hydroml-subtitle", text: `Alerts (${total})` }),
      h("div", {
        className: "hydroml-quality-counts",
        text: SEVERITIES.map((s) => `${report.alerts[s].length} ${SEVERITY_LABELS[s].toLowerCase()}`).join(" · "),
      }),
    ]);
    if (total === 0) {
      section.appendChild(h("div", { className: "hydroml-hint", text: "Nothing stands out in this data." }));
      return section;
    }
    for (const severity of SEVERITIES) {
      const alerts = report.alerts[severity];
      if (!alerts.length) continue;
      section.appendChild(
        h("div", { className: `hydroml-quality-group hydroml-severity-${severity}`, attrs: { "data-severity": severity } }, [
          h("div", { className: "hydroml-quality-group-title", text: `${SEVERITY_LABELS[severity]} (${alerts.length})` }),
          h("ul", { className: "hydroml-quality-list" }, alerts.map((a) => this.renderAlert(a))),
        ]),
      );
    }
    return section;
  }

  private renderAlert(alert: Alert): HTMLLIElement {
    return h("li", { className: "hydroml-quality-alert", attrs: { "data-kind": alert.kind } }, [
      h("span", { className: "hydroml-quality-kind", text: alert.kind.replace(/_/g, " ") }),
      shownText("span", "hydroml-quality-message", alert.message),
    ]);
  }

  private renderSuggestions(report: QualityReport): HTMLElement {
    const section = h("div", { className: "hydroml-quality-suggestions" }, [
      h("div", { className: "hydroml-subtitle", text: `Suggestions (${report.suggestions.length})` }),
    ]);
    if (!report.suggestions.length) {
      section.appendChild(h("div", { className: "hydroml-hint", text: "No cleaning step to suggest." }));
    }
    const confident = report.suggestions.filter((s) => s.confidence >= CONFIDENT);
    if (confident.length > 1) {
      const all = button(`Apply the ${confident.length} at ${formatConfidence(CONFIDENT)} or more`, "apply-confident");
      all.title = "Apply them in order as one change: all of them, or none if one fails";
      section.appendChild(h("div", { className: "hydroml-buttons hydroml-quality-apply-all" }, [all]));
    }
    for (const s of report.suggestions) section.appendChild(this.renderSuggestion(s));
    return section;
  }

  private renderSuggestion(s: Suggestion): HTMLDivElement {
    const apply = button("Apply", "apply-suggestion");
    apply.dataset.suggestion = String(s.id);
    apply.title = `Apply as a new step: ${s.label}`;
    return h("div", { className: "hydroml-suggestion", attrs: { "data-suggestion": String(s.id), "data-op": s.op } }, [
      h("div", { className: "hydroml-suggestion-head" }, [
        shownText("span", "hydroml-suggestion-label", s.label),
        apply,
      ]),
      h("div", { className: "hydroml-suggestion-confidence", title: "Confidence" }, [
        confidenceBar(s.confidence),
        h("span", { className: "hydroml-suggestion-figure", text: `${formatConfidence(s.confidence)} confident` }),
      ]),
      shownText("div", "hydroml-suggestion-rationale", s.rationale),
    ]);
  }

  private renderTargets(report: QualityReport): HTMLElement {
    const section = h("div", { className: "hydroml-quality-targets" }, [
      h("div", { className: "hydroml-subtitle", text: "Target candidates" }),
    ]);
    if (!report.targets.length) {
      section.appendChild(h("div", { className: "hydroml-hint", text: "No column looks like a target." }));
    }
    for (const t of report.targets) section.appendChild(this.renderTarget(t, report.target_used));
    return section;
  }

  private renderTarget(t: TargetCandidate, used: string | null): HTMLDivElement {
    const use = button("Use", "use-target", "hydroml-button hydroml-secondary");
    use.dataset.target = t.name;
    use.disabled = t.name === this.target;
    const row = h("div", { className: "hydroml-target", attrs: { "data-target": t.name } }, [
      h("div", { className: "hydroml-suggestion-head" }, [
        shownText("span", "hydroml-target-name", t.name),
        h("span", { className: "hydroml-target-figure", text: `${formatConfidence(t.confidence)} · ${t.task}` }),
        use,
      ]),
      shownText("div", "hydroml-target-reason", t.reason),
    ]);
    if (t.name === used) row.classList.add("hydroml-current");
    return row;
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const b = target.closest<HTMLButtonElement>("button[data-action]");
    if (!b || b.disabled) return;
    if (b.dataset.action === "use-target" && b.dataset.target !== undefined) {
      this.setTarget(b.dataset.target);
    } else if (b.dataset.action === "apply-suggestion") {
      const id = Number(b.dataset.suggestion);
      const s = this.report?.suggestions.find((x) => x.id === id);
      if (s) this.apply([s]);
    } else if (b.dataset.action === "apply-confident") {
      this.apply(this.report?.suggestions.filter((s) => s.confidence >= CONFIDENT) ?? []);
    }
  }

  private apply(chosen: Suggestion[]): void {
    const report = this.report;
    if (report === null || !chosen.length) return;
    if (this.stale()) {
      this.showError("The data changed since these suggestions were made: Refresh first.");
      return;
    }
    const which = chosen.length === 1 ? { suggestion: chosen[0].id } : { suggestions: chosen.map((s) => s.id) };
    const extra: ApplySuggestionRequest = { ...which, version: report.version, target: report.target };
    this.pendingFocus = this.focusSpot();
    this.applying = true;
    this.note.textContent = "";
    this.noteVersion = null;
    this.renderStatus();
    this.ctx.client.request("apply_suggestion", { ...extra }).then(
      (reply) => {
        this.applying = false;
        this.showError("");
        const steps = Array.isArray(reply.content.steps) ? reply.content.steps.length : 1;
        const label = typeof reply.content.label === "string" ? reply.content.label : chosen[chosen.length - 1].label;
        const index = typeof reply.content.index === "number" ? ` (step ${reply.content.index})` : "";
        this.note.textContent = steps > 1 ? `Applied ${steps} steps, the last: ${label}${index}` : `Applied: ${label}${index}`;
        this.noteVersion = typeof reply.content.version === "number" ? reply.content.version : traitNumber(this.ctx.model, "version");
        this.renderStatus();
      },
      (err: unknown) => {
        this.applying = false;
        this.renderStatus();
        this.showError(errorMessage(err));
        const spot = this.takePendingFocus();
        if (spot) this.restoreFocus(spot);
      },
    );
  }
}
