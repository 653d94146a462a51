// Redis-specific guarantees: a broker restart, a worker that starts before Redis does,
// a loader that stopped half-way, bounded memory, and leases that only their holder renews.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { LOAD_BATCH, runLua } from "../lib/backends/redis/lua-scripts.ts";
import { startPrivateRedis } from "../lib/backends/redis/local-redis.ts";
import { countAccepted, redisKeys } from "../lib/backends/redis/redis-keys.ts";
import { ensureGroup } from "../lib/backends/redis/redis-loader.ts";
import { createRedisWorkerQueue } from "../lib/backends/redis/redis-worker-queue.ts";
import { freePort } from "../lib/net/ports.ts";
import { BROKER_URLS, createQueueRun, deleteNamespace, workerQueueOptions } from "./helpers/queue-run.ts";
import { expectPlanMismatchExit } from "./helpers/plan-mismatch.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("a Redis restart mid-run (SIGKILL, AOF) loses no accepted result, and the run completes", async (t) => {
  const server = await startPrivateRedis();
  t.after(() => server.stop());
  const run = await createQueueRun(t, "redis", { params: 400, chunkSize: 10, workMs: 10, url: server.url });
  const workers = ["a", "b"].map((id) => run.start(id));
  await run.waitForAccepted(8);
  const keys = redisKeys(run.namespace, run.runId);
  const early = new Redis(server.url);
  // Every result a client could read was written to the AOF first: these must all survive.
  const before = await early.xrange(keys.results, "-", "+");
  early.disconnect();
  process.kill(server.pid!, "SIGKILL");
  await server.stop({ keepDir: true });
  const restarted = await startPrivateRedis({ port: server.port, dir: server.dir });
  t.after(() => restarted.stop());
  const exits = await Promise.all(workers.map((w) => w.exitedWithin()));
  assert.deepEqual(exits.map((e) => e.code), [0, 0], workers.map((w) => w.stdout.slice(-5).join("\n")).join("\n"));
  assert.ok(before.length < 40, `the broker was killed mid-run (${before.length} of 40 results in)`);
  const client = new Redis(restarted.url);
  t.after(() => client.disconnect());
  assert.equal(await countAccepted(client, keys), 40, "every chunk has exactly one accepted result after the restart");
  assert.equal(await client.xlen(keys.results), 40, "and every accepted result is in the results stream");
  const after = new Map(await client.xrange(keys.results, "-", "+"));
  for (const [id, fields] of before) {
    assert.deepEqual(after.get(id), fields, `result ${id}, accepted before the kill, survived it unchanged (not computed again)`);
  }
});

test("a worker started before Redis is listening waits for it, then works", async (t) => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const namespace = `ttgtest-${Math.random().toString(36).slice(2, 8)}`;
  const { startWorkerProcess } = await import("./helpers/worker-process.ts");
  const w = startWorkerProcess({
    QUEUE_MODE: "true",
    QUEUE_NAMESPACE: namespace,
    REDIS_URL: url,
    RUN_ID: "early",
    TOTAL_PARAMETERS: "50",
    CHUNK_SIZE: "10",
    SIMULATE_WORK_MS: "0",
    HEARTBEAT_SECONDS: "0",
  });
  t.after(() => w.child.kill("SIGKILL"));
  await w.waitForEvent((e) => e.message.startsWith("waiting for the redis broker"), "the worker to wait");
  const server = await startPrivateRedis({ port });
  t.after(() => server.stop());
  assert.equal((await w.exitedWithin()).code, 0, w.stdout.join("\n"));
  assert.equal((w.summary() as { chunks: number }).chunks, 5);
});

test("a loader that stopped half-way is completed by the next one, without duplicates", async (t) => {
  const url = BROKER_URLS.redis;
  const namespace = `ttgtest-${Math.random().toString(36).slice(2, 8)}`;
  t.after(() => deleteNamespace("redis", url, namespace));
  const client = new Redis(url);
  t.after(() => client.disconnect());
  const keys = redisKeys(namespace, "half");
  const plan = { runId: "half", totalParameters: 2500, chunkSize: 1, totalChunks: 2500 };
  await ensureGroup(client, keys);
  // The first loader gets one batch in and dies.
  await runLua(client, LOAD_BATCH, [keys.meta, keys.tasks], ["half", 2500, 1, 2500, 1000, "t"]);
  assert.equal(await client.xlen(keys.tasks), 1000);
  const queue = await createRedisWorkerQueue({
    url,
    namespace,
    runId: "half",
    consumer: "w",
    maxDeliveries: 3,
    retryDelayMs: 100,
    staleThresholdMs: 1000,
    staleCheckIntervalMs: 100,
  });
  t.after(() => queue.close());
  await queue.ensureLoaded(plan);
  await queue.ensureLoaded(plan);
  const entries = (await client.xrange(keys.tasks, "-", "+")) as [string, string[]][];
  const ids = entries.map(([, f]) => Number(f[f.indexOf("chunk_id") + 1]));
  assert.equal(ids.length, 2500);
  assert.equal(new Set(ids).size, 2500);
  await assert.rejects(queue.ensureLoaded({ ...plan, chunkSize: 2, totalChunks: 1250 }), /Cannot load run half: .*use another --run-id/);
});

test("memory stays bounded: accepted tasks are deleted from the stream", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 500, chunkSize: 5 });
  const w = run.start("a");
  assert.equal((await w.exitedWithin()).code, 0);
  const stats = await run.observer.stats();
  assert.equal(stats.accepted, 100);
  assert.equal(stats.extra.streamLength, 0, "no acknowledged task is left in ttg:tasks");
  assert.equal(stats.extra.pendingEntries, 0);
});

test("only the holder of a chunk can renew its lease; the coordinator can hand a dead worker's chunk back; a chunk handed back unfinished keeps its attempt count", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 20, chunkSize: 10 });
  await run.observer.ensureLoaded(run.plan);
  const a = await createRedisWorkerQueue(workerQueueOptions(run, "a", { staleCheckIntervalMs: 10 }));
  const b = await createRedisWorkerQueue(workerQueueOptions(run, "b", { staleCheckIntervalMs: 10 }));
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const [d] = await a.next(100, 1);
  assert.ok(d?.task);
  assert.deepEqual(await a.renew([d]), [], "a holds its chunk");
  assert.deepEqual(await b.renew([d]), [d], "b does not hold a's chunk");
  assert.equal(await run.observer.reclaimFrom("a"), 1);
  assert.deepEqual(await a.renew([d]), [d], "a lost it once handed back");
  const taken = await waitFor(async () => {
    const [next] = await b.next(50, 1);
    return next?.task?.chunkId === d.task?.chunkId ? next : undefined;
  }, "b to reclaim the handed-back chunk", 5000);
  assert.equal(taken.deliveryCount, 2, "a dead worker's chunk handed back counts as an attempt");
  await b.release(taken);
  const again = await waitFor(async () => {
    const [next] = await a.next(50, 1);
    return next?.task?.chunkId === d.task?.chunkId ? next : undefined;
  }, "a to take the chunk b handed back", 5000);
  assert.equal(again.deliveryCount, 2, "a chunk its holder handed back unfinished keeps its attempt count");
});

test("a batch of thousands of chunks is taken, renewed, accepted once and acknowledged in one step each", async (t) => {
  const run = await createQueueRun(t, "redis", { params: 5000, chunkSize: 1 });
  await run.observer.ensureLoaded(run.plan);
  const q = await createRedisWorkerQueue(workerQueueOptions(run, "big"));
  t.after(() => q.close());
  const batch = await q.next(1000, 4500);
  assert.equal(batch.length, 4500, "one read takes the whole batch");
  assert.deepEqual(await q.renew(batch), [], "every lease renewed");
  const now = new Date().toISOString();
  const completions = batch.map((delivery) => ({
    delivery,
    result: { ...delivery.task!, worker: "big", attempt: 1, aggregate: { count: 1, sum: 1, sumPartials: [1], min: 1, max: 1 }, takenAt: now, finishedAt: now, busySeconds: 0 },
  }));
  assert.ok((await q.complete(completions)).every((v) => v === "accepted"));
  assert.ok((await q.complete(completions.slice(0, 600))).every((v) => v === "duplicate"), "a second copy is a duplicate");
  const rest = await q.next(1000, 4500);
  assert.equal(rest.length, 500);
  const mixed = [...completions.slice(0, 2), ...rest.map((delivery) => ({ delivery, result: { ...completions[0]!.result, ...delivery.task! } }))];
  const verdicts = await q.complete(mixed);
  assert.deepEqual(verdicts.slice(0, 3), ["duplicate", "duplicate", "accepted"], "a batch mixing copies and new chunks gets a verdict per chunk");
  assert.ok(verdicts.slice(2).every((v) => v === "accepted"));
  const stats = await run.observer.stats();
  assert.equal(stats.accepted, 5000);
  assert.equal(stats.duplicates, 602);
  assert.equal(stats.extra.streamLength, 0, "every acknowledged task trimmed");
  assert.equal((await run.collect()).acceptedCount, 5000);
});

test("a worker whose plan differs from the run already loaded stops at once with one line and exit code 2", async (t) => {
  await expectPlanMismatchExit(t, "redis");
});
