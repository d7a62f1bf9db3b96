// Data Studio v2's sidebar: highlighted code, Insert as a new cell, percentiles, a histogram
// readable on skewed data, top values with shares, and the Quality tab's note and focus.
import { afterEach, describe, expect, it, vi } from "vitest";
import { pieces, renderCode } from "../src/highlight";
import { INSERT_EVENT } from "../src/insertcell";
import { skewed as isSkewed } from "../src/columnpanel";
import { Client } from "../src/protocol";
import { Sidebar } from "../src/sidebar";
import { CATALOG } from "./fixtures";
import { MockModel, flush, summaryOf, tracked } from "./mock";

const EVIL = "</pre><img src=x onerror=window.__pwned=1>";
const views = tracked<Sidebar>();

afterEach(() => vi.unstubAllGlobals());

function setup(code = "import pandas as pd\n") {
  const model = new MockModel({
    _kind: "sidebar",
    version: 3,
    error: "",
    catalog: CATALOG,
    schema: [
      { name: "delay", dtype: "float64", kind: "float" },
      { name: "origin", dtype: "str", kind: "text" },
    ],
    history: [{ index: 0, label: "Original", rows: 10, columns: 2 }],
    position: 0,
    can_undo: false,
    can_redo: false,
  });
  const sidebar = new Sidebar(model, new Client(model, { firstId: 1 }));
  views.push(sidebar);
  document.body.appendChild(sidebar.el);
  const $ = <T extends Element = HTMLElement>(sel: string) => sidebar.el.querySelector<T>(sel)!;
  const answer = (kind: string, content: Record<string, unknown>) =>
    model.reply({ kind, request: model.lastRequest(kind).request, version: model.get("version"), ...content });
  const showCode = async () => {
    sidebar.showTab("code");
    answer("code", { code });
    await flush();
  };
  return { model, sidebar, $, answer, showCode };
}

describe("highlighted code", () => {
  it("keeps the text exactly and marks Python tokens", () => {
    const code = 'import pandas as pd\ndf = df[df["a b"] > 1.5]  # keep\n';
    const pre = document.createElement("pre");
    renderCode(pre, code);
    expect(pre.textContent).toBe(code);
    expect(pre.querySelector(".hydroml-tok-keyword")!.textContent).toBe("import");
    expect(pre.querySelector(".hydroml-tok-string")!.textContent).toBe('"a b"');
    expect(pre.querySelector(".hydroml-tok-number")!.textContent).toBe("1.5");
    expect(pre.querySelector(".hydroml-tok-comment")!.textContent).toBe("# keep");
  });

  it("lets lines wrap only between tokens: a <wbr> between touching tokens, none inside one", () => {
    const pre = document.createElement("pre");
    renderCode(pre, 'df["a long name"].fillna(0)');
    const top = Array.from(pre.childNodes);
    // df [ "a long name" ] . fillna ( 0 ): nine tokens, eight break points between them.
    expect(top.filter((n) => n.nodeName === "SPAN").map((n) => n.textContent)).toEqual([
      "df", "[", '"a long name"', "]", ".", "fillna", "(", "0", ")",
    ]);
    expect(top.filter((n) => n.nodeName === "WBR").length).toBe(8);
    for (const span of pre.querySelectorAll(".hydroml-tok")) expect(span.querySelector("wbr")).toBeNull();
    // White space is where a line may wrap too, and there no <wbr> is needed.
    renderCode(pre, "a = 1");
    expect(pre.querySelectorAll("wbr").length).toBe(0);
    expect(pieces("a = 1").map((p) => p.space)).toEqual([false, true, false, true, false]);
  });

  it("renders hostile column names as text, and leaves no global Prism behind", () => {
    const names = [EVIL, "a'b\"c", "<script>window.__pwned=1</script>", "x\u2028y", "&amp;", "'''", '"""'];
    const code = names.map((n, i) => `df[${JSON.stringify(n)}] = ${i}  # ${n}\n`).join("");
    const pre = document.createElement("pre");
    document.body.appendChild(pre);
    renderCode(pre, code);
    expect(pre.textContent).toBe(code);
    expect(document.querySelectorAll("img, script").length).toBe(0);
    expect(pre.innerHTML).toContain("&lt;/pre&gt;&lt;img src=x onerror=window.__pwned=1&gt;");
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect("Prism" in globalThis).toBe(false);
  });

  it("highlights the Code tab's script", async () => {
    const t = setup(`import pandas as pd\ndf = pd.read_csv(${JSON.stringify(EVIL)})\n`);
    await t.showCode();
    const pre = t.$(".hydroml-code");
    expect(pre.textContent).toBe(`import pandas as pd\ndf = pd.read_csv(${JSON.stringify(EVIL)})\n`);
    expect(pre.querySelector(".hydroml-tok-keyword")!.textContent).toBe("import");
    expect(pre.querySelector("img")).toBeNull();
  });
});

describe("insert as a new cell", () => {
  it("hands the code to the notebook's extension, which takes it by cancelling the event", async () => {
    const t = setup("df = 1\n");
    await t.showCode();
    const got: string[] = [];
    const take = (e: Event) => {
      got.push((e as CustomEvent<{ code: string }>).detail.code);
      e.preventDefault();
    };
    document.addEventListener(INSERT_EVENT, take);
    try {
      t.$('button[data-action="insert-cell"]').click();
    } finally {
      document.removeEventListener(INSERT_EVENT, take);
    }
    expect(got).toEqual(["df = 1\n"]);
    expect(t.$(".hydroml-panel-code .hydroml-note").textContent).toBe("Inserted as a new cell below this one (not run).");
  });

  it("copies the code and says so where no front end takes the event", async () => {
    const copied: string[] = [];
    vi.stubGlobal("navigator", { clipboard: { writeText: async (s: string) => void copied.push(s) } });
    const t = setup("df = 2\n");
    await t.showCode();
    t.$('button[data-action="insert-cell"]').click();
    await flush();
    expect(copied).toEqual(["df = 2\n"]);
    expect(t.$(".hydroml-panel-code .hydroml-note").textContent).toContain("the code was copied instead");
  });

  it("refuses while the code is still loading", () => {
    const t = setup();
    t.sidebar.showTab("code");
    t.$('button[data-action="insert-cell"]').click();
    expect(t.sidebar.errors.message).toBe("insert: the code is still loading; try again in a moment");
  });
});

describe("column tab", () => {
  function skewed() {
    const info = summaryOf([1, 2, 3]) as Record<string, any>;
    info.summary = { ...info.summary, name: "delay", count: 990, nulls: 10, null_share: 0.01 };
    info.histogram = { edges: [0, 100, 200, 300], counts: [980, 9, 1], labels: ["0", "100", "200", "300"], ignored: 0, kind: "numeric", unit: null };
    info.top_values = [[0, 500], [5, 25]];
    return info;
  }

  async function open(t: ReturnType<typeof setup>) {
    t.sidebar.showTab("column");
    t.sidebar.selectColumn("delay");
    expect(t.model.lastRequest("column_stats")).toMatchObject({ kind: "column_stats", column: "delay" });
    t.answer("summary", { summaries: { delay: skewed() } });
    await flush();
  }

  it("shows the percentiles 1 to 99 once they arrive", async () => {
    const t = setup();
    await open(t);
    expect(t.$(".hydroml-percentiles")).toBeNull();
    t.answer("column_stats", {
      column: "delay",
      percentiles: [[1, -5], [5, -2], [25, 0], [50, 0.5], [75, 12], [95, 88.25], [99, 260]],
    });
    await flush();
    const rows = Array.from(t.$(".hydroml-percentiles").querySelectorAll("tr")).map((r) => r.textContent);
    expect(rows).toEqual(["1%-5", "5%-2", "25%0", "50%0.5", "75%12", "95%88.25", "99%260"]);
  });

  it("drops percentiles made for another version", async () => {
    const t = setup();
    await open(t);
    t.model.update({ version: 4 });
    t.answer("column_stats", { version: 3, column: "delay", percentiles: [[50, 1]] });
    await flush();
    expect(t.$(".hydroml-percentiles")).toBeNull();
  });

  it("draws a skewed histogram on a log scale, so small bins stay visible; the person may switch", async () => {
    const t = setup();
    await open(t);
    const widths = () =>
      Array.from(t.sidebar.el.querySelectorAll<HTMLElement>(".hydroml-histogram .hydroml-bar-fill")).map((b) => parseFloat(b.style.width));
    const toggle = () => t.$<HTMLInputElement>('input[data-action="log-scale"]');
    expect(toggle().checked).toBe(true);
    const log = widths();
    expect(log[0]).toBe(100);
    expect(log[2]).toBeCloseTo((Math.log1p(1) / Math.log1p(980)) * 100, 5);
    expect(log[2]).toBeGreaterThan(10);
    toggle().focus();
    toggle().checked = false;
    toggle().dispatchEvent(new Event("change"));
    const linear = widths();
    expect(linear[0]).toBe(100);
    expect(linear[2]).toBeLessThan(0.2);
    // The panel was drawn again: the focus stays on the toggle, and the choice holds for the
    // next column.
    expect(document.activeElement).toBe(toggle());
    t.sidebar.selectColumn("origin");
    t.sidebar.selectColumn("delay");
    expect(toggle().checked).toBe(false);
  });

  it("keeps an even histogram linear", () => {
    expect(isSkewed([10, 12, 9, 1])).toBe(false);
    expect(isSkewed([980, 9, 1])).toBe(true);
    expect(isSkewed([500, 0, 0, 3])).toBe(true);
    expect(isSkewed([])).toBe(false);
  });

  it("lists top values with counts and shares of all rows", async () => {
    const t = setup();
    await open(t);
    const rows = Array.from(t.sidebar.el.querySelectorAll(".hydroml-top-values .hydroml-bar-row")).map((r) =>
      Array.from(r.children).map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ["0", "", "500", "50%"],
      ["5", "", "25", "2.5%"],
    ]);
  });
});

describe("quality tab after an apply", () => {
  function report(version: number, labels: string[]) {
    const missing = { kind: "missing", columns: ["delay"], severity: "high", figure: 1, message: "delay is missing" };
    return {
      kind: "quality",
      version,
      target: null,
      target_used: null,
      alerts: { high: [missing], medium: [], low: [] },
      counts: { high: 1, medium: 0, low: 0 },
      suggestions: labels.map((label, id) => ({
        id, op: "fill_missing", params: {}, label, confidence: 0.5, rationale: "r", alert: missing,
      })),
      targets: [],
    };
  }

  async function applied() {
    const t = setup();
    t.sidebar.showTab("quality");
    t.answer("quality", report(3, ["Fill a", "Fill b", "Fill c"]));
    await flush();
    const apply = t.$<HTMLButtonElement>('button[data-action="apply-suggestion"][data-suggestion="1"]');
    apply.focus();
    apply.click();
    // The button is disabled while the step is made; a browser may move the focus off it.
    apply.blur();
    t.model.update({ version: 4 });
    t.answer("apply_suggestion", { kind: "done", version: 4, index: 1, label: "Fill b", steps: [{ index: 1, label: "Fill b" }] });
    await flush();
    t.answer("quality", report(4, ["Fill a", "Fill c"]));
    await flush();
    return t;
  }

  it("keeps the focus at the same place in the list once the new report is shown", async () => {
    const t = await applied();
    const buttons = Array.from(t.sidebar.el.querySelectorAll<HTMLElement>('button[data-action="apply-suggestion"]'));
    expect(buttons.map((b) => b.title)).toEqual(["Apply as a new step: Fill a", "Apply as a new step: Fill c"]);
    expect(document.activeElement).toBe(buttons[1]);
  });

  it("shows the applied note until the next step", async () => {
    const t = await applied();
    const note = t.$(".hydroml-quality-note");
    expect(note.textContent).toBe("Applied: Fill b (step 1)");
    t.model.update({ version: 5 });
    expect(note.textContent).toBe("");
  });

  it("does not take the focus back from elsewhere", async () => {
    const t = setup();
    const outside = document.createElement("input");
    document.body.appendChild(outside);
    t.sidebar.showTab("quality");
    t.answer("quality", report(3, ["Fill a", "Fill b"]));
    await flush();
    t.$<HTMLButtonElement>('button[data-action="apply-suggestion"][data-suggestion="0"]').click();
    outside.focus();
    t.model.update({ version: 4 });
    t.answer("apply_suggestion", { kind: "done", version: 4, index: 1, label: "Fill a", steps: [{ index: 1, label: "Fill a" }] });
    await flush();
    t.answer("quality", report(4, ["Fill b"]));
    await flush();
    expect(document.activeElement).toBe(outside);
  });
});
