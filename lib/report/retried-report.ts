// A finished run's report after its failed parameters were evaluated again (demo.ts --retry-failed):
// the new values are counted, the parameters that still fail keep their records with every attempt
// counted, the run is judged again on the same rule, and the timeline gets a `retried` event.
import { AggregateBuilder, type Aggregate } from "../compute/aggregate.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import type { ValueSummary } from "../results/value-summary.ts";
import { describeFailedParams } from "./build-report.ts";
import type { RunReport } from "./report-model.ts";
import { BestTracker, type BestPoints } from "../results/best-points.ts";
import type { Point } from "../sweep-def/sweep-space.ts";

export type RetryResult = {
  /** Each retried parameter's value, or its failure (attempts counting the earlier ones). */
  outcomes: ReadonlyMap<number, number | ParamFailure>;
  /** The aggregate of the whole rewritten results file, when it holds every parameter's record. */
  aggregate?: Aggregate;
  /** The value pictures' data of the rewritten per-parameter results file. */
  summary?: { values: ValueSummary };
  at: Date;
  /** The run's sweep point of a parameter id (its best points name them); none without a sweep. */
  pointOf?: (id: number) => Point;
};

/** The report's best points with the new values offered: the old lists hold every candidate the old values had. */
function retriedBest(report: RunReport, values: ReadonlyMap<number, number>, pointOf: RetryResult["pointOf"]): BestPoints | undefined {
  const tracker = new BestTracker();
  const points = new Map<number, Point>();
  for (const e of [...(report.best?.lowest ?? []), ...(report.best?.highest ?? [])]) {
    tracker.offer(e.id, e.value);
    points.set(e.id, e.point);
  }
  for (const [param, value] of values) tracker.offer(param, value);
  return tracker.empty ? undefined : tracker.points((id) => points.get(id) ?? pointOf?.(id) ?? {});
}

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
  const valued = new Map([...retry.outcomes].filter((e): e is [number, number] => typeof e[1] === "number"));
  const best = retriedBest(report, valued, retry.pointOf);
  return {
    ...report,
    ...(best ? { best } : {}),
    params: { ...report.params, covered, failed: failed.length },
    failedParams: failed,
    aggregate: { count, sum, min, max },
    timeline: [...report.timeline, { at: retry.at.toISOString(), event: "retried", detail }],
    verdict: problems.length === 0 ? "pass" : "fail",
    problems,
    ...(retry.summary && count > 0 ? { values: retry.summary.values } : {}),
  };
}
