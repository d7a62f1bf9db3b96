// The experiment panel (`_kind == "experiment"`): one card per run, updated from the traits.
import { ErrorArea, Listeners, h, traitList, traitNumber, traitString } from "./dom";
import { type Client, type CurveData, type Model, type RunState, errorMessage } from "./protocol";
import { RunCard } from "./runcard";

export class ExperimentView {
  readonly el: HTMLDivElement;
  readonly errors = new ErrorArea();
  private readonly model: Model;
  private readonly client: Client;
  private readonly listeners = new Listeners();
  private readonly list: HTMLDivElement;
  private readonly summary: HTMLDivElement;
  private cards: RunCard[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(model: Model, client: Client) {
    this.model = model;
    this.client = client;
    this.summary = h("div", { className: "hydroml-exp-summary" });
    this.list = h("div", { className: "hydroml-exp-runs" });
    this.el = h("div", { className: "hydroml-experiment" }, [this.summary, this.errors.el, this.list]);
    for (const name of ["runs", "curves", "status", "progress"]) {
      this.listeners.model(model, `change:${name}`, () => this.render());
    }
    this.listeners.dom(this.list, "click", (e) => {
      const target = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action="cancel"]');
      if (target && !target.disabled) void this.cancel(Number(target.dataset.run), target);
    });
    this.render();
  }

  private render(): void {
    const runs = traitList<RunState>(this.model, "runs");
    const curves = traitList<CurveData>(this.model, "curves");
    const status = traitString(this.model, "status");
    this.el.dataset.status = status;
    this.summary.hidden = runs.length < 2;
    this.summary.textContent = `${runs.length} runs · ${status} · ${Math.round(traitNumber(this.model, "progress") * 100)}%`;
    while (this.cards.length < runs.length) {
      const card = new RunCard(this.cards.length);
      this.cards.push(card);
      this.list.appendChild(card.el);
    }
    while (this.cards.length > runs.length) this.cards.pop()!.el.remove();
    const now = performance.now();
    runs.forEach((run, i) => this.cards[i]!.update(run, curves[i], now));
    this.syncTimer(runs);
  }

  // Elapsed time and ETA move on between updates while a run is going.
  private syncTimer(runs: RunState[]): void {
    const going = runs.some((r) => r.status === "running" || r.status === "queued");
    if (going && this.timer === null) {
      this.timer = setInterval(() => {
        const now = performance.now();
        for (const card of this.cards) card.tick(now);
      }, 1000);
    } else if (!going && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async cancel(run: number, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    this.errors.clearLocal();
    try {
      await this.client.request("cancel", Number.isInteger(run) ? { run } : {});
    } catch (err) {
      this.errors.show(errorMessage(err));
      const card = this.cards[run];
      btn.disabled = card === undefined || ["done", "failed", "cancelled"].includes(card.status);
    }
  }

  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.listeners.dispose();
  }
}
