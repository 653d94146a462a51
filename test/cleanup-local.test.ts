// cleanup.ts on the local platform against the real Redis (127.0.0.1:6379) and RabbitMQ
// (127.0.0.1:5672), run by run: --run-id takes that run only; without it finished and abandoned
// runs and the old shared layout go while an active run is named and left alone (--force takes
// it); foreign keys and queues always stay; --dry-run changes nothing.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { connect } from "amqplib";
import { isNamespaceQueue } from "../lib/backends/rabbitmq/purge-rabbitmq.ts";
import { redisNamespacePattern } from "../lib/backends/redis/purge-redis.ts";
import { localBrokerPurge, localBrokersFromEnv, runLocalPurge } from "../lib/cleanup/cleanup-local.ts";
import { realShell } from "../lib/shell/zx-runner.ts";
import { fakeCluster, runScript } from "./fixtures/k8s/fake-cluster.ts";
import { AMQP_URL, REDIS_URL, existing, rand, seedRabbitmqRuns, seedRedisRuns, type Seeded } from "./helpers/seed-runs.ts";

test("patterns: the SCAN pattern is the namespace and a colon; queue names must have TTG's exact shapes", () => {
  assert.equal(redisNamespacePattern("ttg"), "ttg:*");
  assert.equal(redisNamespacePattern("a*b"), "a\\*b:*");
  const perRun = ["ttg.tasks.r-1", "ttg.tasks.retry.r-1", "ttg.tasks.dlq.r-1", "ttg.results.r-1", "ttg.lock.r-1", "ttg.plan.r-1", "ttg.settled.run.2"];
  const legacy = ["ttg.tasks", "ttg.tasks.retry", "ttg.tasks.dlq", "ttg.results"];
  for (const q of [...perRun, ...legacy]) assert.ok(isNamespaceQueue(q, "ttg"), q);
  for (const q of ["ttgx.tasks", "ttg.other", "ttg.tasks.Extra", "ttg.tasks.retry.", "other.ttg.tasks", "ttg.done.", "ttg-tasks", "ttg.tasks.r_1"]) assert.ok(!isNamespaceQueue(q, "ttg"), q);
});

function purgeFor(ns: string, runIds: string[] = []) {
  const env = { REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };
  return localBrokerPurge(localBrokersFromEnv(env, runIds), realShell.run);
}

type Backend = "redis" | "rabbitmq";
const seed = (t: TestContext, backend: Backend, ns: string) => (backend === "redis" ? seedRedisRuns(t, ns) : seedRabbitmqRuns(t, ns));

/** runLocalPurge on one backend; the seeded run ids are known, as if from reports (RabbitMQ without rabbitmqctl). */
async function purge(backend: Backend, ns: string, s: Seeded, o: { runId?: string; force?: boolean; dryRun?: boolean }) {
  const lines: string[] = [];
  const io = { log: (l: string) => void lines.push(l), confirm: async () => true, purge: purgeFor(ns, Object.values(s.runIds)) };
  const code = await runLocalPurge({ backends: [backend], dryRun: o.dryRun ?? false, ask: false, force: o.force ?? false, required: true, ...(o.runId ? { runId: o.runId } : {}) }, io);
  return { code, out: lines.join("\n") };
}

for (const backend of ["redis", "rabbitmq"] as const) {
  test(`${backend}: --run-id removes that run's objects only; every other run, the old layout and foreign objects stay`, async (t) => {
    const ns = `ttgt${rand()}`;
    const s = await seed(t, backend, ns);
    const { code, out } = await purge(backend, ns, s, { runId: s.runIds.abandoned });
    assert.equal(code, 0, out);
    assert.deepEqual(await existing(s, s.objects.abandoned), [], out);
    for (const kind of ["finished", "active", "legacy", "foreign"] as const) assert.deepEqual(await existing(s, s.objects[kind]), s.objects[kind], `${kind} kept\n${out}`);
    assert.match(out, new RegExp(`run ${s.runIds.abandoned} \\(abandoned: no`));
    assert.doesNotMatch(out, /left alone/);
  });

  test(`${backend}: without --run-id, finished and abandoned runs and the old layout go; the active run is named and left alone; --force takes it`, async (t) => {
    const ns = `ttgt${rand()}`;
    const s = await seed(t, backend, ns);
    const dry = await purge(backend, ns, s, { dryRun: true });
    const all = Object.values(s.objects).flat();
    assert.deepEqual(await existing(s, all), all, "the dry run removes nothing");
    for (const name of [...s.objects.finished, ...s.objects.abandoned, ...s.objects.legacy]) assert.ok(dry.out.includes(`    ${name}  (`), `${name} previewed:\n${dry.out}`);
    for (const name of [...s.objects.active, ...s.objects.foreign]) assert.ok(!dry.out.includes(name), `${name} not previewed:\n${dry.out}`);
    assert.match(dry.out, new RegExp(`^  run ${s.runIds.finished} \\(finished: every chunk has a result or a dead letter\\): \\d`, "m"));
    assert.match(dry.out, /^ {2}old shared layout \(from before runs were isolated\): 2 /m);
    assert.match(dry.out, new RegExp(`^  left alone: run ${s.runIds.active} is active \\(2 worker\\(s\\) consuming\\); --force removes it anyway$`, "m"));
    assert.match(dry.out, /dry run: nothing removed$/);

    const real = await purge(backend, ns, s, {});
    assert.equal(real.code, 0, real.out);
    assert.deepEqual(await existing(s, [...s.objects.finished, ...s.objects.abandoned, ...s.objects.legacy]), [], real.out);
    assert.deepEqual(await existing(s, [...s.objects.active, ...s.objects.foreign]), [...s.objects.active, ...s.objects.foreign], real.out);
    assert.match(real.out, new RegExp(`left alone: run ${s.runIds.active} is active`));

    const forced = await purge(backend, ns, s, { force: true });
    assert.match(forced.out, new RegExp(`run ${s.runIds.active} \\(active: 2 worker\\(s\\) consuming; removed anyway \\(--force\\)\\)`));
    assert.deepEqual(await existing(s, s.objects.active), [], forced.out);
    assert.deepEqual(await existing(s, s.objects.foreign), s.objects.foreign);
  });

  test(`${backend}: an active run asked for by --run-id is refused without --force; an unknown run id is one line, exit 0`, async (t) => {
    const ns = `ttgt${rand()}`;
    const s = await seed(t, backend, ns);
    const refused = await purge(backend, ns, s, { runId: s.runIds.active });
    assert.equal(refused.code, 0);
    assert.match(refused.out, new RegExp(`left alone: run ${s.runIds.active} is active \\(2 worker\\(s\\) consuming\\); --force removes it anyway`));
    assert.deepEqual(await existing(s, s.objects.active), s.objects.active);
    const missing = await purge(backend, ns, s, { runId: "no-such-run" });
    assert.equal(missing.code, 0);
    assert.equal(missing.out.split("\n").filter((l) => l.includes("no-such-run")).length, 1, missing.out);
    assert.match(missing.out, new RegExp(`no run no-such-run in namespace ${ns}: nothing of it to remove`));
    assert.deepEqual(await existing(s, Object.values(s.objects).flat()), Object.values(s.objects).flat());
  });
}

test("cleanup.ts --redis --rabbitmq --run-id without kubectl or rabbitmqctl: that run's keys and queues go, the others stay", async (t) => {
  const ns = `ttgt${rand()}`;
  const r = await seedRedisRuns(t, ns);
  const q = await seedRabbitmqRuns(t, ns);
  const fake = fakeCluster({}, ["kind", "docker"]);
  t.after(() => fake.cleanup());
  const env = { ...fake.env, REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };
  const id = r.runIds.finished;
  // The RabbitMQ run of the same id: its queue names are the ones probed without rabbitmqctl.
  const ch = await q.model.createChannel();
  const rabbitOwn = [`${ns}.tasks.${id}`, `${ns}.settled.${id}`];
  for (const name of rabbitOwn) await ch.assertQueue(name, { durable: false });
  ch.sendToQueue(`${ns}.settled.${id}`, Buffer.from("{}"));
  await ch.close();
  t.after(async () => {
    const model = await connect(AMQP_URL);
    const c = await model.createChannel();
    for (const name of rabbitOwn) await c.deleteQueue(name).catch(() => undefined);
    await model.close();
  });

  const dry = await runScript("cleanup", ["--redis", "--rabbitmq", "--run-id", id, "--dry-run"], env);
  assert.equal(dry.code, 0, `${dry.stdout}\n${dry.stderr}`);
  assert.match(dry.stdout, /kubectl: not installed/);
  assert.match(dry.stdout, /found by the shared queue names and those of \d+ known run\(s\) \(rabbitmqctl is not installed\)/);
  for (const name of [...r.objects.finished, ...rabbitOwn]) assert.ok(dry.stdout.includes(`    ${name}  (`), `${name} listed:\n${dry.stdout}`);
  assert.deepEqual(await existing(r, r.objects.finished), r.objects.finished);

  const real = await runScript("cleanup", ["--redis", "--rabbitmq", "--run-id", id], env);
  assert.equal(real.code, 0, `${real.stdout}\n${real.stderr}`);
  assert.deepEqual(await existing(r, r.objects.finished), [], real.stdout);
  assert.deepEqual(await existing(q, rabbitOwn), [], real.stdout);
  const others = (s: Seeded) => [...s.objects.abandoned, ...s.objects.active, ...s.objects.legacy, ...s.objects.foreign];
  assert.deepEqual(await existing(r, others(r)), others(r));
  assert.deepEqual(await existing(q, [...q.objects.finished, ...others(q)]), [...q.objects.finished, ...others(q)]);
});

test("an unreachable local broker named by flag: one line naming the fix, exit 2", async (t) => {
  const fake = fakeCluster({}, ["kind", "docker"]);
  t.after(() => fake.cleanup());
  const r = await runScript("cleanup", ["--redis", "--force"], { ...fake.env, REDIS_URL: "redis://127.0.0.1:1", QUEUE_NAMESPACE: "ttg" });
  assert.equal(r.code, 2, r.stdout);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^cleanup: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*point REDIS_URL at a running one\./);
});
