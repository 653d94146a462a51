// reports/index.md: the "all verified runs" table, rebuilt from the report.json files alone.
// Nothing else is consulted, so deleting index.md and rebuilding loses nothing.
import { randomUUID } from "node:crypto";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunReport } from "./report-model.ts";

export const INDEX_FILE = "index.md";

/** What a row needs from report.json; a file without these fields is skipped, not guessed at. */
export type IndexedRun = Pick<
  RunReport,
  "runId" | "platform" | "backend" | "workers" | "params" | "chunks" | "faults" | "wallSeconds" | "paramsPerSecond" | "verdict" | "startedAt"
>;
export type IndexEntry = { folder: string; run: IndexedRun };
export type SkippedReport = { folder: string; reason: string };

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks the fields the index shows; returns the reason a report cannot be indexed, or undefined. */
function indexProblem(value: unknown): string | undefined {
  if (!isObj(value)) return "not a JSON object";
  const missing: string[] = [];
  for (const key of ["runId", "platform", "backend", "startedAt", "verdict"]) if (typeof value[key] !== "string") missing.push(key);
  for (const key of ["workers", "wallSeconds", "paramsPerSecond"]) if (!isNum(value[key])) missing.push(key);
  const params = value.params;
  if (!isObj(params) || !isNum(params.total) || !isNum(params.covered)) missing.push("params");
  const chunks = value.chunks;
  if (!isObj(chunks) || !["expected", "accepted", "duplicatesDiscarded", "deadLettered"].every((k) => isNum(chunks[k]))) {
    missing.push("chunks");
  }
  if (!Array.isArray(value.faults)) missing.push("faults");
  if (missing.length) return `missing or invalid ${missing.join(", ")}`;
  if (Number.isNaN(Date.parse(value.startedAt as string))) return "startedAt is not a date";
  return undefined;
}

const n = (x: number) => x.toLocaleString("en-US");
const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

/** Chunks without an accepted result (dead-lettered ones included). */
const lostChunks = (run: IndexedRun) => Math.max(0, run.chunks.expected - run.chunks.accepted);

function row(e: IndexEntry): string {
  const r = e.run;
  const lost = lostChunks(r);
  const cells = [
    r.startedAt.slice(0, 19).replace("T", " "),
    `[${cell(r.runId)}](${encodeURI(e.folder)}/report.md)`,
    r.platform,
    r.backend,
    n(r.workers),
    `${n(r.params.covered)} / ${n(r.params.total)}`,
    `${n(r.chunks.accepted)} / ${n(r.chunks.expected)}`,
    r.wallSeconds.toFixed(2),
    n(r.paramsPerSecond),
    n(r.faults.length),
    r.chunks.deadLettered ? `${n(lost)} (${n(r.chunks.deadLettered)} dead-lettered)` : n(lost),
    n(r.chunks.duplicatesDiscarded),
    r.verdict === "pass" ? "PASS" : "**FAIL**",
  ];
  return `| ${cells.map((c) => cell(c)).join(" | ")} |`;
}

/** Newest first by start time; ties by run id, so the order never depends on the file system. */
export function sortNewestFirst(entries: IndexEntry[]): IndexEntry[] {
  return [...entries].sort(
    (a, b) => Date.parse(b.run.startedAt) - Date.parse(a.run.startedAt) || a.run.runId.localeCompare(b.run.runId),
  );
}

export function renderReportIndex(entries: IndexEntry[], skipped: SkippedReport[] = []): string {
  const sorted = sortNewestFirst(entries);
  const passed = sorted.filter((e) => e.run.verdict === "pass").length;
  const out = [
    "# TTG runs",
    "",
    `All runs with a readable report.json, newest first: ${n(sorted.length)} run${sorted.length === 1 ? "" : "s"}, ` +
      `${n(passed)} passed, ${n(sorted.length - passed)} failed. Rebuilt after every run from the report.json files alone.`,
    "",
    "| started (UTC) | run | platform | backend | workers | params covered | chunks accepted | wall (s) | params/s | faults | lost chunks | duplicates | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...sorted.map(row),
    "",
    "- **lost chunks**: chunks without an accepted result (expected − accepted), dead-lettered ones included.",
    "- **duplicates**: second copies of a chunk's result that were discarded; they never change the aggregate.",
    "- **params/s**: covered parameters over the run's wall time.",
    "",
  ];
  if (skipped.length) {
    out.push("## Skipped", "", "These folders hold a report.json that could not be read; they are not in the table.", "");
    for (const s of [...skipped].sort((a, b) => a.folder.localeCompare(b.folder))) out.push(`- \`${s.folder}\`: ${cell(s.reason)}`);
    out.push("");
  }
  return out.join("\n");
}

/** Reads every reports/<folder>/report.json; folders without one are not runs and are ignored. */
export async function scanReports(reportsRoot: string): Promise<{ entries: IndexEntry[]; skipped: SkippedReport[] }> {
  const entries: IndexEntry[] = [];
  const skipped: SkippedReport[] = [];
  const dirents = await readdir(reportsRoot, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw new Error(`Cannot list the reports folder ${reportsRoot}: ${error.message}`, { cause: error });
  });
  for (const d of dirents) {
    if (!d.isDirectory()) continue;
    let text: string;
    try {
      text = await readFile(join(reportsRoot, d.name, "report.json"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      skipped.push({ folder: d.name, reason: `cannot read report.json: ${(error as Error).message}` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      skipped.push({ folder: d.name, reason: "report.json is not valid JSON" });
      continue;
    }
    const problem = indexProblem(value);
    if (problem) skipped.push({ folder: d.name, reason: `report.json ${problem}` });
    else entries.push({ folder: d.name, run: value as IndexedRun });
  }
  return { entries, skipped };
}

/** Rebuilds reportsRoot/index.md from the report.json files; returns its path. Written atomically. */
export async function rebuildReportIndex(reportsRoot: string): Promise<string> {
  const { entries, skipped } = await scanReports(reportsRoot);
  const path = join(reportsRoot, INDEX_FILE);
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, renderReportIndex(entries, skipped));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new Error(`Cannot write the report index ${path}: ${(error as Error).message}`, { cause: error });
  }
  return path;
}
