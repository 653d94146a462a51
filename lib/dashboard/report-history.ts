// The report history (reports/<run>/report.json, newest first) and one report rendered, read from
// the files every time: a dashboard started later, or started again, shows the same history.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { scanReports, sortNewestFirst, type IndexedRun } from "../report/report-index.ts";
import { renderReportHtml } from "./render-report-html.ts";
import type { ReportWithFailures } from "./run-detail-model.ts";

export type HistoryRow = Pick<IndexedRun, "runId" | "platform" | "backend" | "workers" | "params" | "chunks" | "wallSeconds" | "paramsPerSecond" | "verdict" | "startedAt"> & {
  folder: string;
  faults: number;
};

export type ReportPage = { folder: string; report: ReportWithFailures; html: string };

/** A report folder is one plain name under the reports folder: nothing else is ever read. */
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The files of a report folder the dashboard serves, and their content types. */
const FILE_TYPES: Record<string, string> = { svg: "image/svg+xml", json: "application/json", md: "text/markdown; charset=utf-8", jsonl: "application/x-ndjson", csv: "text/csv; charset=utf-8" };
const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.(svg|json|md|jsonl|csv)$/;

export async function reportHistory(reportsDir: string): Promise<HistoryRow[]> {
  const { entries } = await scanReports(reportsDir);
  return sortNewestFirst(entries).map(({ folder, run: r }) => ({
    folder,
    runId: r.runId,
    platform: r.platform,
    backend: r.backend,
    workers: r.workers,
    params: r.params,
    chunks: r.chunks,
    wallSeconds: r.wallSeconds,
    paramsPerSecond: r.paramsPerSecond,
    verdict: r.verdict,
    startedAt: r.startedAt,
    faults: r.faults.length,
  }));
}

/** "backend/runId" -> folder, for the run list's links to reports. */
export function reportFolders(rows: readonly HistoryRow[]): Map<string, string> {
  return new Map(rows.map((r) => [`${r.backend}/${r.runId}`, r.folder]));
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** One report: its JSON and report.md as HTML; undefined when there is no such report. */
export async function reportPage(reportsDir: string, folder: string, fileBase: string): Promise<ReportPage | undefined> {
  if (!FOLDER.test(folder)) return undefined;
  const json = await readIfThere(join(reportsDir, folder, "report.json"));
  if (json === undefined) return undefined;
  const report = JSON.parse(json) as ReportWithFailures;
  const md = await readIfThere(join(reportsDir, folder, "report.md"));
  return { folder, report, html: md === undefined ? "<p>This report has no report.md.</p>" : renderReportHtml(md, fileBase) };
}

/** A file of a report folder (pictures, report.json/md, results); undefined when not served or not there. */
export async function reportFile(reportsDir: string, folder: string, name: string): Promise<{ body: Buffer; type: string } | undefined> {
  const ext = FILE.exec(name)?.[1];
  if (!FOLDER.test(folder) || ext === undefined || name.includes("..")) return undefined;
  try {
    return { body: await readFile(join(reportsDir, folder, name)), type: FILE_TYPES[ext] ?? "application/octet-stream" };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
