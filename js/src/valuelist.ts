// The filter by value: a column's values with their counts, as a checklist with a search box.
// The kernel lists them (the `values` request: most frequent first, bounded, searchable);
// the checked values become one `in` filter, or the unchecked ones one `not_in` filter.
import { button, clear, h } from "./dom";
import { formatCount, formatValue } from "./format";
import { type Client, type Filter, type Kind, type ValuesReply, errorMessage } from "./protocol";

/** Kinds whose values a checklist offers (the kernel lists these). */
export const VALUE_KINDS: readonly Kind[] = ["text", "category", "integer", "boolean"];
const SEARCH_DELAY_MS = 150;

/** Fetch a column's values holding `search` (any case). */
export type ValuesSource = (search: string) => Promise<ValuesReply>;

export class ValueListError extends Error {}

/** Ask the kernel for a column's values holding `search` (the `values` request). */
export async function valuesOf(client: Client, column: string, search: string): Promise<ValuesReply> {
  const reply = await client.request("values", search ? { column, search } : { column });
  return reply.content as unknown as ValuesReply;
}

const keyOf = (value: unknown): string => JSON.stringify(value);

/**
 * The checked values. In "keep" mode `marked` holds the checked ones (an `in` filter); in
 * "drop" mode it holds the unchecked ones (a `not_in` filter, or none when empty), so "all
 * values but these" works for columns whose values are not all listed.
 */
export class Choice {
  mode: "keep" | "drop";
  readonly marked = new Map<string, unknown>();

  constructor(current: Filter | undefined) {
    const listed = current && Array.isArray(current.value) && (current.op === "in" || current.op === "not_in");
    this.mode = listed && current.op === "in" ? "keep" : "drop";
    if (listed) for (const v of current.value as unknown[]) this.marked.set(keyOf(v), v);
  }

  checked(value: unknown): boolean {
    return this.marked.has(keyOf(value)) === (this.mode === "keep");
  }

  set(value: unknown, checked: boolean): void {
    if (checked === (this.mode === "keep")) this.marked.set(keyOf(value), value);
    else this.marked.delete(keyOf(value));
  }

  all(checked: boolean): void {
    this.mode = checked ? "drop" : "keep";
    this.marked.clear();
  }

  /** The column's filters: none when every value is checked. */
  filters(column: string): Filter[] {
    const values = [...this.marked.values()];
    if (this.mode === "drop") return values.length ? [{ column, op: "not_in", value: values }] : [];
    if (!values.length) throw new ValueListError("check at least one value");
    return [{ column, op: "in", value: values }];
  }
}

export class ValueList {
  readonly el: HTMLDivElement;
  readonly choice: Choice;
  private readonly column: string;
  private readonly source: ValuesSource;
  private readonly search: HTMLInputElement;
  private readonly list: HTMLDivElement;
  private readonly note: HTMLDivElement;
  private first: ValuesReply | null = null;
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(column: string, current: Filter | undefined, source: ValuesSource) {
    this.column = column;
    this.source = source;
    this.choice = new Choice(current);
    this.search = h("input", {
      className: "hydroml-input hydroml-values-search",
      attrs: { type: "search", "data-part": "search", "aria-label": `Search the values of ${column}`, placeholder: "Search values" },
    });
    this.list = h("div", { className: "hydroml-values-list", attrs: { role: "group", "aria-label": `Values of ${column}` } });
    this.note = h("div", { className: "hydroml-values-note" });
    const all = button("All", "values-all", "hydroml-link-button");
    const none = button("None", "values-none", "hydroml-link-button");
    all.addEventListener("click", () => this.setAll(true));
    none.addEventListener("click", () => this.setAll(false));
    this.el = h("div", { className: "hydroml-values" }, [
      this.search,
      h("div", { className: "hydroml-values-toggles" }, [all, none]),
      this.list,
      this.note,
    ]);
    this.search.addEventListener("input", () => this.searchSoon());
    this.list.appendChild(h("div", { className: "hydroml-values-loading", text: "Loading values…" }));
    void this.load("");
  }

  /** The filters the checklist makes (throws `ValueListError` when nothing is checked). */
  read(): Filter[] {
    return this.choice.filters(this.column);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.asked++;
  }

  private setAll(checked: boolean): void {
    this.choice.all(checked);
    for (const box of this.list.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) box.checked = checked;
  }

  private searchSoon(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const text = this.search.value;
    // Every value is already here: filter them without asking the kernel.
    if (this.first?.complete) {
      this.show(this.first, text);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load(text);
    }, SEARCH_DELAY_MS);
  }

  private async load(text: string): Promise<void> {
    const ask = ++this.asked;
    try {
      const reply = await this.source(text);
      if (ask !== this.asked) return; // a newer search was typed meanwhile
      if (text === "") this.first = reply;
      this.show(reply, "");
    } catch (err) {
      if (ask !== this.asked) return;
      clear(this.list);
      this.list.appendChild(h("div", { className: "hydroml-values-error", text: errorMessage(err) }));
    }
  }

  private show(reply: ValuesReply, localSearch: string): void {
    clear(this.list);
    const needle = localSearch.toLowerCase();
    const shown = reply.values.filter(([v]) => !needle || formatValue(v).toLowerCase().includes(needle));
    for (const [value, count] of shown) {
      const box = h("input", { attrs: { type: "checkbox", "data-part": "choice" } });
      box.checked = this.choice.checked(value);
      box.addEventListener("change", () => this.choice.set(value, box.checked));
      this.list.appendChild(
        h("label", { className: "hydroml-values-item" }, [
          box,
          h("span", { className: "hydroml-values-value", text: formatValue(value) }),
          h("span", { className: "hydroml-values-count", text: formatCount(count) }),
        ]),
      );
    }
    if (!shown.length) this.list.appendChild(h("div", { className: "hydroml-values-empty", text: "No value matches" }));
    const parts: string[] = [];
    if (!reply.complete) {
      parts.push(`${formatCount(reply.values.length)} most frequent of ${formatCount(reply.distinct)} values; search for others`);
    }
    if (reply.nulls) parts.push(`${formatCount(reply.nulls)} missing (a filter by value leaves them out)`);
    this.note.textContent = parts.join(" · ");
  }
}
