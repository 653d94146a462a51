// A RabbitMQ restart mid-run loses no task and no result: durable queues, persistent messages,
// publisher confirms, and clients that reconnect. Runs on a PRIVATE rabbitmq-server on free ports,
// never the machine's broker.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Delivery } from "../lib/backends/backend.ts";
import { createRabbitmqObserver, createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { startPrivateRabbitmq } from "../lib/backends/rabbitmq/local-rabbitmq.ts";
import { RunLedger } from "../lib/report/run-ledger.ts";
import { planFor } from "../lib/backends/backend.ts";
import { backendOptions, completeAll, randomNamespace, readAllResults } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("a RabbitMQ restart mid-run loses no task or result; the batch held across it is redone, its late copies never published", async (t) => {
  const server = await startPrivateRabbitmq();
  t.after(() => server.stop());
  const ns = randomNamespace();
  const plan = planFor("run-1", 400, 10);
  const opts = backendOptions(ns, { url: server.url });
  const reconnects: string[] = [];
  const worker = await createRabbitmqWorkerQueue({ ...opts, log: (_level, message) => reconnects.push(message) });
  t.after(() => worker.close());
  await worker.ensureLoaded(plan);

  const done = new Set<number>();
  let completed = 0;
  const finish = async (batch: Delivery[]) => {
    const verdicts = await completeAll(worker, batch);
    for (const d of batch) if (d.task) done.add(d.task.chunkId);
    completed += verdicts.filter((v) => v === "accepted").length;
    return verdicts;
  };
  for (let i = 0; i < 4; i++) await finish(await worker.next(5_000, 3));
  const held = await worker.next(5_000, 3); // in hand while the broker goes down
  assert.ok(held.length > 0);

  await server.halt();
  await server.start();

  assert.equal((await worker.renew(held)).length, held.length, "the restart took the held batch from the worker");
  // The broker requeued the held batch: its results are late copies, not published (another
  // delivery of each chunk is done again below).
  assert.deepEqual(await completeAll(worker, held), held.map(() => "duplicate"));
  await waitFor(async () => {
    const batch = await worker.next(200, 8);
    if (batch.length > 0) await finish(batch);
    return worker.settled(plan);
  }, "the run to settle after the restart", 30_000, 0);
  assert.ok(reconnects.some((m) => m.includes("reconnected")), "the worker reconnected");
  assert.equal(done.size, plan.totalChunks);
  const duplicates = completed - plan.totalChunks;

  // Results published before the restart are still there for an observer that starts after it.
  const observer = await createRabbitmqObserver({ ...opts, consumer: "coordinator" });
  t.after(() => observer.close());
  const results = await readAllResults(observer, completed, 20_000);
  assert.equal(results.length, completed, "one ChunkResult per chunk result published");
  const ledger = new RunLedger(plan.totalChunks);
  for (const r of results) ledger.accept({ chunkId: r.chunkId, start: r.start, end: r.end, worker: r.worker, aggregate: r.aggregate });
  assert.equal(ledger.acceptedCount, plan.totalChunks);
  assert.equal(ledger.duplicatesDiscarded, duplicates);
  assert.equal(ledger.aggregate.count, plan.totalParameters, "a duplicate never adds to the aggregate");
  const stats = await observer.stats();
  assert.equal(stats.accepted, plan.totalChunks);
  assert.equal(stats.duplicates, duplicates);
  assert.equal(stats.deadLettered, 0);
});
