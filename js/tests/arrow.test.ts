// @vitest-environment node
import { describe, expect, it } from "vitest";
import { tableFromArrays, tableToIPC, dictionary, utf8, int32, timestamp, TimeUnit, int64, duration, float64 } from "@uwdata/flechette";
import { decodeWindow } from "../src/arrow";
import { formatCell } from "../src/format";

describe("arrow decoding", () => {
  it("gives accessors for numbers, strings, nulls, categories, timestamps and durations", () => {
    const ms = Date.UTC(2024, 4, 6, 7, 8, 9);
    const table = tableFromArrays(
      {
        i: [1, null, 3],
        big: [1n, 2n ** 60n, -5n],
        f: [0.5, NaN, null],
        s: ["a", null, "c"],
        cat: ["x", "y", "x"],
        t: [ms, null, ms + 1000],
        d: [86_400_000_000_000n, null, 1_000_000n],
      },
      {
        types: {
          i: int32(),
          big: int64(),
          f: float64(),
          s: utf8(),
          cat: dictionary(utf8(), int32()),
          t: timestamp(TimeUnit.MILLISECOND, "UTC"),
          d: duration(TimeUnit.NANOSECOND),
        },
      },
    );
    const bytes = tableToIPC(table, { format: "stream" })!;
    // Buffers arrive as views into larger messages.
    const framed = new Uint8Array(bytes.length + 8);
    framed.set(bytes, 8);
    const w = decodeWindow(framed.subarray(8));
    expect(w.numRows).toBe(3);
    expect(w.names).toEqual(["i", "big", "f", "s", "cat", "t", "d"]);
    const col = (name: string) => w.columns[w.index.get(name)!]!;
    expect([0, 1, 2].map(col("i"))).toEqual([1, null, 3]);
    expect(col("big")(0)).toBe(1);
    expect(col("big")(1)).toBe(2n ** 60n);
    expect(Number.isNaN(col("f")(1))).toBe(true);
    expect([0, 1, 2].map(col("s"))).toEqual(["a", null, "c"]);
    expect([0, 1, 2].map(col("cat"))).toEqual(["x", "y", "x"]);
    expect(col("t")(0)).toBe(ms);
    expect(w.hints[w.index.get("t")!]).toEqual({ type: "timestamp", tz: "UTC" });
    expect(col("d")(0)).toBe(86_400_000);
    expect(formatCell(col("d")(0), "timedelta", w.hints[w.index.get("d")!]).text).toBe("1 day 00:00:00");
    expect(formatCell(col("big")(1), "integer").text).toBe("1152921504606846976");
    expect(formatCell(col("t")(0), "datetime", w.hints[w.index.get("t")!]).text).toBe("2024-05-06 07:08:09");
  });
});
