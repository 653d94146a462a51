// cleanup.ts --list: everything TTG created and where, against fake kind/docker/kubectl, a real
// Redis namespace and real RabbitMQ queues (each run with its state, and the old shared layout);
// missing tools are lines, never a crash.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { connect } from "amqplib";
import { Redis } from "ioredis";
import { isReadOnlyCommand } from "../lib/shell/read-only.ts";
import { processesSection, readProcesses } from "../lib/cleanup/local-processes.ts";
import { FIXTURES, fakeCluster, runScript, type Rule } from "./fixtures/k8s/fake-cluster.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
const rand = () => randomBytes(4).toString("hex");

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-inventory-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fixture answer written for this test, named relative to the harness's fixtures folder. */
function answer(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return relative(FIXTURES, path);
}

const pod = (name: string, runId: string | undefined, component: string, phase: string, node: string) => ({
  kind: "Pod",
  metadata: {
    name,
    namespace: "default",
    labels: {
      "app.kubernetes.io/part-of": "ttg",
      "ttg.io/project": "distributed-compute",
      "ttg.io/component": component,
      ...(runId ? { "ttg.io/run-id": runId } : {}),
    },
  },
  spec: { nodeName: node },
  status: { phase },
});

test("--list shows the cluster, images, pods and jobs by run, broker pods, each broker run with its state, age, progress and objects, and the old shared layout", async (t) => {
  const dir = tempDir(t);
  const ns = `ttgi${rand()}`;
  const redis = new Redis(REDIS_URL);
  const redisKeys = [`${ns}:tasks`, `${ns}:tasks:run-1`, `${ns}:run:run-1:meta`, `${ns}:run:run-1:done`];
  await redis.xadd(`${ns}:tasks`, "*", "run_id", "run-0", "chunk_id", "0");
  await redis.xadd(`${ns}:tasks`, "*", "run_id", "run-0", "chunk_id", "1");
  await redis.xadd(`${ns}:tasks:run-1`, "*", "chunk_id", "1");
  await redis.hset(`${ns}:run:run-1:meta`, "totalChunks", "2", "createdAt", "2026-01-01T00:00:00Z");
  await redis.setbit(`${ns}:run:run-1:done`, 0, 1);
  t.after(async () => {
    await redis.del(...redisKeys);
    redis.disconnect();
  });
  const model = await connect(AMQP_URL);
  const ch = await model.createChannel();
  const queues = [`${ns}.tasks`, `${ns}.tasks.run-2`, `${ns}.done.run-2`];
  for (const q of queues) await ch.assertQueue(q, { durable: false });
  for (let i = 0; i < 3; i++) ch.sendToQueue(`${ns}.tasks`, Buffer.from("{}"));
  t.after(async () => {
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    await model.close();
  });

  const kube = {
    kind: "List",
    items: [
      pod("ttg-worker-run-1-0", "run-1", "worker", "Running", "ttg-sandbox-worker"),
      pod("ttg-worker-run-1-1", "run-1", "worker", "Succeeded", "ttg-sandbox-worker2"),
      pod("ttg-worker-run-2-0", "run-2", "worker", "Pending", ""),
      { kind: "Job", metadata: { name: "ttg-worker-redis-run-2", labels: { "ttg.io/run-id": "run-2", "ttg.io/component": "worker" } }, status: { active: 1 } },
      pod("ttg-redis-5d9f7c-abcde", undefined, "redis", "Running", "ttg-sandbox-worker3"),
    ],
  };
  const images = '{"Repository":"ttg-worker","Tag":"v2.0.0","ID":"0123abcd","Size":"180MB","CreatedSince":"2 hours ago"}';
  const rules: Record<string, Rule[]> = {
    kind: [["get clusters", "clusters.txt"]],
    docker: [
      ["ps -a --filter label=io.x-k8s.kind.cluster=ttg-sandbox --format*", "node-containers.jsonl"],
      ["images ttg-worker --format*", answer(dir, "images.jsonl", images)],
    ],
    kubectl: [
      ["*get --raw /readyz*", "readyz.txt"],
      ["*get pods,jobs --all-namespaces -l ttg.io/project=distributed-compute -o json", answer(dir, "pods.json", JSON.stringify(kube))],
    ],
  };
  const fake = fakeCluster(rules);
  t.after(() => fake.cleanup());
  const env = { ...fake.env, REDIS_URL, AMQP_URL, QUEUE_NAMESPACE: ns };
  const r = await runScript("cleanup", ["--list", "--run-id", "run-2", "--reports", join(dir, "reports")], env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const out = r.stdout;
  assert.match(out, /^kind: cluster ttg-sandbox, 4 node container\(s\), 1 running$/m);
  assert.match(out, /^ {2}ttg-sandbox-worker2 {2}docker container, exited$/m);
  assert.match(out, /^ {2}ttg-worker:v2\.0\.0 {2}image 0123abcd, 180MB/m);
  assert.match(out, /^kubernetes \(context kind-ttg-sandbox\): 4 worker pod\(s\)\/job\(s\) in 2 run\(s\)$/m);
  assert.match(out, /^ {2}run run-1:\n {4}pod\/ttg-worker-run-1-0 \(namespace default\) {2}pod: Running on ttg-sandbox-worker\n {4}pod\/ttg-worker-run-1-1/m);
  assert.match(out, /^ {2}run run-2:\n {4}job\/ttg-worker-redis-run-2 {2}job: 1 active/m);
  assert.match(out, /^broker pods: 1\n {2}pod\/ttg-redis-5d9f7c-abcde \(namespace default\) {2}redis pod: Running/m);
  const legacy = "old shared layout \\(from before runs were isolated\\): removed by cleanup:";
  assert.match(out, new RegExp(`^redis at redis://127\\.0\\.0\\.1:6379, namespace ${ns}: 1 run\\(s\\), 4 key\\(s\\)`, "m"));
  const run1 = `^ {2}run run-1: abandoned \\(no coordinator, no worker ever consumed it\\), \\d+ d old, 1/2 chunks done, 0 dead-lettered:`;
  assert.match(out, new RegExp(`${run1}\\n {4}${ns}:run:run-1:done {2}string, 1 bytes\\n {4}${ns}:run:run-1:meta {2}hash, 2 fields\\n {4}${ns}:tasks:run-1 {2}stream, 1 entries$`, "m"));
  assert.match(out, new RegExp(`^ {2}${legacy}\\n {4}${ns}:tasks {2}stream, 2 entries$`, "m"));
  assert.match(out, new RegExp(`^ {2}run run-2: abandoned \\(nobody consumes its queues\\), age unknown, 0/\\? chunks done, \\? dead-lettered:\\n {4}${ns}\\.done\\.run-2 {2}queue, 0 messages\\n {4}${ns}\\.tasks\\.run-2 {2}queue, 0 messages$`, "m"));
  assert.match(out, new RegExp(`^ {2}${legacy}\\n {4}${ns}\\.tasks {2}queue, 3 messages$`, "m"));
  // --list only reads.
  const mutating = fake.calls().filter(([tool = "", ...args]) => !isReadOnlyCommand(tool, args) && !(tool === "docker" && args[0] === "images"));
  assert.deepEqual(mutating, []);

  const j = await runScript("cleanup", ["--list", "--json", "--reports", join(dir, "reports")], env);
  type Section = { id: string; items: { name: string }[]; runs?: Record<string, unknown>[]; legacy?: { note: string; objects: { name: string }[] } };
  const inv = JSON.parse(j.stdout) as { sections: Section[] };
  const redisSection = inv.sections.find((s) => s.id === "redis");
  assert.deepEqual(redisSection?.items.map((i) => i.name).sort(), [...redisKeys].sort());
  const run = redisSection?.runs?.[0] ?? {};
  assert.deepEqual(
    { runId: run.runId, state: run.state, createdAt: run.createdAt, totalChunks: run.totalChunks, chunksDone: run.chunksDone, deadLettered: run.deadLettered },
    { runId: "run-1", state: "abandoned", createdAt: "2026-01-01T00:00:00Z", totalChunks: 2, chunksDone: 1, deadLettered: 0 },
  );
  assert.match(String(run.age), /^\d+ d$/);
  assert.deepEqual((run.objects as { name: string }[]).map((o) => o.name).sort(), redisKeys.slice(1).sort());
  assert.deepEqual(redisSection?.legacy?.objects.map((o) => o.name), [`${ns}:tasks`]);
  assert.equal(redisSection?.legacy?.note, "old shared layout (from before runs were isolated): removed by cleanup");
});

test("--list without kind, docker or kubectl and with no broker: each place is one line, exit 0", async (t) => {
  const fake = fakeCluster({}, []);
  t.after(() => fake.cleanup());
  const env = { ...fake.env, REDIS_URL: "redis://127.0.0.1:1", AMQP_URL: "amqp://guest:guest@127.0.0.1:1", QUEUE_NAMESPACE: "ttg" };
  const r = await runScript("cleanup", ["--list", "--reports", join(tempDir(t), "none")], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^kind: not installed$/m);
  assert.match(r.stdout, /^docker: not installed$/m);
  assert.match(r.stdout, /^kubectl: not installed$/m);
  assert.match(r.stdout, /^redis: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/m);
  assert.match(r.stdout, /^rabbitmq: Cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/m);
  assert.match(r.stdout, /^reports in .*: 0 run\(s\)$/m);
});

test("local processes: workers by run from /proc, private brokers by their ttg temp dir, never the machine's broker", (t) => {
  const proc = tempDir(t);
  const add = (pid: number, args: string[], env: Record<string, string> = {}, cwd = "/") => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), "cmdline"), `${args.join("\0")}\0`);
    writeFileSync(join(proc, String(pid), "environ"), Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(""));
    symlinkSync(cwd, join(proc, String(pid), "cwd"));
  };
  add(10, ["/usr/bin/node", "--import", "tsx", "/repo/worker/main.ts"], { RUN_ID: "run-7", WORKER_ID: "2", QUEUE_MODE: "true", QUEUE_BACKEND: "redis" });
  add(11, ["redis-server 127.0.0.1:40001"], {}, "/tmp/ttg-redis-AbC123");
  add(12, ["redis-server 127.0.0.1:6379"], {}, "/var/lib/redis");
  add(13, ["/usr/lib/erlang/erts/bin/beam.smp", "--", "-rabbit", "mnesia_dir", '"/tmp/ttg-rabbitmq-XyZ789/mnesia/x"']);
  add(14, ["/usr/bin/node", "other-app.js"]);
  add(15, ["/usr/bin/node", "/repo/node_modules/.cache/ttg-worker/0a1b2c/worker/main.mjs"], { RUN_ID: "run-7", WORKER_ID: "3" });
  const s = processesSection(readProcesses(proc), 0);
  assert.equal(s.summary, "local processes: 2 worker(s), 2 private broker(s)");
  assert.deepEqual(
    s.items.map((i) => `${i.group} | ${i.name} | ${i.detail}`),
    [
      "private brokers | pid 11 | private redis-server on port 40001, dir /tmp/ttg-redis-AbC123",
      "private brokers | pid 13 | private rabbitmq-server, dir /tmp/ttg-rabbitmq-XyZ789",
      "run run-7 | pid 10 | worker 2, queue mode, redis",
      "run run-7 | pid 15 | worker 3, static mode",
    ],
  );
});
