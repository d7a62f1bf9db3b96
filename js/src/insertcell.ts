// "Insert as a new cell": ask the notebook front end to add code below the widget's cell.
//
// A widget cannot reach its notebook. hydroml-jupyter ships a small JupyterLab 4 extension
// (labextension/, installed with the package; Notebook 7 loads it too) that listens for this
// event on the page, inserts a code cell (not run) below the cell whose output dispatched it
// and cancels the event. Where nothing cancels it (VS Code, Colab, an output in its own view)
// the caller copies the code instead.

/** The event's name: the same string as INSERT_EVENT in labextension/src/index.ts. */
export const INSERT_EVENT = "hydroml:insert-cell";

export interface InsertDetail {
  code: string;
}

/** Dispatch the request from `from` (an element in the page); true when a front end took it. */
export function insertCell(from: HTMLElement, code: string): boolean {
  const event = new CustomEvent<InsertDetail>(INSERT_EVENT, {
    bubbles: true,
    cancelable: true,
    composed: true,
    detail: { code },
  });
  return !from.dispatchEvent(event);
}
