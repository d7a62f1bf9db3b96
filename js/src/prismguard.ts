// Loaded just before Prism's core (see highlight.ts): Prism reads `window.Prism.manual` when it
// starts and, without it, highlights every `language-*` element of the page (JupyterLab's own
// included) and installs itself as the global `Prism`. This keeps it manual and, once the
// Python grammar is registered, puts back whatever `window.Prism` was before.
const scope = globalThis as { Prism?: unknown };
const had = Object.prototype.hasOwnProperty.call(scope, "Prism");
const before = scope.Prism;
scope.Prism = { manual: true, disableWorkerMessageHandler: true };

export function restorePrism(): void {
  if (had) scope.Prism = before;
  else delete scope.Prism;
}
