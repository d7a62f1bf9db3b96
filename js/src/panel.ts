// What every sidebar panel shares.
import type { ErrorArea } from "./dom";
import { traitList } from "./dom";
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

export function schemaOf(model: Model): SchemaField[] {
  return traitList<SchemaField>(model, "schema");
}

export function catalogOf(model: Model): OpForm[] {
  return traitList<OpForm>(model, "catalog");
}
