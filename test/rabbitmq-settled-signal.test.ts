// RabbitMQ: idle workers learn that the run settled by push (the settled marker visits each idle
// worker's consumer once), never before it settled, and the marker stays for later readers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { planFor } from "../lib/backends/backend.ts";
import { backendOptions, completeAll, deleteNamespace, inspector, randomNamespace, takeExactly } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("idle workers hear that the run settled without asking again; the marker stays in the queue", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 30, 10);
  const busy = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "busy" }));
  const idle = await Promise.all(["i1", "i2", "i3"].map((consumer) => createRabbitmqWorkerQueue(backendOptions(ns, { consumer }))));
  t.after(() => Promise.all([busy, ...idle].map((q) => q.close())));
  await busy.ensureLoaded(plan);
  const held = await takeExactly(busy, 3, 3);
  for (const q of idle) {
    assert.equal(await q.settled(plan), false, "every chunk is held by a live worker");
    assert.equal(q.settledHeard?.(), false);
  }
  // Two of three done: still not settled, and nobody hears anything.
  await completeAll(busy, held.slice(0, 2), "busy");
  assert.equal(await busy.settled(plan), false);
  for (const q of idle) assert.equal(await q.settled(plan), false);

  await completeAll(busy, held.slice(2), "busy");
  assert.equal(await busy.settled(plan), true, "the last finisher proves the run settled");
  // The idle ones are told: no settled() call from them in between.
  await waitFor(() => idle.every((q) => q.settledHeard?.() === true), "every idle worker told that the run settled", 10_000);
  for (const q of idle) assert.equal(await q.settled(plan), true);

  await Promise.all([busy, ...idle].map((q) => q.close()));
  const look = await inspector();
  t.after(() => look.close());
  // Ready again once nobody holds it: the run's durable "settled" for later workers and run listings.
  await waitFor(async () => (await look.ready(rabbitmqNames(ns, "run-1").settled)) === 1, "the settled marker back in its queue");
});

test("a worker listening while it holds chunks still hears the end, and its acks leave the marker in place", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 20, 10);
  const a = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "a" }));
  const b = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "b" }));
  t.after(() => Promise.all([a.close(), b.close()]));
  await a.ensureLoaded(plan);
  // a takes both chunks, then listens on the channel they came on (its acks must not cover the marker).
  assert.equal(await b.settled(plan), false);
  const held = await takeExactly(a, 2, 2);
  assert.equal(await a.settled(plan), false);
  await completeAll(a, held, "a");
  assert.equal(await b.settled(plan), true);
  await waitFor(() => a.settledHeard?.() === true, "a told that the run settled", 10_000);
  await Promise.all([a.close(), b.close()]);
  const look = await inspector();
  t.after(() => look.close());
  await waitFor(async () => (await look.ready(rabbitmqNames(ns, "run-1").settled)) === 1, "the settled marker kept, not acked with a's chunks");
});
