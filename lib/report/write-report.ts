// Writes reports/<run-id>/report.json (the source of truth), then its renderings beside it —
// report.md, progress.svg, workers.svg — and rebuilds reports/index.md from every report.json.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunReport } from "./report-model.ts";
import { REPORT_PICTURES, renderReportMarkdown } from "./render-markdown.ts";
import { renderHistogramSvg, renderValueMapSvg } from "./render-svg-values.ts";
import { VALUE_PICTURES } from "./best-points-section.ts";
import { renderProgressSvg } from "./render-svg-progress.ts";
import { renderWorkersSvg } from "./render-svg-workers.ts";
import { rebuildReportIndex } from "./report-index.ts";

export type WrittenReport = {
  dir: string;
  json: string;
  md: string;
  /** progress.svg and workers.svg beside report.md. */
  pictures: { progress: string; workers: string };
  /** reportsRoot/index.md, rebuilt with this run in it. */
  index: string;
};

export function reportDir(reportsRoot: string, runId: string): string {
  return join(reportsRoot, runId);
}

export async function writeReport(reportsRoot: string, report: RunReport): Promise<WrittenReport> {
  const dir = reportDir(reportsRoot, report.runId);
  await mkdir(dir, { recursive: true });
  const json = join(dir, "report.json");
  const md = join(dir, "report.md");
  const pictures = { progress: join(dir, REPORT_PICTURES.progress), workers: join(dir, REPORT_PICTURES.workers) };
  // report.json first: if a rendering fails, the source of truth is already on disk.
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(pictures.progress, renderProgressSvg(report));
  await writeFile(pictures.workers, renderWorkersSvg(report));
  if (report.values) {
    await writeFile(join(dir, VALUE_PICTURES.histogram), renderHistogramSvg(report.values));
    const map = renderValueMapSvg(report.values);
    if (map) await writeFile(join(dir, VALUE_PICTURES.map), map);
  }
  await writeFile(md, renderReportMarkdown(report));
  const index = await rebuildReportIndex(reportsRoot);
  return { dir, json, md, pictures, index };
}
