// Runs are isolated within one namespace: five demos at once on the same Redis and RabbitMQ, with
// the default settings (namespace `ttg`, no QUEUE_NAMESPACE), each with its own run id. Every one
// must pass on its own numbers, as if it had the brokers to itself.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { startDemo, uniqueRunId, type DemoProcess } from "./helpers/demo-process.ts";
import { BROKER_URLS } from "./helpers/queue-run.ts";
import { removeRunObjects, runObjectsLeft, type RunRef } from "./helpers/run-objects.ts";

type Planned = { backend: "redis" | "rabbitmq"; params: number; chunkSize: number; fault?: boolean };

const DEFAULT_NAMESPACE = "ttg";

const RUNS: Planned[] = [
  { backend: "redis", params: 600, chunkSize: 10 },
  { backend: "redis", params: 900, chunkSize: 20, fault: true },
  { backend: "redis", params: 1200, chunkSize: 30 },
  { backend: "rabbitmq", params: 900, chunkSize: 15 },
  { backend: "rabbitmq", params: 1200, chunkSize: 25 },
];

/** What a static run of the same size yields: the same function the static workers evaluate, in one process. */
function singleProcessAggregate(params: number) {
  const direct = new AggregateBuilder();
  for (let p = 0; p < params; p++) direct.add(simulatedValue(p));
  const { count, sum, min, max } = direct.build();
  return { count, sum, min, max };
}

test("five runs at once in the default namespace (three on Redis, two on RabbitMQ, one with a fault) each pass with their own exact aggregate", { timeout: 170_000 }, async (t) => {
  const started: { plan: Planned; runId: string; reports: string; demo: DemoProcess; objects: RunRef }[] = [];
  for (const plan of RUNS) {
    const runId = uniqueRunId(`five-${plan.backend}-${plan.params}`);
    const objects = { backend: plan.backend, url: BROKER_URLS[plan.backend], namespace: DEFAULT_NAMESPACE, runId };
    // Only this run's objects, should the demo fail before its own cleanup: never the namespace.
    t.after(() => removeRunObjects(objects));
    const reports = mkdtempSync(join(tmpdir(), "ttg-five-"));
    t.after(() => rmSync(reports, { recursive: true, force: true }));
    const args = [
      ...["--backend", plan.backend, "--platform", "local", "--run-id", runId, "--reports", reports],
      ...["--params", String(plan.params), "--chunk-size", String(plan.chunkSize), "--work-ms", "1", "--workers", "2"],
      ...(plan.fault ? ["--fault-demo"] : []),
    ];
    // The default namespace is the point: QUEUE_NAMESPACE is removed even if the caller set it.
    const demo = startDemo(args, { env: { QUEUE_NAMESPACE: undefined } });
    t.after(() => demo.kill());
    started.push({ plan, runId, reports, demo, objects });
  }
  const results = await Promise.all(started.map((s) => s.demo.finished(150_000)));

  for (const [i, { plan, runId, reports, objects }] of started.entries()) {
    const r = results[i]!;
    const what = `${runId} (${plan.backend}, ${plan.params} params)`;
    assert.equal(r.code, 0, `${what} exits 0\n${r.stderr}\n${r.stdout.slice(-3000)}`);
    assert.equal(r.path, join(reports, runId, "report.json"), `${what}: the last line is its report`);
    const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
    assert.equal(report.runId, runId);
    assert.equal(report.backend, plan.backend);
    assert.equal(report.verdict, "pass", `${what}: ${report.problems.join("; ")}`);
    const expected = Math.ceil(plan.params / plan.chunkSize);
    assert.equal(report.chunks.expected, expected, what);
    assert.equal(report.chunks.accepted, expected, what);
    assert.equal(report.chunks.duplicatesDiscarded, 0, what);
    assert.equal(report.chunks.deadLettered, 0, what);
    assert.deepEqual(report.params, { total: plan.params, covered: plan.params, failed: 0 }, what);
    assert.deepEqual(report.aggregate, singleProcessAggregate(plan.params), `${what}: the aggregate of a single-process run`);
    assert.deepEqual(await runObjectsLeft(objects), [], `${what} removed its own objects when it finished`);
    if (plan.fault) assert.equal(report.faults.length, 1, `${what}: a worker was killed\n${r.stdout}`);
  }
});
