// Scaled scroll mapping. Browsers cap an element's height (~33M px in Chromium), so the
// spacer is at most MAX_SCROLL_PX tall and scrollTop maps linearly onto the content offset
// (rows * rowHeight) such that the top is row 0 and the maximum scroll shows the last row.

export const MAX_SCROLL_PX = 10_000_000;

export interface Geometry {
  rows: number;
  rowHeight: number;
  /** Height of the visible body area in px (without the header). */
  viewport: number;
  /** Spacer cap; MAX_SCROLL_PX unless given. */
  max?: number;
}

export interface VisibleRange {
  /** First row (partly) visible. */
  first: number;
  /** One past the last row (partly) visible. */
  stop: number;
  /** Pixel position of `first` relative to the viewport top (0 or negative). */
  shift: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function contentHeight(g: Geometry): number {
  return Math.max(0, g.rows) * g.rowHeight;
}

export function spacerHeight(g: Geometry): number {
  return Math.min(contentHeight(g), g.max ?? MAX_SCROLL_PX);
}

export function maxOffset(g: Geometry): number {
  return Math.max(0, contentHeight(g) - g.viewport);
}

export function maxScroll(g: Geometry): number {
  return Math.max(0, spacerHeight(g) - g.viewport);
}

export function isScaled(g: Geometry): boolean {
  return contentHeight(g) > spacerHeight(g);
}

/** Content offset (px from the top of row 0) shown at this scrollTop. */
export function offsetForScroll(scrollTop: number, g: Geometry): number {
  const ms = maxScroll(g);
  if (ms <= 0) return 0;
  const top = clamp(scrollTop, 0, ms);
  if (!isScaled(g)) return top;
  return (top / ms) * maxOffset(g);
}

/** scrollTop that shows this content offset. */
export function scrollForOffset(offset: number, g: Geometry): number {
  const mo = maxOffset(g);
  if (mo <= 0) return 0;
  const o = clamp(offset, 0, mo);
  if (!isScaled(g)) return o;
  return (o / mo) * maxScroll(g);
}

export function clampOffset(offset: number, g: Geometry): number {
  return clamp(offset, 0, maxOffset(g));
}

export function visibleRange(offset: number, g: Geometry): VisibleRange {
  if (g.rows <= 0 || g.rowHeight <= 0) return { first: 0, stop: 0, shift: 0 };
  const o = clampOffset(offset, g);
  const first = Math.min(g.rows - 1, Math.floor(o / g.rowHeight));
  const shift = first * g.rowHeight - o;
  const count = Math.ceil((g.viewport - shift) / g.rowHeight);
  return { first, stop: Math.min(g.rows, first + Math.max(1, count)), shift };
}

/** Smallest move of `offset` that shows `row` whole. */
export function offsetShowingRow(row: number, offset: number, g: Geometry): number {
  const top = row * g.rowHeight;
  const bottom = top + g.rowHeight;
  let o = offset;
  if (top < o) o = top;
  else if (bottom > o + g.viewport) o = bottom - g.viewport;
  return clampOffset(o, g);
}
