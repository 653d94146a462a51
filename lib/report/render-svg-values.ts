// The value pictures of a report, pure renderings of report.json's `values`: a histogram of the
// values, and the mean value against one grid axis (a line) or two (a heatmap).
import type { ValueMap, ValueSummary } from "../results/value-summary.ts";
import { COLORS, line, niceTicks, px, svgDocument, text, tickLabel } from "./render-svg-kit.ts";

const W = 720;
const H = 360;
const M = { left: 70, right: 20, top: 40, bottom: 50 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;

const short = (v: number | string) => (typeof v === "number" ? Number(v.toPrecision(4)).toString() : v);

export function renderHistogramSvg(values: ValueSummary): string {
  const { min, max, counts } = values.histogram;
  const top = Math.max(1, ...counts);
  const ticks = niceTicks(top);
  const yMax = ticks.at(-1) ?? top;
  const barW = plotW / counts.length;
  const body = [text(W / 2, 24, `Values: ${counts.reduce((a, b) => a + b, 0).toLocaleString("en-US")} parameters in ${counts.length} bins`, { anchor: "middle", size: 14, weight: "bold" })];
  for (const t of ticks) {
    const y = M.top + plotH - (t / yMax) * plotH;
    body.push(line(M.left, y, M.left + plotW, y, COLORS.grid), text(M.left - 6, y + 4, tickLabel(t), { anchor: "end" }));
  }
  counts.forEach((c, i) => {
    const h = (c / yMax) * plotH;
    body.push(`<rect x="${px(M.left + i * barW + 0.5)}" y="${px(M.top + plotH - h)}" width="${px(Math.max(0.5, barW - 1))}" height="${px(h)}" fill="${COLORS.bar}"/>`);
  });
  body.push(
    line(M.left, M.top + plotH, M.left + plotW, M.top + plotH, COLORS.axis),
    text(M.left, H - 28, short(min), { anchor: "middle" }),
    text(M.left + plotW, H - 28, short(max), { anchor: "middle" }),
    text(M.left + plotW / 2, H - 10, "value", { anchor: "middle", fill: COLORS.muted }),
    text(16, M.top + plotH / 2, "parameters", { anchor: "middle", rotate: -90, fill: COLORS.muted }),
  );
  return svgDocument(W, H, "Histogram of values", body);
}

/** A line for a one-axis grid, a heatmap for two; undefined when the sweep is not such a grid. */
export function renderValueMapSvg(values: ValueSummary): string | undefined {
  const map = values.map;
  if (!map) return undefined;
  return map.axes.length === 1 ? valueLine(map) : heatmap(map);
}

function present(means: (number | null)[]): number[] {
  return means.filter((m): m is number => m !== null);
}

function valueLine(map: ValueMap): string {
  const axis = map.axes[0]!;
  const means = present(map.means);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const x = (i: number) => M.left + (axis.cells === 1 ? plotW / 2 : (i / (axis.cells - 1)) * plotW);
  const y = (v: number) => M.top + plotH - (hi > lo ? ((v - lo) / (hi - lo)) * plotH : plotH / 2);
  const points = map.means.map((m, i) => (m === null ? "" : `${px(x(i))},${px(y(m))}`)).filter(Boolean).join(" ");
  const body = [
    text(W / 2, 24, `Mean value against ${axis.name}`, { anchor: "middle", size: 14, weight: "bold" }),
    line(M.left, M.top + plotH, M.left + plotW, M.top + plotH, COLORS.axis),
    line(M.left, M.top, M.left, M.top + plotH, COLORS.axis),
    `<polyline points="${points}" fill="none" stroke="${COLORS.params}" stroke-width="2"/>`,
    text(M.left - 6, M.top + 4, short(hi), { anchor: "end" }),
    text(M.left - 6, M.top + plotH + 4, short(lo), { anchor: "end" }),
    text(M.left, H - 28, short(axis.first), { anchor: "middle" }),
    text(M.left + plotW, H - 28, short(axis.last), { anchor: "middle" }),
    text(M.left + plotW / 2, H - 10, `${axis.name} (${axis.values.toLocaleString("en-US")} values)`, { anchor: "middle", fill: COLORS.muted }),
  ];
  return svgDocument(W, H, `Mean value against ${axis.name}`, body);
}

/** From dark blue (low) through teal and green to yellow (high). */
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]] as const;

function colour(t: number): string {
  const s = Math.min(0.999999, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.floor(s);
  const f = s - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${c.join(",")})`;
}

function heatmap(map: ValueMap): string {
  const [rows, cols] = [map.axes[0]!, map.axes[1]!];
  const means = present(map.means);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const mapW = plotW - 90;
  const cw = mapW / cols.cells;
  const ch = plotH / rows.cells;
  const title = `Mean value over ${rows.name} × ${cols.name}`;
  const body = [text(W / 2, 24, title, { anchor: "middle", size: 14, weight: "bold" })];
  map.means.forEach((m, i) => {
    if (m === null) return;
    const r = Math.floor(i / cols.cells);
    const c = i % cols.cells;
    // The first value of the row axis at the bottom, as on a plot.
    const y = M.top + plotH - (r + 1) * ch;
    body.push(`<rect x="${px(M.left + c * cw)}" y="${px(y)}" width="${px(cw + 0.3)}" height="${px(ch + 0.3)}" fill="${colour(hi > lo ? (m - lo) / (hi - lo) : 0.5)}"/>`);
  });
  const legendX = M.left + mapW + 30;
  for (let k = 0; k < 20; k++) {
    body.push(`<rect x="${legendX}" y="${px(M.top + plotH - ((k + 1) * plotH) / 20)}" width="16" height="${px(plotH / 20 + 0.3)}" fill="${colour(k / 19)}"/>`);
  }
  body.push(
    text(legendX + 20, M.top + 8, short(hi)),
    text(legendX + 20, M.top + plotH, short(lo)),
    text(M.left, H - 28, short(cols.first), { anchor: "middle" }),
    text(M.left + mapW, H - 28, short(cols.last), { anchor: "middle" }),
    text(M.left + mapW / 2, H - 10, `${cols.name} (${cols.values.toLocaleString("en-US")} values)`, { anchor: "middle", fill: COLORS.muted }),
    text(M.left - 6, M.top + plotH, short(rows.first), { anchor: "end" }),
    text(M.left - 6, M.top + 8, short(rows.last), { anchor: "end" }),
    text(16, M.top + plotH / 2, `${rows.name} (${rows.values.toLocaleString("en-US")} values)`, { anchor: "middle", rotate: -90, fill: COLORS.muted }),
  );
  return svgDocument(W, H, title, body);
}
