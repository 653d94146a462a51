// The Prometheus text exposition format, version 0.0.4: enough of it for counters, gauges and
// histograms with labels. https://prometheus.io/docs/instrumenting/exposition_formats/
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;
export type Sample = { labels: Labels; value: number };
export type HistogramSeries = {
  labels: Labels;
  /** Upper bounds, increasing, without +Inf. */
  buckets: readonly number[];
  /** Observations per bucket, not cumulative: counts[i] fell in (buckets[i-1], buckets[i]]; counts[buckets.length] above the last. */
  counts: readonly number[];
  sum: number;
};
export type MetricFamily =
  | { type: "counter" | "gauge"; name: string; help: string; samples: Sample[] }
  | { type: "histogram"; name: string; help: string; series: HistogramSeries[] };

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** HELP text escapes backslash and line feed (quotes stay as they are). */
export function escapeHelp(help: string): string {
  return help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  for (const [name] of pairs) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`Cannot render label ${JSON.stringify(name)}: not a Prometheus label name`);
  }
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

function histogramLines(name: string, s: HistogramSeries): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  s.buckets.forEach((le, i) => {
    cumulative += s.counts[i] ?? 0;
    lines.push(`${name}_bucket${formatLabels(s.labels, ["le", formatValue(le)])} ${cumulative}`);
  });
  const count = s.counts.reduce((a, b) => a + b, 0);
  lines.push(`${name}_bucket${formatLabels(s.labels, ["le", "+Inf"])} ${count}`);
  lines.push(`${name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
  lines.push(`${name}_count${formatLabels(s.labels)} ${count}`);
  return lines;
}

export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === "histogram") for (const s of f.series) lines.push(...histogramLines(f.name, s));
    else for (const s of f.samples) lines.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
