// cleanup.ts on the local platform against the real Redis (127.0.0.1:6379) and RabbitMQ
// (127.0.0.1:5672): only the namespace's own keys and queues go; a foreign key, a key that merely
// starts with the same letters, and a foreign queue stay; --dry-run changes nothing.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { connect } from "amqplib";
import { Redis } from "ioredis";
import { isNamespaceQueue } from "../lib/backends/purge-rabbitmq.ts";
import { redisNamespacePattern } from "../lib/backends/purge-redis.ts";
import { localBrokerPurge, localBrokersFromEnv, runLocalPurge } from "../lib/kind/cleanup-local.ts";
import { hasTool } from "../lib/shell/tools.ts";
import { realShell } from "../lib/shell/zx-runner.ts";
import { fakeCluster, runScript } from "./fixtures/k8s/fake-cluster.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

const rand = () => randomBytes(4).toString("hex");

type T = { after(fn: () => unknown): void };

async function seedRedis(t: T, ns: string) {
  const r = new Redis(REDIS_URL);
  const foreign = [`other-app-${rand()}:data`, `${ns}x:tasks`];
  const ours = [`${ns}:tasks`, `${ns}:results`, `${ns}:run:r1:meta`, `${ns}:run:r1:done`];
  await r.xadd(`${ns}:tasks`, "*", "run_id", "r1", "chunk_id", "0");
  await r.xadd(`${ns}:results`, "*", "run_id", "r1", "chunk_id", "0");
  await r.hset(`${ns}:run:r1:meta`, "totalChunks", "1");
  await r.hset(`${ns}:run:r1:done`, "0", "w1");
  await r.set(foreign[0] ?? "", "keep me");
  await r.xadd(foreign[1] ?? "", "*", "k", "v");
  t.after(async () => {
    await r.del(...foreign, ...ours);
    r.disconnect();
  });
  return { redis: r, foreign, ours };
}

async function seedRabbitmq(t: T, ns: string) {
  const model = await connect(AMQP_URL);
  const ch = await model.createChannel();
  const foreign = [`other-app-${rand()}.tasks`, `${ns}x.tasks`];
  const ours = [`${ns}.tasks`, `${ns}.tasks.dlq`, `${ns}.results`, `${ns}.done.r1`];
  for (const q of [...foreign, ...ours]) await ch.assertQueue(q, { durable: false, autoDelete: false });
  ch.sendToQueue(`${ns}.tasks`, Buffer.from("{}"));
  ch.sendToQueue(`${ns}.tasks`, Buffer.from("{}"));
  ch.sendToQueue(foreign[0] ?? "", Buffer.from("keep me"));
  await ch.close();
  t.after(async () => {
    const c = await model.createChannel();
    for (const q of [...foreign, ...ours]) await c.deleteQueue(q).catch(() => undefined);
    await c.close().catch(() => undefined);
    await model.close();
  });
  return { model, foreign, ours };
}

async function queueExists(model: Awaited<ReturnType<typeof connect>>, name: string): Promise<boolean> {
  const ch = await model.createChannel();
  ch.on("error", () => undefined);
  try {
    await ch.checkQueue(name);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

function purgeFor(ns: string, runIds: string[] = []) {
  const env = { REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };
  return localBrokerPurge(localBrokersFromEnv(env, runIds), realShell.run);
}

test("patterns: the SCAN pattern is the namespace and a colon; queue names must have TTG's exact shapes", () => {
  assert.equal(redisNamespacePattern("ttg"), "ttg:*");
  assert.equal(redisNamespacePattern("a*b"), "a\\*b:*");
  const perRun = ["ttg.tasks.r-1", "ttg.tasks.retry.r-1", "ttg.tasks.dlq.r-1", "ttg.results.r-1", "ttg.lock.r-1", "ttg.settled.run.2"];
  const legacy = ["ttg.tasks", "ttg.tasks.retry", "ttg.tasks.dlq", "ttg.results"];
  for (const q of [...perRun, ...legacy]) assert.ok(isNamespaceQueue(q, "ttg"), q);
  for (const q of ["ttgx.tasks", "ttg.other", "ttg.tasks.Extra", "ttg.tasks.retry.", "other.ttg.tasks", "ttg.done.", "ttg-tasks", "ttg.tasks.r_1"]) assert.ok(!isNamespaceQueue(q, "ttg"), q);
});

test("local Redis purge removes the namespace's keys only; --dry-run changes nothing", async (t) => {
  const ns = `ttgt${rand()}`;
  const { redis, foreign, ours } = await seedRedis(t, ns);
  const lines: string[] = [];
  const io = { log: (l: string) => void lines.push(l), confirm: async () => true, purge: purgeFor(ns) };

  assert.equal(await runLocalPurge({ backends: ["redis"], dryRun: true, force: true, required: true }, io), 0);
  for (const k of ours) assert.ok(lines.some((l) => l.trim().startsWith(`${k} `)), `${k} listed:\n${lines.join("\n")}`);
  assert.ok(!lines.some((l) => foreign.some((f) => l.includes(f))), lines.join("\n"));
  assert.match(lines.join("\n"), /stream, 1 entries/);
  assert.match(lines.at(-1) ?? "", /dry run: nothing removed/);
  assert.equal(await redis.exists(...ours), ours.length);

  lines.length = 0;
  assert.equal(await runLocalPurge({ backends: ["redis"], dryRun: false, force: true, required: true }, io), 0);
  assert.equal(await redis.exists(...ours), 0, lines.join("\n"));
  assert.equal(await redis.get(foreign[0] ?? ""), "keep me");
  assert.equal(await redis.xlen(foreign[1] ?? ""), 1);
  assert.match(lines.join("\n"), new RegExp(`removed ${ours.length} key`));
});

test("local RabbitMQ purge (rabbitmqctl when present) removes the namespace's queues only; --dry-run changes nothing", async (t) => {
  const ns = `ttgt${rand()}`;
  const { model, foreign, ours } = await seedRabbitmq(t, ns);
  const lines: string[] = [];
  const io = { log: (l: string) => void lines.push(l), confirm: async () => true, purge: purgeFor(ns) };

  await runLocalPurge({ backends: ["rabbitmq"], dryRun: true, force: true, required: true }, io);
  const listed = lines.join("\n");
  for (const q of ours) assert.ok(listed.includes(`  ${q}  (queue`), `${q} listed:\n${listed}`);
  assert.match(listed, new RegExp(`${ns}\\.tasks  \\(queue, 2 messages\\)`));
  if (hasTool("rabbitmqctl")) assert.match(listed, /found by rabbitmqctl list_queues/);
  assert.ok(!foreign.some((f) => listed.includes(f)), listed);
  for (const q of ours) assert.ok(await queueExists(model, q), `${q} kept by the dry run`);

  lines.length = 0;
  await runLocalPurge({ backends: ["rabbitmq"], dryRun: false, force: true, required: true }, io);
  for (const q of ours) assert.ok(!(await queueExists(model, q)), `${q} removed\n${lines.join("\n")}`);
  for (const q of foreign) assert.ok(await queueExists(model, q), `${q} kept`);
});

test("cleanup.ts --rabbitmq --redis without kubectl or rabbitmqctl: known run ids' queues, keys; foreign ones stay", async (t) => {
  const ns = `ttgt${rand()}`;
  const r = await seedRedis(t, ns);
  const q = await seedRabbitmq(t, ns);
  const fake = fakeCluster({}, ["kind", "docker"]);
  t.after(() => fake.cleanup());
  const env = { ...fake.env, REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };

  const dry = await runScript("cleanup", ["--redis", "--rabbitmq", "--run-id", "r1", "--dry-run"], env);
  assert.equal(dry.code, 0, `${dry.stdout}\n${dry.stderr}`);
  assert.match(dry.stdout, /kubectl: not installed/);
  assert.match(dry.stdout, /found by the shared queue names and those of \d+ known run\(s\) \(rabbitmqctl is not installed\)/);
  for (const name of [...r.ours, ...q.ours]) assert.ok(dry.stdout.includes(`  ${name}  (`), `${name} listed:\n${dry.stdout}`);
  assert.equal(await r.redis.exists(...r.ours), r.ours.length);
  for (const name of q.ours) assert.ok(await queueExists(q.model, name));

  const real = await runScript("cleanup", ["--redis", "--rabbitmq", "--run-id", "r1", "--force"], env);
  assert.equal(real.code, 0, `${real.stdout}\n${real.stderr}`);
  assert.equal(await r.redis.exists(...r.ours), 0, real.stdout);
  assert.equal(await r.redis.exists(...r.foreign), r.foreign.length);
  for (const name of q.ours) assert.ok(!(await queueExists(q.model, name)), `${name} removed`);
  for (const name of q.foreign) assert.ok(await queueExists(q.model, name), `${name} kept`);
});

test("an unreachable local broker named by flag: one line naming the fix, exit 2", async (t) => {
  const fake = fakeCluster({}, ["kind", "docker"]);
  t.after(() => fake.cleanup());
  const r = await runScript("cleanup", ["--redis", "--force"], { ...fake.env, REDIS_URL: "redis://127.0.0.1:1", QUEUE_NAMESPACE: "ttg" });
  assert.equal(r.code, 2, r.stdout);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^cleanup: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*point REDIS_URL at a running one\./);
});
