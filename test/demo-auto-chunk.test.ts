// --chunk-size auto: the demo measures the compute function and chooses the chunk size itself.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

test("--chunk-size auto chooses from the measured evaluation cost and says so in the report", (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-auto-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const namespace = testNamespace();
  const runId = uniqueRunId("auto");
  t.after(() => deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]));
  const args = ["--backend", "redis", "--platform", "local", "--params", "6000", "--work-ms", "0.5", "--chunk-size", "auto", "--reports", reports, "--run-id", runId];
  const r = runDemo(args, { env: { QUEUE_NAMESPACE: namespace }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /--chunk-size auto: one evaluation takes [\d.]+ ms \([\d,]+ sampled\): chunk size [\d,]+/);
  const report = JSON.parse(readFileSync(join(reports, runId, "report.json"), "utf8")) as RunReport;
  const choice = report.config.chunkSizeChoice;
  assert.ok(choice, "the report records the choice");
  assert.equal(report.config.chunkSize, choice.chunkSize);
  assert.ok(choice.evalCostMs >= 0.4 && choice.evalCostMs < 5, `measured ${choice.evalCostMs} ms for a 0.5 ms evaluation`);
  // 6,000 params on 3 workers: at least 4 chunks each caps the size at 500.
  assert.ok(choice.chunkSize <= 500);
  assert.equal(report.verdict, "pass");
});
