// A small SVG line chart of a run's metric curve: one polyline per series, gaps at nulls.
import { clear, h } from "./dom";
import type { CurveData } from "./protocol";

const SVG = "http://www.w3.org/2000/svg";

export const CHART_WIDTH = 360;
export const CHART_HEIGHT = 120;
const PAD = { left: 6, right: 6, top: 6, bottom: 6 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Short text for a metric value: 4 significant digits. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Split a series into runs of finite points, as SVG `points` strings. */
export function segments(
  xs: number[],
  ys: (number | null)[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string[] {
  const out: string[] = [];
  let current: string[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y) || !Number.isFinite(x)) {
      if (current.length) out.push(current.join(" "));
      current = [];
      continue;
    }
    current.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
  }
  if (current.length) out.push(current.join(" "));
  return out;
}

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** The chart: an SVG with one polyline per series, a legend and the y range as text. */
export class Chart {
  readonly el: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly legend: HTMLDivElement;
  private readonly caption: HTMLDivElement;

  constructor() {
    this.svg = svg("svg", {
      class: "hydroml-exp-svg",
      viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`,
      preserveAspectRatio: "none",
      role: "img",
    });
    this.legend = h("div", { className: "hydroml-exp-legend" });
    this.caption = h("div", { className: "hydroml-exp-caption" });
    this.el = h("div", { className: "hydroml-exp-chart" }, [this.legend, this.svg, this.caption]);
    this.el.hidden = true;
  }

  /** Draw `curve`; `marker` (an x value, e.g. the best boosting round) gets a dashed vertical line. */
  render(curve: CurveData | undefined, unit: string, marker: number | null = null): void {
    clear(this.svg);
    clear(this.legend);
    const xs = curve?.x ?? [];
    const series = (curve?.series ?? []).filter((s) => s.values.some((v) => v !== null));
    this.el.hidden = xs.length === 0 || series.length === 0;
    if (this.el.hidden || !curve) {
      this.caption.textContent = "";
      return;
    }
    const ys: number[] = [];
    for (const s of series) for (const v of s.values) if (v !== null && Number.isFinite(v)) ys.push(v);
    const [x0, x1] = range(xs);
    const [y0, y1] = range(ys);
    const w = CHART_WIDTH - PAD.left - PAD.right;
    const hgt = CHART_HEIGHT - PAD.top - PAD.bottom;
    const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0)) * w;
    const sy = (y: number): number => PAD.top + (1 - (y - y0) / (y1 - y0)) * hgt;
    this.svg.appendChild(
      svg("rect", { class: "hydroml-exp-frame", x: "0.5", y: "0.5", width: String(CHART_WIDTH - 1), height: String(CHART_HEIGHT - 1) }),
    );
    if (marker !== null && Number.isFinite(marker) && marker >= x0 && marker <= x1) {
      const x = sx(marker).toFixed(1);
      const line = svg("line", {
        class: "hydroml-exp-marker",
        "data-x": String(marker),
        x1: x,
        x2: x,
        y1: String(PAD.top),
        y2: String(CHART_HEIGHT - PAD.bottom),
        stroke: "currentColor",
        "stroke-dasharray": "3 3",
        "stroke-opacity": "0.6",
        "vector-effect": "non-scaling-stroke",
      });
      const title = svg("title");
      title.textContent = `best ${curve.x_label} ${formatMetric(marker)}`;
      line.appendChild(title);
      this.svg.appendChild(line);
    }
    series.forEach((s, i) => {
      const group = svg("g", { class: `hydroml-exp-series hydroml-exp-series-${i}`, "data-series": s.name });
      const title = svg("title");
      title.textContent = s.name;
      group.appendChild(title);
      for (const points of segments(xs, s.values, sx, sy)) {
        const single = !points.includes(" ");
        if (single) {
          const [cx, cy] = points.split(",");
          group.appendChild(svg("circle", { cx: cx!, cy: cy!, r: "2" }));
        } else {
          group.appendChild(svg("polyline", { points, fill: "none" }));
        }
      }
      this.svg.appendChild(group);
      const last = [...s.values].reverse().find((v) => v !== null) ?? null;
      this.legend.appendChild(
        h("span", { className: `hydroml-exp-key hydroml-exp-series-${i}`, attrs: { "data-series": s.name } }, [
          h("span", { className: "hydroml-exp-swatch" }),
          h("span", { text: `${s.name} ${formatMetric(last)}` }),
        ]),
      );
    });
    const label = unit || curve.x_label;
    const thinned = curve.stride > 1 ? ` · one point every ${curve.stride}` : "";
    this.caption.textContent =
      `${label} ${formatMetric(x0)}–${formatMetric(x1)} · ` +
      `y ${formatMetric(ys.length ? y0 : null)} to ${formatMetric(ys.length ? y1 : null)}${thinned}`;
  }
}
