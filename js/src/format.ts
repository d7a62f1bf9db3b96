// Type-aware cell text. Everything returned here is set with textContent / title.
import type { ColumnHint } from "./arrow";
import type { Kind } from "./protocol";

export interface CellText {
  text: string;
  /** Extra CSS class: hydroml-null, hydroml-num, hydroml-bool or "". */
  className: string;
  /** Full value for the title attribute when the text is shortened ("" for none). */
  title: string;
}

export const MAX_CELL_CHARS = 200;
const NUMERIC: ReadonlySet<Kind> = new Set<Kind>(["integer", "float", "timedelta"]);

export function isNumericKind(kind: Kind): boolean {
  return NUMERIC.has(kind);
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e15 || abs < 1e-5) {
    return v.toExponential(6).replace(/\.?0+e/, "e");
  }
  // Six decimals at most (pandas' display precision), trailing zeros dropped.
  const s = v.toFixed(6);
  return s.replace(/\.?0+$/, "");
}

export function formatInteger(v: number | bigint): string {
  if (typeof v === "bigint") return v.toString();
  if (!Number.isFinite(v)) return formatFloat(v);
  return Number.isInteger(v) ? v.toFixed(0) : formatFloat(v);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function isoParts(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): string {
  const year = y < 0 || y > 9999 ? String(y) : pad(y, 4);
  const base = `${year}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
  return ms ? `${base}.${pad(ms, 3)}` : base;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(tz: string): Intl.DateTimeFormat | null {
  if (!zoneFormats.has(tz)) {
    let fmt: Intl.DateTimeFormat | null = null;
    try {
      fmt = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      fmt = null;
    }
    zoneFormats.set(tz, fmt);
  }
  return zoneFormats.get(tz) ?? null;
}

/** `YYYY-MM-DD HH:MM:SS[.mmm]` from epoch milliseconds, in `tz` when given, else UTC. */
export function formatDatetime(ms: number, tz: string | null = null): string {
  if (!Number.isFinite(ms)) return String(ms);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const millis = ((Math.floor(ms) % 1000) + 1000) % 1000;
  const fmt = tz ? zoneFormat(tz) : null;
  if (fmt) {
    const parts: Record<string, number> = {};
    for (const p of fmt.formatToParts(d)) {
      if (p.type !== "literal") parts[p.type] = Number(p.value);
    }
    const year = parts.year ?? d.getUTCFullYear();
    return isoParts(year, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, millis);
  }
  return isoParts(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    millis,
  );
}

export function formatDate(ms: number): string {
  return formatDatetime(ms).slice(0, 10);
}

/** pandas-style `N days HH:MM:SS[.mmm]` from milliseconds. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms));
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const millis = rest - s * 1000;
  const clock = `${pad(h)}:${pad(m)}:${pad(s)}${millis ? `.${pad(millis, 3)}` : ""}`;
  return `${sign}${days} day${days === 1 ? "" : "s"} ${clock}`;
}

function stringify(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (Array.isArray(value) || (typeof value === "object" && value !== null)) {
    try {
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function shorten(text: string): CellText {
  const oneLine = text.replace(/\r\n|\r|\n/g, "↵");
  if (oneLine.length > MAX_CELL_CHARS) {
    return { text: `${oneLine.slice(0, MAX_CELL_CHARS)}…`, className: "", title: text };
  }
  // Cells are narrow: the full value on hover whenever it may be cut by the column width.
  return { text: oneLine, className: "", title: oneLine.length > 16 ? text : "" };
}

const NULL_TEXT: CellText = { text: "null", className: "hydroml-null", title: "" };
const NAN_TEXT: CellText = { text: "NaN", className: "hydroml-null", title: "" };

export function formatCell(value: unknown, kind: Kind, hint?: ColumnHint): CellText {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === "number" && Number.isNaN(value)) return NAN_TEXT;
  if (value instanceof Date) value = value.getTime();
  const type = hint?.type ?? "value";
  if (typeof value === "number") {
    if (type === "timestamp" || (kind === "datetime" && type !== "date")) {
      return { text: formatDatetime(value, hint?.tz ?? null), className: "", title: "" };
    }
    if (type === "date") return { text: formatDate(value), className: "", title: "" };
    if (type === "duration" || kind === "timedelta") {
      return { text: formatDuration(value), className: "hydroml-num", title: "" };
    }
    const text = kind === "integer" ? formatInteger(value) : formatFloat(value);
    return { text, className: "hydroml-num", title: "" };
  }
  if (typeof value === "bigint") return { text: value.toString(), className: "hydroml-num", title: "" };
  if (typeof value === "boolean") {
    return { text: value ? "True" : "False", className: "hydroml-bool", title: "" };
  }
  return shorten(stringify(value));
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Summary figures (min, max, mean, ...) arrive as JSON: numbers, ISO strings, null. */
export function formatStat(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? formatInteger(value) : formatFloat(value);
  if (typeof value === "string") return ISO_DATETIME.test(value) ? value.replace("T", " ") : value;
  if (typeof value === "boolean") return value ? "True" : "False";
  return stringify(value);
}

export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "—";
  const pct = share * 100;
  if (pct === 0) return "0%";
  if (pct < 0.1) return "<0.1%";
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

/** Text of a summary's top value (JSON: numbers, strings, booleans, null). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  return formatStat(value);
}
