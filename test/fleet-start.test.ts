// A run's workers start in the background: the coordinator follows the run meanwhile, and a run
// that is over before every worker's turn starts no more of them. Real demo, real processes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";

test("a run over before every worker's turn starts no more of them, and says how many it left out", (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-reports-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const runId = uniqueRunId("fleet-start");
  // 4 chunks of 50 ms: done by the first few workers long before 24 have had their turn to start.
  const r = runDemo(["--platform", "local", "--backend", "redis", "--workers", "24", "--params", "40", "--chunk-size", "10", "--work-ms", "5", "--reports", reports, "--run-id", runId], {
    env: { QUEUE_NAMESPACE: testNamespace() },
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass");
  assert.equal(report.workers, 24, "the run asked for 24");
  const note = report.timeline.map((e) => e.detail).find((d) => / of 24 workers were not started: the run settled before their turn$/.test(d));
  assert.ok(note, `a timeline note says how many were left out: ${JSON.stringify(report.timeline)}`);
  const notStarted = Number(note.split(" ")[0]);
  assert.ok(notStarted >= 1 && notStarted <= 23, note);
  assert.equal(report.perWorker.length, 24 - notStarted, "only the workers started have a row");
  assert.match(r.stdout, new RegExp(`Workers +${24 - notStarted} of 24 started, `));
});
