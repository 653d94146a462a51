// The best points in every results mode: a 2-axis sweep run end to end on Redis, RabbitMQ and
// static slices with `--results none` (what a ten-million-point run uses) reports the same
// best.lowest / best.highest as a brute-force evaluation here, and as `--results params`; the live
// line shows the best so far; and monitor.ts reads the best the coordinator published beside the run.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";
import { readSweepFile } from "../lib/sweep-def/load-sweep.ts";
import { sweepSpace } from "../lib/sweep-def/sweep-space.ts";
import type { BestPoints } from "../lib/results/best-points.ts";
import { compute as bowl } from "../examples/sweeps/bowl.ts";

const SWEEP = "examples/sweeps/grid-2d.yaml";

/** Every point of the sweep evaluated here; the 10 lowest and highest, ties to the lower id. */
async function bruteForce(): Promise<BestPoints> {
  const space = sweepSpace(await readSweepFile(SWEEP));
  const all = Array.from({ length: space.size }, (_, id) => ({ id, point: space.pointOf(id), value: bowl(space.pointOf(id) as { x: number; y: number }, id) }));
  return {
    lowest: [...all].sort((a, b) => a.value - b.value || a.id - b.id).slice(0, 10),
    highest: [...all].sort((a, b) => b.value - a.value || a.id - b.id).slice(0, 10),
  };
}

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-best-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Run = { report: { verdict: string; best?: BestPoints; values?: unknown; problems: string[] }; stdout: string; markdown: string };

function sweepRun(t: TestContext, backend: "redis" | "rabbitmq" | "static", results: "none" | "chunks" | "params", extra: { env?: Record<string, string>; args?: string[] } = {}): Run {
  const reports = folder(t);
  const r = runDemo(
    ["--platform", "local", "--backend", backend, "--sweep", SWEEP, "--compute", "examples/sweeps/bowl.ts", "--chunk-size", "100", "--workers", "2", "--results", results, "--run-id", uniqueRunId(`best-${backend}`), "--reports", reports, "--yes", ...(extra.args ?? [])],
    { env: { QUEUE_NAMESPACE: testNamespace(), ...extra.env } },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(r.path, "utf8")) as Run["report"];
  assert.equal(report.verdict, "pass", report.problems.join("\n"));
  return { report, stdout: r.stdout, markdown: readFileSync(join(dirname(r.path), "report.md"), "utf8") };
}

const expected = await bruteForce();

for (const backend of ["redis", "rabbitmq", "static"] as const) {
  test(`${backend}, --results none: report.json's best is the brute force's, and the live line showed the best so far`, (t) => {
    const run = sweepRun(t, backend, "none");
    assert.deepEqual(run.report.best, expected);
    assert.equal(run.report.values, undefined, "no value pictures without the values");
    assert.match(run.markdown, /## Best points/);
    assert.match(run.markdown, /need every value: run with `--results params`/);
    // The last progress line (piped: plain text) names both ends with their points.
    const last = run.stdout.split("\n").filter((l) => l.startsWith("progress: ")).at(-1) ?? "";
    assert.match(last, /\| min \S+ @ x=0\.3 y=3\.162 · max 12\.74 @ x=1 y=0\.001$/, run.stdout.slice(-1500));
  });
}

test("--results params (Redis) and --results chunks (RabbitMQ) give the same best as --results none", (t) => {
  const params = sweepRun(t, "redis", "params");
  assert.deepEqual(params.report.best, expected);
  assert.ok(params.report.values, "the value pictures with the values");
  assert.doesNotMatch(params.markdown, /need every value/);
  const chunks = sweepRun(t, "rabbitmq", "chunks");
  assert.deepEqual(chunks.report.best, expected);
});

for (const backend of ["redis", "rabbitmq"] as const) {
  test(`${backend}: monitor.ts shows the best so far the coordinator published, as text and JSON`, async (t) => {
    const namespace = testNamespace();
    const runId = uniqueRunId(`best-mon-${backend}`);
    const reports = folder(t);
    t.after(() => deleteNamespace(backend, BROKER_URLS[backend], namespace, [runId]));
    const r = runDemo(
      ["--platform", "local", "--backend", backend, "--sweep", SWEEP, "--compute", "examples/sweeps/bowl.ts", "--chunk-size", "500", "--workers", "2", "--results", "none", "--skip-cleanup", "--run-id", runId, "--reports", reports, "--yes"],
      { env: { QUEUE_NAMESPACE: namespace } },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const monitor = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "runbook/monitor.ts", "--backend", backend, "--run-id", runId, "--reports", reports, ...args], {
        env: { ...process.env, QUEUE_NAMESPACE: namespace },
        encoding: "utf8",
        timeout: 60_000,
        killSignal: "SIGKILL",
      });
    const json = monitor(["--json"]);
    assert.equal(json.status, 0, json.stderr);
    const view = JSON.parse(json.stdout) as { best?: BestPoints };
    assert.deepEqual(view.best, expected);
    const text = monitor([]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /best so far\s+│ min \S+ @ x=0\.3 y=3\.162 · max 12\.74 @ x=1 y=0\.001/);
  });
}
