// A killed worker's chunk is back at once; a frozen one's within about three heartbeats;
// a missing rabbitmq-server binary is a one-line bad-input error.
import assert from "node:assert/strict";
import { prefetchFor } from "../lib/backends/rabbitmq/task-intake.ts";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { createRabbitmqObserver, createRabbitmqWorkerQueue } from "../lib/backends/rabbitmq/index.ts";
import { ensureLocalRabbitmq } from "../lib/backends/rabbitmq/local-rabbitmq.ts";
import { rabbitmqNames } from "../lib/backends/rabbitmq/rabbitmq-names.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { WORKER_VARIABLES } from "../lib/config/worker-variables.ts";
import { planFor } from "../lib/backends/backend.ts";
import { AMQP_URL, backendOptions, completeAll, deleteNamespace, inspector, nextOne, randomNamespace, readAllResults, takeExactly } from "./fixtures/rabbitmq/rabbitmq-test-kit.ts";
import { waitFor, within } from "./helpers/wait-for.ts";

const holder = fileURLToPath(new URL("./fixtures/rabbitmq/hold-chunk.ts", import.meta.url));

async function holderWithChunks(t: TestContext, ns: string, batch = 1) {
  const child = spawn(process.execPath, ["--import", "tsx", holder, AMQP_URL, ns, "run-1", String(batch)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const exitedWithin = (timeoutMs = 10_000) => within(exited, timeoutMs, "the holder to exit");
  t.after(async () => {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await exitedWithin();
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  const line = await waitFor(() => lines.find((l) => l.startsWith("holding ")), "the holder to take its chunks", 20_000);
  return { child, exitedWithin, chunkIds: (line.split(" ")[1] ?? "").split(",").map(Number) };
}

// The broker cuts off a silent connection after two to three heartbeats; the holder uses a worker's
// default. 5 s beyond three: at 10 s the chunk came back after 29.9 s on a busy machine.
const heartbeatMs = Number(WORKER_VARIABLES.RABBITMQ_HEARTBEAT_SECONDS.default) * 1000;

for (const [signal, limitMs] of [["SIGKILL", 1_000], ["SIGSTOP", 3 * heartbeatMs + 5_000]] as const) {
  test(`a ${signal === "SIGKILL" ? "killed" : "frozen"} worker's chunk goes to another worker within ${limitMs} ms`, async (t) => {
    const ns = randomNamespace();
    t.after(() => deleteNamespace(ns, ["run-1"]));
    const other = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "other" }));
    t.after(() => other.close());
    await other.ensureLoaded(planFor("run-1", 10, 10)); // one chunk
    const { child, chunkIds } = await holderWithChunks(t, ns);
    assert.deepEqual(await other.next(100, 1), []);
    const at = Date.now();
    child.kill(signal);
    const d = await nextOne(other, limitMs + 2_000);
    const took = Date.now() - at;
    assert.deepEqual([d?.task?.chunkId], chunkIds);
    assert.ok(took < limitMs, `back after ${took} ms`);
    t.diagnostic(`back after ${took} ms`);
  });
}

test("a worker killed (SIGKILL) while holding a batch loses nothing: every chunk of the batch comes back and the run completes", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  // The holder takes a batch of 4 and its consumer buffers up to prefetchFor(4) - 4 more; 4 are left for the other worker.
  const plan = planFor("run-1", (prefetchFor(4) + 4) * 10, 10);
  const other = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "other" }));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([other.close(), observer.close()]));
  await other.ensureLoaded(plan);
  const { child, exitedWithin, chunkIds } = await holderWithChunks(t, ns, 4);
  assert.equal(chunkIds.length, 4);
  // The two chunks the holder did not take; then nothing while it holds its batch.
  const rest = await takeExactly(other, 4, 4);
  await completeAll(other, rest, "other");
  assert.deepEqual(await other.next(200, 4), []);
  await waitFor(async () => (await observer.stats()).inFlight.holder === 4, "the observer to see the holder's batch of 4");

  child.kill("SIGKILL");
  await exitedWithin();
  // Its batch and what its consumer had buffered behind it come back.
  const back = await takeExactly(other, prefetchFor(4), 4);
  const backIds = back.map((d) => d.task?.chunkId);
  assert.ok(chunkIds.every((id) => backIds.includes(id)), "every chunk of the batch came back");
  assert.ok(back.every((d) => d.deliveryCount === 2), "a broker redelivery counts as an attempt");
  assert.ok((await completeAll(other, back, "other")).every((v) => v === "accepted"));
  assert.equal(await other.settled(plan), true);

  const results = await readAllResults(observer, plan.totalChunks);
  assert.deepEqual(results.map((r) => r.chunkId).sort((a, b) => a - b), [...Array(plan.totalChunks).keys()]);
  const stats = await observer.stats();
  assert.equal(stats.accepted, plan.totalChunks);
  assert.equal(stats.duplicates, 0);
  assert.deepEqual(stats.inFlight, {}, "the killed worker's batch is no longer counted as held");
});

test("a dead worker's chunks put back unstarted by the next worker keep their attempt count (2), so MAX_DELIVERIES still counts them", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  const plan = planFor("run-1", 400, 10); // 40 chunks
  const next = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "next" }));
  const last = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "last" }));
  t.after(() => Promise.all([next.close(), last.close()]));
  await next.ensureLoaded(plan);
  const look = await inspector();
  t.after(() => look.close());
  // The holder has a batch of 4 and 4 more buffered (chunks 0-7); `next` has 16 and 16 buffered.
  const { child, exitedWithin, chunkIds } = await holderWithChunks(t, ns, 4);
  const big = await takeExactly(next, 16, 16);
  await waitFor(async () => (await look.ready(rabbitmqNames(ns, "run-1").tasks)) === 0, "every chunk pushed to a worker");
  child.kill("SIGKILL");
  await exitedWithin();
  // The dead worker's chunks come back marked redelivered and, once `next` acks its batch, are
  // pushed into its buffer; lowering its batch to one chunk puts them back unstarted.
  await completeAll(next, big, "next");
  await waitFor(async () => (await look.ready(rabbitmqNames(ns, "run-1").tasks)) === 0, "the dead worker's chunks pushed to next");
  const one = await next.next(5_000, 1);
  const seen = new Map<number, number>();
  for (const d of [...big, ...one]) seen.set(d.task!.chunkId, d.deliveryCount);
  await completeAll(next, one, "next");
  while (seen.size < plan.totalChunks) {
    const batch = await last.next(5_000, 8);
    assert.ok(batch.length > 0, `only ${seen.size} of ${plan.totalChunks} chunks came`);
    for (const d of batch) seen.set(d.task!.chunkId, d.deliveryCount);
    await completeAll(last, batch, "last");
  }
  for (const id of chunkIds) assert.equal(seen.get(id), 2, `chunk ${id} of the dead worker: attempt ${seen.get(id)}`);
});

test("a batch mixing chunks past MAX_DELIVERIES with fresh ones dead-letters the first and hands out the rest", async (t) => {
  const ns = randomNamespace();
  t.after(() => deleteNamespace(ns, ["run-1"]));
  // The holder takes a batch of 4 and buffers 4 more (chunks 0-7); chunks 8-11 stay in the queue.
  const plan = planFor("run-1", (prefetchFor(4) + 4) * 10, 10);
  // With MAX_DELIVERIES 1, a chunk redelivered after its holder died is one attempt too many.
  const other = await createRabbitmqWorkerQueue(backendOptions(ns, { consumer: "other", maxDeliveries: 1 }));
  const observer = await createRabbitmqObserver(backendOptions(ns, { consumer: "coordinator" }));
  t.after(() => Promise.all([other.close(), observer.close()]));
  await other.ensureLoaded(plan);
  const look = await inspector();
  t.after(() => look.close());
  const tasks = rabbitmqNames(ns, "run-1").tasks;
  const { child, exitedWithin } = await holderWithChunks(t, ns, 4);
  await waitFor(async () => (await look.ready(tasks)) === 4, "the holder to hold 8 chunks");
  child.kill("SIGKILL");
  await exitedWithin();
  await waitFor(async () => (await look.ready(tasks)) === plan.totalChunks, "the holder's chunks back in the queue");
  const handed = await takeExactly(other, 4, plan.totalChunks);
  assert.deepEqual(handed.map((d) => d.task?.chunkId ?? -1).sort((a, b) => a - b), [8, 9, 10, 11], "only the fresh chunks are handed out");
  assert.ok(handed.every((d) => d.deliveryCount === 1));
  await completeAll(other, handed, "other");
  assert.equal(await other.settled(plan), true, "dead letters and results together cover the run");
  const dead = await waitFor(async () => {
    const letters = await observer.deadLetters();
    return letters.length === 8 ? letters : undefined;
  }, "eight dead letters");
  assert.deepEqual(dead.map((d) => d.chunkId ?? -1).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(dead.every((d) => d.attempts === 1 && /abandoned/.test(d.error)), JSON.stringify(dead[0]));
});

test("no broker and no rabbitmq-server binary: a one-line bad-input error naming the fix", async () => {
  const error = await ensureLocalRabbitmq("amqp://guest:guest@127.0.0.1:1", { serverPath: "/nonexistent/rabbitmq-server" }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.ok(error);
  assert.ok(error instanceof BadInput, `${error.name} is bad input`);
  assert.match(error.message, /rabbitmq-server is not installed \(apt-get install rabbitmq-server/);
  assert.doesNotMatch(error.message, /\n/);
});
