// Grid and sidebar side by side: draggable divider, collapsible sidebar, undo/redo keys, a
// height that can be dragged or made the window's, and the diff preview above the grid.
import { DiffPreview } from "./diffpreview";
import { ErrorArea, Listeners, h } from "./dom";
import { Grid } from "./grid";
import { type Client, type Model, errorMessage } from "./protocol";
import { Sidebar } from "./sidebar";

const MIN_SIDEBAR = 220;
const DEFAULT_SIDEBAR = 340;
const MIN_HEIGHT = 240;

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
  readonly diff: DiffPreview;
  private readonly client: Client;
  private readonly listeners = new Listeners();
  private readonly side: HTMLDivElement;
  private readonly toggle: HTMLButtonElement;
  private sidebarWidth = DEFAULT_SIDEBAR;
  private collapsed = false;
  private readonly fullButton: HTMLButtonElement;
  private height: number | null = null;
  private full = false;

  constructor(model: Model, client: Client) {
    this.client = client;
    this.grid = new Grid(model, client, {
      errors: this.errors,
      onSelectColumn: (column) => this.sidebar.selectColumn(column),
      onQuickAction: (op, column) => {
        this.sidebar.showTab("ops");
        this.sidebar.ops.prefill(op, column);
      },
    });
    this.diff = new DiffPreview({ client, model, errors: this.errors, main: this.grid });
    // The sidebar's previews go through the diff preview, which shows them in the grid.
    this.sidebar = new Sidebar(model, this.diff.sidebarClient(), this.errors);
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
    const grip = h("div", {
      className: "hydroml-height-grip",
      title: "Drag to change the height",
      attrs: { role: "separator", "aria-orientation": "horizontal" },
    });
    this.fullButton = h("button", {
      className: "hydroml-full-height",
      text: "⤢ Full height",
      title: "Make the studio as tall as the window",
      attrs: { type: "button", "data-action": "full-height", "aria-pressed": "false" },
    });
    const foot = h("div", { className: "hydroml-studio-foot" }, [grip, this.fullButton]);
    this.el = h("div", { className: "hydroml-studio" }, [this.errors.el, this.diff.banner, main, foot]);
    this.applyWidth();
    this.listeners.dom(grip, "pointerdown", (e) => this.startHeightDrag(e, grip));
    this.listeners.dom(this.fullButton, "click", () => this.setFullHeight(!this.full));
    // Another operation chosen: the preview of the last one is no longer what the form says.
    this.listeners.dom(this.sidebar.el, "change", (e) => {
      if ((e.target as Element).classList?.contains("hydroml-op-select")) this.diff.discard();
    });
    this.listeners.dom(divider, "pointerdown", (e) => this.startDrag(e, divider));
    this.listeners.dom(this.toggle, "click", () => this.setCollapsed(!this.collapsed));
    this.listeners.dom(this.el, "keydown", (e) => this.onKey(e));
  }

  dispose(): void {
    this.listeners.dispose();
    this.diff.dispose();
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

  /** The studio's height in pixels; `null` gives back the default. */
  setHeight(height: number | null): void {
    this.height = height === null ? null : Math.max(MIN_HEIGHT, Math.round(height));
    if (this.height !== null) this.setFullHeight(false);
    this.el.style.setProperty("--hydroml-studio-height", this.height === null ? "" : `${this.height}px`);
    this.grid.scheduleRender();
    this.diff.grid?.scheduleRender();
  }

  /** As tall as the window (less a margin for the notebook's toolbar), or back. */
  setFullHeight(full: boolean): void {
    this.full = full;
    this.el.classList.toggle("hydroml-full", full);
    this.fullButton.setAttribute("aria-pressed", full ? "true" : "false");
    this.fullButton.textContent = full ? "⤡ Restore height" : "⤢ Full height";
    this.fullButton.title = full ? "Give the studio its height back" : "Make the studio as tall as the window";
    this.grid.scheduleRender();
    this.diff.grid?.scheduleRender();
  }

  get fullHeight(): boolean {
    return this.full;
  }

  private startHeightDrag(e: PointerEvent, grip: HTMLElement): void {
    e.preventDefault();
    const startY = e.clientY;
    const startHeight = this.el.getBoundingClientRect().height || 520;
    dragWith(e, grip, (ev) => this.setHeight(startHeight + ev.clientY - startY));
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
    dragWith(e, divider, (ev) => {
      const max = total > 0 ? Math.max(MIN_SIDEBAR, total - 200) : Infinity;
      this.sidebarWidth = Math.min(max, Math.max(MIN_SIDEBAR, startWidth - (ev.clientX - startX)));
      this.applyWidth();
    });
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

/** Follow a pointer captured by `handle` from `start` until it is released, calling `move`. */
function dragWith(start: PointerEvent, handle: HTMLElement, move: (e: PointerEvent) => void): void {
  const up = (): void => {
    handle.removeEventListener("pointermove", move);
    handle.removeEventListener("pointerup", up);
    handle.removeEventListener("pointercancel", up);
    handle.classList.remove("hydroml-dragging");
  };
  handle.setPointerCapture?.(start.pointerId);
  handle.classList.add("hydroml-dragging");
  handle.addEventListener("pointermove", move);
  handle.addEventListener("pointerup", up);
  handle.addEventListener("pointercancel", up);
}
