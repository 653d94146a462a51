// RabbitMQ delivery: confirm-then-ack, retries then a dead letter with the last error, malformed
// messages, a closed consumer's chunk redelivered at once, and settled() counting distinct chunks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "amqplib";
import { createRabbitmqObserver, createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { allRunQueues, rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { planFor } from "../lib/backends/backend.ts";
import { AMQP_URL, backendOptions, completeOne, deleteNamespace, inspector, nextOne, randomNamespace } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("complete publishes the result, then acks; the observer reads it once and settled() follows", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 20, 10);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([q.close(), observer.close()]));
  await q.ensureLoaded(plan);
  const first = await nextOne(q, 5_000);
  assert.ok(first?.task);
  assert.equal(first.deliveryCount, 1);
  assert.equal(await q.settled(plan), false);
  assert.equal(await completeOne(q, first), "accepted");
  const second = await nextOne(q, 5_000);
  assert.ok(second?.task);
  // One chunk done, one held by a live worker: not settled (a worker must not leave yet).
  assert.equal(await q.settled(plan), false);
  assert.deepEqual(await q.renew([second]), [], "nothing was taken from a live worker");
  await completeOne(q, second);
  assert.equal(await q.settled(plan), true);

  const results = await waitFor(async () => {
    const r = await observer.readNewResults();
    return r.length > 0 ? r : undefined;
  }, "results");
  const more = await waitFor(async () => {
    const stats = await observer.stats();
    return stats.accepted === 2 ? stats : undefined;
  }, "two accepted");
  results.push(...(await observer.readNewResults()));
  assert.deepEqual(results.map((r) => r.chunkId).sort(), [0, 1]);
  assert.equal(more.pending, 0);
  assert.deepEqual(more.inFlight, {});
  assert.equal(more.extra["tasks.ready"], 0);
});

test("the observer counts what a worker holds from its notices, not a hard-coded 0", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const q = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "w7" }));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([q.close(), observer.close()]));
  await q.ensureLoaded(planFor("run-1", 30, 10));
  const d = await nextOne(q, 5_000);
  assert.ok(d?.task);
  const stats = await waitFor(async () => {
    const s = await observer.stats();
    return s.inFlight.w7 === 1 ? s : undefined;
  }, "w7 to show one chunk in flight");
  assert.equal(stats.pending, 2);
  await completeOne(q, d, "w7");
  await waitFor(async () => (await observer.stats()).inFlight.w7 === undefined, "w7 to hold nothing");
});

test("a failing chunk is retried after the delay, then dead-lettered with its last error", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 10, 10);
  const q = await createRabbitmqWorkerQueue(backendOptions(ns, { maxDeliveries: 3, retryDelayMs: 100 }));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([q.close(), observer.close()]));
  await q.ensureLoaded(plan);
  const outcomes: string[] = [];
  const counts: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const d = await nextOne(q, 5_000);
    assert.ok(d?.task, `delivery ${i}`);
    counts.push(d.deliveryCount);
    outcomes.push(await q.fail(d, `error #${i}`));
  }
  assert.deepEqual(counts, [1, 2, 3]);
  assert.deepEqual(outcomes, ["retry", "retry", "dead-lettered"]);
  assert.deepEqual(await q.next(300, 5), []);
  const [dead] = await waitFor(async () => {
    const d = await observer.deadLetters();
    return d.length > 0 ? d : undefined;
  }, "the dead letter");
  assert.deepEqual(
    { runId: dead?.runId, chunkId: dead?.chunkId, start: dead?.start, end: dead?.end, attempts: dead?.attempts, error: dead?.error },
    { runId: "run-1", chunkId: 0, start: 0, end: 10, attempts: 3, error: "error #3" },
  );
  assert.equal(await q.settled(plan), true, "a dead-lettered chunk settles the run");
  assert.equal((await observer.stats()).deadLettered, 1);
  // The dead letter stays in the DLQ for inspection until purge() removes this run's.
  await observer.purge();
  const look = await inspector();
  t.after(() => look.close());
  await assert.rejects(look.ready(rabbitmqNames(ns, "run-1").dlq), "purge deleted the emptied, unused DLQ");
  for (const queue of allRunQueues(rabbitmqNames(ns, "run-1"))) await assert.rejects(look.ready(queue), `purge deleted ${queue}`);
});

test("a malformed message is dead-lettered, not a crash", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const q = await createRabbitmqWorkerQueue(backendOptions(ns));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([q.close(), observer.close()]));
  assert.deepEqual(await q.next(50, 1), [], "a worker before any loader waits on empty queues");
  const model = await connect(AMQP_URL);
  const ch = await model.createConfirmChannel();
  ch.sendToQueue(rabbitmqNames(ns, "run-1").tasks, Buffer.from("{not json"), { persistent: true });
  await ch.waitForConfirms();
  await model.close();
  const d = await nextOne(q, 5_000);
  assert.ok(d);
  assert.equal(d.task, undefined);
  assert.equal(await q.fail(d, "malformed message"), "dead-lettered");
  const [dead] = await waitFor(async () => {
    const l = await observer.deadLetters();
    return l.length > 0 ? l : undefined;
  }, "the dead letter");
  assert.equal(dead?.chunkId, null);
  assert.equal(dead?.raw, "{not json");
  assert.equal(dead?.error, "malformed message");
});

test("a closed consumer's unacked chunk goes to another consumer within 1 s", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 10, 10);
  const a = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "a" }));
  const b = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "b" }));
  t.after(() => Promise.all([a.close(), b.close()]));
  await a.ensureLoaded(plan);
  const held = await nextOne(a, 5_000);
  assert.ok(held?.task);
  assert.deepEqual(await b.next(100, 1), [], "nothing for b while a holds the only chunk");
  const waiting = nextOne(b, 5_000);
  const closedAt = Date.now();
  // Dropping the connection is what the broker sees when a worker is killed.
  await a.close();
  const again = (await waiting) ?? (await nextOne(b, 1_000));
  const took = Date.now() - closedAt;
  assert.equal(again?.task?.chunkId, held.task.chunkId);
  assert.equal(again?.deliveryCount, 2, "a broker redelivery counts as an attempt");
  assert.ok(took < 1_000, `redelivered after ${took} ms`);
});
