// The sidebar: tabs Operations / History / Column / Quality / Code.
import { CodePanel } from "./codepanel";
import { ColumnPanel } from "./columnpanel";
import { ErrorArea, Listeners, h } from "./dom";
import { HistoryPanel } from "./history";
import { OpsPanel } from "./opspanel";
import type { Panel, SidebarContext } from "./panel";
import type { Client, Model } from "./protocol";
import { QualityPanel } from "./quality";

export type Tab = "ops" | "history" | "column" | "quality" | "code";

const TABS: [Tab, string][] = [
  ["ops", "Operations"],
  ["history", "History"],
  ["column", "Column"],
  ["quality", "Quality"],
  ["code", "Code"],
];

export class Sidebar {
  readonly el: HTMLDivElement;
  readonly errors: ErrorArea;
  readonly ops: OpsPanel;
  readonly history: HistoryPanel;
  readonly column: ColumnPanel;
  readonly quality: QualityPanel;
  readonly code: CodePanel;
  private readonly panels: Record<Tab, Panel>;
  private readonly buttons = new Map<Tab, HTMLButtonElement>();
  private readonly listeners = new Listeners();
  private current: Tab = "ops";

  constructor(model: Model, client: Client, errors?: ErrorArea) {
    this.errors = errors ?? new ErrorArea();
    const ctx: SidebarContext = { model, client, errors: this.errors };
    this.ops = new OpsPanel(ctx);
    this.history = new HistoryPanel(ctx);
    this.column = new ColumnPanel(ctx, {
      prefill: (op, column, mappingKeys) => {
        this.showTab("ops");
        this.ops.prefill(op, column, mappingKeys);
      },
    });
    this.quality = new QualityPanel(ctx);
    this.code = new CodePanel(ctx);
    this.panels = {
      ops: this.ops,
      history: this.history,
      column: this.column,
      quality: this.quality,
      code: this.code,
    };
    const tabs = h("div", { className: "hydroml-tabs", attrs: { role: "tablist" } });
    for (const [tab, label] of TABS) {
      const b = h("button", {
        className: "hydroml-tab",
        text: label,
        attrs: { type: "button", role: "tab", "data-tab": tab },
      });
      this.listeners.dom(b, "click", () => this.showTab(tab));
      this.buttons.set(tab, b);
      tabs.appendChild(b);
    }
    const body = h("div", { className: "hydroml-panels" }, TABS.map(([tab]) => this.panels[tab].el));
    this.el = h("div", { className: "hydroml-sidebar" }, [tabs]);
    if (!errors) this.el.appendChild(this.errors.el);
    this.el.appendChild(body);
    for (const [tab] of TABS) this.panels[tab].hide();
    this.showTab("ops");
  }

  get tab(): Tab {
    return this.current;
  }

  showTab(tab: Tab): void {
    if (tab !== this.current) this.panels[this.current].hide();
    this.current = tab;
    for (const [t, b] of this.buttons) {
      b.classList.toggle("hydroml-active", t === tab);
      b.setAttribute("aria-selected", t === tab ? "true" : "false");
    }
    this.panels[tab].show();
  }

  selectColumn(column: string): void {
    this.column.setColumn(column);
  }

  dispose(): void {
    this.listeners.dispose();
    for (const [tab] of TABS) this.panels[tab].dispose();
  }
}
