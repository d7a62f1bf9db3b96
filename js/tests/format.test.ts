// @vitest-environment node
import { describe, expect, it } from "vitest";
import { formatCell, formatDatetime, formatDuration, formatFloat, MAX_CELL_CHARS } from "../src/format";
import { nextSort, statusText } from "../src/viewstate";

describe("cell formatting", () => {
  it("formats numbers by kind", () => {
    expect(formatCell(42, "integer")).toEqual({ text: "42", className: "hydroml-num", title: "" });
    expect(formatCell(3.14159265, "float").text).toBe("3.141593");
    expect(formatCell(2, "float").text).toBe("2");
    expect(formatCell(12345.678, "float").text).toBe("12345.678");
    expect(formatCell(0.1 + 0.2, "float").text).toBe("0.3");
    expect(formatCell(-2.5e-7, "float").text).toBe("-2.5e-7");
    expect(formatCell(1234567.891, "float").text).toBe("1234567.891");
    expect(formatCell(9007199254740993n, "integer").text).toBe("9007199254740993");
    expect(formatFloat(1e20)).toBe("1e+20");
    expect(formatFloat(-Infinity)).toBe("-inf");
  });

  it("shows nulls and NaN distinctly", () => {
    expect(formatCell(null, "float")).toEqual({ text: "null", className: "hydroml-null", title: "" });
    expect(formatCell(NaN, "float").className).toBe("hydroml-null");
    expect(formatCell(NaN, "float").text).toBe("NaN");
  });

  it("formats datetimes as ISO text", () => {
    const ms = Date.UTC(2024, 0, 5, 13, 4, 5);
    expect(formatCell(ms, "datetime").text).toBe("2024-01-05 13:04:05");
    expect(formatDatetime(Date.UTC(2024, 0, 5))).toBe("2024-01-05 00:00:00");
    expect(formatDatetime(ms + 250)).toBe("2024-01-05 13:04:05.250");
    expect(formatDatetime(ms, "Europe/Paris")).toBe("2024-01-05 14:04:05");
    expect(formatCell(Date.UTC(2024, 0, 5), "other", { type: "date", tz: null }).text).toBe("2024-01-05");
  });

  it("formats durations, booleans and long text", () => {
    expect(formatDuration(90_061_000)).toBe("1 day 01:01:01");
    expect(formatCell(true, "boolean").text).toBe("True");
    const long = "x".repeat(MAX_CELL_CHARS + 50);
    const cell = formatCell(long, "text");
    expect(cell.text.length).toBe(MAX_CELL_CHARS + 1);
    expect(cell.title).toBe(long);
  });
});

describe("view state", () => {
  it("cycles a header's sort asc → desc → none", () => {
    let sort = nextSort([], "a", false);
    expect(sort).toEqual([{ column: "a", descending: false }]);
    sort = nextSort(sort, "a", false);
    expect(sort).toEqual([{ column: "a", descending: true }]);
    expect(nextSort(sort, "a", false)).toEqual([]);
  });

  it("adds keys with shift and replaces without", () => {
    const one = [{ column: "a", descending: false }];
    expect(nextSort(one, "b", true)).toEqual([...one, { column: "b", descending: false }]);
    expect(nextSort(one, "b", false)).toEqual([{ column: "b", descending: false }]);
    const two = [...one, { column: "b", descending: true }];
    expect(nextSort(two, "b", true)).toEqual(one);
  });

  it("writes the status line", () => {
    expect(statusText(1_000_000, 1_000_000, [], [])).toBe("1,000,000 rows");
    expect(
      statusText(2345, 1_000_000, [{ column: "price", descending: true }], [{ column: "x", op: ">", value: 1 }]),
    ).toBe("2,345 of 1,000,000 rows · sorted by price ↓ · filtered by x");
  });
});
