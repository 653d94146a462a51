// A finished run's report after its failed parameters were evaluated again (demo.ts --retry-failed):
// the new values are counted, the parameters that still fail keep their records with every attempt
// counted, the run is judged again on the same rule, and the timeline gets a `retried` event.
import { AggregateBuilder, type Aggregate } from "../compute/aggregate.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import type { BestPoints } from "../results/best-points.ts";
import type { ValueSummary } from "../results/value-summary.ts";
import { describeFailedParams } from "./build-report.ts";
import type { RunReport } from "./report-model.ts";

export type RetryResult = {
  /** Each retried parameter's value, or its failure (attempts counting the earlier ones). */
  outcomes: ReadonlyMap<number, number | ParamFailure>;
  /** The aggregate of the whole rewritten results file, when it holds every parameter's record. */
  aggregate?: Aggregate;
  /** The best points and value pictures' data of the rewritten per-parameter results file. */
  summary?: { best: BestPoints; values: ValueSummary };
  at: Date;
};

/** The report's aggregate with the new values added (rounded once per value: no exact partials in report.json). */
function addedAggregate(old: RunReport["aggregate"], values: readonly number[]): RunReport["aggregate"] {
  const agg = new AggregateBuilder();
  agg.merge({ count: old.count, sum: old.sum, sumPartials: [old.sum], min: old.min, max: old.max });
  for (const v of values) agg.add(v);
  const { count, sum, min, max } = agg.build();
  return { count, sum, min, max };
}

/** The problems with the failed-parameter problem (and the coverage one) stated anew. */
function rejudged(report: RunReport, failed: readonly ParamFailure[], covered: number): string[] {
  const total = report.params.total;
  const stale = new Set([describeFailedParams(report.failedParams, total), `${report.params.covered} of ${total} parameters covered`]);
  const problems = report.problems.filter((p) => !stale.has(p));
  const fresh = [...(failed.length > 0 ? [describeFailedParams(failed, total)] : []), ...(covered + failed.length !== total ? [`${covered} of ${total} parameters covered`] : [])];
  return [...fresh, ...problems];
}

export function retriedReport(report: RunReport, retry: RetryResult): RunReport {
  const values = [...retry.outcomes.values()].filter((o): o is number => typeof o === "number");
  const failed = [...retry.outcomes.values()].filter((o): o is ParamFailure => typeof o !== "number").sort((a, b) => a.param - b.param);
  const covered = report.params.covered + values.length;
  const { count, sum, min, max } = retry.aggregate ?? addedAggregate(report.aggregate, values);
  const problems = rejudged(report, failed, covered);
  const detail = `${retry.outcomes.size} failed parameter(s) evaluated again: ${values.length} now have a value, ${failed.length} still fail`;
  return {
    ...report,
    params: { ...report.params, covered, failed: failed.length },
    failedParams: failed,
    aggregate: { count, sum, min, max },
    timeline: [...report.timeline, { at: retry.at.toISOString(), event: "retried", detail }],
    verdict: problems.length === 0 ? "pass" : "fail",
    problems,
    ...(retry.summary ? { best: retry.summary.best, ...(count > 0 ? { values: retry.summary.values } : {}) } : {}),
  };
}
