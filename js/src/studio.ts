// Grid and sidebar side by side: draggable divider, collapsible sidebar, undo/redo keys.
import { ErrorArea, Listeners, h } from "./dom";
import { Grid } from "./grid";
import { type Client, type Model, errorMessage } from "./protocol";
import { Sidebar } from "./sidebar";

const MIN_SIDEBAR = 220;
const DEFAULT_SIDEBAR = 340;

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

export class Studio {
  readonly el: HTMLDivElement;
  readonly grid: Grid;
  readonly sidebar: Sidebar;
  readonly errors = new ErrorArea();
  private readonly client: Client;
  private readonly listeners = new Listeners();
  private readonly side: HTMLDivElement;
  private readonly toggle: HTMLButtonElement;
  private sidebarWidth = DEFAULT_SIDEBAR;
  private collapsed = false;

  constructor(model: Model, client: Client) {
    this.client = client;
    this.sidebar = new Sidebar(model, client, this.errors);
    this.grid = new Grid(model, client, {
      errors: this.errors,
      onSelectColumn: (column) => this.sidebar.selectColumn(column),
    });
    const divider = h("div", {
      className: "hydroml-divider",
      title: "Drag to resize",
      attrs: { role: "separator", "aria-orientation": "vertical" },
    });
    this.toggle = h("button", {
      className: "hydroml-collapse",
      text: "⟩",
      title: "Hide the sidebar",
      attrs: { type: "button", "data-action": "toggle-sidebar", "aria-expanded": "true" },
    });
    this.side = h("div", { className: "hydroml-studio-side" }, [this.sidebar.el]);
    const main = h("div", { className: "hydroml-studio-main" }, [this.grid.el, divider, this.toggle, this.side]);
    this.el = h("div", { className: "hydroml-studio" }, [this.errors.el, main]);
    this.applyWidth();
    this.listeners.dom(divider, "pointerdown", (e) => this.startDrag(e, divider));
    this.listeners.dom(this.toggle, "click", () => this.setCollapsed(!this.collapsed));
    this.listeners.dom(this.el, "keydown", (e) => this.onKey(e));
  }

  dispose(): void {
    this.listeners.dispose();
    this.grid.dispose();
    this.sidebar.dispose();
  }

  setCollapsed(collapsed: boolean): void {
    this.collapsed = collapsed;
    this.side.hidden = collapsed;
    this.el.classList.toggle("hydroml-collapsed", collapsed);
    this.toggle.textContent = collapsed ? "⟨" : "⟩";
    this.toggle.title = collapsed ? "Show the sidebar" : "Hide the sidebar";
    this.toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    this.grid.scheduleRender();
  }

  private applyWidth(): void {
    this.side.style.width = `${this.sidebarWidth}px`;
    this.grid.scheduleRender();
  }

  private startDrag(e: PointerEvent, divider: HTMLElement): void {
    if (this.collapsed) return;
    e.preventDefault();
    const startX = e.clientX;
    const startWidth = this.sidebarWidth;
    const total = this.el.getBoundingClientRect().width;
    const move = (ev: PointerEvent): void => {
      const max = total > 0 ? Math.max(MIN_SIDEBAR, total - 200) : Infinity;
      this.sidebarWidth = Math.min(max, Math.max(MIN_SIDEBAR, startWidth - (ev.clientX - startX)));
      this.applyWidth();
    };
    const up = (): void => {
      divider.removeEventListener("pointermove", move);
      divider.removeEventListener("pointerup", up);
      divider.removeEventListener("pointercancel", up);
      divider.classList.remove("hydroml-dragging");
    };
    divider.setPointerCapture?.(e.pointerId);
    divider.classList.add("hydroml-dragging");
    divider.addEventListener("pointermove", move);
    divider.addEventListener("pointerup", up);
    divider.addEventListener("pointercancel", up);
  }

  private onKey(e: KeyboardEvent): void {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || isTextEntry(e.target)) return;
    const key = e.key.toLowerCase();
    let kind: "undo" | "redo" | null = null;
    if (key === "z") kind = e.shiftKey ? "redo" : "undo";
    else if (key === "y" && !e.shiftKey) kind = "redo";
    if (kind === null) return;
    e.preventDefault();
    e.stopPropagation();
    this.client.request(kind).then(
      () => this.errors.clearLocal(),
      (err: unknown) => this.errors.show(errorMessage(err)),
    );
  }
}
