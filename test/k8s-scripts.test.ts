// Runbook scripts (setup, build, recover, cleanup) as real child processes against fake kind,
// docker and kubectl executables that record their calls (test/fixtures/fake-bin/).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { queueWorkerJob, workerPod } from "../lib/k8s/worker-objects.ts";
import { isReadOnlyCommand } from "../lib/shell/read-only.ts";
import { saveRun } from "../lib/sweep/saved-run.ts";
import type { SweepConfig } from "../lib/sweep/sweep-config.ts";
import { FIXTURES, fakeCluster, runScript, type FakeCluster, type Rule, type Tool } from "./fixtures/k8s/fake-cluster.ts";

const DOCKER_UP: Rule = ["info --format*", "docker-version.txt"];
const READYZ: Rule = ["*get --raw /readyz*", "readyz.txt"];

function using(t: { after(fn: () => void): void }, rules: Partial<Record<Tool, Rule[]>>, tools?: Tool[]): FakeCluster {
  const fake = fakeCluster(rules, tools);
  t.after(() => fake.cleanup());
  return fake;
}

const line = (call: string[]) => call.join(" ");
const mutating = (calls: string[][]) => calls.filter(([cmd = "", ...args]) => !isReadOnlyCommand(cmd, args));

test("setup creates ttg-sandbox from k8s/kind-config.yaml, builds and loads the pinned image", async (t) => {
  const fake = using(t, {
    docker: [DOCKER_UP],
    kind: [["get clusters", "no-clusters.txt"]],
    kubectl: [["*get nodes -o json", "nodes.json"]],
  });
  const r = await runScript("setup", [], fake.env);
  assert.equal(r.code, 0, r.stderr);
  const calls = fake.calls().map(line);
  const create = calls.findIndex((c) => c.startsWith("kind create cluster --name ttg-sandbox --config ") && c.includes("/k8s/kind-config.yaml"));
  const build = calls.findIndex((c) => c.startsWith("docker build ") && c.includes(" -t ttg-worker:v2.0.0 "));
  const load = calls.indexOf("kind load docker-image ttg-worker:v2.0.0 --name ttg-sandbox");
  assert.ok(create >= 0 && build > create && load > build, calls.join("\n"));
  const buildCall = calls[build] ?? "";
  for (const arg of ["VERSION=2.0.0", "REVISION=", "CREATED="]) assert.ok(buildCall.includes(`--build-arg ${arg}`), buildCall);
  assert.match(r.stdout, /sandbox is ready/);
});

test("setup twice: an existing ttg-sandbox is kept, not created again", async (t) => {
  const fake = using(t, {
    docker: [DOCKER_UP],
    kind: [["get clusters", "clusters.txt"]],
    kubectl: [["*get nodes -o json", "nodes.json"]],
  });
  const r = await runScript("setup", ["--skip-build"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  const calls = fake.calls().map(line);
  assert.ok(!calls.some((c) => c.startsWith("kind create")), calls.join("\n"));
  assert.ok(calls.includes("kind load docker-image ttg-worker:v2.0.0 --name ttg-sandbox"));
});

test("setup --dry-run makes no mutating call and prints what it would run", async (t) => {
  const fake = using(t, { docker: [DOCKER_UP], kind: [["get clusters", "no-clusters.txt"]], kubectl: [["*get nodes -o json", "nodes.json"]] });
  const r = await runScript("setup", ["--dry-run"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(mutating(fake.calls()), []);
  assert.match(r.stdout, /would run: kind create cluster --name ttg-sandbox --config \S+k8s\/kind-config\.yaml/);
  assert.match(r.stdout, /would run: docker build /);
  assert.match(r.stdout, /would run: kind load docker-image ttg-worker:v2\.0\.0 --name ttg-sandbox/);
});

test("build --registry --push tags, labels and pushes; --acr NAME means NAME.azurecr.io", async (t) => {
  const fake = using(t, { docker: [DOCKER_UP] });
  const r = await runScript("build", ["--version", "2.1.0", "--acr", "myreg", "--push", "--no-cache"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  const calls = fake.calls().map(line);
  const build = calls.find((c) => c.startsWith("docker build")) ?? "";
  assert.match(build, / -t ttg-worker:v2\.1\.0 -t myreg\.azurecr\.io\/ttg-worker:v2\.1\.0 /);
  assert.match(build, /--build-arg VERSION=2\.1\.0 --build-arg REVISION=\S+ --build-arg CREATED=\d{4}-\d\d-\d\dT/);
  assert.match(build, /--no-cache/);
  assert.ok(calls.includes("docker push myreg.azurecr.io/ttg-worker:v2.1.0"), calls.join("\n"));
});

test("build --push without a registry is bad input (exit 2, one line)", async (t) => {
  const fake = using(t, { docker: [DOCKER_UP] });
  const r = await runScript("build", ["--push", "--dry-run"], fake.env);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /Cannot push without a registry/);
});

const RECOVER_RULES: Partial<Record<Tool, Rule[]>> = {
  docker: [
    DOCKER_UP,
    ["ps -a --filter label=io.x-k8s.kind.cluster=ttg-sandbox --format*", "node-containers.jsonl"],
    ["exec * crictl images -o json", "crictl-images.json"],
  ],
  kind: [["get clusters", "clusters.txt"]],
  kubectl: [
    READYZ,
    ["*get pods -l k8s-app=kube-dns*", "coredns.json"],
    ["*get nodes -o json", "nodes.json"],
    ["*get deployments -l app.kubernetes.io/name=ttg-redis,*", "redis-objects.json"],
    ["*get deployments -l app.kubernetes.io/name=ttg-rabbitmq,*", "empty-list.json"],
    ["*get secret ttg-rabbitmq-auth*", "-"],
    ["*get jobs -l *ttg.io/run-id=run-1*", "empty-list.json"],
    ["*get pods -l *ttg.io/run-id=run-1*", "failed-worker-pods.json"],
  ],
};

test("recover restarts only ttg-sandbox's stopped node containers (found by kind's label), redeploys a missing broker, resumes the run", async (t) => {
  const fake = using(t, RECOVER_RULES);
  const r = await runScript("recover", ["--resume", "run-1", "--timeout", "20"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const calls = fake.calls();
  const ps = calls.filter((c) => c[0] === "docker" && c[1] === "ps");
  assert.ok(ps.length > 0 && ps.every((c) => c.includes("label=io.x-k8s.kind.cluster=ttg-sandbox") && !c.some((a) => a.startsWith("name="))));
  const starts = calls.filter((c) => c[0] === "docker" && c[1] === "start");
  assert.deepEqual(starts, [["docker", "start", "ttg-sandbox-control-plane", "ttg-sandbox-worker2", "ttg-sandbox-worker3"]]);
  const lines = calls.map(line);
  // Redis is present: only waited for. RabbitMQ is missing: secret, objects, rollout.
  assert.ok(lines.some((c) => c.includes("rollout status deployment/ttg-redis")));
  assert.ok(lines.some((c) => c.includes("rollout status deployment/ttg-rabbitmq")));
  const applied = fake.stdin();
  assert.match(applied, /name: ttg-rabbitmq-auth/);
  assert.match(applied, /name: ttg-rabbitmq\n/);
  assert.doesNotMatch(applied, /name: ttg-redis\n/);
  // The failed worker 0 is started again as attempt 2; the live worker 1 is left alone.
  assert.match(applied, /name: ttg-worker-run-1-0-2/);
  assert.ok(lines.some((c) => c.includes("delete pod/ttg-worker-run-1-0 ")), lines.join("\n"));
  assert.ok(!lines.some((c) => c.includes("ttg-worker-run-1-1") && c.includes("delete")));
  assert.match(r.stdout, /ttg-worker:v2\.0\.0 is loaded on every node/);
});

test("recover --dry-run makes no mutating call", async (t) => {
  const fake = using(t, RECOVER_RULES);
  const r = await runScript("recover", ["--dry-run", "--resume", "run-1"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(mutating(fake.calls()), []);
  assert.match(r.stdout, /would run: docker start ttg-sandbox-control-plane ttg-sandbox-worker2 ttg-sandbox-worker3/);
});

const CLEANUP_RULES: Partial<Record<Tool, Rule[]>> = {
  kind: [["get clusters", "clusters.txt"]],
  kubectl: [
    READYZ,
    ["*get jobs,deployments,pods -l app.kubernetes.io/name=ttg-worker,*", "worker-objects.json"],
    ["*-l app.kubernetes.io/name=ttg-redis,*", "redis-objects.json"],
    ["*get *-l *", "empty-list.json"],
  ],
};

test("cleanup --pods selects worker objects by the worker labels only and never deletes a broker or unlabelled pod", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--pods", "--force"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const calls = fake.calls();
  const gets = calls.filter((c) => c[0] === "kubectl" && c.includes("-l"));
  assert.equal(gets.length, 1);
  const selector = gets[0]?.[gets[0].indexOf("-l") + 1] ?? "";
  assert.match(selector, /app\.kubernetes\.io\/name=ttg-worker/);
  assert.match(selector, /ttg\.io\/component=worker/);
  assert.match(selector, /app\.kubernetes\.io\/part-of=ttg/);
  assert.doesNotMatch(selector, /redis|rabbitmq|!/);
  const deleted = calls.filter((c) => c[0] === "kubectl" && c.includes("delete")).flatMap((c) => c.filter((a) => a.includes("/")));
  assert.deepEqual(deleted.sort(), ["job/ttg-worker-redis-run-1", "pod/ttg-worker-run-1-0"]);
  assert.ok(!calls.some((c) => c[0] === "kind" && c[1] === "delete"));
});

test("cleanup --pods --run-id deletes that run's worker Jobs and pods only: the run label is in the selector and checked on every object", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ttg-cleanup-run-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const objectsOf = (runId: string) => {
    const spec = { runId, backend: "redis" as const, image: "ttg-worker:v2.0.0" };
    return [queueWorkerJob(spec, 2), workerPod(spec, "0"), workerPod(spec, "1")];
  };
  const [one, two] = [objectsOf("run-1"), objectsOf("run-2")];
  const names = (list: { kind?: string; metadata?: { name?: string } }[]) => list.map((o) => `${o.kind?.toLowerCase()}/${o.metadata?.name}`);
  // Two runs' objects never share a name.
  assert.deepEqual(names(one).filter((n) => names(two).includes(n)), []);
  // The fake kubectl answers with both runs' objects, as a kubectl ignoring the run label would.
  const answer = join(dir, "both-runs.json");
  writeFileSync(answer, JSON.stringify({ kind: "List", items: [...one, ...two] }));
  const fake = using(t, { kind: [["get clusters", "clusters.txt"]], kubectl: [READYZ, ["*get jobs,deployments,pods -l *", relative(FIXTURES, answer)]] });
  const r = await runScript("cleanup", ["--pods", "--run-id", "run-2", "--force"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const calls = fake.calls();
  const get = calls.find((c) => c[0] === "kubectl" && c.includes("-l")) ?? [];
  const selector = get[get.indexOf("-l") + 1] ?? "";
  assert.match(selector, /(^|,)ttg\.io\/run-id=run-2(,|$)/);
  assert.match(selector, /app\.kubernetes\.io\/name=ttg-worker/);
  const deleted = calls.filter((c) => c[0] === "kubectl" && c.includes("delete")).flatMap((c) => c.filter((a) => a.includes("/")));
  assert.deepEqual(deleted.sort(), names(two).sort());
});

test("cleanup --all --dry-run lists exactly what would go (pods, not the brokers or the cluster) and makes no mutating call", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--all", "--dry-run"], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(mutating(fake.calls()).filter((c) => !c.includes("port-forward")), []);
  assert.match(r.stdout, /job\/ttg-worker-redis-run-1/);
  assert.doesNotMatch(r.stdout, /persistentvolumeclaim\/ttg-redis-data/);
  assert.doesNotMatch(r.stdout, /other-project-api/);
  assert.match(r.stdout, /would run: kubectl --context kind-ttg-sandbox delete job\/ttg-worker-redis-run-1 --ignore-not-found/);
  assert.doesNotMatch(r.stdout, /kind delete cluster/);
  // The Redis data is looked for inside the cluster's ttg-redis, through a port-forward of the same context.
  assert.match(r.stdout, /redis on context kind-ttg-sandbox: Cannot reach redis through kubectl port-forward/);
});

test("cleanup --all --keep-cluster keeps the kind cluster; no flag at all is bad input", async (t) => {
  const fake = using(t, CLEANUP_RULES);
  const r = await runScript("cleanup", ["--all", "--keep-cluster", "--force"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fake.calls().some((c) => c[0] === "kind" && c[1] === "delete"));
  const none = await runScript("cleanup", [], fake.env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^cleanup: Nothing to clean: give --pods/);
});

for (const [script, args, missing] of [
  ["setup", [], "kind"],
  ["setup", [], "docker"],
  ["recover", [], "kubectl"],
  ["cleanup", ["--pods"], "kubectl"],
  ["build", [], "docker"],
] as const) {
  test(`${script} without ${missing} on PATH: one line naming it and how to install it, exit 2`, async (t) => {
    const tools = (["kind", "docker", "kubectl"] as const).filter((x) => x !== missing);
    const fake = using(t, { docker: [DOCKER_UP], kind: [["get clusters", "clusters.txt"]] }, [...tools]);
    const r = await runScript(script, [...args], fake.env);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? "", new RegExp(`^${script}: Cannot find ${missing}: install .*https://`));
  });
}

test("unknown flags and bad values: one line, exit 2", async (t) => {
  const fake = using(t, {});
  const r = await runScript("recover", ["--timeout", "soon"], fake.env);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'recover: Invalid --timeout "soon": expected a number from 1 to 3600.');
  const u = await runScript("cleanup", ["--pods", "--everything"], fake.env);
  assert.equal(u.code, 2);
  assert.equal(u.stderr.trim().split("\n").length, 1);
});

test("recover --resume of a run the demo started resumes it with the demo's own code (dry run)", async (t) => {
  const fake = using(t, RECOVER_RULES);
  const reports = mkdtempSync(join(tmpdir(), "ttg-recover-resume-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const config = {
    runId: "run-1", platform: "kind", backend: "redis", workers: 2, scale: "small", params: 100, chunkSize: 10, workMs: 0, faultDemo: false, faultAt: 0.3,
    monitor: "none", skipCleanup: false, reportsDir: reports, computeModule: undefined, maxDeliveries: 3, workerEnv: {}, results: "params", resultsFormat: "jsonl", stallSeconds: 120,
  };
  await saveRun(join(reports, "run-1"), config as SweepConfig, new Date());
  mkdirSync(join(reports, "run-1", "work"));
  writeFileSync(join(reports, "run-1", "work", "journal.jsonl"), "");
  const r = await runScript("recover", ["--dry-run", "--resume", "run-1", "--reports", reports], fake.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /run run-1: resumed with its coordinator \(\.\/runbook\/demo\.ts --resume run-1\)/);
  assert.match(r.stdout, /Resuming run run-1, started /);
  assert.match(r.stdout, /ttg-worker-run-1-1/);
  assert.deepEqual(mutating(fake.calls()), []);
});
