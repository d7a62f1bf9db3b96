// Render one widget: the grid, the sidebar, the studio or the experiment panel, by `_kind`.
import { ErrorArea, Listeners, traitString } from "./dom";
import { ExperimentView } from "./experiment";
import { Grid } from "./grid";
import { hidePlaceholder } from "./placeholder";
import { Client, type Model } from "./protocol";
import { Sidebar } from "./sidebar";
import { Studio } from "./studio";

export interface RenderProps {
  model: Model;
  el: HTMLElement;
}

export function render({ model, el }: RenderProps): () => void {
  const client = new Client(model);
  const listeners = new Listeners();
  const kind = traitString(model, "_kind") || "grid";
  let view: { el: HTMLElement; errors: ErrorArea; dispose(): void };
  if (kind === "studio") view = new Studio(model, client);
  else if (kind === "sidebar") view = new Sidebar(model, client);
  else if (kind === "experiment") view = new ExperimentView(model, client);
  else view = new Grid(model, client);
  const showError = (): void => view.errors.setTrait(traitString(model, "error"));
  listeners.model(model, "change:error", showError);
  showError();
  // Lumino stops matching JupyterLab's keybindings (notebook command mode: arrows,
  // "d d", "a", "b", ...) at an element carrying this attribute.
  view.el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.appendChild(view.el);
  // The static "run the cell again" output shown beside a widget is for when it is gone.
  const shown = hidePlaceholder(el);
  return () => {
    listeners.dispose();
    view.dispose();
    client.dispose();
    view.el.remove();
    shown();
  };
}
