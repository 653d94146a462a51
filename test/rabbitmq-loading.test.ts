// RabbitMQ loading: idempotent, race-safe, and completed without duplicates after a loader dies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { LOAD_BATCH_CHUNKS } from "../lib/backends/rabbitmq/run-loader.ts";
import { planFor } from "../lib/backends/backend.ts";
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
