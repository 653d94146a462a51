// The report's "Best points": the lowest and highest values with their ids and axis values.
import type { BestEntry } from "../results/best-points.ts";
import type { RunReport } from "./report-model.ts";

function pointText(entry: BestEntry): string {
  const axes = Object.entries(entry.point).map(([name, v]) => `${name} = ${v}`);
  return axes.length > 0 ? axes.join(", ") : "—";
}

function bestTable(title: string, entries: readonly BestEntry[]): string[] {
  const rows = entries.map((e, i) => `| ${i + 1} | ${e.id} | ${pointText(e)} | ${e.value} |`);
  return [`### ${title}`, "", "| rank | param | point | value |", "|---:|---:|---|---:|", ...rows, ""];
}

/** The value pictures beside report.md, written when report.json has `values`. */
export const VALUE_PICTURES = { histogram: "values-histogram.svg", map: "values-map.svg" } as const;

function pictures(r: RunReport): string[] {
  if (!r.values) {
    const kept = r.results ? `kept results per ${r.results.granularity === "chunks" ? "chunk" : "parameter"}` : "kept no results file";
    return [`The value pictures (histogram, value against the axes) need every value: run with \`--results params\` (this run ${kept}).`, ""];
  }
  const out = [`![Histogram of the values](${VALUE_PICTURES.histogram})`, ""];
  const axes = r.values.map?.axes.map((a) => a.name);
  if (axes) out.push(`![Mean value against ${axes.join(" and ")}](${VALUE_PICTURES.map})`, "");
  return out;
}

export function bestPointsSection(r: RunReport): string[] {
  if (!r.best || r.best.lowest.length === 0) return [];
  return ["## Best points", "", ...bestTable("Lowest values", r.best.lowest), ...bestTable("Highest values", r.best.highest), ...pictures(r)];
}
