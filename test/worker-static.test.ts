// Real worker processes in static mode: slices, validation, signals, CPU-bound compute.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import { startWorkerProcess } from "./helpers/worker-process.ts";

test("a static worker processes exactly its slice and ends with a JSON summary", async () => {
  const w = startWorkerProcess({ WORKER_ID: "1", TOTAL_WORKERS: "3", TOTAL_PARAMETERS: "1000", SIMULATE_WORK_MS: "0", BATCH_SIZE: "100" });
  assert.deepEqual(await w.exitedWithin(), { code: 0, signal: null });
  const events = w.events().map((e) => e.event);
  for (const e of ["STARTING", "INITIALIZED", "RUNNING", "PROGRESS", "COMPLETED", "SUMMARY"]) {
    assert.ok(events.includes(e as never), `missing ${e}`);
  }
  const summary = w.summary() as { start: number; end: number; params: number; aggregate: { sum: number; count: number } };
  assert.equal(summary.start, 333);
  assert.equal(summary.end, 666);
  assert.equal(summary.params, 333);
  const direct = new AggregateBuilder();
  for (let p = 333; p < 666; p++) direct.add(simulatedValue(p));
  assert.equal(summary.aggregate.sum, direct.build().sum);
  assert.equal(w.stdout.at(-1)?.startsWith('{"event":"SUMMARY"'), true, "the summary is the last line");
});

test("LOG_FORMAT=json writes one JSON object per line", async () => {
  const w = startWorkerProcess({ TOTAL_PARAMETERS: "30", TOTAL_WORKERS: "1", SIMULATE_WORK_MS: "0", LOG_FORMAT: "json" });
  assert.equal((await w.exitedWithin()).code, 0, w.stderr.join("\n"));
  const records = w.stdout.map((line) => JSON.parse(line) as { event?: string; worker?: string; ts?: string });
  assert.deepEqual(
    records.map((r) => r.event),
    ["STARTING", "INITIALIZED", "RUNNING", "PROGRESS", "COMPLETED", "SUMMARY"],
    "every lifecycle line, then the summary last, each one a JSON object",
  );
  for (const r of records) {
    assert.equal(r.worker, "0", JSON.stringify(r));
    assert.ok(!Number.isNaN(Date.parse(r.ts ?? "")), `a timestamp in ${JSON.stringify(r)}`);
  }
});

test("a bad variable ends the worker with one line naming it, exit 2, no stack trace", async () => {
  for (const [name, value, accepts] of [
    ["IDLE_TIMEOUT_SECONDS", "banana", "a number >= 0"],
    ["CHUNK_SIZE", "-4", "an integer from 1 to 10000000"],
    ["QUEUE_BACKEND", "kafka", "one of redis, rabbitmq"],
  ] as const) {
    const w = startWorkerProcess({ [name]: value });
    assert.equal((await w.exitedWithin()).code, 2);
    assert.deepEqual(w.stderr, [`worker: Invalid ${name}=${JSON.stringify(value)}: expected ${accepts}.`]);
    assert.deepEqual(w.stdout, []);
  }
});

test("a compute module that cannot be loaded ends the worker with exit 2 and one line", async () => {
  const w = startWorkerProcess({ COMPUTE_MODULE: "no/such/module.ts", TOTAL_WORKERS: "1" });
  assert.equal((await w.exitedWithin()).code, 2);
  assert.equal(w.stderr.length, 1);
  assert.match(w.stderr[0] ?? "", /^worker: Cannot load COMPUTE_MODULE no\/such\/module\.ts/);
});

test("CPU-bound compute never starves heartbeats, progress or signal handling", async () => {
  // One parameter spins for 3 s in the compute thread; the main thread must keep talking.
  const w = startWorkerProcess({
    COMPUTE_MODULE: "test/fixtures/busy-compute.ts",
    BUSY_MS: "3000",
    TOTAL_WORKERS: "1",
    TOTAL_PARAMETERS: "2",
    HEARTBEAT_SECONDS: "0.2",
    SHUTDOWN_GRACE_SECONDS: "0.3",
  });
  await w.waitForEvent((e) => e.event === "RUNNING", "RUNNING");
  const beats = () => w.events().filter((e) => e.message === "alive");
  const started = Date.now();
  while (beats().length < 5) {
    assert.ok(Date.now() - started < 5000, `only ${beats().length} heartbeats in 5 s while computing`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(beats().at(-1)?.fields.state, "computing");
  const termAt = Date.now();
  w.child.kill("SIGTERM");
  const exit = await w.exitedWithin();
  const took = Date.now() - termAt;
  assert.equal(exit.code, 143);
  assert.ok(took < 2000, `SIGTERM took ${took} ms to act on while compute was busy`);
  const summary = w.summary() as { status: string; chunks: number };
  assert.equal(summary.status, "interrupted");
  assert.equal(summary.chunks, 0, "a partial slice is never reported as complete");
  assert.ok(w.events().some((e) => e.event === "SHUTTING_DOWN"));
});

test("SIGTERM lets the batch in hand finish within the grace period", async () => {
  const w = startWorkerProcess({
    TOTAL_WORKERS: "1",
    TOTAL_PARAMETERS: "400",
    BATCH_SIZE: "100",
    SIMULATE_WORK_MS: "5",
    SHUTDOWN_GRACE_SECONDS: "5",
  });
  await w.waitForEvent((e) => e.event === "RUNNING", "RUNNING");
  w.child.kill("SIGTERM");
  assert.equal((await w.exitedWithin()).code, 143);
  const summary = w.summary() as { status: string; params: number };
  assert.equal(summary.status, "interrupted");
  assert.ok(summary.params > 0 && summary.params % 100 === 0, `params ${summary.params} is whole batches`);
});

test("METRICS_PORT serves Prometheus metrics while the worker runs", async () => {
  const { freePort } = await import("../lib/net/ports.ts");
  const port = await freePort();
  const w = startWorkerProcess({
    TOTAL_WORKERS: "1",
    TOTAL_PARAMETERS: "400",
    BATCH_SIZE: "100",
    SIMULATE_WORK_MS: "10",
    METRICS_PORT: String(port),
  });
  await w.waitForEvent((e) => e.event === "PROGRESS", "first progress");
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(text, /# TYPE ttg_chunks_completed_total counter/);
  assert.match(text, /ttg_params_processed_total\{[^}]*worker="0"[^}]*\} [1-9]\d*/);
  assert.match(text, /ttg_chunk_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} [1-9]/);
  w.child.kill("SIGTERM");
  await w.exitedWithin();
});

test("a stop listener per chunk leaves nothing behind (no handler piles up on a pending promise)", async () => {
  const { createShutdown } = await import("../worker/shutdown.ts");
  const shutdown = createShutdown();
  try {
    const calls: string[] = [];
    for (let i = 0; i < 10_000; i++) shutdown.onRequest(() => calls.push("leaked"))();
    const kept = shutdown.onRequest((s) => calls.push(s));
    shutdown.request("SIGTERM");
    assert.deepEqual(calls, ["SIGTERM"], "only the listener still registered is called");
    kept();
    shutdown.onRequest((s) => calls.push(`late ${s}`));
    assert.deepEqual(calls, ["SIGTERM", "late SIGTERM"], "a listener added after the stop is called at once");
  } finally {
    shutdown.dispose();
  }
});
