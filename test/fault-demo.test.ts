// A fault demo that kills no worker says so: a one-chunk run is settled by the first reading that
// sees any of it, before --fault-at's moment, and the screen and the report's timeline say why.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";

test("a fault demo whose run settles before its moment kills nobody and says why on the screen and in the report", { timeout: 120_000 }, (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-fault-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const runId = uniqueRunId("fault-none");
  const args = ["--backend", "redis", "--platform", "local", "--params", "100", "--chunk-size", "100", "--workers", "1", "--work-ms", "0"];
  const r = runDemo([...args, "--fault-demo", "--fault-at", "0.99", "--run-id", runId, "--reports", reports], { env: { QUEUE_NAMESPACE: testNamespace() }, timeoutMs: 100_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const why = "fault demo: no worker was killed: the run settled before 99% of it was seen";
  assert.ok(r.stdout.includes(why), r.stdout);
  const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass", "the run itself is whole");
  assert.deepEqual(report.faults, []);
  assert.ok(report.timeline.some((e) => e.event === "note" && e.detail === why), JSON.stringify(report.timeline));
});
