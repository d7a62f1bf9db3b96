import { afterEach, describe, expect, it, vi } from "vitest";
import { formatMetric, segments } from "../src/chart";
import { render } from "../src/render";
import { formatSeconds } from "../src/runcard";
import { MockModel, flush } from "./mock";

const EVIL = "<img src=x onerror=alert(1)>";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
  document.body.replaceChildren();
  vi.useRealTimers();
});

function runState(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "xgboost on 'churned'",
    kind: "training",
    model: "xgboost",
    task: "classification",
    target: "churned",
    status: "running",
    progress: 0.25,
    done_steps: 25,
    total: 100,
    unit: "rounds",
    elapsed: 2.5,
    metrics: {},
    latest: { train_logloss: 0.41, val_logloss: 0.52 },
    best: null,
    best_round: null,
    error: "",
    cancel_requested: false,
    run_id: "abc123",
    experiment: "hydroml",
    experiment_id: "1",
    tracking_uri: "sqlite:///tmp/mlflow.db",
    model_uri: "",
    logs: ["task inferred from 'churned': classification"],
    ...over,
  };
}

function curve(n: number): Record<string, unknown> {
  const x = Array.from({ length: n }, (_, i) => i + 1);
  return {
    x_label: "step",
    x,
    series: [
      { name: "train_logloss", values: x.map((i) => 1 / i) },
      { name: "val_logloss", values: x.map((i) => (i === 3 ? null : 1.2 / i)) },
    ],
    points: n,
    stride: 1,
  };
}

function mount(traits: Record<string, unknown>) {
  const model = new MockModel({ _kind: "experiment", status: "running", progress: 0.25, error: "", ...traits });
  const el = document.createElement("div");
  document.body.appendChild(el);
  cleanups.push(render({ model, el }));
  return { model, el };
}

describe("experiment panel", () => {
  it("renders a run's status, progress, latest metrics and MLflow run", () => {
    const { el } = mount({ runs: [runState()], curves: [curve(25)] });
    const card = el.querySelector<HTMLElement>(".hydroml-exp-run")!;
    expect(el.querySelector(".hydroml-experiment")!.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    expect(card.dataset.status).toBe("running");
    expect(card.querySelector(".hydroml-exp-status")!.textContent).toBe("running");
    expect(card.querySelector(".hydroml-exp-progress-text")!.textContent).toContain("25 of 100 rounds");
    expect(card.querySelector(".hydroml-exp-progress-text")!.textContent).toContain("25%");
    expect(card.querySelector(".hydroml-exp-progress-text")!.textContent).toContain("ETA");
    expect(card.querySelector<HTMLElement>(".hydroml-exp-fill")!.style.width).toBe("25%");
    expect(card.querySelector('[data-metric="val_logloss"] td')!.textContent).toBe("0.52");
    expect(card.querySelector(".hydroml-exp-label")!.textContent).toBe("latest");
    expect(card.querySelector(".hydroml-exp-tracking")!.textContent).toContain("abc123");
    expect(card.querySelector(".hydroml-exp-tracking")!.textContent).toContain("hydroml");
    expect(card.querySelector(".hydroml-exp-logs")!.textContent).toContain("classification");
    expect(card.querySelector<HTMLElement>(".hydroml-exp-error")!.hidden).toBe(true);
    expect(card.querySelector<HTMLButtonElement>('button[data-action="cancel"]')!.disabled).toBe(false);
    expect(el.querySelector<HTMLElement>(".hydroml-exp-summary")!.hidden).toBe(true);
  });

  it("follows status changes to done with the final metrics, and disables Cancel", () => {
    const { model, el } = mount({ runs: [runState({ status: "queued", progress: 0, done_steps: null, elapsed: null })], curves: [curve(0)] });
    const badge = () => el.querySelector(".hydroml-exp-status")!.textContent;
    expect(badge()).toBe("queued");
    model.update({ runs: [runState()], status: "running" });
    expect(badge()).toBe("running");
    model.update({
      runs: [runState({ status: "done", progress: 1, done_steps: 100, metrics: { f1: 0.8123456, accuracy: 0.9 } })],
      curves: [curve(100)],
      status: "done",
      progress: 1,
    });
    expect(badge()).toBe("done");
    expect(el.querySelector(".hydroml-exp-status")!.className).toContain("hydroml-exp-status-done");
    expect(el.querySelector('[data-metric="f1"] td')!.textContent).toBe("0.8123");
    expect(el.querySelector(".hydroml-exp-label")!.textContent).toBe("metrics");
    expect(el.querySelector(".hydroml-exp-progress-text")!.textContent).toBe("100 of 100 rounds · 100%");
    expect(el.querySelector<HTMLButtonElement>('button[data-action="cancel"]')!.disabled).toBe(true);
    expect(el.querySelector(".hydroml-experiment")!.getAttribute("data-status")).toBe("done");
  });

  it("draws the chart from the metric history, with a gap at a missing value", () => {
    const { model, el } = mount({ runs: [runState()], curves: [curve(10)] });
    const train = el.querySelector('.hydroml-exp-series[data-series="train_logloss"]')!;
    const val = el.querySelector('.hydroml-exp-series[data-series="val_logloss"]')!;
    expect(train.querySelectorAll("polyline").length).toBe(1);
    expect(train.querySelector("polyline")!.getAttribute("points")!.split(" ").length).toBe(10);
    // Step 3 has no validation value: two segments, 2 points then 7.
    const parts = [...val.querySelectorAll("polyline")].map((p) => p.getAttribute("points")!.split(" ").length);
    expect(parts).toEqual([2, 7]);
    expect(el.querySelector(".hydroml-exp-legend")!.textContent).toContain("val_logloss 0.12");
    expect(el.querySelector(".hydroml-exp-caption")!.textContent).toContain("rounds 1–10");
    model.update({ curves: [curve(40)] });
    const longer = el.querySelector('.hydroml-exp-series[data-series="train_logloss"] polyline')!;
    expect(longer.getAttribute("points")!.split(" ").length).toBe(40);
    // The first validation loss is the highest value: the top of the plot, at the left.
    const [first] = el.querySelector('[data-series="val_logloss"] polyline')!.getAttribute("points")!.split(" ");
    expect(first).toBe("6.0,6.0");
  });

  it("hides the chart before the first step", () => {
    const { el } = mount({ runs: [runState({ status: "queued" })], curves: [{ x_label: "", x: [], series: [], points: 0, stride: 1 }] });
    expect(el.querySelector<HTMLElement>(".hydroml-exp-chart")!.hidden).toBe(true);
  });

  it("sends a cancel request and shows an error reply inline", async () => {
    const { model, el } = mount({ runs: [runState(), runState({ name: "second" })], curves: [curve(5), curve(5)] });
    expect(el.querySelector<HTMLElement>(".hydroml-exp-summary")!.hidden).toBe(false);
    const buttons = el.querySelectorAll<HTMLButtonElement>('button[data-action="cancel"]');
    buttons[1]!.click();
    const sent = model.lastRequest("cancel");
    expect(sent.run).toBe(1);
    expect(typeof sent.request).toBe("number");
    expect(buttons[1]!.disabled).toBe(true);
    model.reply({ kind: "error", request: sent.request, message: "cancel: second has already ended (completed)" });
    await flush();
    const error = el.querySelector<HTMLElement>(".hydroml-error")!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toContain("already ended");
    expect(buttons[1]!.disabled).toBe(false);

    buttons[0]!.click();
    const again = model.lastRequest("cancel");
    expect(again.run).toBe(0);
    model.reply({ kind: "done", request: again.request, cancelled: [0] });
    model.update({ runs: [runState({ cancel_requested: true }), runState({ name: "second" })] });
    await flush();
    expect(el.querySelector(".hydroml-exp-status")!.textContent).toBe("cancelling");
    expect(buttons[0]!.disabled).toBe(true);
    expect(model.requests("cancel").length).toBe(2);
  });

  it("shows the best round of a boosting run that stopped early, marked on its curve", () => {
    const done = { status: "done", progress: 1, done_steps: 100, total: 800, best_round: 50 };
    const { model, el } = mount({ runs: [runState(done)], curves: [curve(100)] });
    const round = el.querySelector<HTMLElement>(".hydroml-exp-round")!;
    expect(round.hidden).toBe(false);
    expect(round.querySelector(".hydroml-exp-round-text")!.textContent).toBe("best round 50 of 800");
    expect(round.textContent).toContain("stopped after round 100");
    const marker = el.querySelector<SVGLineElement>(".hydroml-exp-marker")!;
    expect(marker.getAttribute("data-x")).toBe("50");
    // x runs from 1 to 100 over the chart's inner 348 px, starting at 6
    expect(Number(marker.getAttribute("x1"))).toBeCloseTo(6 + (49 / 99) * 348, 1);
    expect(marker.getAttribute("x2")).toBe(marker.getAttribute("x1"));

    model.update({ runs: [runState({ best_round: null })], curves: [curve(100)] });
    expect(el.querySelector<HTMLElement>(".hydroml-exp-round")!.hidden).toBe(true);
    expect(el.querySelector(".hydroml-exp-marker")).toBeNull();
  });

  it("shows a best trial for tuning", () => {
    const best = { trial: 3, value: 0.8421, params: { max_depth: 6, eta: 0.05123, booster: "gbtree" } };
    const { el } = mount({ runs: [runState({ kind: "tuning", unit: "trials", done_steps: 4, total: 10, best })], curves: [curve(4)] });
    const text = el.querySelector(".hydroml-exp-best")!.textContent!;
    expect(text).toContain("#3: 0.8421");
    expect(text).toContain("max_depth=6, eta=0.05123, booster=gbtree");
    expect(el.querySelector(".hydroml-exp-progress-text")!.textContent).toContain("4 of 10 trials");
  });

  it("renders error messages, names and logs as text only", () => {
    const { el } = mount({
      error: EVIL,
      runs: [
        runState({
          status: "failed",
          name: EVIL,
          error: EVIL,
          logs: [EVIL],
          run_id: EVIL,
          metrics: { [EVIL]: 1 },
          best: { trial: 0, value: 1, params: { [EVIL]: EVIL } },
        }),
      ],
      curves: [{ x_label: EVIL, x: [1, 2], series: [{ name: EVIL, values: [1, 2] }], points: 2, stride: 1 }],
    });
    const error = el.querySelector<HTMLElement>(".hydroml-exp-error")!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe(`Error: ${EVIL}`);
    expect(el.querySelector(".hydroml-error")!.textContent).toContain(EVIL);
    expect(el.querySelector(".hydroml-exp-title")!.textContent).toContain(EVIL);
    expect(el.querySelector(".hydroml-exp-logs")!.textContent).toBe(EVIL);
    expect(el.querySelector(".hydroml-exp-legend")!.textContent).toContain(EVIL);
    expect(document.querySelector("img")).toBeNull();
    expect(el.getElementsByTagName("img").length).toBe(0);
    expect(el.innerHTML).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("moves the elapsed time on while running and stops on dispose", () => {
    vi.useFakeTimers();
    const { el } = mount({ runs: [runState({ elapsed: 1 })], curves: [curve(2)] });
    const elapsed = () => el.querySelector(".hydroml-exp-elapsed")!.textContent;
    expect(elapsed()).toBe("1.0 s");
    vi.advanceTimersByTime(3000);
    expect(elapsed()).toBe("4.0 s");
    for (const c of cleanups) c();
    cleanups = [];
    expect(vi.getTimerCount()).toBe(0);
  });

  it("cleans up its model listeners", () => {
    const model = new MockModel({ _kind: "experiment", runs: [runState()], curves: [curve(2)], status: "running" });
    const el = document.createElement("div");
    const before = model.listenerCount();
    const cleanup = render({ model, el });
    expect(model.listenerCount()).toBeGreaterThan(before);
    cleanup();
    expect(model.listenerCount()).toBe(before);
  });
});

describe("chart and format helpers", () => {
  it("splits series at nulls", () => {
    const id = (v: number) => v;
    expect(segments([1, 2, 3, 4], [1, null, 3, 4], id, id)).toEqual(["1.0,1.0", "3.0,3.0 4.0,4.0"]);
  });

  it("formats metrics and seconds", () => {
    expect(formatMetric(0.123456)).toBe("0.1235");
    expect(formatMetric(null)).toBe("–");
    expect(formatMetric(12345678)).toBe("1.235e+7");
    expect(formatSeconds(3.21)).toBe("3.2 s");
    expect(formatSeconds(75)).toBe("1 min 15 s");
    expect(formatSeconds(3720)).toBe("1 h 02 min");
  });
});

describe("the run's phase", () => {
  it("shows what the run does from the start instead of sitting at 0%", () => {
    const { model, el } = mount({
      runs: [runState({ status: "running", phase: "preparing data", progress: 0, done_steps: null, latest: {}, elapsed: 0.2 })],
      curves: [curve(0)],
    });
    const phase = () => el.querySelector<HTMLElement>(".hydroml-exp-phase")!;
    const text = () => el.querySelector(".hydroml-exp-progress-text")!.textContent;
    const bar = () => el.querySelector<HTMLElement>(".hydroml-exp-bar")!;
    expect(phase().textContent).toBe("preparing data");
    expect(phase().hidden).toBe(false);
    expect(text()).toBe("");
    expect(bar().classList.contains("hydroml-exp-bar-busy")).toBe(true);
    expect(el.querySelector<HTMLElement>(".hydroml-exp-run")!.dataset.phase).toBe("preparing data");
    model.update({ runs: [runState({ phase: "training", progress: 0, done_steps: null, latest: {} })] });
    expect(phase().textContent).toBe("training");
    expect(text()).toBe("");
    model.update({ runs: [runState({ phase: "training" })] });
    expect(text()).toMatch(/^25 of 100 rounds · 25% · ETA /);
    expect(bar().classList.contains("hydroml-exp-bar-busy")).toBe(false);
    model.update({ runs: [runState({ status: "done", phase: "computing charts", progress: 1, done_steps: 100 })] });
    expect(phase().textContent).toBe("computing charts");
    expect(text()).toBe("100 of 100 rounds · 100%");
    model.update({ runs: [runState({ status: "done", phase: "", progress: 1, done_steps: 100 })] });
    expect(phase().hidden).toBe(true);
    expect(text()).toBe("100 of 100 rounds · 100%");
  });

  it("keeps a phase text from the kernel as text", () => {
    const { el } = mount({ runs: [runState({ phase: EVIL, progress: 0, done_steps: null })], curves: [curve(0)] });
    expect(el.querySelector(".hydroml-exp-phase")!.textContent).toBe(EVIL);
    expect(el.querySelector("img")).toBeNull();
  });
});
