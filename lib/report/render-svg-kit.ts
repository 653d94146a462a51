// Small helpers shared by the SVG renderers: escaping, rounding, axis ticks, the document frame.
// Plain SVG 1.1 with generic font families: no scripts, no external fonts or stylesheets.

function escapeXml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Coordinates rounded to 0.1 px, so output is stable and small. */
export const px = (x: number): string => String(Math.round(x * 10) / 10);

/** Tick values 0, step, 2·step … covering [0, max] with about `count` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

export function tickLabel(x: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

export type TextOptions = { anchor?: "start" | "middle" | "end"; size?: number; weight?: "bold"; fill?: string; rotate?: number;
  /** A white outline behind the glyphs, so a label stays readable over lines. */
  halo?: boolean;
};

export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const attrs = [`x="${px(x)}"`, `y="${px(y)}"`];
  if (o.anchor && o.anchor !== "start") attrs.push(`text-anchor="${o.anchor}"`);
  if (o.size) attrs.push(`font-size="${o.size}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.fill) attrs.push(`fill="${o.fill}"`);
  if (o.halo) attrs.push(`stroke="#fff" stroke-width="3" paint-order="stroke"`);
  if (o.rotate) attrs.push(`transform="rotate(${o.rotate} ${px(x)} ${px(y)})"`);
  return `<text ${attrs.join(" ")}>${escapeXml(content)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ""): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${stroke}"${extra ? ` ${extra}` : ""}/>`;
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

export const COLORS = {
  axis: "#444",
  grid: "#e3e3e3",
  params: "#1f77b4",
  chunks: "#ff7f0e",
  fault: "#d62728",
  recovery: "#2ca02c",
  bar: "#1f77b4",
  muted: "#777",
} as const;
