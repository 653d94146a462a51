// demo.ts --retry-failed RUN_ID (docs/operations.md "Interrupted runs"): a redis run whose compute throws on parameter 33
// ends FAIL; a retry while the function still kills its process on 33 records the crash (the
// coordinator survives it) with every attempt counted; a retry after the function is fixed (the
// fixture's switch flipped) rewrites report.json and results.jsonl: PASS, exit 0, every parameter
// once with its value, summing to a static run's aggregate.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ExactSum } from "../lib/compute/exact-sum.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { runDemo, startDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

const PARAMS = 60;
const BAD = 33;
const COMPUTE = "test/fixtures/faulty-compute.ts";
const SWITCHES_OFF = { THROW_ON: undefined, KILL_ON: undefined, HANG_ON: undefined };

type ResultLine = { param: number; value?: number; cause?: string; attempts?: number; worker: string };

const readReport = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RunReport;
const readResults = (reports: string, runId: string) =>
  readFileSync(join(reports, runId, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as ResultLine);

test("--retry-failed evaluates only the failed parameter again and rewrites the report and the results", async (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-retry-failed-"));
  const namespace = testNamespace();
  const runId = uniqueRunId("retry");
  t.after(async () => {
    rmSync(reports, { recursive: true, force: true });
    await deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]).catch(() => undefined);
  });
  const demo = startDemo(
    ["--backend", "redis", "--platform", "local", "--params", String(PARAMS), "--chunk-size", "10", "--workers", "2", "--work-ms", "0",
      "--compute", COMPUTE, "--run-id", runId, "--reports", reports, "--yes"],
    { env: { QUEUE_NAMESPACE: namespace, REDIS_URL: BROKER_URLS.redis, THROW_ON: String(BAD), PARAM_RETRIES: "1" } },
  );
  t.after(() => demo.kill());
  const first = await demo.finished(90_000);
  assert.equal(first.code, EXIT_CODES.failed, `${first.stdout}\n${first.stderr}`);
  assert.deepEqual(readReport(first.path).failedParams.map((f) => [f.param, f.attempts]), [[BAD, 2]]);

  const dry = runDemo(["--retry-failed", runId, "--reports", reports, "--dry-run"], { env: SWITCHES_OFF, timeoutMs: 60_000 });
  assert.equal(dry.code, EXIT_CODES.ok, dry.stderr);
  assert.match(dry.stdout, /dry run: would evaluate 1 failed parameter\(s\)/);
  assert.equal(readReport(first.path).verdict, "fail", "a dry run changes nothing");

  const stillBroken = runDemo(["--retry-failed", runId, "--reports", reports], { env: { ...SWITCHES_OFF, KILL_ON: String(BAD) }, timeoutMs: 60_000 });
  assert.equal(stillBroken.code, EXIT_CODES.failed, `${stillBroken.stdout}\n${stillBroken.stderr}`);
  const crashed = readReport(stillBroken.path);
  assert.equal(crashed.failedParams.length, 1);
  assert.equal(crashed.failedParams[0]!.cause, "crash");
  assert.equal(crashed.failedParams[0]!.attempts, 3, "the earlier attempts are counted");
  assert.equal(crashed.verdict, "fail");
  assert.equal(readResults(reports, runId)[BAD]!.cause, "crash");

  const fixed = runDemo(["--retry-failed", runId, "--reports", reports], { env: SWITCHES_OFF, timeoutMs: 60_000 });
  assert.equal(fixed.code, EXIT_CODES.ok, `${fixed.stdout}\n${fixed.stderr}`);
  assert.match(fixed.stdout, /Summary \(PASS\)/);
  const report = readReport(fixed.path);
  assert.equal(report.verdict, "pass", JSON.stringify(report.problems));
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.params, { total: PARAMS, covered: PARAMS, failed: 0 });
  assert.deepEqual(report.failedParams, []);
  assert.equal(report.timeline.filter((e) => e.event === "retried").length, 2);
  assert.match(readFileSync(join(reports, runId, "report.md"), "utf8"), /failed parameters retried/);

  const lines = readResults(reports, runId);
  assert.deepEqual(lines.map((l) => l.param), Array.from({ length: PARAMS }, (_, i) => i), "every parameter once, in order");
  assert.ok(lines.every((l) => l.value === l.param), "every parameter has its value");
  assert.equal(lines[BAD]!.worker, "retry-failed");
  const sum = new ExactSum();
  for (const l of lines) sum.add(l.value!);

  const staticRun = runDemo(["--backend", "static", "--platform", "local", "--params", String(PARAMS), "--workers", "2", "--work-ms", "0",
    "--compute", COMPUTE, "--run-id", uniqueRunId("retry-static"), "--reports", reports, "--yes", "--results", "none"], { env: SWITCHES_OFF, timeoutMs: 60_000 });
  assert.equal(staticRun.code, EXIT_CODES.ok, `${staticRun.stdout}\n${staticRun.stderr}`);
  const expected = readReport(staticRun.path).aggregate;
  assert.equal(sum.value(), expected.sum, "the results file sums to the static run's aggregate");
  assert.deepEqual(report.aggregate, expected);
});
