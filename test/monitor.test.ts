// monitor.ts against a real run on Redis, and its pure parts.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "node:test";
import { deriveView, paramsForChunks } from "../lib/monitor/monitor-view.ts";
import { renderMonitor } from "../lib/monitor/render-monitor.ts";
import { startDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, createQueueRun, deleteNamespace } from "./helpers/queue-run.ts";

const MONITOR = ["--import", "tsx", "runbook/monitor.ts"];

/** runbook/monitor.ts once, with a deadline. */
function monitor(args: string[], env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, [...MONITOR, ...args], { env, encoding: "utf8", timeout: 30_000 });
}

/** The same without blocking the event loop, so a demo beside it is seen to end; undefined when it fails. */
async function monitorBeside(args: string[], env: Record<string, string | undefined>): Promise<string | undefined> {
  const r = await promisify(execFile)(process.execPath, [...MONITOR, ...args], { env, encoding: "utf8", timeout: 30_000 }).catch(() => undefined);
  return r?.stdout;
}

const stats = { accepted: 40, duplicates: 1, deadLettered: 0, pending: 55, inFlight: { "0": 1, "2": 1 }, extra: { streamLength: 57 } };

test("params done are right for any chunk size (the seed assumed 100)", () => {
  assert.equal(paramsForChunks(60, 100, 10, 1000), 600);
  assert.equal(paramsForChunks(100, 100, 10, 995), 995);
  assert.equal(paramsForChunks(3, 4, 3, 10), 9);
});

test("throughput comes from the change between readings and gives an ETA", () => {
  const first = deriveView({ at: new Date(0), backend: "redis", runId: "r", totalChunks: 100, totalParameters: 1000, chunkSize: 10, stats: { ...stats, accepted: 20 } }, undefined, undefined);
  const second = deriveView({ at: new Date(2000), backend: "redis", runId: "r", totalChunks: 100, totalParameters: 1000, chunkSize: 10, stats }, first, undefined);
  assert.equal(second.paramsDone, 400);
  assert.equal(second.paramsPerSecond, 100);
  assert.equal(second.etaSeconds, 6);
  const text = renderMonitor(second);
  assert.match(text, /40\/100 chunks \(40%\)/);
  assert.match(text, /params done\s+│ 400 \/ 1,000 \(chunk size 10\)/);
  assert.match(text, /ETA\s+│ 6s/);
  assert.ok(!text.includes("\u001b["), "no escape codes without a terminal");
});

test("monitor.ts shows a real run's numbers, as text and as JSON", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 300, chunkSize: 30 });
  const w = run.start("a");
  assert.equal((await w.exitedWithin()).code, 0);
  const env = { ...process.env, REDIS_URL: run.url, QUEUE_NAMESPACE: run.namespace };
  const r = monitor(["--json"], env);
  assert.equal(r.status, 0, r.stderr);
  const view = JSON.parse(r.stdout);
  assert.equal(view.runId, run.runId, "the newest run is picked by itself");
  assert.deepEqual(view.chunks, { total: 10, accepted: 10, waiting: 0, deadLettered: 0, duplicates: 0 });
  assert.deepEqual(view.params, { total: 300, done: 300 });
  assert.equal(view.settled, true);
  const text = monitor(["--run-id", run.runId, "--watch", "1"], env);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /SETTLED — all 10 chunks have exactly one accepted result/);
  const missing = monitor(["--run-id", "no-such-run"], env);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim(), `monitor: Cannot find run no-such-run in namespace ${run.namespace} on redis.`);
});

test("on RabbitMQ the monitor only looks: a demo beside it still gets every result", async (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-mon-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const namespace = testNamespace();
  const runId = uniqueRunId("watched");
  const env = { ...process.env, QUEUE_NAMESPACE: namespace };
  t.after(() => deleteNamespace("rabbitmq", BROKER_URLS.rabbitmq, namespace, [runId]));
  const args = ["--backend", "rabbitmq", "--platform", "local", "--params", "1200", "--chunk-size", "30", "--work-ms", "5", "--run-id", runId, "--reports", reports];
  const demo = startDemo(args, { env: { QUEUE_NAMESPACE: namespace } });
  t.after(() => demo.kill());
  let running = true;
  const done = demo.finished(120_000).finally(() => (running = false));
  const readings: { chunks: { accepted: number; total: number } }[] = [];
  for (let i = 0; i < 40 && running; i++) {
    const json = await monitorBeside(["--backend", "rabbitmq", "--run-id", runId, "--json"], env);
    if (json !== undefined) readings.push(JSON.parse(json));
  }
  const result = await done;
  assert.equal(result.code, 0, `the demo completes with the monitor reading beside it\n${result.stderr}`);
  assert.ok(readings.length > 0, "the monitor read the run while it ran");
  assert.ok(readings.every((r) => r.chunks.total === 40 && r.chunks.accepted <= 40));
});
