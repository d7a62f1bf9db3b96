// Decode a rows reply's Arrow IPC stream into per-column value accessors.
import { tableFromIPC, Type, TimeUnit, type Column, type DataType } from "@uwdata/flechette";

/** What the formatter needs to know about a column beyond its schema kind. */
export interface ColumnHint {
  /** "date" (calendar day), "timestamp", "duration" (values in ms) or "value". */
  type: "date" | "timestamp" | "duration" | "value";
  /** IANA time zone of a timestamp column, if any. */
  tz: string | null;
}

export type Accessor = (row: number) => unknown;

export interface DecodedWindow {
  numRows: number;
  names: string[];
  /** Column position by name. */
  index: Map<string, number>;
  hints: ColumnHint[];
  columns: Accessor[];
}

const DURATION_MS: Record<number, number> = {
  [TimeUnit.SECOND]: 1000,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1e-3,
  [TimeUnit.NANOSECOND]: 1e-6,
};

function baseType(type: DataType): DataType {
  return type.typeId === Type.Dictionary ? type.dictionary : type;
}

export function columnHint(type: DataType): ColumnHint {
  const t = baseType(type);
  switch (t.typeId) {
    case Type.Date:
      return { type: "date", tz: null };
    case Type.Timestamp:
      return { type: "timestamp", tz: t.timezone ?? null };
    case Type.Duration:
      return { type: "duration", tz: null };
    default:
      return { type: "value", tz: null };
  }
}

/** Numbers stay numbers; 64-bit integers beyond 2^53 stay exact as bigint. */
function normalize(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
      return Number(value);
    }
    return value;
  }
  return value;
}

function accessor(column: Column<unknown>): Accessor {
  const type = baseType(column.type);
  if (type.typeId === Type.Duration) {
    const scale = DURATION_MS[type.unit] ?? 1;
    return (row) => {
      const v = column.at(row);
      if (v === null || v === undefined) return null;
      return Number(v as bigint | number) * scale;
    };
  }
  return (row) => normalize(column.at(row));
}

export function decodeWindow(bytes: Uint8Array): DecodedWindow {
  // 64-bit integers come out as bigint and are narrowed per value, so that a value beyond
  // 2^53 shows exactly instead of making the decoder throw.
  const table = tableFromIPC(bytes, { useBigInt: true, useDate: false });
  const names = table.schema.fields.map((f) => f.name);
  const hints = table.schema.fields.map((f) => columnHint(f.type));
  const columns = table.children.map((c) => accessor(c as Column<unknown>));
  const index = new Map(names.map((n, i) => [n, i] as const));
  return { numRows: table.numRows, names, index, hints, columns };
}
