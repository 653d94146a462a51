// Writes reports/<run-id>/report.json and report.md; returns the report's directory.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunReport } from "./report-model.ts";
import { renderReportMarkdown } from "./render-markdown.ts";

export function reportDir(reportsRoot: string, runId: string): string {
  return join(reportsRoot, runId);
}

export async function writeReport(reportsRoot: string, report: RunReport): Promise<{ dir: string; json: string; md: string }> {
  const dir = reportDir(reportsRoot, report.runId);
  await mkdir(dir, { recursive: true });
  const json = join(dir, "report.json");
  const md = join(dir, "report.md");
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(md, renderReportMarkdown(report));
  return { dir, json, md };
}
