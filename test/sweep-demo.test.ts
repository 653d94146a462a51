// demo.ts --sweep: every worker maps ids to the same points, the module gets compute(point, id),
// and a bad sweep file is exit 2 naming the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { readSweepFile } from "../lib/sweep-def/load-sweep.ts";
import { sweepDigest, sweepJson } from "../lib/sweep-def/sweep-json.ts";
import { sweepSpace, type Sweep } from "../lib/sweep-def/sweep-space.ts";
import { createQueueRun } from "./helpers/queue-run.ts";
import { compute as bowl } from "../examples/sweeps/bowl.ts";
import type { RunReport } from "../lib/report/report-model.ts";

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-sweep-demo-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a 2-axis grid through a compute(point, id) module on Redis: every value is the module's at its point", async (t) => {
  const reports = folder(t);
  const sweepFile = "examples/sweeps/grid-2d.yaml";
  const r = runDemo(["--platform", "local", "--backend", "redis", "--sweep", sweepFile, "--compute", "examples/sweeps/bowl.ts", "--chunk-size", "200", "--workers", "2", "--run-id", uniqueRunId("sweep"), "--reports", reports, "--yes"], {
    env: { QUEUE_NAMESPACE: testNamespace() },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const space = sweepSpace(await readSweepFile(sweepFile));
  const records = readFileSync(join(dirname(r.path), "results.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { param: number; value: number });
  assert.equal(records.length, space.size);
  for (const { param, value } of records) assert.equal(value, bowl(space.pointOf(param) as { x: number; y: number }, param));
  const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
  assert.equal(report.config.sweepFile, sweepFile, "the sweep file as given");
  assert.deepEqual(report.config.sweep, { digest: sweepDigest(await readSweepFile(sweepFile)), mode: "grid", size: 101 * 61, axes: [{ name: "x", values: 101 }, { name: "y", values: 61 }] });
  assert.equal(report.config.computeCommand, undefined);
  assert.match(readFileSync(join(dirname(r.path), "report.md"), "utf8"), /\| sweep \| examples\/sweeps\/grid-2d\.yaml: grid of x \(101\) × y \(61\) = 6,161 points \(digest [0-9a-f]{16}\) \|/);
});

test("a bad sweep file or a ragged points file exits 2 with one line naming the field or line; --sweep with --params is refused", (t) => {
  const dir = folder(t);
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "axes:\n  x: { range: [0, 10, -1] }\n");
  const r = runDemo(["--platform", "local", "--sweep", bad, "--dry-run", "--yes"]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /axes\.x\.range: the range is empty/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  const both = runDemo(["--platform", "local", "--sweep", "examples/sweeps/grid-2d.yaml", "--params", "10", "--dry-run", "--yes"]);
  assert.equal(both.code, 2, both.stdout + both.stderr);
  writeFileSync(join(dir, "points.csv"), 'label,x\r\n"a, b",1\r\nc,2,3\r\n');
  writeFileSync(join(dir, "points.yaml"), "points: points.csv\n");
  const ragged = runDemo(["--platform", "local", "--sweep", join(dir, "points.yaml"), "--dry-run", "--yes"]);
  assert.equal(ragged.code, 2, ragged.stdout + ragged.stderr);
  assert.match(ragged.stderr, /points\.csv: line 3 \(point 2\) has 3 values for 2 columns/);
  assert.equal(ragged.stderr.trim().split("\n").length, 1, ragged.stderr);
});

for (const backend of ["redis", "rabbitmq"] as const) {
  test(`${backend}: a worker given another sweep than the run was loaded with stops at once, exit 2`, async (t) => {
    const run = await createQueueRun(t, backend, { params: 100, chunkSize: 10 });
    const loaded: Sweep = { mode: "grid", axes: [["x", { linspace: [0, 1, 100] }]] };
    const other: Sweep = { mode: "grid", axes: [["x", { linspace: [0, 2, 100] }]] };
    await run.observer.ensureLoaded({ ...run.plan, sweep: sweepDigest(loaded) });
    const w = run.start("a", { SWEEP_JSON: sweepJson(other) });
    const exit = await w.exitedWithin();
    assert.equal(exit.code, 2, w.stdout.join("\n"));
    const failed = w.events().filter((e) => e.message.includes("Cannot load run"));
    assert.match(failed[0]?.message ?? "", new RegExp(`exists with 100 params of sweep ${sweepDigest(loaded)} in chunks of 10; use another --run-id`));
  });
}
