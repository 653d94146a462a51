// demo.ts --retry-failed RUN_ID on a sweep run (docs/operations.md "Interrupted runs"): a redis run
// whose function fails at every point with x = 2 (the lowest values) while a flag file exists ends
// FAIL; with the flag removed, --retry-failed evaluates each failed parameter at its point (a
// compute(point, id) module, or a --compute-cmd program given the point), the rewritten results
// keep their axis columns and the report's best points and value pictures are those of the whole
// sweep. A --sweep naming another sweep is refused.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { parse as parseCsv } from "csv-parse/sync";
import type { RunReport } from "../lib/report/report-model.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { readSweepFile } from "../lib/sweep-def/load-sweep.ts";
import { sweepDigest } from "../lib/sweep-def/sweep-json.ts";
import { sweepSpace } from "../lib/sweep-def/sweep-space.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

const readReport = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RunReport;

type SweepRecord = { param: number; x: number; y: number; value?: number; worker: string; cause?: string };

/** results.jsonl, or results.csv (header param,x,y,value,chunk,worker,cause,error) read as CSV. */
function readSweepResults(dir: string, format: "jsonl" | "csv"): SweepRecord[] {
  const text = readFileSync(join(dir, `results.${format}`), "utf8");
  if (format === "jsonl") return text.trimEnd().split("\n").map((l) => JSON.parse(l) as SweepRecord);
  const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0] ?? {}), ["param", "x", "y", "value", "chunk", "worker", "cause", "error"]);
  return rows.map((r) => ({ param: Number(r.param), x: Number(r.x), y: Number(r.y), ...(r.value ? { value: Number(r.value) } : {}), worker: r.worker ?? "", ...(r.cause ? { cause: r.cause } : {}) }));
}

const flagged = (p: { x: number; y: number }) => (p.x - 2) ** 2 + p.y;

for (const [how, format] of [["module", "jsonl"], ["command", "csv"]] as const) {
  test(`--retry-failed on a sweep (${how}, ${format}): each failed parameter is evaluated at its point, the results keep their axes, the best points are gathered anew`, async (t) => {
    const reports = mkdtempSync(join(tmpdir(), "ttg-retry-sweep-"));
    const namespace = testNamespace();
    const runId = uniqueRunId(`retry-sweep-${how}`);
    t.after(async () => {
      rmSync(reports, { recursive: true, force: true });
      await deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]).catch(() => undefined);
    });
    const sweepFile = join(reports, "sweep.yaml");
    writeFileSync(sweepFile, "axes:\n  x: { range: [-3, 6, 1] }\n  y: [0, 1, 2]\n");
    const flag = join(reports, "fail.flag");
    writeFileSync(flag, "x = 2 fails while this file exists\n");
    const space = sweepSpace(await readSweepFile(sweepFile));
    const failing = Array.from({ length: space.size }, (_, id) => id).filter((id) => space.pointOf(id).x === 2);
    const compute = how === "module" ? ["--compute", "test/fixtures/flagged-sweep-compute.ts"] : ["--compute-cmd", "python3 test/fixtures/compute-commands/flagged-sweep.py"];
    const env = { QUEUE_NAMESPACE: namespace, REDIS_URL: BROKER_URLS.redis, FAIL_FLAG: flag, PARAM_RETRIES: "0", COMPUTE_MODULE: undefined, COMPUTE_COMMAND: undefined };
    const first = runDemo(
      ["--backend", "redis", "--platform", "local", "--sweep", sweepFile, ...compute, "--chunk-size", "5", "--workers", "2", "--work-ms", "0",
        "--results-format", format, "--run-id", runId, "--reports", reports, "--yes"],
      { env, timeoutMs: 90_000 },
    );
    assert.equal(first.code, EXIT_CODES.failed, `${first.stdout}\n${first.stderr}`);
    const before = readReport(first.path);
    assert.deepEqual(before.failedParams.map((f) => f.param), failing);
    assert.equal(before.best?.lowest[0]?.value, 1, "the lowest values failed the first time");
    if (how === "command") assert.equal(before.config.computeCommand, "python3 test/fixtures/compute-commands/flagged-sweep.py");

    if (how === "module") {
      const other = join(reports, "other.yaml");
      writeFileSync(other, "axes:\n  x: [1, 2]\n");
      const refused = runDemo(["--retry-failed", runId, "--reports", reports, "--sweep", other], { env, timeoutMs: 60_000 });
      assert.equal(refused.code, EXIT_CODES.badInput, `${refused.stdout}\n${refused.stderr}`);
      assert.match(refused.stderr, /Cannot retry the failed parameters of run .* with --sweep .*other\.yaml .*the run was started with .*sweep\.yaml .*leave --sweep out/);
    }

    rmSync(flag);
    const fixed = runDemo(["--retry-failed", runId, "--reports", reports], { env, timeoutMs: 60_000 });
    assert.equal(fixed.code, EXIT_CODES.ok, `${fixed.stdout}\n${fixed.stderr}`);
    assert.match(fixed.stdout, /evaluating 3 failed parameter\(s\) again with .* at their sweep points/);
    const report = readReport(fixed.path);
    assert.equal(report.verdict, "pass", JSON.stringify(report.problems));
    assert.deepEqual(report.params, { total: space.size, covered: space.size, failed: 0 });

    const expected = Array.from({ length: space.size }, (_, id) => ({ id, point: space.pointOf(id), value: flagged(space.pointOf(id) as { x: number; y: number }) }));
    const byValue = (dir: 1 | -1) => [...expected].sort((a, b) => dir * (a.value - b.value) || a.id - b.id).slice(0, 10);
    assert.deepEqual(report.best, { lowest: byValue(1), highest: byValue(-1) }, "the best points of the whole run, the retried ones among them");
    assert.equal(report.best?.lowest[0]?.id, failing[0]);
    assert.deepEqual([report.aggregate.min, report.aggregate.count], [0, space.size]);
    assert.equal(report.values?.histogram.min, 0, "the histogram spans the new lowest value");
    assert.equal(report.values?.histogram.counts.reduce((a, b) => a + b, 0), space.size);
    assert.ok(report.values?.map?.means.every((m) => m !== null), "every cell of the value map has a value");
    assert.equal(report.config.sweep?.digest, sweepDigest(await readSweepFile(sweepFile)));

    const records = readSweepResults(dirname(fixed.path), format);
    assert.deepEqual(records.map((r) => r.param), expected.map((e) => e.id), "every parameter once, in order");
    for (const r of records) {
      assert.deepEqual({ x: r.x, y: r.y }, space.pointOf(r.param), `record ${r.param} keeps its axis columns`);
      assert.equal(r.value, flagged(r), `record ${r.param} has the value at its point`);
      assert.equal(r.cause, undefined);
    }
    assert.deepEqual(records.filter((r) => r.worker === "retry-failed").map((r) => r.param), failing);
  });
}
