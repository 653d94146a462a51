// What each observer tells a stall's diagnosis (QueueStats.health), read from the real brokers in
// the round trips stats() already makes: what was loaded, who is connected, who went silent holding chunks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRabbitmqObserver, createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { createRedisWorkerQueue } from "../lib/backends/redis/redis-worker-queue.ts";
import { planFor } from "../lib/backends/backend.ts";
import { backendOptions, deleteNamespace as deleteRabbitmqNamespace, nextOne, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { createQueueRun } from "./helpers/queue-run.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("Redis: nothing loaded, then a consumer that holds a chunk and goes silent past the stale threshold", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 30, chunkSize: 10 });
  const before = await run.observer.stats();
  assert.equal(before.health?.loadedChunks, 0, "no plan on the broker yet");
  const options = { url: run.url, namespace: run.namespace, runId: run.runId, consumer: "w1", maxDeliveries: 3, retryDelayMs: 100, staleThresholdMs: 1000, staleCheckIntervalMs: 100 };
  const q = await createRedisWorkerQueue(options);
  t.after(() => q.close());
  await q.ensureLoaded(run.plan);
  const [held] = await q.next(1000, 1);
  assert.ok(held?.task);
  const live = await run.observer.stats();
  assert.equal(live.health?.loadedChunks, 3);
  assert.equal(live.health?.consumers, 1);
  assert.deepEqual(live.health?.staleHolders, {}, "a holder that just took its chunk is not stale");
  // w1 never renews: once past the threshold, it shows as a silent holder.
  const stale = await waitFor(async () => {
    const s = await run.observer.stats();
    return (s.health?.staleHolders.w1 ?? 0) >= 1000 ? s : undefined;
  }, "w1 to count as a silent holder", 10_000, 100);
  assert.equal(stale.inFlight.w1, 1);
  assert.equal(stale.health?.staleThresholdMs, 1000);
});

test("RabbitMQ: loaded chunks and the consumers of the run's tasks queue", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteRabbitmqNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 30, 10);
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => observer.close());
  assert.equal((await observer.stats()).health?.loadedChunks, 0, "no plan on the broker yet");
  await observer.ensureLoaded(plan);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "w1" }));
  t.after(() => q.close());
  assert.ok((await nextOne(q, 5_000))?.task);
  const health = await waitFor(async () => {
    const h = (await observer.stats()).health;
    return h?.consumers === 1 ? h : undefined;
  }, "the worker to show as the tasks queue's consumer");
  assert.equal(health.loadedChunks, 3);
  assert.deepEqual(health.staleHolders, {}, "RabbitMQ requeues a gone worker's chunks itself");
});
