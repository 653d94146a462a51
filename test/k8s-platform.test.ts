// The kind platform and platform detection against recording fake kubectl/kind on PATH.
import assert from "node:assert/strict";
import { test } from "node:test";
import { detectPlatform } from "../lib/platforms/detect-platform.ts";
import { KindPlatform } from "../lib/platforms/kind-platform.ts";
import { dryShell } from "../lib/shell/dry-runner.ts";
import { realShell, zxRun } from "../lib/shell/zx-runner.ts";
import { waitFor, within } from "./helpers/wait-for.ts";
import { fakeCluster, type Rule, type Tool } from "./fixtures/k8s/fake-cluster.ts";

function withFakes(t: { after(fn: () => void): void }, rules: Partial<Record<Tool, Rule[]>>, tools?: Tool[]) {
  const fake = fakeCluster(rules, tools);
  const saved = { ...process.env };
  Object.assign(process.env, fake.env);
  t.after(() => {
    for (const k of Object.keys(fake.env)) delete process.env[k];
    Object.assign(process.env, saved);
    fake.cleanup();
  });
  return fake;
}

test("detectPlatform: kind when ttg-sandbox exists, else local, and says why", async (t) => {
  withFakes(t, { kind: [["get clusters", "clusters.txt"]] });
  assert.deepEqual(await detectPlatform(zxRun), { platform: "kind", reason: "kind cluster ttg-sandbox exists" });
});

test("detectPlatform: no ttg-sandbox or no kind binary means local", async (t) => {
  withFakes(t, { kind: [["get clusters", "no-clusters.txt"]] });
  assert.equal((await detectPlatform(zxRun)).platform, "local");
  process.env.PATH = "/nonexistent";
  const none = await detectPlatform(zxRun);
  assert.deepEqual(none, { platform: "local", reason: "kind is not installed" });
});

test("KindPlatform starts a spread worker pod, streams its log lines and reports its exit", async (t) => {
  const fake = withFakes(t, {
    kubectl: [
      ["*get pods -l *ttg.io/run-id=run-9*", "finished-worker-pod.json"],
      ["*logs -f pod/ttg-worker-run-9-0", "worker-0.log"],
    ],
  });
  const platform = new KindPlatform({ shell: realShell, runId: "run-9", backend: "redis", pollMs: 50 });
  t.after(() => platform.close());
  const lines: string[] = [];
  const exits: { id: string; code: number | null }[] = [];
  platform.onLine((id, line) => lines.push(`${id}|${line}`));
  platform.onExit((e) => exits.push({ id: e.id, code: e.code }));
  await platform.startWorker({ id: "0", env: { TOTAL_PARAMETERS: "100", NOT_A_WORKER_VARIABLE: "x", REDIS_URL: "redis://127.0.0.1:1" } });
  await within(platform.waitForExit("0"), 30_000, "the worker pod to finish");
  assert.deepEqual(exits, [{ id: "0", code: 0 }]);
  assert.ok(lines.some((l) => l.startsWith("0|[2026-01-27") && l.includes("LIFECYCLE: STARTING")), lines.join("\n"));
  assert.ok(lines.includes('0|{"event":"SUMMARY","chunks":3}'));
  const [state] = platform.workers();
  assert.equal(state?.node, "ttg-sandbox-worker3");
  assert.equal(state?.handle, "ttg-worker-run-9-0");
  const applied = fake.stdin();
  assert.match(applied, /name: ttg-worker-run-9-0\n/);
  assert.match(applied, /topologyKey: kubernetes.io\/hostname/);
  assert.match(applied, /name: RUN_ID\n\s+value: run-9/);
  assert.doesNotMatch(applied, /NOT_A_WORKER_VARIABLE|redis:\/\/127/);
  assert.ok(fake.calls().every((c) => c[0] === "kubectl" && c.includes("--context") && c.includes("kind-ttg-sandbox")));
});

test("KindPlatform kill deletes the pod at once (--grace-period=0 --force)", async (t) => {
  const fake = withFakes(t, {
    kubectl: [
      ["*get pods -l *ttg.io/run-id=run-1*", "failed-worker-pods.json"],
      ["*logs -f pod/ttg-worker-run-1-1", "worker-0.log"],
    ],
  });
  const platform = new KindPlatform({ shell: realShell, runId: "run-1", backend: "rabbitmq", pollMs: 50 });
  t.after(() => platform.close());
  await platform.startWorker({ id: "1", env: {} });
  await waitFor(() => platform.workers()[0]?.status === "running", "worker 1 running", 5000);
  await platform.kill("1");
  const kill = fake.calls().find((c) => c.includes("delete"));
  assert.deepEqual(kill, ["kubectl", "--context", "kind-ttg-sandbox", "delete", "pod", "ttg-worker-run-1-1", "--grace-period=0", "--force", "--wait=false", "--ignore-not-found"]);
});

test("a dry-run shell prints the apply instead of running it", async (t) => {
  const fake = withFakes(t, {});
  const printed: string[] = [];
  const platform = new KindPlatform({ shell: dryShell(realShell, (l) => printed.push(l)), runId: "run-2", backend: "static", pollMs: 60_000 });
  await platform.startWorker({ id: "0", env: {} });
  platform.close();
  assert.deepEqual(fake.calls().filter((c) => c.includes("apply")), []);
  assert.deepEqual(printed, ["would run: kubectl --context kind-ttg-sandbox apply -f -  # pod/ttg-worker-run-2-0"]);
});
