// Resume (docs/operations.md "Interrupted runs") of a sweep run on Redis: coordinator and workers
// SIGKILLed at ~40 %, the sweep file then edited; `demo.ts --resume RUN_ID` finishes the run with
// the sweep it started with (run.json): every record has its axis columns and its value at its
// point, and the best points are those of the whole sweep. A --sweep naming another sweep is refused.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { readSweepFile } from "../lib/sweep-def/load-sweep.ts";
import { sweepDigest } from "../lib/sweep-def/sweep-json.ts";
import { sweepSpace } from "../lib/sweep-def/sweep-space.ts";
import { sweepValue } from "./fixtures/counting-sweep-compute.ts";
import { runDemo, startDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";
import { waitFor } from "./helpers/wait-for.ts";

const SWEEP = 'axes:\n  x: { linspace: [0, 1, 300] }\n  k: ["a, b", "c"]\n';
const EDITED = "axes:\n  x: { linspace: [5, 6, 300] }\n  k: [d, e]\n";

type Point = { x: number; k: string };

test("redis: a sweep run SIGKILLed at ~40 % and its file edited; --resume finishes it with its own sweep", async (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-resume-sweep-"));
  const namespace = testNamespace();
  const runId = uniqueRunId("resume-sweep");
  t.after(async () => {
    rmSync(reports, { recursive: true, force: true });
    await deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]);
  });
  const sweepFile = join(reports, "sweep.yaml");
  writeFileSync(sweepFile, SWEEP);
  const sweep = await readSweepFile(sweepFile);
  const space = sweepSpace(sweep);
  const evalLog = join(reports, "evaluations.log");
  const evaluated = () => (existsSync(evalLog) ? readFileSync(evalLog, "utf8").split("\n").filter(Boolean).length : 0);
  const env = { QUEUE_NAMESPACE: namespace, REDIS_URL: BROKER_URLS.redis, EVAL_LOG: evalLog, SLEEP_MS: "15", COMPUTE_MODULE: undefined, COMPUTE_COMMAND: undefined };
  const demo = startDemo(
    ["--backend", "redis", "--platform", "local", "--sweep", sweepFile, "--compute", "test/fixtures/counting-sweep-compute.ts", "--chunk-size", "10", "--workers", "3", "--work-ms", "0",
      "--run-id", runId, "--reports", reports, "--yes"],
    { env },
  );
  await waitFor(() => evaluated() >= 0.4 * space.size, "40 % of the points evaluated", 60_000, 20).catch((error: unknown) => {
    demo.kill();
    throw error;
  });
  demo.kill();
  await demo.finished(10_000);
  assert.ok(!existsSync(join(reports, runId, "report.json")), "a killed coordinator wrote no report");
  writeFileSync(sweepFile, EDITED);

  const refused = runDemo(["--resume", runId, "--reports", reports, "--sweep", sweepFile, "--yes"], { env, timeoutMs: 60_000 });
  assert.equal(refused.code, EXIT_CODES.badInput, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stderr, new RegExp(`Cannot resume run ${runId} with --sweep .*the run was started with .*sweep\\.yaml \\(digest ${sweepDigest(sweep)}\\); leave --sweep out`));

  const resumed = runDemo(["--resume", runId, "--reports", reports, "--yes"], { env, timeoutMs: 90_000 });
  assert.equal(resumed.code, EXIT_CODES.ok, `${resumed.stdout.slice(-3000)}\n${resumed.stderr.slice(-2000)}`);
  const report = JSON.parse(readFileSync(resumed.path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass", report.problems.join("\n"));
  assert.deepEqual(report.params, { total: space.size, covered: space.size, failed: 0 });
  assert.ok(report.resume && report.resume.paramsComputedBefore >= 0.3 * space.size, JSON.stringify(report.resume));
  assert.equal(report.config.sweepFile, sweepFile);
  assert.equal(report.config.sweep?.digest, sweepDigest(sweep), "the sweep the run started with, not the edited file");

  const expected = Array.from({ length: space.size }, (_, id) => ({ id, point: space.pointOf(id), value: sweepValue(space.pointOf(id) as Point) }));
  const byValue = (dir: 1 | -1) => [...expected].sort((a, b) => dir * (a.value - b.value) || a.id - b.id).slice(0, 10);
  assert.deepEqual(report.best, { lowest: byValue(1), highest: byValue(-1) }, "the best points of the whole sweep, both sides of the resume");
  assert.ok(report.values?.map, "a two-axis grid has its value map");

  const records = readFileSync(join(reports, runId, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Point & { param: number; value: number });
  assert.deepEqual(records.map((r) => r.param), expected.map((e) => e.id), "every parameter exactly once, in order");
  for (const r of records) {
    assert.deepEqual({ x: r.x, k: r.k }, space.pointOf(r.param), `record ${r.param} has its axis columns`);
    assert.equal(r.value, sweepValue(r), `record ${r.param} has the value at its point`);
  }
  const again = evaluated() - space.size;
  assert.ok(again < space.size / 2, `${again} points evaluated again`);
  t.diagnostic(`computed before the resume ${report.resume.paramsComputedBefore}, after ${report.resume.paramsComputedAfter}; ${again} evaluated again`);
});
