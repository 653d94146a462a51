// RabbitMQ batches: a batch of k delivered and completed with one results message and one done
// marker, every chunk accepted once; a batch size that stays low (not one that dips) and close()
// put buffered chunks back without counting an attempt; duplicate results are counted as duplicates, never added twice.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { Delivery, WorkerQueue } from "../lib/backends/backend.ts";
import { createRabbitmqObserver, createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { prefetchFor, READ_AHEAD_BELOW_MS, SHRINK_AFTER_TAKES } from "../lib/backends/rabbitmq/task-intake.ts";
import { RunLedger } from "../lib/report/run-ledger.ts";
import { encodeResultBatch } from "../lib/backends/result-batch.ts";
import { planFor } from "../lib/backends/backend.ts";
import { backendOptions, completeAll, deleteNamespace, inspector, randomNamespace, readAllResults, resultFor, takeExactly } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

async function setUp(t: TestContext, chunks: number) {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", chunks * 10, 10);
  const names = rabbitmqNames(ns, "run-1");
  const look = await inspector();
  t.after(() => look.close());
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => observer.close());
  return { ns, plan, names, look, observer };
}

/** Waits until the tasks queue holds `ready` messages (the broker pushed, or got back, what we expect). */
function tasksReady(look: Awaited<ReturnType<typeof inspector>>, queue: string, ready: number) {
  return waitFor(async () => (await look.ready(queue)) === ready, `${queue} to hold ${ready} ready chunks`);
}

const ids = (ds: readonly Delivery[]) => ds.map((d) => d.task?.chunkId ?? -1);

test("a batch of k is delivered and completed with one results message and one done marker; every chunk accepted exactly once", async (t) => {
  const { ns, plan, names, look, observer } = await setUp(t, 50);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  const taken: number[] = [];
  let batches = 0;
  let largest = 0;
  while (taken.length < plan.totalChunks) {
    const batch = await q.next(5_000, 10);
    assert.ok(batch.length >= 1 && batch.length <= 10, `a batch of ${batch.length}`);
    assert.ok(batch.every((d) => d.deliveryCount === 1));
    assert.deepEqual(await q.renew(batch), []);
    assert.deepEqual(await completeAll(q, batch), batch.map(() => "accepted"));
    taken.push(...ids(batch));
    largest = Math.max(largest, batch.length);
    batches++;
  }
  assert.equal(largest, 10, "the worker was handed full batches");
  assert.equal(new Set(taken).size, plan.totalChunks, "each chunk handed out once");
  assert.equal(await look.ready(names.done), batches, "one done marker per batch");
  assert.equal(await q.settled(plan), true);
  // One results message and one "taken" notice per batch, nothing per chunk.
  await waitFor(async () => (await look.ready(names.results)) === 2 * batches, "a results message and a taken notice per batch");

  const results = await readAllResults(observer, plan.totalChunks);
  assert.equal(results.length, plan.totalChunks);
  assert.deepEqual(results.map((r) => r.chunkId).sort((a, b) => a - b), [...Array(plan.totalChunks).keys()]);
  const stats = await observer.stats();
  assert.equal(stats.accepted, plan.totalChunks);
  assert.equal(stats.duplicates, 0);
  assert.deepEqual(stats.inFlight, {});
});

test("a batch size that dips keeps the buffered arrivals; one that stays low, or falls to one chunk, puts them back with their attempt count unchanged", async (t) => {
  const { ns, plan, names, look, observer } = await setUp(t, 60);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  const handed = await takeExactly(q, 10, 10); // at least 10, in batches of at most 10
  await completeAll(q, handed);
  // The consumer (prefetch two batches of 10) refills: twenty are now buffered in this worker, unstarted.
  await tasksReady(look, names.tasks, plan.totalChunks - handed.length - prefetchFor(10));
  // A dip (one slow batch halves the size, or worse) keeps the consumer and what it buffered: no put-back.
  for (let ask = 1; ask < SHRINK_AFTER_TAKES; ask++) {
    const small = await q.next(5_000, 2);
    assert.equal(small.length, 2);
    assert.equal(await look.ready(names.tasks), plan.totalChunks - handed.length - prefetchFor(10), `nothing put back after ${ask} small asks`);
    handed.push(...small);
    await completeAll(q, small);
    await tasksReady(look, names.tasks, plan.totalChunks - handed.length - prefetchFor(10));
  }
  // The size stayed low for SHRINK_AFTER_TAKES asks: those buffered beyond the new prefetch went back to
  // the queue, confirmed, before next() returned.
  const lasting = await q.next(5_000, 2);
  assert.equal(lasting.length, 2);
  assert.equal(await look.ready(names.tasks), plan.totalChunks - handed.length - prefetchFor(2));
  handed.push(...lasting);
  await completeAll(q, lasting);
  // One chunk at a time (chunks became long): nothing more may wait behind it, at once.
  const one = await q.next(5_000, 1);
  assert.equal(one.length, 1);
  assert.equal(await look.ready(names.tasks), plan.totalChunks - handed.length - prefetchFor(1));
  handed.push(...one);
  await completeAll(q, one);
  while (handed.length < plan.totalChunks) {
    const batch = await q.next(5_000, 4);
    assert.ok(batch.length >= 1 && batch.length <= 4, `a batch of ${batch.length} after ${handed.length} chunks`);
    await completeAll(q, batch);
    handed.push(...batch);
  }
  assert.deepEqual(ids(handed).sort((a, b) => a - b), [...Array(plan.totalChunks).keys()], "every chunk handed out exactly once");
  assert.ok(handed.every((d) => d.deliveryCount === 1), "a chunk put back is not an attempt");
  assert.deepEqual(await q.next(200, 2), []);
  assert.equal(await q.settled(plan), true);
  const results = await readAllResults(observer, plan.totalChunks);
  assert.equal(results.length, plan.totalChunks);
  assert.equal((await observer.stats()).duplicates, 0);
});

test("close() puts the unstarted buffered chunks back without counting an attempt", async (t) => {
  const { ns, plan, names, look } = await setUp(t, 20);
  const a = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "a" }));
  const b = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "b" }));
  t.after(() => Promise.all([a.close(), b.close()]));
  await a.ensureLoaded(plan);
  const first = await takeExactly(a, 5, 5);
  await completeAll(a, first, "a");
  await tasksReady(look, names.tasks, plan.totalChunks - first.length - prefetchFor(5)); // a's consumer buffered more
  await a.close();
  await tasksReady(look, names.tasks, plan.totalChunks - first.length);
  const rest: Delivery[] = [];
  while (rest.length < plan.totalChunks - first.length) {
    const batch = await b.next(5_000, 8);
    assert.ok(batch.length > 0, "b is handed the rest");
    await completeAll(b, batch, "b");
    rest.push(...batch);
  }
  assert.ok(rest.every((d) => d.deliveryCount === 1), `attempts ${rest.map((d) => d.deliveryCount).join(",")}`);
  assert.deepEqual([...ids(first), ...ids(rest)].sort((x, y) => x - y), [...Array(plan.totalChunks).keys()]);
  assert.equal(await b.settled(plan), true);
});

test("duplicate results, in one batch or across batches, are counted as duplicates and never added twice", async (t) => {
  const { ns, plan, observer } = await setUp(t, 6);
  const q: WorkerQueue = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  const batch = await takeExactly(q, 3, 3);
  const [d0] = batch;
  assert.ok(d0);
  // The same chunk twice in one batch: one result goes out, the second is a duplicate.
  assert.deepEqual(await completeAll(q, [...batch, d0]), ["accepted", "accepted", "accepted", "duplicate"]);
  // A late second copy of the whole batch (a worker cannot know another copy went out): published,
  // its acks skipped (acking a tag twice would close the channel and requeue what the worker holds).
  await completeAll(q, batch);
  const more = await takeExactly(q, 3, 3);
  assert.deepEqual(await q.renew(more), [], "the worker's channel survived the late copy");
  await completeAll(q, more);
  assert.equal(await q.settled(plan), true);

  const results = await readAllResults(observer, 9);
  assert.equal(results.length, 9, "3 + 3 late copies + 3");
  const ledger = new RunLedger(plan.totalChunks);
  for (const r of results) ledger.accept({ chunkId: r.chunkId, start: r.start, end: r.end, worker: r.worker, aggregate: r.aggregate });
  assert.equal(ledger.acceptedCount, 6);
  assert.equal(ledger.duplicatesDiscarded, 3);
  assert.equal(ledger.aggregate.count, plan.totalParameters);
  const stats = await observer.stats();
  assert.equal(stats.accepted, 6);
  assert.equal(stats.duplicates, 3);
});

test("malformed results messages of this run are counted and acked; a good batch beside them is read", async (t) => {
  const { ns, plan, names, look, observer } = await setUp(t, 2);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  const ch = await look.model.createConfirmChannel();
  const send = (body: string) => ch.sendToQueue(names.results, Buffer.from(body), { type: "results" });
  send(encodeResultBatch([resultFor("run-1", { chunkId: 0, start: 0, end: 10 }, "x")]));
  send(JSON.stringify({ v: 1, runId: "run-1", worker: "x", takenAt: "", finishedAt: "", chunks: [["one"]] }));
  send(JSON.stringify({ runId: "run-1", worker: "x", results: "nope" }));
  await ch.waitForConfirms();
  await ch.close();
  const results = await readAllResults(observer, 1);
  assert.deepEqual(results.map((r) => r.chunkId), [0]);
  await waitFor(async () => (await observer.stats()).extra["results.malformed"] === 2, "two malformed messages counted");
  assert.equal(await look.ready(names.results), 0, "malformed results of this run are acked, not left to block the queue");
});

test("one chunk at a time: short chunks keep a second one coming (prefetch 2), long or not yet timed ones one (prefetch 1)", async (t) => {
  const { ns, plan, names, look } = await setUp(t, 12);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  t.after(() => q.close());
  await q.ensureLoaded(plan);
  const handed: Delivery[] = [];
  const takeOne = async (chunkMs: number | undefined, window: number) => {
    const one = await q.next(5_000, 1, chunkMs);
    assert.equal(one.length, 1);
    handed.push(...one);
    await completeAll(q, one);
    // Once the chunk is acked the consumer refills its window: that many wait in this worker, unstarted.
    await tasksReady(look, names.tasks, plan.totalChunks - handed.length - window);
  };
  const long = READ_AHEAD_BELOW_MS * 4;
  assert.deepEqual([prefetchFor(1), prefetchFor(1, 100), prefetchFor(1, long)], [1, 2, 1]);
  await takeOne(undefined, 1); // the worker's first chunk: its time is unknown, so it counts as long
  // Chunks are short: the consumer is cancelled and started again with prefetch 2 once what it
  // buffered is handed out, which is at the next ask; from then on two wait.
  await takeOne(100, 0);
  await takeOne(100, 2);
  await takeOne(100, 2);
  // Chunks became long: the second one held goes back at once, with its attempt count unchanged, and
  // the consumer starts again with prefetch 1 at the next ask.
  await takeOne(long, 0);
  await takeOne(long, 1);
  while (handed.length < plan.totalChunks) {
    const batch = await q.next(5_000, 1, 100);
    assert.equal(batch.length, 1);
    handed.push(...batch);
    await completeAll(q, batch);
  }
  assert.deepEqual(ids(handed).sort((a, b) => a - b), [...Array(plan.totalChunks).keys()], "every chunk handed out exactly once");
  assert.ok(handed.every((d) => d.deliveryCount === 1), "a chunk put back is not an attempt");
});
