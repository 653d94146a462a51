// RabbitMQ loading: idempotent, race-safe, and completed without duplicates after a loader dies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { LOAD_BATCH_CHUNKS } from "../lib/backends/rabbitmq/run-loader.ts";
import type { ChannelModel } from "amqplib";
import { PlanMismatch, planFor } from "../lib/backends/backend.ts";
import { onChannel } from "../lib/backends/rabbitmq/on-channel.ts";
import { AMQP_URL, backendOptions, deleteNamespace, inspector, nextOne, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { expectPlanMismatchExit } from "./helpers/plan-mismatch.ts";
import { waitFor, within } from "./helpers/wait-for.ts";

type Body = { run_id: string; chunk_id: number; start: number; end: number };

function assertEachChunkOnce(bodies: unknown[], totalChunks: number): void {
  const ids = (bodies as Body[]).map((b) => b.chunk_id);
  assert.equal(ids.length, totalChunks, "one message per chunk");
  assert.equal(new Set(ids).size, totalChunks, "no chunk twice");
  assert.deepEqual(Math.max(...ids), totalChunks - 1);
}

test("loading twice leaves each chunk once in the tasks queue", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 1005, 10);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  await q.ensureLoaded(plan);
  const look = await inspector();
  t.after(() => look.close());
  const bodies = (await look.drain(rabbitmqNames(ns, "run-1").tasks)) as Body[];
  assertEachChunkOnce(bodies, plan.totalChunks);
  const last = bodies.find((b) => b.chunk_id === plan.totalChunks - 1);
  assert.deepEqual(last, { run_id: "run-1", chunk_id: 100, start: 1000, end: 1005 });
});

test("two loaders racing on two connections load each chunk once", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 3 * LOAD_BATCH_CHUNKS + 7, 1);
  const a = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "a" }));
  const b = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "b" }));
  t.after(() => Promise.all([a.close(), b.close()]));
  await Promise.all([a.ensureLoaded(plan), b.ensureLoaded(plan), a.ensureLoaded(plan)]);
  const look = await inspector();
  t.after(() => look.close());
  assertEachChunkOnce(await look.drain(rabbitmqNames(ns, "run-1").tasks), plan.totalChunks);
});

test("a loader SIGKILLed half-way is completed by the next one without duplicates", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 16 * LOAD_BATCH_CHUNKS, 1);
  const names = rabbitmqNames(ns, "run-1");
  const look = await inspector();
  t.after(() => look.close());
  const fixture = fileURLToPath(new URL("./fixtures/rabbitmq/load-run.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", fixture, AMQP_URL, ns, "run-1", String(plan.totalParameters), "1"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  t.after(() => {
    child.kill("SIGKILL");
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  await waitFor(() => lines.includes("loading"), "the loader to connect");
  // Kill it once some batches are committed and before all of them are.
  const batchesAtKill = await waitFor(async () => {
    const n = await look.ready(names.run).catch(() => 0);
    return n >= 2 ? n : undefined;
  }, "a few batches to be loaded", 30_000, 5);
  child.kill("SIGKILL");
  await within(exited, 10_000, "the killed loader to exit");
  assert.ok(!lines.includes("loaded"), "the loader was killed before it finished");
  assert.ok(batchesAtKill < 16, `killed half-way (after ${batchesAtKill} batches)`);

  const next = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "second" }));
  t.after(() => next.close());
  await next.ensureLoaded(plan);
  assert.equal(await look.ready(names.run), 16);
  assertEachChunkOnce(await look.drain(names.tasks), plan.totalChunks);
});

test("two runs on one namespace each have their own retry queue, with their own delay", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1", "run-2"]));
  // Long delays, so neither retry comes back into its tasks queue during the test.
  for (const [runId, retryDelayMs] of [["run-1", 60_000], ["run-2", 120_000]] as const) {
    const q = await createRabbitmqWorkerQueue(backendOptions(ns, { runId, retryDelayMs }));
    try {
      await q.ensureLoaded(planFor(runId, 10, 10));
      const d = await nextOne(q, 5_000);
      assert.equal(d?.task?.runId, runId);
      assert.equal(await q.fail(d!, "boom"), "retry");
    } finally {
      await q.close();
    }
  }
  const look = await inspector();
  t.after(() => look.close());
  assert.equal(await look.ready(rabbitmqNames(ns, "run-1").retry), 1);
  assert.equal(await look.ready(rabbitmqNames(ns, "run-2").retry), 1);
  assert.equal(await look.ready(rabbitmqNames(ns, "run-2").tasks), 0, "run-2's tasks queue holds none of run-1's chunks");
});

test("a worker whose plan differs from the run already loaded stops at once with one line and exit code 2; the run's markers stay", async (t) => {
  const run = await expectPlanMismatchExit(t, "rabbitmq");
  const look = await inspector();
  t.after(() => look.close());
  assert.equal(await look.ready(rabbitmqNames(run.namespace, run.runId).run), 1, "reading the plan put its marker back");
  await run.observer.ensureLoaded(run.plan); // the same plan again is fine
  assert.equal(await look.ready(rabbitmqNames(run.namespace, run.runId).tasks), 10, "and loads nothing twice");
});

/** Holds the run's load lock on a connection of the test's own, as a loader busy loading would. */
async function holdLock(model: ChannelModel, lock: string): Promise<void> {
  const ch = await model.createChannel();
  await ch.assertQueue(lock, { exclusive: true, durable: false });
}

test("a worker joining a run already loaded with its plan takes no lock: it joins while a loader holds it", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 2 * LOAD_BATCH_CHUNKS + 3, 1);
  const names = rabbitmqNames(ns, "run-1");
  const first = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "first" }));
  t.after(() => first.close());
  await first.ensureLoaded(plan);
  const look = await inspector();
  t.after(() => look.close());
  await holdLock(look.model, names.lock);
  const joiner = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "joiner" }));
  t.after(() => joiner.close());
  // Through the lock this would wait for the holder (up to 10 minutes).
  await within(joiner.ensureLoaded(plan), 5_000, "a worker to join a loaded run while the lock is held");
  assert.equal(await look.ready(names.plan), 1, "the plan message was put back");
  assert.equal(await look.ready(names.run), 3, "no batch marker was read or added");
  assert.equal(await look.ready(names.tasks), plan.totalChunks, "and no chunk twice");
});

test("a run loaded before it had a plan message gets one from the next loader, then workers join it without the lock", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 40, 4);
  const names = rabbitmqNames(ns, "run-1");
  const look = await inspector();
  t.after(() => look.close());
  const first = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "first" }));
  t.after(() => first.close());
  await first.ensureLoaded(plan);
  // As an earlier TTG left it: batch markers, no plan queue.
  await onChannel(() => look.model.createChannel(), (ch) => ch.deleteQueue(names.plan));
  const second = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "second" }));
  t.after(() => second.close());
  await second.ensureLoaded(plan);
  const [message] = await look.peek(names.plan);
  assert.deepEqual(pick(message?.body), { runId: "run-1", totalParameters: 40, chunkSize: 4, totalChunks: 10 });
  assert.equal(message?.persistent, true);
  await holdLock(look.model, names.lock);
  const third = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "third" }));
  t.after(() => third.close());
  await within(third.ensureLoaded(plan), 5_000, "a worker to join without the lock");
  assert.equal(await look.ready(names.tasks), 10, "each chunk once");
});

test("twenty workers joining while the run loads: each chunk once, one plan message, and a worker with another plan is still refused", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 3 * LOAD_BATCH_CHUNKS + 7, 1);
  const names = rabbitmqNames(ns, "run-1");
  const queues = await Promise.all(Array.from({ length: 20 }, (_, i) => createRabbitmqWorkerQueue(backendOptions(ns, { consumer: `w${i}` }))));
  t.after(() => Promise.all(queues.map((q) => q.close())));
  // Some start while the first loader is still loading, the others once it has loaded.
  await Promise.all(queues.map(async (q, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 15));
    await q.ensureLoaded(plan);
  }));
  const look = await inspector();
  t.after(() => look.close());
  assert.equal(await look.ready(names.plan), 1, "one plan message");
  assert.equal(await look.ready(names.run), 4, "one marker per batch");
  const other = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "other" }));
  t.after(() => other.close());
  await assert.rejects(other.ensureLoaded(planFor("run-1", 3 * LOAD_BATCH_CHUNKS + 7, 2)), PlanMismatch);
  assertEachChunkOnce(await look.drain(names.tasks), plan.totalChunks);
});

function pick(body: unknown): Record<string, unknown> {
  const { runId, totalParameters, chunkSize, totalChunks } = body as Record<string, unknown>;
  return { runId, totalParameters, chunkSize, totalChunks };
}
