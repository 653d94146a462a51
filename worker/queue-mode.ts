// Queue mode (M2 Redis Streams, M3 RabbitMQ): load the run if needed, then take chunks,
// renew the lease while computing, publish each result once, and leave only when the
// whole run is settled (never while a chunk is pending or in flight elsewhere).
import { sweepDigest, sweepFromJson } from "../lib/sweep-def/sweep-json.ts";
import { PlanMismatch, planFor, type BackendOptions, type Delivery, type RunPlan, type WorkerQueue } from "../lib/backends/backend.ts";
import { openWorkerQueue } from "../lib/backends/open-backend.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { Shutdown } from "./shutdown.ts";
import { exitCodeForSignal, pauseUnlessStopped } from "./shutdown.ts";
import type { WorkerContext } from "./worker-context.ts";
import { BatchSizer } from "./batch-sizer.ts";
import { handleBatch, type Tally } from "./chunk-batch.ts";
import { TakeAhead, takeAheadDelayMs } from "./take-ahead.ts";

function planOf(config: WorkerConfig): RunPlan {
  // The sweep's digest, as the coordinator's plan has it: a worker given another sweep is refused.
  const sweep = sweepFromJson(config.sweepJson);
  return planFor(config.runId, config.totalParameters, config.chunkSize, sweep ? sweepDigest(sweep) : undefined);
}

export function backendOptions(config: WorkerConfig, log: Logger): BackendOptions {
  return {
    url: config.queueBackend === "redis" ? config.redisUrl : config.amqpUrl,
    namespace: config.namespace,
    runId: config.runId,
    consumer: config.workerId,
    maxDeliveries: config.maxDeliveries,
    retryDelayMs: config.retryDelayMs,
    staleThresholdMs: config.staleThresholdMs,
    staleCheckIntervalMs: config.staleCheckIntervalMs,
    idleProbeMs: config.idleProbeMs,
    heartbeatSeconds: config.rabbitmqHeartbeatSeconds,
    log: (level, message, fields) =>
      (level === "warn" ? log.warn : level === "error" ? log.error : level === "debug" ? log.debug : log.info)(
        config.queueBackend,
        message,
        fields,
      ),
  };
}


/** Connects and loads, waiting (not crashing) while the broker is not there yet. */
export async function openAndLoad(config: WorkerConfig, log: Logger, shutdown: Shutdown): Promise<WorkerQueue | undefined> {
  const plan = planOf(config);
  let waitMs = 250;
  for (let attempt = 1; !shutdown.requested; attempt++) {
    let queue: WorkerQueue | undefined;
    try {
      queue = await openWorkerQueue(config.queueBackend, backendOptions(config, log));
      await queue.ensureLoaded(plan);
      return queue;
    } catch (error) {
      await queue?.close().catch(() => undefined);
      // The run exists with another plan: bad input, not a broker that is not up yet.
      if (error instanceof PlanMismatch) throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        log.warn("queue", `waiting for the ${config.queueBackend} broker: ${(error as Error).message}`, { attempt });
      }
      await pauseUnlessStopped(shutdown, waitMs);
      waitMs = Math.min(waitMs * 2, 5000);
    }
  }
  return undefined;
}

export async function runQueueMode(ctx: WorkerContext, connecting: Promise<WorkerQueue | undefined>): Promise<number> {
  const { config, log, shutdown, began, activity } = ctx;
  const plan = planOf(config);
  const tally: Tally = { chunks: 0, params: 0, duplicates: 0, failures: 0, failedParams: 0, busySeconds: 0 };
  activity.state = "connecting";
  let status: "completed" | "interrupted" | "failed" = "interrupted";
  let error: string | undefined;
  let queue: WorkerQueue | undefined;
  let badInput = false;
  try {
    queue = await connecting;
  } catch (e) {
    status = "failed";
    error = (e as Error).message;
    badInput = e instanceof BadInput;
    log.lifecycle("FAILED", error);
  }
  if (queue) {
    try {
      status = await takeChunks(ctx, queue, tally, plan);
    } catch (e) {
      status = "failed";
      error = (e as Error).message;
      log.lifecycle("FAILED", error);
    } finally {
      await queue.close().catch(() => undefined);
    }
  }
  const seconds = (performance.now() - began) / 1000;
  if (status === "completed") log.lifecycle("COMPLETED", `Duration: ${seconds.toFixed(2)}s`, { chunks: tally.chunks });
  log.summary({
    mode: `queue/${config.queueBackend}`,
    status,
    runId: config.runId,
    chunks: tally.chunks,
    params: tally.params,
    duplicates: tally.duplicates,
    failures: tally.failures,
    failedParams: tally.failedParams,
    busySeconds: Number(tally.busySeconds.toFixed(3)),
    durationSeconds: Number(seconds.toFixed(3)),
    paramsPerSecond: Number((tally.params / Math.max(seconds, 1e-9)).toFixed(1)),
    ...(error ? { error } : {}),
  });
  if (status === "completed") return EXIT_CODES.ok;
  if (badInput) return EXIT_CODES.badInput;
  return status === "interrupted" ? exitCodeForSignal(shutdown.signal) : EXIT_CODES.failed;
}

type Taken = { deliveries: Delivery[] } | { error: Error };

/**
 * Takes batches until the run is settled. The next batch is asked for shortly before the current
 * one is expected to be computed (take-ahead.ts), or once it is: the read's round trip overlaps the
 * compute or, at the latest, the publish of its results.
 */
async function takeChunks(
  ctx: WorkerContext,
  queue: WorkerQueue,
  tally: Tally,
  plan: RunPlan,
): Promise<"completed" | "interrupted"> {
  const { config, log, shutdown, activity } = ctx;
  log.lifecycle("RUNNING", `queue mode: run ${plan.runId}, ${plan.totalChunks} chunks of ${plan.chunkSize}`, {
    backend: config.queueBackend,
  });
  // When the worker last found nothing to take after having had work (or since it started).
  let idleSince = Date.now();
  let busy = false;
  let lastCheck = 0;
  let lastNotice = Date.now();
  const blockMs = Math.max(20, Math.min(1000, config.staleCheckIntervalMs));
  const sizer = new BatchSizer({ maxChunks: config.maxBatchChunks, chunkSize: plan.chunkSize, publishValues: config.publishValues });
  const take = (): Promise<Taken> => queue.next(blockMs, sizer.chunksPerTake, sizer.chunkMs).then((deliveries) => ({ deliveries }), (error: Error) => ({ error }));
  const ahead = new TakeAhead(take, () => !shutdown.requested);
  // The previous batch's publish, going on while this batch computes: at most one at a time.
  let publishing: Promise<void> | undefined;
  try {
    while (!shutdown.requested) {
      activity.state = "waiting";
      const taken = await (ahead.claim() ?? take());
      if ("error" in taken) {
        // A broken connection during a read is not fatal: the client reconnects.
        log.warn("queue", `read failed: ${taken.error.message}; retrying`);
        await pauseUnlessStopped(shutdown, 500);
        continue;
      }
      if (taken.deliveries.length === 0) {
        if (busy) {
          busy = false;
          idleSince = Date.now();
        }
        // Soon after the last chunk the run may just have settled: look often; later, seldom (or when told).
        const settleCheckMs = Date.now() - idleSince < 2 * config.idleProbeMs ? 250 : (queue.idleProbeMs ?? config.idleProbeMs);
        if (queue.settledHeard?.() === true || Date.now() - lastCheck >= settleCheckMs) {
          lastCheck = Date.now();
          if (await queue.settled(plan)) return "completed";
        }
        // Never an exit on idle time: a killed worker's chunk may not be reclaimable yet.
        if (Date.now() - Math.max(idleSince, lastNotice) > config.idleNoticeEveryMs) {
          log.debug("queue", "idle, but the run is not settled: another worker holds a chunk; staying");
          lastNotice = Date.now();
        }
        continue;
      }
      busy = true;
      const redelivered = taken.deliveries.some((d) => d.deliveryCount > 1);
      ahead.askAfter(takeAheadDelayMs(taken.deliveries.length, sizer.chunkMs, redelivered));
      const batch = await handleBatch(ctx, queue, tally, taken.deliveries, (computed, seconds, sandboxed) => {
        if (sandboxed) sizer.recordSandboxed(computed, seconds * 1000);
        else sizer.record(computed, seconds * 1000);
        ahead.now();
      });
      const previous = publishing;
      publishing = batch.published;
      await previous;
    }
    return "interrupted";
  } finally {
    // Results already computed are published before the worker leaves or is stopped.
    await publishing?.catch((error: Error) => log.warn("queue", `publishing results failed: ${error.message}`));
    // A batch taken ahead but never started goes back for another worker.
    const asked = ahead.claim();
    const left = asked ? await asked : undefined;
    if (left && "deliveries" in left) for (const d of left.deliveries) await queue.release(d).catch(() => undefined);
  }
}
