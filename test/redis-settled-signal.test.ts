// Redis: idle workers hear that the run settled on the run's settled channel, at once, not at their
// next look (IDLE_PROBE_SECONDS later); never before it settled, not even on a stray message on the
// channel; and another run's end is not theirs.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { WorkerQueue } from "../lib/backends/backend.ts";
import { Redis } from "ioredis";
import { redisKeys } from "../lib/backends/redis/redis-keys.ts";
import { createRedisWorkerQueue } from "../lib/backends/redis/redis-worker-queue.ts";
import { createQueueRun, workerQueueOptions, type QueueRun } from "./helpers/queue-run.ts";
import { within } from "./helpers/wait-for.ts";
import { completeAll, takeExactly } from "./helpers/worker-queue-steps.ts";

/** Looks an hour apart: an idle worker that leaves within the test's time was told, it did not ask. */
const NEVER_LOOKS_MS = 3_600_000;

async function openWorkers(t: TestContext, run: QueueRun, consumers: string[]): Promise<WorkerQueue[]> {
  const queues = await Promise.all(consumers.map((consumer) => createRedisWorkerQueue(workerQueueOptions(run, consumer, { idleProbeMs: NEVER_LOOKS_MS }))));
  t.after(() => Promise.all(queues.map((q) => q.close())));
  // As a worker does: only a worker that loaded (or saw loaded) the whole run knows no chunk will come.
  for (const q of queues) await q.ensureLoaded(run.plan);
  return queues;
}

test("idle workers waiting for their next look are told at once that the run settled, and only then", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 30, chunkSize: 10 });
  await run.observer.ensureLoaded(run.plan);
  const [busy, ...idle] = await openWorkers(t, run, ["busy", "i1", "i2"]);
  const held = await takeExactly(busy!, 3, 3);
  // Each idle worker finds nothing, subscribes, and pauses until its next look, an hour away.
  const stray = idle.map((q) => q.next(50, 1));
  await sleep(300);
  for (const q of idle) assert.equal(q.settledHeard?.(), false, "every chunk is held by a live worker");

  // A message on the channel that no settled run sent ends the pause, but is not believed.
  const publisher = new Redis(run.url);
  t.after(() => publisher.disconnect());
  await publisher.publish(redisKeys(run.namespace, run.runId).settledChannel, "settled");
  assert.deepEqual(await within(Promise.all(stray), 10_000, "the pauses ended by a stray message"), [[], []]);
  for (const q of idle) {
    assert.equal(await q.settled(run.plan), false, "the run's mark says it is not settled");
    assert.equal(q.settledHeard?.(), false);
  }
  const waiting = idle.map((q) => q.next(50, 1));

  await completeAll(busy!, held.slice(0, 2), "busy");
  assert.equal(await busy!.settled(run.plan), false, "two of three chunks done");
  await sleep(300);
  for (const q of idle) assert.equal(q.settledHeard?.(), false, "nobody is told before the run settles");

  await completeAll(busy!, held.slice(2), "busy");
  assert.equal(await busy!.settled(run.plan), true, "the last finisher proves the run settled");
  const woke = await within(Promise.all(waiting), 10_000, "the idle workers' pauses to end");
  assert.deepEqual(woke, [[], []], "they took nothing");
  for (const q of idle) {
    assert.equal(q.settledHeard?.(), true);
    assert.equal(await q.settled(run.plan), true);
  }
});

test("a run's end is told to its own workers only", async (t) => {
  const settling = await createQueueRun(t, "redis", { params: 10, chunkSize: 10 });
  const other = await createQueueRun(t, "redis", { params: 20, chunkSize: 10 });
  await settling.observer.ensureLoaded(settling.plan);
  await other.observer.ensureLoaded(other.plan);
  const [finisher] = await openWorkers(t, settling, ["finisher"]);
  const [holder, bystander] = await openWorkers(t, other, ["holder", "bystander"]);
  const otherHeld = await takeExactly(holder!, 2, 2);
  const bystanderWaits = bystander!.next(50, 1);
  await sleep(300);

  await completeAll(finisher!, await takeExactly(finisher!, 1, 1), "finisher");
  assert.equal(await finisher!.settled(settling.plan), true);
  await sleep(500);
  assert.equal(bystander!.settledHeard?.(), false, "the other run is not settled: its idle worker keeps waiting");

  await completeAll(holder!, otherHeld, "holder");
  assert.equal(await holder!.settled(other.plan), true);
  await within(bystanderWaits, 10_000, "the other run's idle worker");
  assert.equal(bystander!.settledHeard?.(), true);
});
