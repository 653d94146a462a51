// demo.ts --retry-failed RUN_ID: evaluate again only the parameters a finished run recorded as
// failed (report.json `failedParams`), after the user fixed the function, then rewrite
// report.json (and its renderings) and the results file.
//
// The parameters are evaluated here, in the coordinator, each in the crash sandbox (a child process,
// with PARAM_RETRIES and PARAM_TIMEOUT_SECONDS as the workers apply them), not as a new run on the
// broker: failures are few and scattered, the run's queues are gone once it finished, and a broker
// run would need workers, a plan of single parameters and a second ledger to answer what one
// process answers in the time of the evaluations. The compute module and simulated work come from
// reports/<run>/run.json; --compute (or COMPUTE_MODULE) given now overrides the module.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { evaluateParams } from "../compute/evaluate-params.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import { readParamLimits } from "../config/worker-config.ts";
import type { RunReport } from "../report/report-model.ts";
import { retriedReport } from "../report/retried-report.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { rewriteFailedRecords } from "../results/rewrite-failed-records.ts";
import { BadInput } from "../script/bad-input.ts";
import { EXIT_CODES, exitCodeForVerdict } from "../script/exit-codes.ts";
import { checkComputeModule } from "../sweep/check-compute.ts";
import { hasSavedRun, loadSavedRun } from "../sweep/saved-run.ts";
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

/** The compute the run used (run.json, else the report), unless this invocation names one. */
async function computeOf(given: DemoOptions, dir: string, runId: string, report: RunReport): Promise<{ module: string | undefined; workMs: number; env: Record<string, string>; sweep?: Sweep }> {
  const saved = hasSavedRun(dir) ? (await loadSavedRun(dir, runId)).config : undefined;
  const module = given.computeModule ?? saved?.computeModule ?? report.config.computeModule ?? undefined;
  return { module, workMs: saved?.workMs ?? report.config.workMs, env: { ...saved?.workerEnv, ...given.workerEnv }, ...(saved?.sweep ? { sweep: saved.sweep } : {}) };
}

/** Each failed parameter's new outcome; one that fails again counts its earlier attempts too. */
async function evaluateAgain(failed: readonly FailedParam[], compute: Awaited<ReturnType<typeof computeOf>>): Promise<Map<number, number | ParamFailure>> {
  const limits = readParamLimits(compute.env);
  const outcomes = await evaluateParams(failed.map((f) => f.param), {
    module: compute.module,
    simulateWorkMs: compute.workMs,
    paramRetries: limits.paramRetries,
    ...(limits.paramTimeoutMs !== undefined ? { paramTimeoutMs: limits.paramTimeoutMs } : {}),
  });
  for (const before of failed) {
    const now = outcomes.get(before.param);
    if (now !== undefined && typeof now !== "number") outcomes.set(before.param, { ...now, attempts: now.attempts + before.attempts });
  }
  return outcomes;
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
  await checkComputeModule(compute.module);
  if (given.dryRun) {
    print(`dry run: would evaluate ${failed.length} failed parameter(s) of run ${runId} again${compute.module ? ` with ${compute.module}` : ""} and rewrite ${path}${report.results ? ` and ${report.results.file}` : ""}`);
    return EXIT_CODES.ok;
  }
  print(`Run ${runId}: evaluating ${failed.length} failed parameter(s) again${compute.module ? ` with ${compute.module}` : ""}`);
  const outcomes = await evaluateAgain(failed, compute);
  const results = report.results;
  const aggregate = results ? await rewriteFailedRecords(join(dir, results.file), results, outcomes) : undefined;
  const pointOf = compute.sweep ? sweepSpace(compute.sweep).pointOf : undefined;
  const next = retriedReport(report, { outcomes, at: new Date(), ...(aggregate ? { aggregate } : {}), ...(pointOf ? { pointOf } : {}) });
  const written = await writeReport(given.reportsDir, next);
  for (const line of demoSummary(next)) print(line);
  print(written.json);
  return exitCodeForVerdict(next.verdict);
}
