// RabbitMQ: idle workers learn that the run settled by push (each idle worker's consumer gets the
// settled marker or a copy of it once, and adds one copy), never before it settled, and the marker
// stays for later readers.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { SETTLED_COPY_HEADER } from "../lib/backends/rabbitmq/settled-signal.ts";
import { planFor } from "../lib/backends/backend.ts";
import { backendOptions, completeAll, deleteNamespace, inspector, randomNamespace, takeExactly } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor, within } from "./helpers/wait-for.ts";

/**
 * Once every worker has closed: the settling worker's marker (persistent, no copy header) is back in
 * the queue exactly once, beside one copy (not persistent) per worker told, between fewest and most.
 */
async function expectMarkerAndCopies(t: TestContext, ns: string, fewest: number, most: number): Promise<void> {
  const look = await inspector();
  t.after(() => look.close());
  const queue = rabbitmqNames(ns, "run-1").settled;
  await waitFor(async () => (await look.ready(queue)) >= 1 + fewest, `the settled marker and ${fewest}+ copies back in the queue`);
  const messages = await look.peek(queue);
  const copies = messages.filter((m) => m.headers[SETTLED_COPY_HEADER] === true && !m.persistent).length;
  const originals = messages.filter((m) => m.headers[SETTLED_COPY_HEADER] === undefined && m.persistent).length;
  assert.equal(originals + copies, messages.length, "only the marker and its copies are in the queue");
  for (const m of messages) assert.equal((m.body as { runId?: string }).runId, "run-1");
  assert.equal(originals, 1, "exactly one persistent marker");
  assert.ok(copies >= fewest && copies <= most, `one copy per worker told (${fewest}-${most}), got ${copies}`);
}

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
  // Ready again once nobody holds it: the run's durable "settled" for later workers and run listings,
  // beside one copy from each worker told (the three idle ones, and busy if its listener heard first).
  await expectMarkerAndCopies(t, ns, 3, 4);
});

test("twenty idle workers are all told; each adds one copy, so the messages double as they go round", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 10, 10);
  const busy = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "busy" }));
  const idle = await Promise.all(Array.from({ length: 20 }, (_, i) => createRabbitmqWorkerQueue(backendOptions(ns, { consumer: `i${i}` }))));
  t.after(() => Promise.all([busy, ...idle].map((q) => q.close())));
  await busy.ensureLoaded(plan);
  const held = await takeExactly(busy, 1, 1);
  for (const q of idle) assert.equal(await q.settled(plan), false);
  await completeAll(busy, held, "busy");
  assert.equal(await busy.settled(plan), true);
  await waitFor(() => idle.every((q) => q.settledHeard?.() === true), "every one of 20 idle workers told", 10_000);
  await Promise.all([busy, ...idle].map((q) => q.close()));
  await expectMarkerAndCopies(t, ns, 20, 20);
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
  // Not acked with a's chunks; b listened too until it proved the run settled, so it may have been told as well.
  await expectMarkerAndCopies(t, ns, 1, 2);
});

test("an idle worker waiting for chunks stops waiting when it hears that the run settled", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 10, 10);
  const busy = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "busy" }));
  const idle = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "idle" }));
  t.after(() => Promise.all([busy.close(), idle.close()]));
  await busy.ensureLoaded(plan);
  const held = await takeExactly(busy, 1, 1);
  assert.equal(await idle.settled(plan), false);
  // A wait of an hour: only the push can end it.
  const waiting = idle.next(3_600_000, 1);
  await completeAll(busy, held, "busy");
  assert.equal(await busy.settled(plan), true);
  assert.deepEqual(await within(waiting, 10_000, "the idle worker's wait for chunks to end"), []);
  assert.equal(idle.settledHeard?.(), true);
});
