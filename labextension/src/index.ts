// Lets a Data Studio widget add its pandas code as a new code cell below its own cell.
//
// A widget cannot reach the notebook it is shown in. The studio dispatches a cancelable
// `hydroml:insert-cell` event carrying `{ code }` from its element; this plugin finds the
// notebook cell whose output holds that element, inserts a code cell below it with the code
// as its source (never run), and cancels the event so that the widget knows it was done.
// Where no plugin takes the event (VS Code, Colab, a detached output view) the widget copies
// the code instead.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { INotebookTracker, type NotebookPanel } from "@jupyterlab/notebook";

/** The event's name: the same string as INSERT_EVENT in js/src/insertcell.ts. */
export const INSERT_EVENT = "hydroml:insert-cell";

interface Found {
  panel: NotebookPanel;
  index: number;
}

/** The notebook and index of the cell whose node holds `target`, if any. */
function findCell(tracker: INotebookTracker, target: Node): Found | null {
  let found: Found | null = null;
  tracker.forEach((panel) => {
    if (found !== null || !panel.content.node.contains(target)) return;
    panel.content.widgets.forEach((cell, index) => {
      if (found === null && cell.node.contains(target)) found = { panel, index };
    });
  });
  return found;
}

function insertBelow(tracker: INotebookTracker, event: Event): void {
  const detail = (event as CustomEvent<unknown>).detail as { code?: unknown } | null;
  const target = event.target;
  if (!detail || typeof detail.code !== "string" || !(target instanceof Node)) return;
  const found = findCell(tracker, target);
  const model = found?.panel.content.model;
  if (!found || !model) return;
  model.sharedModel.insertCell(found.index + 1, { cell_type: "code", source: detail.code });
  event.preventDefault();
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "hydroml-jupyter-cells:insert-cell",
  description: "Inserts a Data Studio's code as a new cell below the studio's cell.",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    document.addEventListener(INSERT_EVENT, (event) => insertBelow(tracker, event));
  },
};

export default plugin;
