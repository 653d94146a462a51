// Static mode (M1): process this worker's slice in batches, logging progress.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { AggregateBuilder, type Aggregate } from "../lib/compute/aggregate.ts";
import { ComputeAborted } from "../lib/compute/compute-engine.ts";
import { ChunkBestBuilder, type ChunkBest } from "../lib/compute/chunk-best.ts";
import { paramLines } from "../lib/results/result-records.ts";
import type { Shutdown } from "./shutdown.ts";
import { maybeFail } from "./simulated-fault.ts";
import { batches, staticSlice, type ParamRange } from "../lib/sweep/static-slice.ts";
import type { WorkerContext } from "./worker-context.ts";

export type StaticOutcome = {
  status: "completed" | "interrupted" | "failed";
  range: ParamRange;
  paramsDone: number;
  aggregate: Aggregate | undefined;
  /** The slice's k lowest and highest values with their ids (completed slices with a value). */
  best?: ChunkBest;
  error?: string;
};

type ValuesFile = { write(text: string): Promise<void>; close(): Promise<void> };

function withinGrace<T>(work: Promise<T>, shutdown: Shutdown, graceMs: number): Promise<T | "grace-expired"> {
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  const expired = new Promise<"grace-expired">((resolve) => {
    unsubscribe = shutdown.onRequest(() => {
      timer = setTimeout(() => resolve("grace-expired"), graceMs);
    });
  });
  return Promise.race([work, expired]).finally(() => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  });
}

/** The slice's values file (RESULTS_FILE), written from scratch by each attempt. */
async function openValuesFile(path: string): Promise<ValuesFile> {
  const out = createWriteStream(path, { flags: "w" });
  await once(out, "open");
  return {
    async write(text) {
      if (!out.write(text)) await once(out, "drain");
    },
    async close() {
      out.end();
      await once(out, "close");
    },
  };
}

export async function runStaticSlice(ctx: WorkerContext): Promise<StaticOutcome> {
  const { config } = ctx;
  const range = staticSlice(Number(config.workerId), config.totalWorkers, config.totalParameters);
  const values = config.resultsFile ? await openValuesFile(config.resultsFile) : undefined;
  try {
    return await processSlice(ctx, range, values);
  } finally {
    await values?.close();
  }
}

async function processSlice(ctx: WorkerContext, range: ParamRange, values: ValuesFile | undefined): Promise<StaticOutcome> {
  const { config, engine, log, shutdown, activity, metrics } = ctx;
  const size = range.end - range.start;
  const agg = new AggregateBuilder();
  const best = new ChunkBestBuilder();
  const interrupted = (done: number): StaticOutcome => ({ status: "interrupted", range, paramsDone: done, aggregate: undefined });
  log.lifecycle("RUNNING", `Processing ${size} items`, { start: range.start, end: range.end });
  let done = 0;
  Object.assign(activity, { state: "computing", of: size, done: 0 });
  for (const batch of batches(range, config.progressEveryParams)) {
    if (shutdown.requested) return interrupted(done);
    const batchBegan = performance.now();
    metrics.chunkStarted();
    try {
      maybeFail(config.simulateFaultRate, `batch ${batch.start}-${batch.end}`);
      const run = engine.run(batch.start, batch.end, {
        collectValues: values !== undefined,
        onProgress: (n) => (activity.done = done + n),
      });
      const outcome = await withinGrace(run, shutdown, config.shutdownGraceMs);
      if (outcome === "grace-expired") {
        metrics.chunkAbandoned();
        await engine.abort();
        return interrupted(done);
      }
      // A static slice has no per-parameter records: a parameter without a value fails the slice.
      const failed = outcome.failed?.[0];
      if (failed) throw new Error(`param ${failed.param}: ${failed.error} (${failed.cause})`);
      agg.merge(outcome.aggregate);
      if (outcome.best) best.merge(outcome.best);
      await values?.write(paramLines(batch.start, outcome.values ?? [], Number(config.workerId), config.workerId, "jsonl"));
    } catch (error) {
      if (error instanceof ComputeAborted) {
        metrics.chunkAbandoned();
        return interrupted(done);
      }
      metrics.chunkFailed();
      return { status: "failed", range, paramsDone: done, aggregate: undefined, error: (error as Error).message };
    }
    done += batch.end - batch.start;
    activity.done = done;
    metrics.chunkFinished((performance.now() - batchBegan) / 1000, batch.end - batch.start);
    log.lifecycle("PROGRESS", `${done}/${size} (${((100 * done) / Math.max(1, size)).toFixed(1)}%)`, { done, total: size });
  }
  const sliceBest = best.build();
  return { status: "completed", range, paramsDone: done, aggregate: agg.build(), ...(sliceBest ? { best: sliceBest } : {}) };
}
