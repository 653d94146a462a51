// reports/index.md is rebuilt from the report.json files alone: deleting it and running once
// more brings back every earlier run. writeReport also writes the pictures beside report.md.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { INDEX_FILE, rebuildReportIndex, renderReportIndex } from "../lib/report/report-index.ts";
import { writeReport } from "../lib/report/write-report.ts";

const fixtures = join(import.meta.dirname, "fixtures", "reports");
const golden = join(import.meta.dirname, "golden", "index.md");

const fixtureReports = (): RunReport[] =>
  readdirSync(fixtures)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(fixtures, f), "utf8")) as RunReport);

/** A reports folder holding every fixture as an earlier run, plus folders the index must not trust. */
function reportsFolder(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "ttg-index-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const r of fixtureReports()) {
    mkdirSync(join(root, r.runId));
    writeFileSync(join(root, r.runId, "report.json"), JSON.stringify(r, null, 2));
  }
  mkdirSync(join(root, "broken-json"));
  writeFileSync(join(root, "broken-json", "report.json"), '{"runId": "half-writ');
  mkdirSync(join(root, "not-a-report"));
  writeFileSync(join(root, "not-a-report", "report.json"), JSON.stringify({ runId: "x", verdict: "pass" }));
  mkdirSync(join(root, "logs-only"));
  writeFileSync(join(root, "logs-only", "worker-0.log"), "");
  return root;
}

const runRows = (index: string) => index.split("\n").filter((l) => /^\| \d{4}-/.test(l));

void test("index.md from the fixture reports matches its golden file", async (t) => {
  const root = reportsFolder(t);
  const index = readFileSync(await rebuildReportIndex(root), "utf8");
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, index);
  assert.equal(index, readFileSync(golden, "utf8"), `${golden} differs: if intended, rerun with UPDATE_GOLDEN=1`);
});

void test("deleting index.md and writing one more report rebuilds it with every earlier run, newest first", async (t) => {
  const root = reportsFolder(t);
  await rebuildReportIndex(root);
  rmSync(join(root, INDEX_FILE));
  const [first] = fixtureReports();
  assert.ok(first);
  const next: RunReport = { ...first, runId: "static-20261124-120000-next", startedAt: "2026-11-24T12:00:00.000Z", finishedAt: "2026-11-24T12:00:04.436Z" };
  const written = await writeReport(root, next);

  assert.equal(written.index, join(root, INDEX_FILE));
  const index = readFileSync(written.index, "utf8");
  const rows = runRows(index);
  const earlier = fixtureReports();
  assert.equal(rows.length, earlier.length + 1, index);
  assert.match(rows[0] ?? "", /static-20261124-120000-next/, "the newest run comes first");
  const expectedOrder = [next, ...earlier].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).map((r) => r.runId);
  assert.deepEqual(rows.map((row) => expectedOrder.find((id) => row.includes(`[${id}]`))), expectedOrder);
  assert.match(index, /`broken-json`: report\.json is not valid JSON/);
  assert.match(index, /`not-a-report`: report\.json missing or invalid/);
  assert.doesNotMatch(index, /logs-only/, "a folder without report.json is not a run");

  for (const path of [written.json, written.md, written.pictures.progress, written.pictures.workers]) assert.ok(existsSync(path), path);
  const md = readFileSync(written.md, "utf8");
  assert.match(md, /\]\(progress\.svg\)/);
  assert.match(md, /\]\(workers\.svg\)/);
  assert.deepEqual(JSON.parse(readFileSync(written.json, "utf8")), next, "report.json holds the report unchanged");
});

void test("the index counts lost chunks as chunks without an accepted result, dead letters included", () => {
  const fail = fixtureReports().find((r) => r.verdict === "fail");
  assert.ok(fail);
  const [row] = runRows(renderReportIndex([{ folder: fail.runId, run: fail }]));
  const cells = (row ?? "").split(" | ");
  assert.equal(cells[6], `${fail.chunks.accepted} / ${fail.chunks.expected}`);
  assert.equal(cells[10], `${fail.chunks.expected - fail.chunks.accepted} (${fail.chunks.deadLettered} dead-lettered)`);
  assert.equal(cells[12], "**FAIL** |");
});

void test("an empty or missing reports folder gives an index with no runs", async (t) => {
  const root = join(mkdtempSync(join(tmpdir(), "ttg-index-")), "reports");
  t.after(() => rmSync(join(root, ".."), { recursive: true, force: true }));
  mkdirSync(root);
  const index = readFileSync(await rebuildReportIndex(root), "utf8");
  assert.match(index, /0 runs, 0 passed, 0 failed/);
  assert.equal(runRows(index).length, 0);
});
