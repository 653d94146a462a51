// demo.ts on the kind platform, against fake kind, docker and kubectl that record their calls.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCluster, runScript } from "./fixtures/k8s/fake-cluster.ts";

const MUTATING = new Set(["apply", "create", "delete", "patch", "replace", "port-forward", "run", "scale", "label"]);

test("--platform defaults to kind when ttg-sandbox exists; --dry-run prints the commands and changes nothing", async (t) => {
  const fake = fakeCluster({ kind: [["get clusters", "clusters.txt"]] });
  t.after(() => fake.cleanup());
  const r = await runScript("demo", ["--backend", "redis", "--workers", "2", "--run-id", "dry-kind", "--dry-run"], fake.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Platform\s+kind \(kind cluster ttg-sandbox exists\)/);
  assert.match(r.stdout, /kubectl .*apply/);
  assert.match(r.stdout, /ttg-worker-dry-kind-0/);
  assert.match(r.stdout, /ttg-worker-dry-kind-1/);
  const mutating = fake.calls().filter(([tool, ...args]) => tool === "kubectl" && args.some((a) => MUTATING.has(a)));
  assert.deepEqual(mutating, [], "a dry run makes no mutating call");
});

test("without the cluster the demo says why it runs locally; --platform kind then fails in one line", async (t) => {
  const fake = fakeCluster({ kind: [["get clusters", "no-clusters.txt"]] });
  t.after(() => fake.cleanup());
  const local = await runScript("demo", ["--backend", "static", "--dry-run"], fake.env);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stdout, /Platform\s+local \(no kind cluster ttg-sandbox/);
  const kind = await runScript("demo", ["--platform", "kind", "--dry-run"], fake.env);
  assert.equal(kind.code, 2);
  assert.equal(kind.stderr.trim(), "demo: Cannot use --platform kind: no kind cluster ttg-sandbox (create it with ./runbook/setup.ts).");
});
