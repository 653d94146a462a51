// Queue mode (M2 Redis Streams, M3 RabbitMQ): load the run if needed, then take chunks,
// renew the lease while computing, publish each result once, and leave only when the
// whole run is settled (never while a chunk is pending or in flight elsewhere).
import type { BackendOptions, ChunkResult, Delivery, RunPlan, WorkerQueue } from "../lib/backends/backend.ts";
import { openWorkerQueue } from "../lib/backends/open-backend.ts";
import { ComputeAborted, type RangeOutcome } from "../lib/compute/compute-engine.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { Shutdown } from "./shutdown.ts";
import { exitCodeForSignal, pauseUnlessStopped } from "./shutdown.ts";
import type { WorkerContext } from "./worker-context.ts";
import { maybeFail } from "./simulated-fault.ts";

type Tally = { chunks: number; params: number; duplicates: number; failures: number; busySeconds: number };

export function planOf(config: WorkerConfig): RunPlan {
  return {
    runId: config.runId,
    totalParameters: config.totalParameters,
    chunkSize: config.chunkSize,
    totalChunks: Math.ceil(config.totalParameters / config.chunkSize),
  };
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
      if ((error as { name?: string }).name === "PlanMismatch") throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        log.warn("queue", `waiting for the ${config.queueBackend} broker: ${(error as Error).message}`, { attempt });
      }
      await pauseUnlessStopped(shutdown, waitMs);
      waitMs = Math.min(waitMs * 2, 5000);
    }
  }
  return undefined;
}

type ChunkRun = { outcome: RangeOutcome | "lease-lost" | "grace-expired"; seconds: number };

/** Computes one chunk while renewing its lease from the main thread. */
async function computeWithLease(ctx: WorkerContext, queue: WorkerQueue, delivery: Delivery): Promise<ChunkRun> {
  const { config, engine, shutdown, activity, log } = ctx;
  const task = delivery.task!;
  const began = performance.now();
  let leaseLost = false;
  let graceExpired = false;
  const renewEvery = Math.max(50, Math.floor(config.staleThresholdMs / 4));
  const renewal = setInterval(() => {
    queue.renew(delivery).then(
      (held) => {
        if (held || leaseLost) return;
        leaseLost = true;
        log.warn("queue", `lost the lease on chunk ${task.chunkId}; dropping it unpublished`, { chunk: task.chunkId });
        void engine.abort();
      },
      (error: Error) => log.debug("queue", `lease renewal failed: ${error.message}`),
    );
  }, renewEvery);
  let graceTimer: NodeJS.Timeout | undefined;
  const unsubscribe = shutdown.onRequest(() => {
    graceTimer = setTimeout(() => {
      graceExpired = true;
      void engine.abort();
    }, config.shutdownGraceMs);
  });
  try {
    const outcome = await engine.run(task.start, task.end, {
      collectValues: config.publishValues,
      onProgress: (n) => (activity.done = n),
    });
    return { outcome, seconds: (performance.now() - began) / 1000 };
  } catch (error) {
    if (!(error instanceof ComputeAborted)) throw error;
    return { outcome: graceExpired ? "grace-expired" : "lease-lost", seconds: (performance.now() - began) / 1000 };
  } finally {
    clearInterval(renewal);
    unsubscribe();
    if (graceTimer) clearTimeout(graceTimer);
  }
}

export async function runQueueMode(ctx: WorkerContext, connecting: Promise<WorkerQueue | undefined>): Promise<number> {
  const { config, log, shutdown, began, activity } = ctx;
  const plan = planOf(config);
  const tally: Tally = { chunks: 0, params: 0, duplicates: 0, failures: 0, busySeconds: 0 };
  activity.state = "connecting";
  let status: "completed" | "interrupted" | "failed" = "interrupted";
  let error: string | undefined;
  let queue: WorkerQueue | undefined;
  try {
    queue = await connecting;
  } catch (e) {
    status = "failed";
    error = (e as Error).message;
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
    busySeconds: Number(tally.busySeconds.toFixed(3)),
    durationSeconds: Number(seconds.toFixed(3)),
    paramsPerSecond: Number((tally.params / Math.max(seconds, 1e-9)).toFixed(1)),
    ...(error ? { error } : {}),
  });
  if (status === "completed") return 0;
  return status === "interrupted" ? exitCodeForSignal(shutdown.signal) : 1;
}

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
  let idleSince = Date.now();
  let lastCheck = 0;
  const blockMs = Math.max(20, Math.min(1000, config.staleCheckIntervalMs));
  while (!shutdown.requested) {
    activity.state = "waiting";
    let delivery: Delivery | undefined;
    try {
      delivery = await queue.next(blockMs);
    } catch (e) {
      // A broken connection during a read is not fatal: the client reconnects.
      log.warn("queue", `read failed: ${(e as Error).message}; retrying`);
      await pauseUnlessStopped(shutdown, 500);
      continue;
    }
    if (!delivery) {
      if (Date.now() - lastCheck >= 250) {
        lastCheck = Date.now();
        if (await queue.settled(plan)) return "completed";
      }
      if (Date.now() - idleSince > config.idleTimeoutMs) {
        log.debug("queue", "idle, but the run is not settled: another worker holds a chunk; staying");
        idleSince = Date.now();
      }
      continue;
    }
    idleSince = Date.now();
    await handleDelivery(ctx, queue, tally, delivery);
  }
  return "interrupted";
}

async function handleDelivery(ctx: WorkerContext, queue: WorkerQueue, tally: Tally, delivery: Delivery): Promise<void> {
  const { config, log, activity, metrics } = ctx;
  const task = delivery.task;
  if (!task) {
    const outcome = await queue.fail(delivery, `malformed message: ${delivery.raw}`);
    log.warn("queue", `malformed message ${outcome}`, { raw: delivery.raw });
    return;
  }
  const takenAt = new Date();
  log.info("queue", `took chunk ${task.chunkId}`, {
    chunk: task.chunkId,
    start: task.start,
    end: task.end,
    delivery: delivery.deliveryCount,
  });
  Object.assign(activity, { state: "computing", chunk: task.chunkId, done: 0, of: task.end - task.start });
  metrics.chunkStarted();
  try {
    maybeFail(config.simulateFaultRate, `chunk ${task.chunkId}`);
  } catch (e) {
    tally.failures++;
    metrics.chunkFailed();
    const outcome = await queue.fail(delivery, (e as Error).message);
    log.warn("queue", `chunk ${task.chunkId} failed (${outcome}): ${(e as Error).message}`, { chunk: task.chunkId });
    return;
  }
  const run = await computeWithLease(ctx, queue, delivery);
  tally.busySeconds += run.seconds;
  if (run.outcome === "lease-lost") {
    metrics.chunkAbandoned();
    return;
  }
  if (run.outcome === "grace-expired") {
    metrics.chunkAbandoned();
    await queue.release(delivery);
    log.warn("queue", `shutdown grace expired: chunk ${task.chunkId} left for another worker, not published`, {
      chunk: task.chunkId,
    });
    return;
  }
  if (!run.outcome.ok) {
    tally.failures++;
    metrics.chunkFailed();
    const error = `param ${run.outcome.paramId}: ${run.outcome.error}`;
    const outcome = await queue.fail(delivery, error);
    log.warn("queue", `chunk ${task.chunkId} failed (${outcome}): ${error}`, { chunk: task.chunkId });
    return;
  }
  const result: ChunkResult = {
    ...task,
    worker: config.workerId,
    attempt: delivery.deliveryCount,
    aggregate: run.outcome.aggregate,
    ...(run.outcome.values ? { values: run.outcome.values } : {}),
    takenAt: takenAt.toISOString(),
    finishedAt: new Date().toISOString(),
    busySeconds: Number(run.seconds.toFixed(4)),
  };
  const verdict = await queue.complete(delivery, result);
  if (verdict === "duplicate") {
    tally.duplicates++;
    metrics.chunkDuplicate();
    log.info("queue", `chunk ${task.chunkId} already had a result; this copy was discarded`, { chunk: task.chunkId });
    return;
  }
  tally.chunks++;
  tally.params += task.end - task.start;
  metrics.chunkFinished(run.seconds, task.end - task.start);
  log.debug("queue", `completed chunk ${task.chunkId}`, { chunk: task.chunkId, seconds: Number(run.seconds.toFixed(3)) });
}
