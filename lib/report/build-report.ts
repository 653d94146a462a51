// Turns a finished run's ledger into report.json, with a verdict a supervisor can trust:
// pass only when every chunk id has exactly one accepted result, every parameter is covered
// and the results file holds every accepted chunk. The run is judged here, once, after
// everything that can add a problem; nothing adds one afterwards (problems is read-only).
import type { ValueSummary } from "../results/value-summary.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import { plannedChunkRange } from "./chunk-ranges.ts";
import type { RunLedger } from "./run-ledger.ts";
import { REPORT_SCHEMA_VERSION, type Backend, type Platform, type RunReport } from "./report-model.ts";

export type RunDescription = {
  runId: string;
  platform: Platform;
  backend: Backend;
  workers: number;
  config: RunReport["config"];
  startedAt: Date;
  finishedAt: Date;
};

/** The results file written next to the report, and how many accepted chunks it lacks. */
export type ResultsWritten = NonNullable<RunReport["results"]> & { chunksWithoutValues: number; values?: ValueSummary };

/** Every problem of a finished run; an empty list is the only way to pass. */
export function judge(ledger: RunLedger, totalParams: number, results?: ResultsWritten): string[] {
  const problems: string[] = [];
  const covered = ledger.coveredParams();
  const aggregate = ledger.aggregate.build();
  if (ledger.acceptedCount < ledger.expectedChunks) {
    const missing = ledger.missingChunkIds();
    const more = ledger.expectedChunks - ledger.acceptedCount - missing.length;
    problems.push(
      `${ledger.expectedChunks - ledger.acceptedCount} of ${ledger.expectedChunks} chunks have no accepted result ` +
        `(ids ${missing.join(", ")}${more > 0 ? `, and ${more} more` : ""})`,
    );
  }
  const failed = ledger.failedParams;
  if (failed.length > 0) problems.push(describeFailedParams(failed, totalParams));
  if (covered + failed.length !== totalParams) problems.push(`${covered} of ${totalParams} parameters covered`);
  if (aggregate.count !== covered) {
    problems.push(`aggregate counts ${aggregate.count} values for ${covered} covered parameters`);
  }
  for (const d of ledger.deadLetters) {
    problems.push(`chunk ${d.chunkId} (params ${d.start}-${d.end - 1}) dead-lettered after ${d.attempts} attempts: ${d.error}`);
  }
  problems.push(...ledger.anomalies);
  if (results?.chunksWithoutValues) {
    problems.push(`${results.chunksWithoutValues} accepted chunk(s) arrived without their values; the results file lacks them`);
  }
  return problems;
}

function resumeOf(r: NonNullable<RunLedger["resume"]>): NonNullable<RunReport["resume"]> {
  return { resumedAt: r.resumedAt.toISOString(), interruptions: r.interruptions, paramsComputedBefore: r.paramsBefore, paramsComputedAfter: r.paramsAfter };
}

/** "2 of 60 parameters have no value: 33 (error, 3 attempts: cannot evaluate parameter 33), 41 (crash: ...)". */
export function describeFailedParams(failed: readonly ParamFailure[], totalParams: number, shown = 5): string {
  const sorted = [...failed].sort((a, b) => a.param - b.param);
  const named = sorted.slice(0, shown).map((f) => `${f.param} (${f.cause}${f.attempts > 1 ? `, ${f.attempts} attempts` : ""}: ${f.error})`);
  const more = sorted.length > shown ? `, and ${sorted.length - shown} more` : "";
  return `${failed.length} of ${totalParams} parameters have no value: ${named.join(", ")}${more}`;
}

export function buildReport(run: RunDescription, ledger: RunLedger, results?: ResultsWritten): RunReport {
  const wallSeconds = Math.max(0, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000);
  const covered = ledger.coveredParams();
  const { count, sum, min, max } = ledger.aggregate.build();
  const problems = judge(ledger, run.config.params, results);
  const redeliverySeconds = ledger.redeliveries.map((r) => r.seconds);
  const plan = { backend: run.backend, config: run.config, chunks: { expected: ledger.expectedChunks } } as Parameters<typeof plannedChunkRange>[0];
  const dead = new Set(ledger.deadLetters.map((d) => d.chunkId));
  const missing = ledger.missingChunkIds(1000).filter((id) => !dead.has(id)).map((id) => plannedChunkRange(plan, id));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    platform: run.platform,
    backend: run.backend,
    workers: run.workers,
    config: run.config,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    params: { total: run.config.params, covered, failed: ledger.failedParams.length },
    chunks: {
      expected: ledger.expectedChunks,
      accepted: ledger.acceptedCount,
      duplicatesDiscarded: ledger.duplicatesDiscarded,
      deadLettered: ledger.deadLetters.length,
      redelivered: ledger.redelivered,
    },
    deadLetters: [...ledger.deadLetters].sort((a, b) => a.chunkId - b.chunkId),
    failedParams: [...ledger.failedParams].sort((a, b) => a.param - b.param),
    aggregate: { count, sum, min, max },
    faults: ledger.faults,
    recovery: {
      maxRedeliverySeconds: redeliverySeconds.length ? Math.max(...redeliverySeconds) : 0,
      redeliveries: ledger.redeliveries.map((r) => ({ ...plannedChunkRange(plan, r.chunkId), ...r })),
    },
    ...(missing.length ? { missingChunks: missing } : {}),
    ...(ledger.duplicateChunks.length ? { duplicateChunks: ledger.duplicateChunks } : {}),
    ...(ledger.resume ? { resume: resumeOf(ledger.resume) } : {}),
    timeline: [...ledger.timeline].sort((a, b) => a.at.localeCompare(b.at)),
    progress: ledger.progress,
    perWorker: [...ledger.perWorker.values()].sort((a, b) =>
      a.worker.localeCompare(b.worker, "en", { numeric: true }),
    ),
    wallSeconds: Number(wallSeconds.toFixed(3)),
    // Throughput of a finished run only: covered parameters over wall time.
    paramsPerSecond: Number((covered / Math.max(wallSeconds, 1e-9)).toFixed(1)),
    verdict: problems.length === 0 ? "pass" : "fail",
    problems,
    ...(results ? { results: { file: results.file, granularity: results.granularity, format: results.format, chunks: results.chunks } } : {}),
    // From the chunks' own bests: present in every results mode (the pictures need the values file).
    ...(ledger.best.empty ? {} : { best: ledger.bestPoints() }),
    ...(results?.values ? { values: results.values } : {}),
  };
}
