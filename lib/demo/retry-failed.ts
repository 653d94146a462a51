// demo.ts --retry-failed RUN_ID: evaluate again only the parameters a finished run recorded as
// failed (report.json `failedParams`), after the user fixed the function, then rewrite
// report.json (and its renderings) and the results file.
//
// The parameters are evaluated here, in the coordinator, each in the crash sandbox (a child process,
// with PARAM_RETRIES and PARAM_TIMEOUT_SECONDS as the workers apply them), not as a new run on the
// broker: failures are few and scattered, the run's queues are gone once it finished, and a broker
// run would need workers, a plan of single parameters and a second ledger to answer what one
// process answers in the time of the evaluations. The compute module and simulated work come from
// reports/<run>/run.json; --compute / --compute-cmd (or their variables) given now override it. A
// sweep run's parameters are evaluated at their points (compute(point, id), or the command's
// request with the point), the sweep being the run's own from run.json, and the rewritten results
// keep their axis columns; the best points and value pictures are gathered anew from them.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { evaluateParams } from "../compute/evaluate-params.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import { readParamLimits } from "../config/worker-config.ts";
import type { RunReport } from "../report/report-model.ts";
import { retriedReport, type RetryResult } from "../report/retried-report.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { rewriteFailedRecords } from "../results/rewrite-failed-records.ts";
import { BadInput } from "../script/bad-input.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { checkComputeCommand, checkComputeModule } from "../sweep/check-compute.ts";
import { hasSavedRun, loadSavedRun, SAVED_RUN_FILE } from "../sweep/saved-run.ts";
import type { Aggregate } from "../compute/aggregate.ts";
import { paramSummary } from "../results/sweep-results.ts";
import { checkSameSweep } from "./same-sweep.ts";
import type { DemoOptions } from "./demo-options.ts";
import { demoSummary } from "./demo-output.ts";
import { hasJournal } from "./run-folder.ts";
import { sweepSpace, type Sweep } from "../sweep-def/sweep-space.ts";

export type FailedParam = ParamFailure;

/** The failed parameters a report lists (none when the field is absent: the run had none). */
export function failedParamsOf(report: Record<string, unknown>, path: string): FailedParam[] {
  const field = report.failedParams;
  if (field === undefined) return [];
  if (!Array.isArray(field) || field.some((f) => !Number.isSafeInteger((f as FailedParam)?.param))) {
    throw new BadInput(`Cannot retry the failed parameters: ${path} has a failedParams that is not a list of {param, cause, error, attempts}.`);
  }
  return field as FailedParam[];
}

/** What evaluates the failed parameters again: the run's compute at the run's sweep points. */
type RetryCompute = { module: string | undefined; command: string | undefined; sweep: Sweep | undefined; workMs: number; env: Record<string, string> };

/**
 * The compute the run used (run.json, else the report), unless this invocation names a module or
 * a command; the sweep is always the run's own (run.json), so each parameter gets its point.
 */
async function computeOf(given: DemoOptions, dir: string, runId: string, report: RunReport): Promise<RetryCompute> {
  const saved = hasSavedRun(dir) ? (await loadSavedRun(dir, runId)).config : undefined;
  const doing = `retry the failed parameters of run ${runId}`;
  if (report.config.sweep && !saved?.sweep) {
    throw new BadInput(`Cannot ${doing}: it swept ${report.config.sweepFile ?? "a sweep"} but ${join(dir, SAVED_RUN_FILE)}, which holds that sweep, is gone; run the sweep again with --sweep.`);
  }
  checkSameSweep(given, saved ?? {}, doing);
  const chosenNow = given.computeModule !== undefined || given.computeCommand !== undefined;
  const module = chosenNow ? given.computeModule : (saved?.computeModule ?? report.config.computeModule ?? undefined);
  const command = chosenNow ? given.computeCommand : (saved?.computeCommand ?? report.config.computeCommand);
  return { module, command, sweep: saved?.sweep, workMs: saved?.workMs ?? report.config.workMs, env: { ...saved?.workerEnv, ...given.workerEnv } };
}

/** Each failed parameter's new outcome; one that fails again counts its earlier attempts too. */
async function evaluateAgain(failed: readonly FailedParam[], compute: RetryCompute): Promise<Map<number, number | ParamFailure>> {
  const limits = readParamLimits(compute.env);
  const outcomes = await evaluateParams(failed.map((f) => f.param), {
    module: compute.module,
    simulateWorkMs: compute.workMs,
    ...(compute.sweep ? { sweep: compute.sweep } : {}),
    ...(compute.command ? { command: compute.command } : {}),
    paramRetries: limits.paramRetries,
    ...(limits.paramTimeoutMs !== undefined ? { paramTimeoutMs: limits.paramTimeoutMs } : {}),
  });
  for (const before of failed) {
    const now = outcomes.get(before.param);
    if (now !== undefined && typeof now !== "number") outcomes.set(before.param, { ...now, attempts: now.attempts + before.attempts });
  }
  return outcomes;
}

/** The results file rewritten; for per-parameter records also the best points and value pictures anew. */
async function rewriteResults(dir: string, report: RunReport, outcomes: Map<number, number | ParamFailure>, sweep: Sweep | undefined): Promise<Omit<RetryResult, "outcomes" | "at">> {
  const results = report.results;
  if (!results) return {};
  if (results.granularity !== "params") return { ...aggregateOf(await rewriteFailedRecords(join(dir, results.file), results, outcomes)) };
  const values = [...outcomes.values()].filter((o): o is number => typeof o === "number");
  const min = Math.min(report.aggregate.min ?? Number.POSITIVE_INFINITY, ...values);
  const max = Math.max(report.aggregate.max ?? Number.NEGATIVE_INFINITY, ...values);
  const summary = paramSummary(sweep ? sweepSpace(sweep) : undefined, Number.isFinite(min) ? { min, max } : { min: 0, max: 0 });
  const aggregate = await rewriteFailedRecords(join(dir, results.file), results, outcomes, summary.offer);
  return { ...aggregateOf(aggregate), summary: summary.summary() };
}

const aggregateOf = (aggregate: Aggregate | undefined) => (aggregate ? { aggregate } : {});

function describeCompute(c: RetryCompute): string {
  const what = c.command ? ` with ${c.command}` : c.module ? ` with ${c.module}` : "";
  return `${what}${c.sweep ? " at their sweep points" : ""}`;
}

export async function retryFailedParams(given: DemoOptions, runId: string, print: (line: string) => void): Promise<number> {
  const dir = reportDir(given.reportsDir, runId);
  const path = join(dir, "report.json");
  const text = await readFile(path, "utf8").catch(() => {
    throw new BadInput(`Cannot retry the failed parameters of run ${runId}: ${path} does not exist (the run never finished with these --reports); an interrupted run is finished with --resume ${runId}.`);
  });
  const report = JSON.parse(text) as RunReport;
  const failed = failedParamsOf(report as unknown as Record<string, unknown>, path);
  if (failed.length === 0) {
    print(`Run ${runId} has no failed parameters: nothing to retry (its report says ${String(report.verdict ?? "?").toUpperCase()}).`);
    print(path);
    return exitCodeForVerdict(report.verdict === "pass" ? "pass" : "fail");
  }
  if (await hasJournal({ reportsDir: given.reportsDir, runId })) {
    throw new BadInput(`Cannot retry the failed parameters of run ${runId}: the run has not finished; finish it first with ./runbook/demo.ts --resume ${runId}.`);
  }
  const compute = await computeOf(given, dir, runId, report);
  await checkComputeModule(compute.module, compute.sweep);
  await checkComputeCommand(compute.command);
  if (given.dryRun) {
    print(`dry run: would evaluate ${failed.length} failed parameter(s) of run ${runId} again${describeCompute(compute)} and rewrite ${path}${report.results ? ` and ${report.results.file}` : ""}`);
    return EXIT_CODES.ok;
  }
  print(`Run ${runId}: evaluating ${failed.length} failed parameter(s) again${describeCompute(compute)}`);
  const outcomes = await evaluateAgain(failed, compute);
  const pointOf = compute.sweep ? sweepSpace(compute.sweep).pointOf : undefined;
  const next = retriedReport(report, { outcomes, at: new Date(), ...(await rewriteResults(dir, report, outcomes, compute.sweep)), ...(pointOf ? { pointOf } : {}) });
  const written = await writeReport(given.reportsDir, next);
  for (const line of demoSummary(next)) print(line);
  print(written.json);
  return exitCodeForVerdict(next.verdict);
}
