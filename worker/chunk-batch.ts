// One batch of chunks in queue mode: start them (or fail the malformed and the simulated faults),
// compute them in one trip to the compute thread while renewing their leases, then publish every
// result and acknowledge every chunk in one step. Nothing partial is ever published: a batch
// whose lease was lost or whose shutdown grace ran out is dropped and its chunks handed back.
// The publish is handed back unawaited, so the caller computes the next batch while the broker
// confirms this one (a confirm, an ack and, on RabbitMQ, a push: 25-80 ms per chunk on a busy machine).
import { setImmediate as nextTurn } from "node:timers/promises";
import type { ChunkResult, Completion, Delivery, WorkerQueue } from "../lib/backends/backend.ts";
import { ComputeAborted, type RangeOutcome } from "../lib/compute/compute-engine.ts";
import { formatIdRanges } from "../lib/log/chunk-ids.ts";
import { BatchCompute } from "./batch-compute.ts";
import type { WorkerContext } from "./worker-context.ts";
import { maybeFail } from "./simulated-fault.ts";

export type Tally = { chunks: number; params: number; duplicates: number; failures: number; failedParams: number; busySeconds: number };

type Started = Delivery & { task: NonNullable<Delivery["task"]> };

/**
 * seconds: the whole batch; computeSeconds: without starting crash-sandbox processes; sandboxed: some
 * chunks went through the crash sandbox, whose time says nothing of a chunk's cost (the batch sizer skips it).
 */
type BatchRun = { outcomes: RangeOutcome[] | "lease-lost" | "grace-expired"; seconds: number; computeSeconds: number; sandboxed: boolean; lost: readonly Delivery[] };

/** A batch whose compute is over; `published` settles once its results are published and acked (or it was handed back). */
export type ComputedBatch = { published: Promise<void> };

const NOTHING_TO_PUBLISH: ComputedBatch = { published: Promise.resolve() };

/**
 * Runs one batch up to the end of its compute. `computed(chunks, seconds)` is called once the
 * compute is over and before the results are published (the caller sizes and asks for the next
 * batch meanwhile); the publish goes on in `published`, which the caller must await.
 */
export async function handleBatch(
  ctx: WorkerContext,
  queue: WorkerQueue,
  tally: Tally,
  deliveries: readonly Delivery[],
  computed: (chunks: number, seconds: number, sandboxed: boolean) => void,
): Promise<ComputedBatch> {
  const started = await startChunks(ctx, queue, tally, deliveries);
  if (started.length === 0) {
    computed(0, 0, false);
    return NOTHING_TO_PUBLISH;
  }
  const takenAt = new Date().toISOString();
  const run = await computeWithLease(ctx, queue, started);
  const finishedAt = new Date().toISOString();
  tally.busySeconds += run.seconds;
  // A sandboxed batch (redelivered chunks, a process each batch) is not the chunks' cost: weighed as
  // one, it would shrink the batches to one chunk, and a dead worker's short chunks to a process each.
  computed(Array.isArray(run.outcomes) ? started.length : 0, run.computeSeconds, run.sandboxed);
  if (run.outcomes === "lease-lost" || run.outcomes === "grace-expired") {
    for (const _ of started) ctx.metrics.chunkAbandoned();
    if (run.outcomes === "grace-expired") {
      ctx.log.warn("queue", `shutdown grace expired: ${describe(started)} left for another worker, not published`, idsField(started));
    }
    // Chunks still ours go back at once; the ones taken from us already have a new holder.
    for (const d of started) if (!run.lost.includes(d)) await queue.release(d).catch(() => undefined);
    return NOTHING_TO_PUBLISH;
  }
  // Begun on the event loop's next turn: by then the caller has handed the compute thread its next
  // batch, which would otherwise wait through the encoding and sending of these results (0.4 ms a
  // batch, median, of 1.0 ms between a CPU-bound worker's batches on Redis).
  const outcomes = run.outcomes;
  const published = nextTurn().then(() => publish(ctx, queue, tally, started, outcomes, { takenAt, finishedAt, seconds: run.seconds }));
  published.catch(() => undefined); // awaited by the caller; this only keeps an early failure from counting as unhandled
  return { published };
}

/** Logs the take, fails what cannot start; returns the chunks to compute. */
async function startChunks(ctx: WorkerContext, queue: WorkerQueue, tally: Tally, deliveries: readonly Delivery[]): Promise<Started[]> {
  const { config, log, metrics } = ctx;
  const started: Started[] = [];
  for (const delivery of deliveries) {
    const task = delivery.task;
    if (!task) {
      const outcome = await queue.fail(delivery, `malformed message: ${delivery.raw}`);
      log.warn("queue", `malformed message ${outcome}`, { raw: delivery.raw });
      continue;
    }
    metrics.chunkStarted();
    try {
      maybeFail(config.simulateFaultRate, `chunk ${task.chunkId}`);
    } catch (e) {
      await failChunk(ctx, queue, tally, delivery, (e as Error).message);
      continue;
    }
    started.push(delivery as Started);
  }
  logTaken(ctx, started);
  const params = started.reduce((n, d) => n + d.task.end - d.task.start, 0);
  Object.assign(ctx.activity, { state: "computing", chunk: started.length === 1 ? started[0]!.task.chunkId : describe(started), done: 0, of: params });
  return started;
}

function logTaken(ctx: WorkerContext, started: readonly Started[]): void {
  if (started.length === 1) {
    const { task, deliveryCount } = started[0]!;
    ctx.log.info("queue", `took chunk ${task.chunkId}`, { chunk: task.chunkId, start: task.start, end: task.end, delivery: deliveryCount });
  } else if (started.length > 1) {
    const redelivered = started.filter((d) => d.deliveryCount > 1).length;
    ctx.log.info("queue", `took ${describe(started)}`, { ...idsField(started), ...(redelivered ? { redelivered } : {}) });
  }
}

function describe(started: readonly Started[]): string {
  return started.length === 1 ? `chunk ${started[0]!.task.chunkId}` : `${started.length} chunks`;
}

function idsField(started: readonly Started[]): { chunk: number } | { chunks: string } {
  return started.length === 1 ? { chunk: started[0]!.task.chunkId } : { chunks: formatIdRanges(started.map((d) => d.task.chunkId)) };
}

async function failChunk(ctx: WorkerContext, queue: WorkerQueue, tally: Tally, delivery: Delivery, error: string): Promise<void> {
  tally.failures++;
  ctx.metrics.chunkFailed();
  const chunk = delivery.task?.chunkId;
  const outcome = await queue.fail(delivery, error);
  ctx.log.warn("queue", `chunk ${chunk} failed (${outcome}): ${error}`, { chunk });
}

/** Computes the batch while renewing its leases from the main thread. */
async function computeWithLease(ctx: WorkerContext, queue: WorkerQueue, started: readonly Started[]): Promise<BatchRun> {
  const { config, shutdown, activity, log } = ctx;
  const compute = new BatchCompute(ctx);
  const began = performance.now();
  let lost: readonly Delivery[] = [];
  let graceExpired = false;
  // Three renewals per threshold: one late or lost renewal still leaves a margin of a third.
  const renewEvery = Math.max(50, Math.floor(config.staleThresholdMs / 3));
  const renewal = setInterval(() => {
    queue.renew(started).then(
      (taken) => {
        if (taken.length === 0 || lost.length > 0) return;
        lost = taken;
        log.warn("queue", `lost the lease on ${describe(taken as Started[])}; dropping the batch unpublished`, idsField(taken as Started[]));
        compute.abort();
      },
      (error: Error) => log.debug("queue", `lease renewal failed: ${error.message}`),
    );
  }, renewEvery);
  let graceTimer: NodeJS.Timeout | undefined;
  const unsubscribe = shutdown.onRequest(() => {
    graceTimer = setTimeout(() => {
      graceExpired = true;
      compute.abort();
    }, config.shutdownGraceMs);
  });
  const seconds = () => (performance.now() - began) / 1000;
  try {
    const outcomes = await compute.run(started, { collectValues: config.publishValues, onProgress: (n) => (activity.done = n) });
    return { outcomes, seconds: seconds(), computeSeconds: seconds() - compute.startupSeconds, sandboxed: compute.sandboxed, lost };
  } catch (error) {
    if (!(error instanceof ComputeAborted)) throw error;
    return { outcomes: graceExpired ? "grace-expired" : "lease-lost", seconds: seconds(), computeSeconds: seconds() - compute.startupSeconds, sandboxed: compute.sandboxed, lost };
  } finally {
    clearInterval(renewal);
    unsubscribe();
    if (graceTimer) clearTimeout(graceTimer);
  }
}

/** Publishes every chunk's result (its values and its failed parameters) and acknowledges them in one step. */
async function publish(
  ctx: WorkerContext,
  queue: WorkerQueue,
  tally: Tally,
  started: readonly Started[],
  outcomes: readonly RangeOutcome[],
  timing: { takenAt: string; finishedAt: string; seconds: number },
): Promise<void> {
  const { config, log, metrics } = ctx;
  const { finishedAt } = timing;
  const busySeconds = Number((timing.seconds / started.length).toFixed(4));
  const completions: Completion[] = [];
  // Plain loops and object literals: this runs for every chunk, thousands per second when chunks are short.
  for (let i = 0; i < started.length; i++) {
    const delivery = started[i]!;
    const outcome = outcomes[i];
    if (!outcome) {
      await failChunk(ctx, queue, tally, delivery, "no outcome from the compute thread");
      continue;
    }
    const { runId, chunkId, start, end } = delivery.task;
    const result: ChunkResult = { runId, chunkId, start, end, worker: config.workerId, attempt: delivery.deliveryCount, aggregate: outcome.aggregate, takenAt: timing.takenAt, finishedAt, busySeconds };
    if (outcome.best) result.best = outcome.best;
    if (outcome.values) result.values = outcome.values;
    if (outcome.failed) {
      result.failed = outcome.failed;
      for (const f of outcome.failed) {
        log.warn("compute", `param ${f.param} failed (${f.cause}, ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}): ${f.error}`, { chunk: chunkId, param: f.param, cause: f.cause });
      }
    }
    completions.push({ delivery, result });
  }
  if (completions.length === 0) return;
  const verdicts = await queue.complete(completions);
  const accepted: Started[] = [];
  for (let i = 0; i < completions.length; i++) {
    const delivery = completions[i]!.delivery as Started;
    const task = delivery.task;
    if (verdicts[i] === "duplicate") {
      tally.duplicates++;
      metrics.chunkDuplicate();
      log.info("queue", `chunk ${task.chunkId} already had a result; this copy was discarded`, { chunk: task.chunkId });
      continue;
    }
    accepted.push(delivery);
    tally.chunks++;
    tally.params += task.end - task.start;
    tally.failedParams += completions[i]!.result.failed?.length ?? 0;
    metrics.chunkFinished(busySeconds, task.end - task.start);
  }
  if (accepted.length > 0) {
    log.debug("queue", `completed ${describe(accepted)}`, { ...idsField(accepted), seconds: Number(timing.seconds.toFixed(3)) });
  }
}
