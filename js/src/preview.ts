// Preview of an operation: shape change, dtype changes, changed counts, failures, sample.
import { h, textTable } from "./dom";
import { formatCount, formatValue } from "./format";
import type { Preview } from "./protocol";

function line(label: string, value: string): HTMLElement {
  return h("div", { className: "hydroml-preview-line" }, [
    h("span", { className: "hydroml-preview-key", text: label }),
    h("span", { text: value }),
  ]);
}

export function renderPreview(p: Preview): HTMLElement {
  const root = h("div", { className: "hydroml-preview-result" });
  root.appendChild(h("div", { className: "hydroml-preview-label", text: p.label || p.op }));
  if (!p.ok) {
    root.classList.add("hydroml-preview-failed");
    root.appendChild(h("div", { className: "hydroml-preview-error", text: p.error ?? "this step would fail" }));
  }
  const rows =
    p.rows_before === p.rows_after
      ? `${formatCount(p.rows_after)} (unchanged)`
      : `${formatCount(p.rows_before)} → ${formatCount(p.rows_after)} (${p.rows_after > p.rows_before ? "+" : ""}${formatCount(
          p.rows_after - p.rows_before,
        )})`;
  root.appendChild(line("rows", rows));
  // What the operation adds in words (a join: the rows that found no match); text only.
  for (const note of p.notes ?? []) {
    root.appendChild(h("div", { className: "hydroml-preview-note", text: note }));
  }
  if (p.columns_added?.length) root.appendChild(line("columns added", p.columns_added.join(", ")));
  if (p.columns_removed?.length) root.appendChild(line("columns removed", p.columns_removed.join(", ")));
  const dtypes = Object.entries(p.dtypes_changed ?? {});
  if (dtypes.length) {
    root.appendChild(line("dtypes", dtypes.map(([c, [a, b]]) => `${c}: ${a} → ${b}`).join("; ")));
  }
  const changed = Object.entries(p.changed ?? {});
  if (changed.length) {
    root.appendChild(line("values changed", changed.map(([c, n]) => `${c}: ${formatCount(n)}`).join("; ")));
  }
  if (p.failures?.length) {
    root.appendChild(h("div", { className: "hydroml-preview-subtitle", text: `${formatCount(p.failures.length)} value(s) fail` }));
    root.appendChild(
      textTable(
        ["row", "column", "value"],
        p.failures.map((f) => [formatValue(f.row), f.column, formatValue(f.value)]),
        "hydroml-table hydroml-failures",
      ),
    );
  }
  if (p.sample && p.sample.columns.length) {
    root.appendChild(h("div", { className: "hydroml-preview-subtitle", text: "sample" }));
    root.appendChild(
      textTable(
        p.sample.columns,
        p.sample.rows.map((r) => r.map((v) => (typeof v === "string" ? v : formatValue(v)))),
        "hydroml-table hydroml-sample",
      ),
    );
  }
  return root;
}
