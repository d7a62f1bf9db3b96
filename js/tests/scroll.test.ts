// @vitest-environment node
import { describe, expect, it } from "vitest";
import {
  MAX_SCROLL_PX,
  maxScroll,
  offsetForScroll,
  offsetShowingRow,
  scrollForOffset,
  spacerHeight,
  visibleRange,
  type Geometry,
} from "../src/scroll";

const big: Geometry = { rows: 10_000_000, rowHeight: 24, viewport: 400 };
const small: Geometry = { rows: 100, rowHeight: 24, viewport: 400 };

describe("scaled scroll mapping", () => {
  it("caps the spacer for 10M rows at 24 px", () => {
    expect(spacerHeight(big)).toBe(MAX_SCROLL_PX);
    expect(spacerHeight(small)).toBe(2400);
  });

  it("shows row 0 at the top", () => {
    expect(visibleRange(offsetForScroll(0, big), big)).toEqual({ first: 0, stop: 17, shift: 0 });
  });

  it("shows the last row, whole, at the maximum scroll", () => {
    const offset = offsetForScroll(maxScroll(big), big);
    const range = visibleRange(offset, big);
    expect(range.stop).toBe(10_000_000);
    // The bottom of the last row is the bottom of the viewport.
    const lastTop = range.shift + (range.stop - 1 - range.first) * 24;
    expect(lastTop + 24).toBeCloseTo(big.viewport, 6);
  });

  it("is monotone and linear", () => {
    let prev = -1;
    const ms = maxScroll(big);
    for (let i = 0; i <= 1000; i++) {
      const o = offsetForScroll((ms * i) / 1000, big);
      expect(o).toBeGreaterThanOrEqual(prev);
      prev = o;
    }
    const half = offsetForScroll(ms / 2, big);
    expect(half).toBeCloseTo((10_000_000 * 24 - 400) / 2, 3);
  });

  it("inverts for programmatic scrolling", () => {
    for (const row of [0, 1, 12345, 5_000_000, 9_999_999]) {
      const o = offsetShowingRow(row, 0, big);
      expect(offsetForScroll(scrollForOffset(o, big), big)).toBeCloseTo(o, 3);
      const r = visibleRange(o, big);
      expect(row).toBeGreaterThanOrEqual(r.first);
      expect(row).toBeLessThan(r.stop);
    }
  });

  it("maps one to one when the content fits", () => {
    expect(offsetForScroll(100, small)).toBe(100);
    expect(scrollForOffset(100, small)).toBe(100);
    expect(offsetForScroll(1e9, small)).toBe(2400 - 400);
  });

  it("handles an empty view and a view shorter than the viewport", () => {
    expect(visibleRange(0, { rows: 0, rowHeight: 24, viewport: 400 })).toEqual({ first: 0, stop: 0, shift: 0 });
    expect(visibleRange(50, { rows: 3, rowHeight: 24, viewport: 400 })).toEqual({ first: 0, stop: 3, shift: 0 });
    expect(maxScroll({ rows: 3, rowHeight: 24, viewport: 400 })).toBe(0);
  });

  it("moves the offset just enough to show a row", () => {
    expect(offsetShowingRow(5, 0, small)).toBe(0);
    expect(offsetShowingRow(20, 0, small)).toBe(21 * 24 - 400);
    expect(offsetShowingRow(2, 240, small)).toBe(48);
  });
});
