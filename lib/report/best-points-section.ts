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

export function bestPointsSection(r: RunReport): string[] {
  if (!r.best || r.best.lowest.length === 0) return [];
  return ["## Best points", "", ...bestTable("Lowest values", r.best.lowest), ...bestTable("Highest values", r.best.highest)];
}
