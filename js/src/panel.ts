// What every sidebar panel shares.
import type { ErrorArea } from "./dom";
import { Listeners, traitList } from "./dom";
import type { Client, Model, OpForm, SchemaField } from "./protocol";

export interface SidebarContext {
  model: Model;
  client: Client;
  errors: ErrorArea;
}

export interface Panel {
  readonly el: HTMLElement;
  show(): void;
  hide(): void;
  dispose(): void;
}

/** A panel that fetches what it shows from the kernel each time it is shown. */
export abstract class TabPanel implements Panel {
  abstract readonly el: HTMLElement;
  protected readonly listeners = new Listeners();
  protected shown = false;

  show(): void {
    this.el.hidden = false;
    this.shown = true;
    this.onShow();
  }

  hide(): void {
    this.el.hidden = true;
    this.shown = false;
  }

  dispose(): void {
    this.listeners.dispose();
  }

  /** Bring the panel up to date: it has just been shown. */
  protected abstract onShow(): void;
}

export function schemaOf(model: Model): SchemaField[] {
  return traitList<SchemaField>(model, "schema");
}

export function catalogOf(model: Model): OpForm[] {
  return traitList<OpForm>(model, "catalog");
}
