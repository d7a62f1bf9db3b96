// Filter popover for one column: builds the `filters` entries for that column.
import { displayName } from "./columns";
import { button, clear, h } from "./dom";
import type { Filter, FilterOp, Kind, SchemaField, ValuesReply } from "./protocol";
import { VALUE_KINDS, ValueList, ValueListError, type ValuesSource } from "./valuelist";

type Mode =
  | "values"
  | "range"
  | "=="
  | "!="
  | "contains"
  | "startswith"
  | "endswith"
  | "in"
  | "not_in"
  | "is_null"
  | "not_null";

const MODE_LABELS: Record<Mode, string> = {
  values: "pick values",
  range: "between / ≥ / ≤",
  "==": "equals",
  "!=": "not equal",
  contains: "contains",
  startswith: "starts with",
  endswith: "ends with",
  in: "is one of",
  not_in: "is none of",
  is_null: "is missing",
  not_null: "is not missing",
};

/** The conditions offered for a column; `values` (the checklist) only with a values source. */
export function modesFor(kind: Kind, withValues = false): Mode[] {
  const modes = baseModes(kind);
  if (!withValues || !VALUE_KINDS.includes(kind)) return modes;
  // A checklist first, except for integers, where a range is the usual question.
  return kind === "integer" ? [modes[0]!, "values", ...modes.slice(1)] : ["values", ...modes];
}

function baseModes(kind: Kind): Mode[] {
  switch (kind) {
    case "integer":
    case "float":
    case "datetime":
    case "timedelta":
      return ["range", "==", "!=", "is_null", "not_null"];
    case "boolean":
      return ["==", "is_null", "not_null"];
    case "category":
      return ["in", "not_in", "==", "!=", "is_null", "not_null"];
    default:
      return ["contains", "startswith", "endswith", "==", "!=", "in", "not_in", "is_null", "not_null"];
  }
}

export class FilterInputError extends Error {}

/** Parse one typed value for a column of this kind. */
export function parseFilterValue(text: string, kind: Kind): unknown {
  const t = text.trim();
  if (kind === "integer" || kind === "float") {
    const n = Number(t);
    if (t === "" || !Number.isFinite(n)) throw new FilterInputError(`'${text}' is not a number`);
    return n;
  }
  if (kind === "boolean") return t === "True" || t === "true";
  if (kind === "datetime" && t === "") throw new FilterInputError("a date is needed (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)");
  return kind === "text" || kind === "category" || kind === "other" ? text : t;
}

export interface FilterCallbacks {
  apply(column: string, filters: Filter[]): void;
  /** The kernel's `values` of a column (absent: no checklist). */
  values?(column: string, search: string): Promise<ValuesReply>;
}

interface Form {
  mode: HTMLSelectElement;
  body: HTMLDivElement;
  read: () => Filter[];
  dispose: () => void;
}

export class FilterPopover {
  readonly el: HTMLDivElement;
  column: string | null = null;
  private readonly callbacks: FilterCallbacks;
  private readonly message: HTMLDivElement;
  private form: Form | null = null;

  constructor(callbacks: FilterCallbacks) {
    this.callbacks = callbacks;
    this.message = h("div", { className: "hydroml-filter-message" });
    this.el = h("div", { className: "hydroml-filter-popover", attrs: { role: "dialog" } });
    this.el.hidden = true;
    this.el.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.close();
      } else if (e.key === "Enter" && (e.target as HTMLElement).dataset.part === "search") {
        e.preventDefault();
      } else if (e.key === "Enter" && (e.target as HTMLElement).tagName === "INPUT") {
        e.preventDefault();
        (this.el.querySelector('button[data-action="filter-apply"]') as HTMLButtonElement | null)?.click();
      }
      e.stopPropagation();
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(field: SchemaField, current: Filter[], left: number, top: number): void {
    this.form?.dispose();
    this.column = field.name;
    clear(this.el);
    this.message.textContent = "";
    const values = this.callbacks.values;
    const source: ValuesSource | null = values ? (search) => values(field.name, search) : null;
    const form = buildForm(field, current, source);
    this.form = form;
    const apply = button("Apply", "filter-apply");
    const clearButton = button("Clear", "filter-clear");
    const cancel = button("Cancel", "filter-cancel");
    apply.addEventListener("click", () => {
      try {
        this.callbacks.apply(field.name, form.read());
        this.close();
      } catch (err) {
        if (!(err instanceof FilterInputError)) throw err;
        this.message.textContent = err.message;
      }
    });
    clearButton.addEventListener("click", () => {
      this.callbacks.apply(field.name, []);
      this.close();
    });
    cancel.addEventListener("click", () => this.close());
    this.el.append(
      h("div", { className: "hydroml-filter-title", text: `Filter ${displayName(field.name)}` }),
      form.mode,
      form.body,
      this.message,
      h("div", { className: "hydroml-filter-buttons" }, [apply, clearButton, cancel]),
    );
    this.el.style.left = `${Math.max(0, left)}px`;
    this.el.style.top = `${Math.max(0, top)}px`;
    this.el.hidden = false;
    const first = this.el.querySelector<HTMLElement>("input, select");
    first?.focus();
  }

  close(): void {
    this.form?.dispose();
    this.form = null;
    this.el.hidden = true;
    this.column = null;
  }
}

function input(part: string, value: string, placeholder = ""): HTMLInputElement {
  const el = h("input", { className: "hydroml-input", attrs: { type: "text", "data-part": part } });
  el.value = value;
  if (placeholder) el.placeholder = placeholder;
  return el;
}

function placeholderFor(kind: Kind): string {
  if (kind === "datetime") return "YYYY-MM-DD";
  if (kind === "timedelta") return "e.g. 1 days";
  return "";
}

function buildForm(field: SchemaField, current: Filter[], source: ValuesSource | null): Form {
  const kind = field.kind;
  const modes = modesFor(kind, source !== null);
  const mode = h("select", { className: "hydroml-filter-op", attrs: { "aria-label": "Condition" } });
  for (const m of modes) mode.appendChild(h("option", { text: MODE_LABELS[m], attrs: { value: m } }));
  const first = current[0];
  const initial = initialMode(first, modes);
  mode.value = initial;
  const body = h("div", { className: "hydroml-filter-body" });
  let read: () => Filter[] = () => [];
  let list: ValueList | null = null;

  const render = (): void => {
    list?.dispose();
    list = null;
    clear(body);
    const m = mode.value as Mode;
    const col = field.name;
    const ph = placeholderFor(kind);
    if (m === "values" && source) {
      const made = new ValueList(col, first, source);
      list = made;
      body.append(made.el);
      read = () => {
        try {
          return made.read();
        } catch (err) {
          if (err instanceof ValueListError) throw new FilterInputError(err.message);
          throw err;
        }
      };
    } else if (m === "is_null" || m === "not_null") {
      read = () => [{ column: col, op: m, value: null }];
    } else if (m === "range") {
      let low = "";
      let high = "";
      for (const f of current) {
        if (f.op === "between" && Array.isArray(f.value)) {
          low = f.value[0] === null || f.value[0] === undefined ? "" : String(f.value[0]);
          high = f.value[1] === null || f.value[1] === undefined ? "" : String(f.value[1]);
        } else if (f.op === ">=" || f.op === ">") low = String(f.value);
        else if (f.op === "<=" || f.op === "<") high = String(f.value);
      }
      const lo = input("low", low, ph ? `from ${ph}` : "from");
      const hi = input("high", high, ph ? `to ${ph}` : "to");
      body.append(lo, h("span", { className: "hydroml-filter-dash", text: "–" }), hi);
      read = () => rangeFilter(col, kind, lo.value, hi.value);
    } else if (kind === "boolean") {
      const sel = h("select", { attrs: { "data-part": "value" } }, [
        h("option", { text: "True", attrs: { value: "True" } }),
        h("option", { text: "False", attrs: { value: "False" } }),
      ]);
      if (first?.value === false) sel.value = "False";
      body.append(sel);
      read = () => [{ column: col, op: "==", value: sel.value === "True" }];
    } else if (m === "in" || m === "not_in") {
      const area = h("textarea", { className: "hydroml-input", attrs: { "data-part": "list", rows: "4" } });
      area.placeholder = "one value per line";
      if (first && Array.isArray(first.value)) area.value = first.value.map((v) => String(v)).join("\n");
      body.append(area);
      read = () => {
        const lines = area.value.split("\n").filter((l) => l.trim() !== "");
        if (!lines.length) throw new FilterInputError("enter at least one value");
        return [{ column: col, op: m, value: lines.map((l) => parseFilterValue(l, kind)) }];
      };
    } else {
      const prefill = first && first.op === m && first.value !== null ? String(first.value) : "";
      const box = input("value", prefill, ph);
      body.append(box);
      read = () => [{ column: col, op: m as FilterOp, value: parseFilterValue(box.value, kind) }];
    }
  };
  mode.addEventListener("change", render);
  render();
  return { mode, body, read: () => read(), dispose: () => list?.dispose() };
}

function initialMode(first: Filter | undefined, modes: Mode[]): Mode {
  if (!first) return modes[0]!;
  const op = first.op;
  if ((op === "in" || op === "not_in") && modes.includes("values")) return "values";
  if (op === "between" || op === ">=" || op === "<=" || op === ">" || op === "<") {
    return modes.includes("range") ? "range" : modes[0]!;
  }
  return modes.includes(op as Mode) ? (op as Mode) : modes[0]!;
}

function rangeFilter(column: string, kind: Kind, low: string, high: string): Filter[] {
  const hasLow = low.trim() !== "";
  const hasHigh = high.trim() !== "";
  if (!hasLow && !hasHigh) throw new FilterInputError("enter a lower bound, an upper bound or both");
  const lo = hasLow ? parseFilterValue(low, kind) : null;
  const hi = hasHigh ? parseFilterValue(high, kind) : null;
  if (hasLow && hasHigh) return [{ column, op: "between", value: [lo, hi] }];
  if (hasLow) return [{ column, op: ">=", value: lo }];
  return [{ column, op: "<=", value: hi }];
}
