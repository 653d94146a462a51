// A RabbitMQ restart mid-run loses no task and no result: durable queues, persistent messages,
// publisher confirms, and clients that reconnect. Runs on a PRIVATE rabbitmq-server on free ports,
// never the machine's broker.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRabbitmqObserver, createRabbitmqWorkerQueue, startPrivateRabbitmq } from "../lib/backends/rabbitmq/index.ts";
import { backendOptions, planFor, randomNamespace, resultFor } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("a RabbitMQ restart mid-run loses no task or result", async (t) => {
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
  const finish = async (d: Awaited<ReturnType<typeof worker.next>>) => {
    assert.ok(d?.task);
    await worker.complete(d, resultFor("run-1", d.task));
    done.add(d.task.chunkId);
  };
  for (let i = 0; i < 10; i++) await finish(await worker.next(5_000));
  const held = await worker.next(5_000); // in hand while the broker goes down

  await server.halt();
  await server.start();

  await finish(held); // published after the reconnect; its ack is moot (the broker requeued it)
  await waitFor(async () => {
    const d = await worker.next(200);
    if (d) await finish(d);
    return worker.settled(plan);
  }, "the run to settle after the restart", 30_000, 0);
  assert.ok(reconnects.some((m) => m.includes("reconnected")), "the worker reconnected");
  assert.equal(done.size, plan.totalChunks);

  // Results published before the restart are still there for an observer that starts after it.
  const observer = await createRabbitmqObserver({ ...opts, consumer: "coordinator" });
  t.after(() => observer.close());
  const seen = new Set<number>();
  await waitFor(async () => {
    for (const r of await observer.readNewResults()) seen.add(r.chunkId);
    return seen.size === plan.totalChunks;
  }, "every chunk's result", 10_000);
  const stats = await observer.stats();
  assert.equal(stats.accepted, plan.totalChunks);
  assert.equal(stats.deadLettered, 0);
});
