import { describe, expect, it } from "vitest";
import { Client, type QualityReport } from "../src/protocol";
import { TEXT_LIMIT, clipText, formatConfidence } from "../src/quality";
import { Sidebar } from "../src/sidebar";
import { CATALOG } from "./fixtures";
import { MockModel, flush, tracked } from "./mock";

const EVIL = "<img src=x onerror=alert(1)>";

const SCHEMA = [
  { name: "age", dtype: "float64", kind: "float" },
  { name: "city", dtype: "str", kind: "text" },
  { name: "churned", dtype: "int64", kind: "integer" },
];

function alert(kind: string, severity: "high" | "medium" | "low", message: string, columns: string[] = []) {
  return { kind, columns, severity, figure: 1, message };
}

function report(version: number, target: string | null = null): Omit<QualityReport, "version"> & Record<string, unknown> {
  const missing = alert("missing", "high", "age is 64.0% missing", ["age"]);
  const variants = alert("category_variants", "medium", "city has 2 spellings", ["city"]);
  return {
    kind: "quality",
    version,
    target,
    target_used: target ?? "churned",
    alerts: {
      high: [missing],
      medium: [variants, alert("duplicate_rows", "medium", "5 rows (2.4%) are duplicates")],
      low: [],
    },
    counts: { high: 1, medium: 2, low: 0 },
    suggestions: [
      {
        id: 0,
        op: "drop_columns",
        params: { columns: ["age"] },
        label: "Drop age",
        confidence: 0.851,
        rationale: "age is 64.0% missing: too little is left to fill; drop it",
        alert: missing,
      },
      {
        id: 1,
        op: "replace",
        params: { column: "city", mapping: [["paris ", "Paris"]] },
        label: "Replace in city: 'paris ' → 'Paris'",
        confidence: 0.9,
        rationale: "city has 2 spellings: replace each by its most frequent spelling",
        alert: variants,
      },
    ],
    targets: [
      { name: "churned", confidence: 0.9, reason: "its name 'churned' is a usual target name", task: "classification" },
      { name: "city", confidence: 0.25, reason: "it has 4 classes", task: "classification" },
    ],
  };
}

const views = tracked<Sidebar>();

function setup(schema: { name: string; dtype: string; kind: string }[] = SCHEMA) {
  const model = new MockModel({
    _kind: "sidebar",
    version: 3,
    error: "",
    schema,
    catalog: CATALOG,
    history: [{ index: 0, label: "Load", rows: 10, columns: 3 }],
    position: 0,
    can_undo: false,
    can_redo: false,
  });
  const sidebar = new Sidebar(model, new Client(model, { firstId: 1 }));
  views.push(sidebar);
  document.body.appendChild(sidebar.el);
  const panel = sidebar.el.querySelector<HTMLElement>('[data-panel="quality"]')!;
  const $ = <T extends Element = HTMLElement>(sel: string) => panel.querySelector<T>(sel)!;
  const $$ = (sel: string) => Array.from(panel.querySelectorAll<HTMLElement>(sel));
  const answer = (content: Record<string, unknown>) => {
    const req = model.lastRequest("quality");
    model.reply({ ...content, request: req.request });
  };
  const open = async (content: Record<string, unknown> = report(3)) => {
    sidebar.el.querySelector<HTMLElement>('button[data-tab="quality"]')!.click();
    answer(content);
    await flush();
  };
  return { model, sidebar, panel, $, $$, answer, open };
}

describe("quality tab", () => {
  it("asks only when opened, then renders alerts grouped by severity with counts", async () => {
    const { model, sidebar, $, $$, open } = setup();
    expect(model.requests("quality").length).toBe(0);
    await open();
    expect(sidebar.tab).toBe("quality");
    expect(model.lastRequest("quality")).toEqual({ kind: "quality", request: 1, target: null });
    expect($$(".hydroml-quality-group").map((g) => g.dataset.severity)).toEqual(["high", "medium"]);
    expect($$(".hydroml-quality-group-title").map((t) => t.textContent)).toEqual(["High (1)", "Medium (2)"]);
    expect($(".hydroml-quality-counts").textContent).toBe("1 high · 2 medium · 0 low");
    expect($(".hydroml-quality-alerts .hydroml-subtitle").textContent).toBe("Alerts (3)");
    expect($('.hydroml-severity-medium [data-kind="duplicate_rows"]').textContent).toContain(
      "5 rows (2.4%) are duplicates",
    );
    expect($(".hydroml-quality-status").textContent).toBe("Target alerts refer to churned (detected).");
  });

  it("shows suggestions with confidence and rationale, and target candidates", async () => {
    const { $$, open } = setup();
    await open();
    const cards = $$(".hydroml-suggestion");
    expect(cards.map((c) => c.dataset.suggestion)).toEqual(["0", "1"]);
    expect(cards[0]!.querySelector(".hydroml-suggestion-label")!.textContent).toBe("Drop age");
    expect(cards[0]!.querySelector(".hydroml-suggestion-figure")!.textContent).toBe("85% confident");
    expect(cards[0]!.querySelector<HTMLElement>(".hydroml-bar-fill")!.style.width).toBe("85%");
    expect(cards[1]!.querySelector(".hydroml-suggestion-rationale")!.textContent).toBe(
      "city has 2 spellings: replace each by its most frequent spelling",
    );
    const targets = $$(".hydroml-target");
    expect(targets.map((t) => t.dataset.target)).toEqual(["churned", "city"]);
    expect(targets[0]!.classList.contains("hydroml-current")).toBe(true);
    expect(targets[0]!.querySelector(".hydroml-target-figure")!.textContent).toBe("90% · classification");
    expect(targets[1]!.querySelector(".hydroml-target-reason")!.textContent).toBe("it has 4 classes");
  });

  it("Apply sends the suggestion's id with the report's version and target", async () => {
    const { model, $, answer, open } = setup();
    await open();
    const picker = $<HTMLSelectElement>("select.hydroml-quality-target");
    picker.value = "city";
    picker.dispatchEvent(new Event("change"));
    expect(model.lastRequest("quality")).toEqual({ kind: "quality", request: 2, target: "city" });
    answer(report(3, "city"));
    await flush();
    expect($(".hydroml-quality-status").textContent).toBe("Target alerts refer to city (chosen).");
    $('button[data-action="apply-suggestion"][data-suggestion="1"]').click();
    expect(model.lastRequest("apply_suggestion")).toEqual({
      kind: "apply_suggestion",
      request: 3,
      suggestion: 1,
      version: 3,
      target: "city",
    });
    expect($<HTMLButtonElement>('button[data-suggestion="0"]').disabled).toBe(true);
    model.update({ version: 4 });
    model.reply({ kind: "done", request: 3, version: 4, index: 1, label: "Replace in city" });
    await flush();
    expect($(".hydroml-quality-note").textContent).toBe("Applied: Replace in city (step 1)");
    expect($(".hydroml-quality-error").hidden).toBe(true);
    // The version changed while the tab is shown: the report is asked for again.
    expect(model.requests("quality").length).toBe(3);
    expect(model.lastRequest("quality").target).toBe("city");
  });

  it("applies every confident suggestion as one request, and says how many steps it made", async () => {
    const { model, $, open } = setup();
    await open();
    const all = $<HTMLButtonElement>('button[data-action="apply-confident"]');
    expect(all.textContent).toBe("Apply the 2 at 80% or more");
    all.click();
    expect(model.lastRequest("apply_suggestion")).toEqual({
      kind: "apply_suggestion",
      request: 2,
      suggestions: [0, 1],
      version: 3,
      target: null,
    });
    expect(all.disabled).toBe(true);
    const steps = [
      { index: 1, label: "Drop age" },
      { index: 2, label: "Replace in city" },
    ];
    model.reply({ kind: "done", request: 2, version: 4, index: 2, label: "Replace in city", steps });
    await flush();
    expect($(".hydroml-quality-note").textContent).toBe("Applied 2 steps, the last: Replace in city (step 2)");
  });

  it("offers no apply-all button for fewer than two confident suggestions", async () => {
    const { $, open } = setup();
    const few = report(3);
    few.suggestions[1].confidence = 0.5;
    await open(few);
    expect($('button[data-action="apply-confident"]')).toBeNull();
  });

  it("shows an error reply inline and keeps the report", async () => {
    const { model, $, $$, open } = setup();
    await open();
    $('button[data-action="apply-suggestion"][data-suggestion="0"]').click();
    const message = "apply_suggestion: the data changed since the suggestions were made (version 3, now 4)";
    model.reply({ kind: "error", request: model.lastRequest("apply_suggestion").request, message });
    await flush();
    expect($(".hydroml-quality-error").hidden).toBe(false);
    expect($(".hydroml-quality-error").textContent).toBe(message);
    expect($$(".hydroml-suggestion").length).toBe(2);
    expect($<HTMLButtonElement>('button[data-suggestion="0"]').disabled).toBe(false);
  });

  it("shows a failed quality request inline, and Refresh asks again", async () => {
    const { model, $, $$, answer, sidebar } = setup();
    sidebar.showTab("quality");
    expect($(".hydroml-quality-status").textContent).toBe("Profiling the data…");
    model.reply({ kind: "error", request: model.lastRequest("quality").request, message: "quality: target: no column named 'x'" });
    await flush();
    expect($(".hydroml-quality-error").textContent).toBe("quality: target: no column named 'x'");
    $('button[data-action="quality-refresh"]').click();
    expect(model.requests("quality").length).toBe(2);
    answer(report(3));
    await flush();
    expect($(".hydroml-quality-error").hidden).toBe(true);
    expect($$(".hydroml-suggestion").length).toBe(2);
  });

  it("asks for the picked target, and marks a report stale while hidden", async () => {
    const { model, sidebar, $, open } = setup();
    await open();
    const picker = $<HTMLSelectElement>("select.hydroml-quality-target");
    expect(Array.from(picker.options).map((o) => o.value)).toEqual(["", "age", "city", "churned"]);
    picker.value = "age";
    picker.dispatchEvent(new Event("change"));
    expect(model.lastRequest("quality").target).toBe("age");
    $('button[data-action="use-target"][data-target="city"]').click();
    expect(model.lastRequest("quality").target).toBe("city");
    expect(picker.value).toBe("city");
    sidebar.showTab("history");
    const asked = model.requests("quality").length;
    model.update({ version: 9 });
    expect(model.requests("quality").length).toBe(asked);
    sidebar.showTab("quality");
    expect(model.requests("quality").length).toBe(asked + 1);
  });

  it("refuses to apply from a stale report without asking the kernel", async () => {
    const { model, $, open } = setup();
    await open();
    model.onSend = null;
    model.traits.version = 5;
    $('button[data-action="apply-suggestion"][data-suggestion="0"]').click();
    expect(model.requests("apply_suggestion").length).toBe(0);
    expect($(".hydroml-quality-error").textContent).toContain("Refresh first");
  });

  it("shows hostile names and messages as literal text", async () => {
    const { $, $$, open, panel } = setup([{ name: EVIL, dtype: "str", kind: "text" }]);
    const evilAlert = alert(EVIL, "low", EVIL, [EVIL]);
    await open({
      kind: "quality",
      version: 3,
      target: null,
      target_used: EVIL,
      alerts: { high: [], medium: [], low: [evilAlert] },
      counts: { high: 0, medium: 0, low: 1 },
      suggestions: [
        { id: 0, op: EVIL, params: { columns: [EVIL] }, label: EVIL, confidence: 0.5, rationale: EVIL, alert: evilAlert },
      ],
      targets: [{ name: EVIL, confidence: 0.5, reason: EVIL, task: EVIL }],
    });
    expect($(".hydroml-quality-message").textContent).toBe(EVIL);
    expect($(".hydroml-suggestion-label").textContent).toBe(EVIL);
    expect($(".hydroml-suggestion-rationale").textContent).toBe(EVIL);
    expect($(".hydroml-target-name").textContent).toBe(EVIL);
    expect($(".hydroml-target-reason").textContent).toBe(EVIL);
    expect($(".hydroml-quality-status").textContent).toContain(EVIL);
    expect($$("select.hydroml-quality-target option").map((o) => o.textContent)).toContain(`Target: ${EVIL}`);
    expect(panel.getElementsByTagName("img").length).toBe(0);
    expect(document.querySelector("img")).toBeNull();
    expect(panel.innerHTML).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("clips long messages, labels and reasons, keeping the whole in the tooltip", async () => {
    const long = `city is constant: one value ('${"x".repeat(10_000)}')`;
    const big = alert("constant", "medium", long, ["city"]);
    const { $, open } = setup();
    await open({
      kind: "quality",
      version: 3,
      target: null,
      target_used: null,
      alerts: { high: [], medium: [big], low: [] },
      counts: { high: 0, medium: 1, low: 0 },
      suggestions: [{ id: 0, op: "drop_columns", params: { columns: ["city"] }, label: long, confidence: 0.9, rationale: long, alert: big }],
      targets: [{ name: long, confidence: 0.5, reason: long, task: "classification" }],
    });
    for (const sel of [".hydroml-quality-message", ".hydroml-suggestion-label", ".hydroml-suggestion-rationale", ".hydroml-target-name", ".hydroml-target-reason"]) {
      const el = $(sel);
      expect(el.textContent?.length).toBe(TEXT_LIMIT);
      expect(el.textContent?.endsWith("…")).toBe(true);
      expect(el.title.startsWith("city is constant")).toBe(true);
      expect(el.title.length).toBeLessThan(long.length);
    }
  });

  it("clips whole code points: an emoji is never cut in half", () => {
    const text = "😀".repeat(400);
    const clipped = clipText(text, 10);
    expect(Array.from(clipped)).toEqual([..."😀".repeat(9), "…"]);
    expect(clipText("short")).toBe("short");
    expect(clipText("👩‍💻 dev")).toBe("👩‍💻 dev");
  });

  it("formats confidences as whole percents, clipped to 0-100", () => {
    expect(formatConfidence(0.851)).toBe("85%");
    expect(formatConfidence(1.2)).toBe("100%");
    expect(formatConfidence(-1)).toBe("0%");
    expect(formatConfidence(Number.NaN)).toBe("–");
  });
});
