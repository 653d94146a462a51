// The results next to each report: every parameter exactly once, in order, summing to the aggregate.
import assert from "node:assert/strict";
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test, type TestContext } from "node:test";
import { ExactSum } from "../lib/compute/exact-sum.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

/** Runs the demo locally in a namespace of the test's own, removed afterwards with the run's data. */
function demoIn(t: TestContext, runIds: string[]) {
  const namespace = testNamespace();
  t.after(() => deleteNamespace("redis", BROKER_URLS.redis, namespace, runIds));
  return (args: string[]) => runDemo(["--platform", "local", ...args], { env: { QUEUE_NAMESPACE: namespace } });
}

async function checkParamsFile(file: string, total: number, report: RunReport) {
  const sum = new ExactSum();
  let next = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const r = JSON.parse(line) as { param: number; value: number; chunk: number; worker: string };
    assert.equal(r.param, next, "each parameter once, in order");
    next++;
    sum.add(r.value);
  }
  assert.equal(next, total);
  assert.equal(sum.value(), report.aggregate.sum, "the values sum to the report's aggregate");
}

for (const backend of ["redis", "static"] as const) {
  test(`${backend}: a 100,000-parameter --fault-demo run writes 100,000 records that sum to the aggregate`, async (t) => {
    const reports = mkdtempSync(join(tmpdir(), "ttg-results-"));
    t.after(() => rmSync(reports, { recursive: true, force: true }));
    const runId = uniqueRunId(`res-${backend}`);
    const demo = demoIn(t, [runId]);
    const r = demo(["--backend", backend, "--params", "100000", "--chunk-size", "1000", "--work-ms", "0.03", "--fault-demo", "--reports", reports, "--run-id", runId]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
    assert.equal(report.verdict, "pass");
    assert.equal(report.faults.length, 1, r.stdout);
    assert.deepEqual(report.results, { file: "results.jsonl", granularity: "params", format: "jsonl", chunks: report.chunks.expected });
    await checkParamsFile(join(reports, runId, "results.jsonl"), 100_000, report);
  });
}

test("CSV on request, per-chunk records, and a rerun of a run id never mixes in the earlier run", (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-results-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const again = uniqueRunId("again");
  const demo = demoIn(t, [again]);
  const first = demo(["--backend", "redis", "--params", "500", "--chunk-size", "50", "--work-ms", "0", "--reports", reports, "--run-id", again, "--results-format", "csv", "--skip-cleanup"]);
  assert.equal(first.code, 0, first.stderr);
  const csv = readFileSync(join(reports, again, "results.csv"), "utf8").trimEnd().split("\n");
  assert.equal(csv[0], "param,value,chunk,worker,cause,error");
  assert.equal(csv.length, 501);
  assert.match(csv[1] ?? "", /^0,13,0,\d,,$/);
  // The same plan again (a run id names one plan: another one is refused, test/run-plan.test.ts), other results.
  const second = demo(["--backend", "redis", "--params", "500", "--chunk-size", "50", "--work-ms", "0", "--reports", reports, "--run-id", again, "--results", "chunks"]);
  assert.equal(second.code, 0, second.stderr + second.stdout);
  const report = JSON.parse(readFileSync(second.path, "utf8")) as RunReport;
  assert.deepEqual(report.params, { total: 500, covered: 500, failed: 0 });
  const lines = readFileSync(join(reports, again, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 10);
  assert.deepEqual(lines.map((l) => l.chunk), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(lines.reduce((n, l) => n + l.count, 0), 500);
  assert.throws(() => readFileSync(join(reports, again, "results.csv")), /ENOENT/, "the earlier run's file is gone");
});
