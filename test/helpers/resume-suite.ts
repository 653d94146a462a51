// Resume (docs/operations.md "Interrupted runs") on one backend: a demo interrupted at ~40 % (coordinator and workers SIGKILLed, or
// Ctrl-C) and then `demo.ts --resume` finishes the same run: one report, one complete results
// file, and only the rest of the parameters computed. Real broker, real processes and signals,
// --platform local, a random namespace and run id per test.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { RunReport } from "../../lib/report/report-model.ts";
import { countingValue } from "../fixtures/counting-compute.ts";
import { runDemo, startDemo, testNamespace, uniqueRunId, type DemoProcess } from "./demo-process.ts";
import { BROKER_URLS, deleteNamespace } from "./queue-run.ts";
import { waitFor } from "./wait-for.ts";

const PARAMS = 1200;
const SIZE = ["--params", String(PARAMS), "--chunk-size", "10", "--workers", "3", "--work-ms", "0"];

export type Setup = { runId: string; reports: string; evalLog: string; env: Record<string, string>; args: string[] };

/**
 * A run id, namespace, reports folder and demo arguments of the test's own. `privateBrokerUrl`: a
 * broker the test started (and removes whole), so the namespace is not deleted from the shared one.
 */
export function setUp(t: TestContext, backend: BackendName, label: string, privateBrokerUrl?: string): Setup {
  const namespace = testNamespace();
  const runId = uniqueRunId(label);
  const reports = mkdtempSync(join(tmpdir(), "ttg-resume-"));
  const evalLog = join(reports, "evaluations.log");
  const urlVar = backend === "redis" ? "REDIS_URL" : "AMQP_URL";
  t.after(async () => {
    rmSync(reports, { recursive: true, force: true });
    if (!privateBrokerUrl) await deleteNamespace(backend, BROKER_URLS[backend], namespace, [runId]);
  });
  const env = { QUEUE_NAMESPACE: namespace, [urlVar]: privateBrokerUrl ?? BROKER_URLS[backend], COMPUTE_MODULE: "test/fixtures/counting-compute.ts", EVAL_LOG: evalLog, SLEEP_MS: "15" };
  const args = ["--backend", backend, "--platform", "local", "--run-id", runId, "--reports", reports, "--yes", ...SIZE];
  return { runId, reports, evalLog, env, args };
}

function evaluations(evalLog: string): number[] {
  if (!existsSync(evalLog)) return [];
  return readFileSync(evalLog, "utf8").split("\n").filter(Boolean).map(Number);
}

/** Waits until about 40 % of the parameters were evaluated. */
export async function atFortyPercent(demo: DemoProcess, evalLog: string): Promise<void> {
  await waitFor(() => evaluations(evalLog).length >= 0.4 * PARAMS, "40 % of the parameters evaluated", 60_000, 20).catch((error: unknown) => {
    demo.kill();
    throw error;
  });
}

/** The sum of the same sweep run in one go as static slices (no broker, no interruption). */
export function staticSum(s: Setup): number {
  const reports = join(s.reports, "static");
  const r = runDemo(["--backend", "static", "--platform", "local", "--reports", reports, "--yes", ...SIZE], {
    env: { COMPUTE_MODULE: s.env.COMPUTE_MODULE, EVAL_LOG: undefined, SLEEP_MS: "0" },
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, `${r.stdout.slice(-2000)}\n${r.stderr}`);
  return (JSON.parse(readFileSync(r.path, "utf8")) as RunReport).aggregate.sum;
}

const EXPECTED_SUM = Array.from({ length: PARAMS }, (_, p) => countingValue(p)).reduce((a, b) => a + b, 0);

/** The 10 lowest and highest of the whole run, ties to the lower id: those of the first 40 % must survive the interruption. */
function expectedBest(): RunReport["best"] {
  const all = Array.from({ length: PARAMS }, (_, id) => ({ id, point: {}, value: countingValue(id) }));
  return {
    lowest: [...all].sort((a, b) => a.value - b.value || a.id - b.id).slice(0, 10),
    highest: [...all].sort((a, b) => b.value - a.value || a.id - b.id).slice(0, 10),
  };
}

/** The resumed run passes with every parameter once and fewer than half evaluated again. */
export function checkResumed(t: TestContext, s: Setup, result: ReturnType<typeof runDemo>): RunReport {
  assert.equal(result.code, 0, `the resume passes\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`);
  const report = JSON.parse(readFileSync(result.path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass", report.problems.join("\n"));
  assert.equal(report.params.covered, PARAMS);
  assert.equal(report.aggregate.sum, EXPECTED_SUM, "the sum of a run computed in one go");
  assert.deepEqual(report.best, expectedBest(), "the best points of chunks accepted before the interruption are kept");
  const events = report.timeline.map((e) => e.event);
  assert.ok(events.includes("start") && events.indexOf("interrupted") > events.indexOf("start"), events.join(","));
  assert.ok(events.indexOf("resumed") > events.indexOf("interrupted"), events.join(","));
  const resume = report.resume;
  assert.ok(resume, "the report says how much was computed on each side of the resume");
  assert.equal(resume.paramsComputedBefore + resume.paramsComputedAfter, PARAMS);
  assert.ok(resume.paramsComputedBefore >= 0.3 * PARAMS, `computed before: ${resume.paramsComputedBefore}`);
  const records = readFileSync(join(s.reports, s.runId, "results.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { param: number; value: number });
  assert.deepEqual(records.map((r) => r.param), Array.from({ length: PARAMS }, (_, p) => p), "every parameter exactly once, in order");
  assert.equal(records.reduce((a, r) => a + r.value, 0), EXPECTED_SUM);
  const again = evaluations(s.evalLog).length - PARAMS;
  assert.ok(again < PARAMS / 2, `${again} parameters evaluated again`);
  t.diagnostic(`computed before the resume ${resume.paramsComputedBefore}, after ${resume.paramsComputedAfter}; ${again} evaluated again`);
  assert.ok(!existsSync(join(s.reports, s.runId, "work")), "the run's journal and spool are gone once it settled");
  return report;
}

/**
 * The run's id with another --params (with `reports`, default the run's own): refused at once, exit 2,
 * one line naming the run, its plan, where it is and the fix; the run's folder is left as it was.
 */
export function expectOtherPlanRefused(s: Setup, where: RegExp, fix: RegExp, reports = s.reports): void {
  const args = s.args.map((a, i) => (s.args[i - 1] === "--params" ? String(PARAMS / 2) : s.args[i - 1] === "--reports" ? reports : a));
  const before = readdirSync(join(s.reports, s.runId)).sort();
  const r = runDemo(args, { env: s.env, timeoutMs: 60_000 });
  assert.equal(r.code, 2, `${r.stdout.slice(-2000)}\n${r.stderr}`);
  const line = r.stderr.trim();
  assert.equal(line.split("\n").length, 1, r.stderr);
  assert.match(line, new RegExp(`^demo: Cannot start run ${s.runId}: it already exists with ${PARAMS} params in chunks of 10 \\(`));
  assert.match(line, where);
  assert.match(line, new RegExp(`not ${PARAMS / 2} params in chunks of 10; `));
  assert.match(line, fix);
  assert.deepEqual(readdirSync(join(s.reports, s.runId)).sort(), before, "the run's folder is untouched");
}

export function describeResume(backend: BackendName): void {
  test(`${backend}: coordinator and workers SIGKILLed at ~40 %, then --resume finishes the run`, async (t) => {
    const s = setUp(t, backend, "resume-kill");
    const demo = startDemo(s.args, { env: s.env });
    await atFortyPercent(demo, s.evalLog);
    demo.kill();
    await demo.finished(10_000);
    assert.ok(!existsSync(join(s.reports, s.runId, "report.json")), "a killed coordinator wrote no report");
    const resumed = runDemo(["--resume", s.runId, "--reports", s.reports, "--yes"], { env: s.env, timeoutMs: 60_000 });
    const report = checkResumed(t, s, resumed);
    assert.ok(report.timeline.some((e) => e.event === "interrupted" && e.detail.includes("without a word")));
    assert.equal(report.aggregate.sum, staticSum(s), "the sum of a static run of the same size");
    // The finished run's id with another plan: its report stays, the new run is refused.
    expectOtherPlanRefused(s, /\(\S+run\.json\), /, /use another --run-id, or remove \S+ to use this one again\.$/);
  });

  test(`${backend}: Ctrl-C keeps the run and says how to resume; --resume finishes it`, async (t) => {
    const s = setUp(t, backend, "resume-int");
    const demo = startDemo(s.args, { env: s.env });
    await atFortyPercent(demo, s.evalLog);
    process.kill(demo.pid as number, "SIGINT");
    const stopped = await demo.finished(30_000);
    assert.equal(stopped.code, 130, `${stopped.stdout.slice(-2000)}\n${stopped.stderr}`);
    // The command it prints names the run's --reports (not the default folder): run as printed, it finds the run.
    const printed = `./runbook/demo.ts --resume ${s.runId} --reports ${s.reports}`;
    assert.ok(stopped.stdout.split("\n").some((line) => line.trim() === printed), stopped.stdout.slice(-2000));
    assert.ok(!existsSync(join(s.reports, s.runId, "report.json")), "no report for a run that did not settle");
    // Its id with another plan neither empties its folder nor purges its broker data (the resume below needs both).
    expectOtherPlanRefused(s, /\(\S+run\.json, interrupted\), /, new RegExp(`finish it with \\./runbook/demo\\.ts --resume ${s.runId} --reports \\S+, or use another --run-id\\.$`));
    const elsewhere = mkdtempSync(join(tmpdir(), "ttg-resume-other-"));
    t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
    expectOtherPlanRefused(s, /\(its data is kept on the \S+ already listening at \S+\), /, new RegExp(`remove it with \\./runbook/cleanup\\.ts --${backend} --run-id ${s.runId}\\.$`), elsewhere);
    assert.deepEqual(readdirSync(elsewhere), [], "nothing written where the run was refused");
    const resumed = runDemo([...printed.split(" ").slice(1), "--yes"], { env: s.env, timeoutMs: 60_000 });
    const report = checkResumed(t, s, resumed);
    assert.ok(report.timeline.some((e) => e.event === "interrupted" && e.detail.includes("SIGINT")));
  });
}
