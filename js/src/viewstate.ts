// Pure helpers over the view traits: sort cycling, filter lists, the status line.
import { formatCount } from "./format";
import type { Filter, SortKey } from "./protocol";

/** Sort keys after a header click: asc → desc → none; `additive` (shift) keeps other keys. */
export function nextSort(sort: SortKey[], column: string, additive: boolean): SortKey[] {
  const current = sort.find((k) => k.column === column);
  let next: SortKey | null;
  if (current === undefined) next = { column, descending: false };
  else if (!current.descending) next = { column, descending: true };
  else next = null;
  if (!additive) return next ? [next] : [];
  if (current === undefined) return [...sort, next!];
  return next ? sort.map((k) => (k.column === column ? next! : k)) : sort.filter((k) => k.column !== column);
}

export function filtersFor(filters: Filter[], column: string): Filter[] {
  return filters.filter((f) => f.column === column);
}

/** Replace every filter on `column` by `replacement` (empty: remove them). */
export function replaceFilters(filters: Filter[], column: string, replacement: Filter[]): Filter[] {
  return [...filters.filter((f) => f.column !== column), ...replacement];
}

export function sortArrow(key: SortKey): string {
  return key.descending ? "↓" : "↑";
}

export function statusText(rowCount: number, totalRows: number, sort: SortKey[], filters: Filter[]): string {
  const rows =
    filters.length > 0 || rowCount !== totalRows
      ? `${formatCount(rowCount)} of ${formatCount(totalRows)} rows`
      : `${formatCount(rowCount)} row${rowCount === 1 ? "" : "s"}`;
  const parts = [rows];
  if (sort.length) parts.push(`sorted by ${sort.map((k) => `${k.column} ${sortArrow(k)}`).join(", ")}`);
  if (filters.length) {
    const cols = [...new Set(filters.map((f) => f.column))];
    parts.push(`filtered by ${cols.join(", ")}`);
  }
  return parts.join(" · ");
}
