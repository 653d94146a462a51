// Static mode (M1): process this worker's slice in batches, logging progress.
import type { Aggregate } from "../lib/compute/aggregate.ts";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { ComputeAborted } from "../lib/compute/compute-engine.ts";
import type { Shutdown } from "./shutdown.ts";
import type { WorkerContext } from "./worker-context.ts";
import { maybeFail } from "./simulated-fault.ts";
import { batches, staticSlice, type ParamRange } from "./slice.ts";

export type StaticOutcome = {
  status: "completed" | "interrupted" | "failed";
  range: ParamRange;
  paramsDone: number;
  aggregate: Aggregate | undefined;
  error?: string;
};

function withinGrace<T>(work: Promise<T>, shutdown: Shutdown, graceMs: number): Promise<T | "grace-expired"> {
  const expired = shutdown.whenRequested.then(
    () => new Promise<"grace-expired">((resolve) => setTimeout(() => resolve("grace-expired"), graceMs).unref()),
  );
  return Promise.race([work, expired]);
}

export async function runStaticSlice(ctx: WorkerContext): Promise<StaticOutcome> {
  const { config, engine, log, shutdown, activity, metrics } = ctx;
  const range = staticSlice(Number(config.workerId), config.totalWorkers, config.totalParameters);
  const size = range.end - range.start;
  const agg = new AggregateBuilder();
  log.lifecycle("RUNNING", `Processing ${size} items`, { start: range.start, end: range.end });
  let done = 0;
  Object.assign(activity, { state: "computing", of: size, done: 0 });
  for (const batch of batches(range, config.batchSize)) {
    if (shutdown.requested) return { status: "interrupted", range, paramsDone: done, aggregate: undefined };
    const batchBegan = performance.now();
    metrics.chunkStarted();
    try {
      maybeFail(config.simulateFaultRate, `batch ${batch.start}-${batch.end}`);
      const outcome = await withinGrace(engine.run(batch.start, batch.end, { onProgress: (n) => (activity.done = done + n) }), shutdown, config.shutdownGraceMs);
      if (outcome === "grace-expired") {
        metrics.chunkAbandoned();
        await engine.abort();
        return { status: "interrupted", range, paramsDone: done, aggregate: undefined };
      }
      if (!outcome.ok) throw new Error(`param ${outcome.paramId}: ${outcome.error}`);
      agg.merge(outcome.aggregate);
    } catch (error) {
      if (error instanceof ComputeAborted) {
        metrics.chunkAbandoned();
        return { status: "interrupted", range, paramsDone: done, aggregate: undefined };
      }
      metrics.chunkFailed();
      return { status: "failed", range, paramsDone: done, aggregate: undefined, error: (error as Error).message };
    }
    done += batch.end - batch.start;
    activity.done = done;
    metrics.chunkFinished((performance.now() - batchBegan) / 1000, batch.end - batch.start);
    log.lifecycle("PROGRESS", `${done}/${size} (${((100 * done) / Math.max(1, size)).toFixed(1)}%)`, {
      done,
      total: size,
    });
  }
  return { status: "completed", range, paramsDone: done, aggregate: agg.build() };
}
