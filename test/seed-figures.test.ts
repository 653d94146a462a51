// What a user checking TTG against the Python original meets: the same sums (the seed's
// arithmetic exactly), the seed's USE_QUEUE, and the node each worker ran on.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { simulatedValue } from "../lib/compute/simulated.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { startWorkerProcess } from "./helpers/worker-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

function reportsDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-seed-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function demoReport(args: string[], reports: string, env: Record<string, string> = {}): { report: RunReport; md: string } {
  const r = runDemo(["--platform", "local", "--work-ms", "0", "--reports", reports, ...args], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return { report: JSON.parse(readFileSync(r.path, "utf8")) as RunReport, md: readFileSync(r.path.replace(/report\.json$/, "report.md"), "utf8") };
}

test("the seed's placeholder: p%100 = 5 gives .5, as float(f\"0.{p%100}\") does", () => {
  assert.equal(simulatedValue(0), 13);
  assert.equal(simulatedValue(5), 48.5);
  assert.equal(simulatedValue(12), 97.12);
  assert.equal(simulatedValue(150), 63.5);
});

test("a static run of 1,000 params sums to 500035.5, the Python system's figure; report.md names each worker's node", (t) => {
  const { report, md } = demoReport(["--backend", "static", "--params", "1000", "--run-id", uniqueRunId("seed-static")], reportsDir(t));
  assert.equal(report.aggregate.sum, 500035.5);
  assert.equal(report.aggregate.count, 1000);
  assert.equal(report.perWorker.length, 3);
  for (const w of report.perWorker) {
    assert.equal(w.node, hostname(), "a local worker ran on this machine");
    assert.match(md, new RegExp(`^\\| ${w.worker} \\| ${hostname()} \\| `, "m"));
  }
});

for (const backend of ["redis", "rabbitmq"] as const) {
  test(`a ${backend} queue run of 1,000 params agrees: 500035.5`, (t) => {
    const env = { QUEUE_NAMESPACE: testNamespace() };
    const { report } = demoReport(["--backend", backend, "--params", "1000", "--chunk-size", "10", "--run-id", uniqueRunId(`seed-${backend}`)], reportsDir(t), env);
    assert.equal(report.verdict, "pass", report.problems.join("; "));
    assert.equal(report.aggregate.sum, 500035.5);
  });
}

test("USE_QUEUE=true QUEUE_BACKEND=redis (the original's manifests) runs a worker in queue mode", async (t) => {
  const [namespace, runId] = [testNamespace(), uniqueRunId("use-queue")];
  t.after(() => deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]));
  const w = startWorkerProcess({
    USE_QUEUE: "true",
    QUEUE_BACKEND: "redis",
    REDIS_URL: BROKER_URLS.redis,
    QUEUE_NAMESPACE: namespace,
    RUN_ID: runId,
    TOTAL_PARAMETERS: "200",
    CHUNK_SIZE: "20",
    SIMULATE_WORK_MS: "0",
    IDLE_TIMEOUT_SECONDS: "1",
    NODE_NAME: "seed-node-1",
  });
  assert.equal((await w.exitedWithin()).code, 0, [...w.stdout, ...w.stderr].join("\n"));
  const starting = w.events().find((e) => e.event === "STARTING");
  assert.match(starting?.message ?? "", /mode=queue\/redis/);
  assert.equal(starting?.fields.node, "seed-node-1", "the worker's node is in its log context");
  const summary = w.summary() as { mode?: string; chunks: number; node?: string };
  assert.equal(summary.chunks, 10);
  assert.equal(summary.node, "seed-node-1");
});

test("QUEUE_MODE wins over USE_QUEUE: QUEUE_MODE=false USE_QUEUE=true is a static slice", async () => {
  const w = startWorkerProcess({ QUEUE_MODE: "false", USE_QUEUE: "true", TOTAL_WORKERS: "1", TOTAL_PARAMETERS: "50", SIMULATE_WORK_MS: "0" });
  assert.equal((await w.exitedWithin()).code, 0, w.stderr.join("\n"));
  assert.match(w.events().find((e) => e.event === "STARTING")?.message ?? "", /mode=static/);
});
