// One run in the experiment panel: status, elapsed time, progress, metrics, curve, Cancel.
import { Chart, formatMetric } from "./chart";
import { button, clear, h } from "./dom";
import type { CurveData, RunState, RunStatus } from "./protocol";

const ENDED = new Set(["done", "failed", "cancelled"]);

/** `75 s`, `2 min 5 s`, `1 h 02 min`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

function paramText(value: unknown): string {
  if (typeof value === "number") return formatMetric(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The line beside the bar, after the run's phase: steps, percent and ETA once there are any
 * ("25 of 100 rounds · 25% · ETA 7.5 s"); nothing while a phase says what happens instead
 * of a bare "0%".
 */
export function progressText(s: RunState, elapsed: number | null): string {
  const pct = Math.round(Math.max(0, Math.min(1, s.progress || 0)) * 100);
  const parts: string[] = [];
  if (s.done_steps !== null && s.total !== null) parts.push(`${s.done_steps} of ${s.total} ${s.unit}`);
  else if (s.done_steps !== null) parts.push(`${s.done_steps} ${s.unit}`);
  if (pct > 0 || s.done_steps !== null || !s.phase) parts.push(`${pct}%`);
  if (s.status === "running" && elapsed !== null && s.progress > 0.01 && s.progress < 1) {
    parts.push(`ETA ${formatSeconds((elapsed * (1 - s.progress)) / s.progress)}`);
  }
  return parts.join(" · ");
}

export class RunCard {
  readonly el: HTMLDivElement;
  readonly cancel: HTMLButtonElement;
  private readonly title: HTMLSpanElement;
  private readonly badge: HTMLSpanElement;
  private readonly elapsedEl: HTMLSpanElement;
  private readonly bar: HTMLDivElement;
  private readonly fill: HTMLDivElement;
  private readonly progressText: HTMLSpanElement;
  private readonly phase: HTMLSpanElement;
  private readonly metricsEl: HTMLDivElement;
  private readonly best: HTMLDivElement;
  private readonly round: HTMLDivElement;
  private readonly errorEl: HTMLDivElement;
  private readonly tracking: HTMLDivElement;
  private readonly logs: HTMLPreElement;
  private readonly chart = new Chart();
  private state: RunState | null = null;
  private stateAt = 0;

  constructor(readonly index: number) {
    this.title = h("span", { className: "hydroml-exp-title" });
    this.badge = h("span", { className: "hydroml-exp-status" });
    this.elapsedEl = h("span", { className: "hydroml-exp-elapsed" });
    this.cancel = button("Cancel", "cancel");
    this.cancel.dataset.run = String(index);
    this.fill = h("div", { className: "hydroml-exp-fill" });
    this.bar = h("div", { className: "hydroml-exp-bar", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" } }, [this.fill]);
    this.progressText = h("span", { className: "hydroml-exp-progress-text" });
    this.phase = h("span", { className: "hydroml-exp-phase" });
    this.metricsEl = h("div", { className: "hydroml-exp-metrics" });
    this.best = h("div", { className: "hydroml-exp-best" });
    this.round = h("div", { className: "hydroml-exp-round" });
    this.errorEl = h("div", { className: "hydroml-exp-error", attrs: { role: "alert" } });
    this.tracking = h("div", { className: "hydroml-exp-tracking" });
    this.logs = h("pre", { className: "hydroml-exp-logs" });
    this.el = h("div", { className: "hydroml-exp-run", attrs: { "data-run": String(index) } }, [
      h("div", { className: "hydroml-exp-head" }, [this.title, this.badge, this.elapsedEl, this.cancel]),
      h("div", { className: "hydroml-exp-progress" }, [this.bar, this.phase, this.progressText]),
      this.errorEl,
      h("div", { className: "hydroml-exp-body" }, [this.chart.el, h("div", { className: "hydroml-exp-side" }, [this.metricsEl, this.round, this.best])]),
      this.tracking,
      this.logs,
    ]);
  }

  get status(): RunStatus | "" {
    return this.state?.status ?? "";
  }

  update(state: RunState, curve: CurveData | undefined, now: number): void {
    this.state = state;
    this.stateAt = now;
    this.el.dataset.status = state.status;
    this.title.textContent = `${state.name} · ${state.task}`;
    this.badge.textContent = state.cancel_requested && !ENDED.has(state.status) ? "cancelling" : state.status;
    this.badge.className = `hydroml-exp-status hydroml-exp-status-${state.status}`;
    this.cancel.disabled = ENDED.has(state.status) || state.cancel_requested;
    const pct = Math.round(Math.max(0, Math.min(1, state.progress || 0)) * 100);
    this.fill.style.width = `${pct}%`;
    this.bar.setAttribute("aria-valuenow", String(pct));
    // No fraction to show yet (preparing data, a model without rounds): the bar says busy.
    const busy = !ENDED.has(state.status) && pct === 0 && state.done_steps === null;
    this.bar.classList.toggle("hydroml-exp-bar-busy", busy);
    this.el.dataset.phase = state.phase ?? "";
    this.phase.textContent = state.phase ?? "";
    this.phase.hidden = !state.phase;
    this.renderMetrics(state);
    this.renderBest(state);
    this.renderRound(state);
    this.errorEl.textContent = state.error ? `Error: ${state.error}` : "";
    this.errorEl.hidden = !state.error;
    this.renderTracking(state);
    this.logs.textContent = state.logs.join("\n");
    this.logs.hidden = state.logs.length === 0;
    this.chart.render(curve, state.unit, state.best_round ?? null);
    this.tick(now);
  }

  /** Refresh the elapsed time and ETA: the kernel's elapsed plus the time since it was sent. */
  tick(now: number): void {
    const s = this.state;
    if (!s) return;
    let elapsed = s.elapsed;
    if (elapsed !== null && s.status === "running") elapsed += Math.max(0, (now - this.stateAt) / 1000);
    this.elapsedEl.textContent = elapsed === null ? "" : formatSeconds(elapsed);
    this.progressText.textContent = progressText(s, elapsed);
  }

  private renderMetrics(s: RunState): void {
    clear(this.metricsEl);
    const final = Object.keys(s.metrics).length > 0;
    const values = final ? s.metrics : s.latest;
    const names = Object.keys(values);
    if (!names.length) return;
    this.metricsEl.appendChild(h("div", { className: "hydroml-exp-label", text: final ? "metrics" : "latest" }));
    const table = h("table", { className: "hydroml-exp-table" });
    for (const name of names) {
      table.appendChild(
        h("tr", { attrs: { "data-metric": name } }, [h("th", { text: name }), h("td", { text: formatMetric(values[name]) })]),
      );
    }
    this.metricsEl.appendChild(table);
  }

  private renderBest(s: RunState): void {
    clear(this.best);
    this.best.hidden = s.best === null;
    if (s.best === null) return;
    const params = Object.entries(s.best.params).map(([k, v]) => `${k}=${paramText(v)}`).join(", ");
    this.best.appendChild(h("div", { className: "hydroml-exp-label", text: "best trial" }));
    this.best.appendChild(h("div", { text: `#${s.best.trial}: ${formatMetric(s.best.value)}` }));
    if (params) this.best.appendChild(h("div", { className: "hydroml-exp-params", text: params }));
  }

  /** "best round 50 of 800" and, when the run stopped before its last round, where it stopped. */
  private renderRound(s: RunState): void {
    clear(this.round);
    const best = s.best_round ?? null;
    this.round.hidden = best === null;
    if (best === null) return;
    const text = s.total !== null ? `best round ${best} of ${s.total}` : `best round ${best}`;
    this.round.appendChild(h("div", { className: "hydroml-exp-label", text: "early stopping" }));
    this.round.appendChild(h("div", { className: "hydroml-exp-round-text", text }));
    if (s.done_steps !== null && s.total !== null && s.done_steps < s.total) {
      this.round.appendChild(h("div", { className: "hydroml-exp-params", text: `stopped after round ${s.done_steps}` }));
    }
  }

  private renderTracking(s: RunState): void {
    clear(this.tracking);
    this.tracking.hidden = !s.run_id;
    if (!s.run_id) return;
    const items: [string, string][] = [["MLflow run", s.run_id]];
    if (s.experiment) items.push(["experiment", s.experiment]);
    if (s.tracking_uri) items.push(["store", s.tracking_uri]);
    for (const [label, value] of items) {
      this.tracking.appendChild(
        h("span", { className: "hydroml-exp-field" }, [
          h("span", { className: "hydroml-exp-label", text: label }),
          h("code", { className: "hydroml-exp-value", text: value }),
        ]),
      );
    }
  }
}
