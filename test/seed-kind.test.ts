// What a seed-runbook user meets on kind, against fake kind, docker and kubectl that record every
// call: cleanup as v1.3.0 §7 says it (--all never deletes a broker or the cluster; those take their
// own flags), one cluster per command (every kubectl call names its context), the worker image
// checked on every node before any pod, and the post-run cleanup of the run's pods.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import { workerPod } from "../lib/k8s/worker-objects.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { postRunCleanup } from "../lib/demo/post-run-cleanup.ts";
import { realShell } from "../lib/shell/zx-runner.ts";
import { FIXTURES, fakeCluster, runScript, type FakeCluster, type Rule, type Tool } from "./fixtures/k8s/fake-cluster.ts";

const READYZ: Rule = ["*get --raw /readyz*", "readyz.txt"];
const NODES: Rule = ["ps -a --filter label=io.x-k8s.kind.cluster=ttg-sandbox --format*", "node-containers.jsonl"];
const IMAGE_ON_NODES: Rule = ["exec * crictl images -o json", "crictl-images.json"];

function using(t: { after(fn: () => void): void }, rules: Partial<Record<Tool, Rule[]>>): FakeCluster {
  const fake = fakeCluster(rules);
  t.after(() => fake.cleanup());
  return fake;
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-seed-kind-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const kubectlCalls = (fake: FakeCluster) => fake.calls().filter((c) => c[0] === "kubectl");
const deletes = (fake: FakeCluster) => kubectlCalls(fake).filter((c) => c.includes("delete")).flatMap((c) => c.filter((a) => a.includes("/")));

function assertEveryKubectlCallNamesTheContext(fake: FakeCluster, context = "kind-ttg-sandbox"): void {
  const calls = kubectlCalls(fake);
  assert.ok(calls.length > 0, "kubectl was called");
  for (const c of calls) assert.equal(c[c.indexOf("--context") + 1], context, `kubectl call without --context ${context}: ${c.join(" ")}`);
}

const CLEANUP_RULES: Partial<Record<Tool, Rule[]>> = {
  kind: [["get clusters", "clusters.txt"]],
  docker: [NODES, ["images ttg-worker --format {{.Repository}}*", "worker-images.txt"], ["images ttg-worker --format {{json .}}", "worker-images.jsonl"]],
  kubectl: [
    READYZ,
    ["*get jobs,deployments,pods -l app.kubernetes.io/name=ttg-worker,*", "worker-objects.json"],
    ["*-l app.kubernetes.io/name=ttg-redis,*", "redis-objects.json"],
    ["*get *-l *", "empty-list.json"],
  ],
};

test("cleanup --all --force (seed §7: pods + Redis + RabbitMQ): no kind delete cluster, no Deployment, PVC or Secret deleted", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--all", "--force"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(!fake.calls().some((c) => c[0] === "kind" && c[1] === "delete"), "the cluster stays");
  assert.ok(!fake.calls().some((c) => c[0] === "docker" && c[1] === "rmi"), "the images stay");
  assert.deepEqual(deletes(fake).sort(), ["job/ttg-worker-redis-run-1", "pod/ttg-worker-run-1-0"]);
  for (const d of deletes(fake)) assert.doesNotMatch(d, /^(deployment|persistentvolumeclaim|secret|service)\//);
  // The Redis data is sought inside the cluster's broker, through a port-forward in the same cluster.
  const forward = kubectlCalls(fake).find((c) => c.includes("port-forward"));
  assert.ok(forward?.includes("service/ttg-redis"), JSON.stringify(forward));
  assert.match(r.stdout, /rabbitmq on context kind-ttg-sandbox: no TTG broker deployed, so no data to remove/);
  assertEveryKubectlCallNamesTheContext(fake);
});

test("cleanup --delete-cluster deletes ttg-sandbox and the worker images, after naming them; --keep-image keeps the images", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--delete-cluster", "--force"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /kind cluster ttg-sandbox: 4 node container\(s\) ttg-sandbox-control-plane, /);
  assert.match(r.stdout, /images: ttg-worker:v2\.0\.0, ttg-worker:v1\.9\.0 \(--keep-image keeps them\)/);
  const lines = fake.calls().map((c) => c.join(" "));
  assert.ok(lines.includes("kind delete cluster --name ttg-sandbox"), lines.join("\n"));
  assert.ok(lines.includes("docker rmi ttg-worker:v2.0.0 ttg-worker:v1.9.0"), lines.join("\n"));
  assert.deepEqual(deletes(fake), [], "no pod or broker object is touched by --delete-cluster alone");

  const keep = using(t, CLEANUP_RULES);
  const k = await runScript("cleanup", ["--delete-cluster", "--keep-image", "--force"], keep.env);
  assert.equal(k.code, 0, k.stderr);
  assert.ok(keep.calls().some((c) => c.join(" ") === "kind delete cluster --name ttg-sandbox"));
  assert.ok(!keep.calls().some((c) => c[0] === "docker" && c[1] === "rmi"));
});

test("cleanup --delete-cluster --dry-run previews and deletes nothing; --delete-cluster --keep-cluster is bad input", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--delete-cluster", "--dry-run"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /would run: kind delete cluster --name ttg-sandbox/);
  assert.ok(!fake.calls().some((c) => c[0] === "kind" && c[1] === "delete"));
  const both = await runScript("cleanup", ["--delete-cluster", "--keep-cluster"], fake.env);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^cleanup: --delete-cluster and --keep-cluster contradict each other/);
});

test("cleanup --redis --delete-brokers deletes ttg-redis with its volume (its own flag), never a worker or RabbitMQ", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--redis", "--delete-brokers", "--force"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(deletes(fake).sort(), ["deployment/ttg-redis", "persistentvolumeclaim/ttg-redis-data", "service/ttg-redis"]);
  assert.ok(!kubectlCalls(fake).some((c) => c.includes("port-forward")), "no data to purge in a broker being deleted");
  assertEveryKubectlCallNamesTheContext(fake);
});

test("cleanup --list --docker and --list --k8s: the seed's list-resources filters", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const docker = await runScript("cleanup", ["--list", "--docker"], fake.env);
  assert.equal(docker.code, 0, docker.stderr);
  assert.match(docker.stdout, /^kind: /m);
  assert.match(docker.stdout, /^images: 2 ttg-worker image/m);
  assert.doesNotMatch(docker.stdout, /^(kubernetes|redis|rabbitmq|reports)/m);
  const k8s = await runScript("cleanup", ["--list", "--k8s"], fake.env);
  assert.equal(k8s.code, 0, k8s.stderr);
  assert.match(k8s.stdout, /^kubernetes \(context kind-ttg-sandbox\)/m);
  assert.doesNotMatch(k8s.stdout, /^(kind|images):/m);
});

test("demo.ts --platform kind --dry-run: every kubectl call names the context; --context names another", async (t) => {
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]], docker: [NODES, IMAGE_ON_NODES] });
  const r = await runScript("demo", ["--platform", "kind", "--backend", "redis", "--workers", "2", "--run-id", "ctx-dry", "--dry-run"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /ttg-worker:v2\.0\.0 is loaded on every node/);
  const printed = r.stdout.split("\n").filter((l) => l.startsWith("would run: kubectl"));
  assert.ok(printed.length >= 3, r.stdout);
  for (const l of printed) assert.match(l, /^would run: kubectl --context kind-ttg-sandbox /);
  assertEveryKubectlCallNamesTheContext(fake);

  const other = using(t, { kind: [["get clusters", "clusters.txt"]], docker: [NODES, IMAGE_ON_NODES] });
  const o = await runScript("demo", ["--platform", "kind", "--context", "kind-other", "--run-id", "ctx-other", "--dry-run"], other.env);
  assert.equal(o.code, 0, o.stderr);
  for (const l of o.stdout.split("\n").filter((x) => x.startsWith("would run: kubectl"))) assert.match(l, /--context kind-other /);
});

test("demo.ts --platform kind --no-build stops at once, naming the command, when a node lacks the image", async (t) => {
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]], docker: [NODES, ["exec * crictl images -o json", "empty-list.json"]] });
  const r = await runScript("demo", ["--platform", "kind", "--backend", "static", "--no-build", "--run-id", "no-image"], fake.env);
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /^demo: Cannot start workers: ttg-worker:v2\.0\.0 is not loaded on ttg-sandbox-control-plane, .*run \.\/runbook\/build\.ts --load-kind/);
  assert.deepEqual(kubectlCalls(fake).filter((c) => c.includes("apply")), [], "no pod was created");
});

test("demo.ts --platform kind builds and loads a missing image (saying so) before any pod", async (t) => {
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]], docker: [NODES, ["exec * crictl images -o json", "empty-list.json"], ["image inspect *", "-", 1]] });
  const r = await runScript("demo", ["--platform", "kind", "--backend", "static", "--run-id", "build-image", "--dry-run"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /not built: building and loading it/);
  const build = r.stdout.indexOf("would run: docker build");
  const load = r.stdout.indexOf("would run: kind load docker-image ttg-worker:v2.0.0 --name ttg-sandbox");
  const pod = r.stdout.indexOf("apply -f -");
  assert.ok(build >= 0 && load > build && pod > load, r.stdout);
});

test("demo.ts --platform kind, fake-executed: every kubectl call names the context, the report names the pod's node, the run's pods are removed after", async (t) => {
  const dir = tempDir(t);
  const runId = "seed-kind-static";
  const params = 30;
  const pod = { ...workerPod({ runId, backend: "static", image: "ttg-worker:v2.0.0" }, "0"), spec: { nodeName: "ttg-sandbox-worker2" }, status: { phase: "Succeeded", containerStatuses: [{ state: { terminated: { exitCode: 0 } } }] } };
  writeFileSync(join(dir, "pods.json"), JSON.stringify({ kind: "List", items: [pod] }));
  const agg = new AggregateBuilder();
  for (let p = 0; p < params; p++) agg.add(simulatedValue(p));
  const summary = { event: "SUMMARY", worker: "0", node: "ttg-sandbox-worker2", mode: "static", status: "completed", start: 0, end: params, chunks: 1, params, durationSeconds: 0.1, aggregate: agg.build() };
  writeFileSync(join(dir, "worker.log"), `${JSON.stringify(summary)}\n`);
  const answer = (f: string) => relative(FIXTURES, join(dir, f));
  const fake = using(t, {
    kind: [["get clusters", "clusters.txt"]],
    docker: [NODES, IMAGE_ON_NODES],
    kubectl: [
      [`*get pods -l *ttg.io/run-id=${runId}*`, answer("pods.json")],
      [`*get jobs,deployments,pods -l *ttg.io/run-id=${runId}*`, answer("pods.json")],
      [`*logs -f pod/ttg-worker-${runId}-0`, answer("worker.log")],
    ],
  });
  const reports = join(dir, "reports");
  const r = await runScript("demo", ["--platform", "kind", "--backend", "static", "--workers", "1", "--params", String(params), "--run-id", runId, "--results", "none", "--reports", reports], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assertEveryKubectlCallNamesTheContext(fake);
  const report = JSON.parse(readFileSync(r.stdout.trimEnd().split("\n").at(-1) ?? "", "utf8")) as RunReport;
  assert.equal(report.verdict, "pass", report.problems.join("; "));
  assert.equal(report.perWorker[0]?.node, "ttg-sandbox-worker2");
  assert.match(readFileSync(join(reports, runId, "report.md"), "utf8"), /^\| 0 \| ttg-sandbox-worker2 \| 1 \| 30 \|/m);
  // No terminal: the post-run cleanup removes the run's pods without asking; the brokers stay.
  assert.ok(deletes(fake).includes(`pod/ttg-worker-${runId}-0`), deletes(fake).join("\n"));
  assert.match(r.stdout, /removed 1 worker pod\(s\)\/job\(s\) of run seed-kind-static; the brokers stay/);
});

test("post-run cleanup on a terminal: the question comes first and 'no' keeps the pods; --skip-cleanup asks nothing", async (t) => {
  const fake = using(t, { kubectl: [["*get jobs,deployments,pods -l *ttg.io/run-id=run-1*", "worker-objects.json"]] });
  const saved = { ...process.env };
  Object.assign(process.env, fake.env);
  t.after(() => {
    for (const k of Object.keys(fake.env)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const asked: string[] = [];
  const printed: string[] = [];
  const io = { print: (l: string) => printed.push(l), confirm: async (q: string) => (asked.push(q), false) };
  const target = { context: "kind-ttg-sandbox" };
  await postRunCleanup(realShell, { runId: "run-1", target, skipCleanup: false, yes: false }, io);
  assert.equal(asked.length, 1);
  assert.match(asked[0] ?? "", /Remove this run's \d+ worker pod\(s\) and job\(s\)\? \(the brokers stay\)/);
  assert.match(printed.at(-1) ?? "", /kept; remove them later with \.\/runbook\/cleanup\.ts --pods --run-id run-1 --context kind-ttg-sandbox/);
  await postRunCleanup(realShell, { runId: "run-1", target, skipCleanup: true, yes: false }, io);
  assert.equal(asked.length, 1, "--skip-cleanup asks nothing");
  assert.deepEqual(deletes(fake), [], "nothing was deleted");
});

test("monitor.ts --platform kind reads the cluster's broker through a port-forward of its own, in the named context", async (t) => {
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]] });
  const r = await runScript("monitor", ["--platform", "kind", "--backend", "rabbitmq", "--context", "kind-other"], fake.env);
  // The fake kubectl's port-forward exits at once: the monitor says so in one line.
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /^monitor: Cannot reach rabbitmq through kubectl port-forward on 127\.0\.0\.1:\d+: port-forward exited$/m);
  const forward = kubectlCalls(fake).find((c) => c.includes("port-forward"));
  assert.ok(forward?.includes("service/ttg-rabbitmq"), JSON.stringify(forward));
  assertEveryKubectlCallNamesTheContext(fake, "kind-other");
});

test("monitor.ts finds the kind broker by itself when ttg-sandbox runs TTG's broker and no broker address is set", async (t) => {
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]], kubectl: [["*get deployments -l app.kubernetes.io/name=ttg-redis,*", "redis-objects.json"]] });
  const r = await runScript("monitor", [], fake.env);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /Cannot reach redis through kubectl port-forward/);
  assertEveryKubectlCallNamesTheContext(fake);
});
