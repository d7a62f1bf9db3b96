// Operation forms generated from the catalog's OpForm params.
import { displayName } from "./columns";
import { button, h } from "./dom";
import { formatLiteral, parseLiteral } from "./literal";
import type { OpForm, ParamSpec, SchemaField } from "./protocol";

export class FormError extends Error {}

/** One input: `read` gives the JSON value or undefined for "left empty". */
interface Input {
  el: HTMLElement;
  read(): unknown;
  set(value: unknown): void;
}

let datalistCounter = 0;

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : String(value);
}

export function columnChoices(spec: ParamSpec, schema: SchemaField[]): string[] {
  const kinds = spec.kinds;
  return schema.filter((f) => !kinds || kinds.length === 0 || kinds.includes(f.kind)).map((f) => f.name);
}

function selectInput(options: string[], attrs: Record<string, string>, placeholder: string | null, initial: unknown): Input {
  const el = h("select", { className: "hydroml-input", attrs });
  if (placeholder !== null) el.appendChild(h("option", { text: placeholder, attrs: { value: "" } }));
  for (const o of options) el.appendChild(h("option", { text: displayName(o), attrs: { value: o } }));
  const set = (v: unknown): void => {
    const s = text(v);
    if (options.includes(s)) el.value = s;
    else if (placeholder !== null) el.value = "";
  };
  set(initial);
  if (placeholder === null && el.selectedIndex < 0 && options.length) el.selectedIndex = 0;
  return { el, read: () => (el.value === "" ? undefined : el.value), set };
}

function textInput(spec: ParamSpec, attrs: Record<string, string>): Input {
  const el = h("input", { className: "hydroml-input", attrs: { type: "text", ...attrs } });
  const wrap: HTMLElement[] = [el];
  if (spec.type === "expression") {
    el.classList.add("hydroml-expression");
    el.placeholder = "e.g. price * quantity";
  } else if (spec.type === "value") {
    el.placeholder = "e.g. 0, 3.5, 'a b', [1, 2], None, True";
  }
  // The operation's own hint, when it gives one, says more than the generic one.
  if (spec.placeholder) el.placeholder = spec.placeholder;
  if (spec.type === "dtype" && spec.choices && spec.choices.length) {
    const id = `hydroml-dtypes-${++datalistCounter}`;
    el.setAttribute("list", id);
    const list = h("datalist", { attrs: { id } });
    for (const c of spec.choices) list.appendChild(h("option", { attrs: { value: c } }));
    wrap.push(list);
  }
  const isValue = spec.type === "value";
  const set = (v: unknown): void => {
    el.value = isValue ? (v === undefined ? "" : formatLiteral(v)) : text(v);
  };
  if (spec.default !== undefined && !(isValue && spec.default === null)) set(spec.default);
  const root = wrap.length > 1 ? h("span", { className: "hydroml-input-wrap" }, wrap) : el;
  return {
    el: root,
    read: () => {
      if (isValue) return parseLiteral(el.value);
      return el.value.trim() === "" ? undefined : el.value;
    },
    set,
  };
}

function boolInput(spec: ParamSpec, attrs: Record<string, string>): Input {
  const el = h("input", { attrs: { type: "checkbox", ...attrs } });
  el.checked = spec.default === true;
  return { el, read: () => el.checked, set: (v) => (el.checked = v === true) };
}

/** An input for one scalar spec (not `columns` or `mapping`). */
function scalarInput(spec: ParamSpec, schema: SchemaField[], attrs: Record<string, string>): Input {
  switch (spec.type) {
    case "column":
      return selectInput(columnChoices(spec, schema), attrs, "(choose a column)", spec.default);
    case "choice": {
      const hasDefault = spec.default !== undefined && spec.default !== null;
      return selectInput(spec.choices ?? [], attrs, spec.required || hasDefault ? null : "(none)", spec.default);
    }
    case "bool":
      return boolInput(spec, attrs);
    default:
      return textInput(spec, attrs);
  }
}

function columnsInput(spec: ParamSpec, schema: SchemaField[], attrs: Record<string, string>): Input {
  const options = columnChoices(spec, schema);
  const el = h("select", { className: "hydroml-input", attrs: { multiple: "", ...attrs } });
  el.size = Math.min(6, Math.max(2, options.length));
  for (const o of options) el.appendChild(h("option", { text: displayName(o), attrs: { value: o } }));
  const set = (v: unknown): void => {
    const chosen = new Set((Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(text));
    for (const opt of Array.from(el.options)) opt.selected = chosen.has(opt.value);
  };
  set(spec.default);
  return {
    el,
    read: () => {
      const values = Array.from(el.options)
        .filter((o) => o.selected)
        .map((o) => o.value);
      return values.length ? values : undefined;
    },
    set,
  };
}

function mappingInput(spec: ParamSpec, schema: SchemaField[], attrs: Record<string, string>): Input {
  const keySpec: ParamSpec = spec.key ?? { type: "text" };
  const valueSpec: ParamSpec = spec.value ?? { type: "text" };
  const rows = h("div", { className: "hydroml-mapping-rows" });
  const pairs: { row: HTMLElement; key: Input; value: Input }[] = [];
  const addRow = (k?: unknown, v?: unknown): { key: Input; value: Input } => {
    const key = scalarInput({ ...keySpec, default: undefined }, schema, { "data-part": "key", "aria-label": "key" });
    const value = scalarInput({ ...valueSpec, default: undefined }, schema, { "data-part": "value", "aria-label": "value" });
    if (k !== undefined) key.set(k);
    if (v !== undefined) value.set(v);
    const remove = h("button", {
      className: "hydroml-icon-button",
      text: "×",
      title: "Remove this pair",
      attrs: { type: "button", "data-action": "remove-pair" },
    });
    const row = h("div", { className: "hydroml-mapping-row" }, [key.el, h("span", { text: "→" }), value.el, remove]);
    const pair = { row, key, value };
    remove.addEventListener("click", () => {
      pairs.splice(pairs.indexOf(pair), 1);
      row.remove();
    });
    pairs.push(pair);
    rows.appendChild(row);
    return pair;
  };
  const add = button("+ Add pair", "add-pair", "hydroml-button hydroml-secondary");
  add.addEventListener("click", () => addRow());
  const el = h("div", { className: "hydroml-mapping", attrs }, [rows, add]);
  const set = (v: unknown): void => {
    for (const p of pairs.splice(0)) p.row.remove();
    const entries = Array.isArray(v) ? v : v && typeof v === "object" ? Object.entries(v) : [];
    for (const e of entries) if (Array.isArray(e)) addRow(e[0], e[1]);
    if (!pairs.length) addRow();
  };
  set(spec.default);
  return {
    el,
    read: () => {
      const out: [unknown, unknown][] = [];
      for (const p of pairs) {
        const k = p.key.read();
        if (k === undefined) continue;
        const val = p.value.read();
        out.push([k, val === undefined ? "" : val]);
      }
      return out.length ? out : undefined;
    },
    set,
  };
}

export function makeInput(spec: ParamSpec, schema: SchemaField[]): Input {
  const attrs = { "data-param": spec.name ?? "", "aria-label": spec.name ?? "" };
  if (spec.type === "columns") return columnsInput(spec, schema, attrs);
  if (spec.type === "mapping") return mappingInput(spec, schema, attrs);
  return scalarInput(spec, schema, attrs);
}

const label = (name: string): string => name.replace(/_/g, " ");

export class OpFormView {
  readonly el: HTMLDivElement;
  readonly form: OpForm;
  private readonly inputs = new Map<string, { spec: ParamSpec; input: Input }>();

  constructor(form: OpForm, schema: SchemaField[]) {
    this.form = form;
    this.el = h("div", { className: "hydroml-form", attrs: { "data-op": form.name } });
    for (const spec of form.params) {
      const name = spec.name ?? "";
      const input = makeInput(spec, schema);
      this.inputs.set(name, { spec, input });
      const caption = h("span", { className: "hydroml-field-label", text: label(name) + (spec.required ? " *" : "") });
      if (spec.help) caption.title = spec.help;
      const field = h("div", { className: `hydroml-field hydroml-field-${spec.type}` }, [caption, input.el]);
      if (spec.type === "bool") field.classList.add("hydroml-field-inline");
      this.el.appendChild(field);
    }
  }

  /** Params to send; throws FormError naming a missing required parameter. */
  values(): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const [name, { spec, input }] of this.inputs) {
      const value = input.read();
      if (value === undefined) {
        if (spec.required) throw new FormError(`${this.form.name}: '${name}' is required`);
        continue;
      }
      params[name] = value;
    }
    return params;
  }

  /** Current values, leaving out empty ones, without checking required ones. */
  draft(): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const [name, { input }] of this.inputs) {
      const value = input.read();
      if (value !== undefined) params[name] = value;
    }
    return params;
  }

  set(params: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(params)) this.inputs.get(name)?.input.set(value);
  }

  /**
   * Put `column` into every column-typed parameter (quick actions); with `mappingKeys`,
   * also as the key of a single mapping row whatever the key's type (rename).
   */
  setColumn(column: string, mappingKeys = false): void {
    for (const { spec, input } of this.inputs.values()) {
      if (spec.type === "column") input.set(column);
      else if (spec.type === "columns") input.set([column]);
      else if (spec.type === "mapping" && (mappingKeys || spec.key?.type === "column")) {
        input.set([[column, undefined]]);
      }
    }
  }

  focusFirstEmpty(): void {
    const inputs = this.el.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input[type=text], select");
    for (const el of Array.from(inputs)) {
      if (el.value === "") {
        el.focus();
        return;
      }
    }
  }
}
