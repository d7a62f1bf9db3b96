// Shared test data.
import type { OpForm } from "../src/protocol";

export const CATALOG: OpForm[] = [
  {
    name: "rename",
    summary: "Rename columns",
    description: "Rename columns.",
    params: [{ name: "columns", type: "mapping", required: true, key: { type: "column" }, value: { type: "text" } }],
  },
  {
    name: "fill_missing",
    summary: "Fill missing values",
    description: "Fill missing values.",
    params: [
      { name: "column", type: "column", kinds: ["integer", "float", "text"], required: true },
      { name: "strategy", type: "choice", choices: ["value", "mean"], default: "value" },
      { name: "value", type: "value", required: false, default: null },
    ],
  },
  {
    name: "cast",
    summary: "Cast a column",
    description: "Cast a column.",
    params: [
      { name: "column", type: "column", required: true },
      { name: "dtype", type: "dtype", choices: ["Int64", "float64"], required: true },
    ],
  },
  { name: "drop_columns", summary: "Drop columns", description: "Drop columns.", params: [{ name: "columns", type: "columns", required: true }] },
  {
    name: "dedupe",
    summary: "Drop duplicate rows",
    description: "Drop duplicate rows.",
    params: [
      { name: "subset", type: "columns", required: false },
      { name: "keep_first", type: "bool", default: true },
    ],
  },
];
