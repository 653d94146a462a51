// The worker program as a function of its environment: validate, start the compute
// thread, run static or queue mode, log the summary, return the exit code.
import { ComputeEngine } from "../lib/compute/compute-engine.ts";
import { engineOptions } from "./engine-options.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { readWorkerConfig, type Env, type WorkerConfig } from "../lib/config/worker-config.ts";
import { createLogger } from "../lib/log/logger.ts";
import { startWorkerMetrics } from "../lib/metrics/start-worker-metrics.ts";
import { startHeartbeat, type WorkerActivity } from "./heartbeat.ts";
import { openAndLoad, runQueueMode } from "./queue-mode.ts";
import { createShutdown, exitCodeForSignal } from "./shutdown.ts";
import { runStaticSlice } from "./static-mode.ts";
import type { WorkerContext } from "./worker-context.ts";

export async function runWorker(env: Env, writeErr: (line: string) => void): Promise<number> {
  let config: WorkerConfig;
  try {
    config = readWorkerConfig(env);
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    writeErr(`worker: ${error.message}`);
    return EXIT_CODES.badInput;
  }
  const log = createLogger({ worker: config.workerId, node: config.nodeName, level: config.logLevel, format: config.logFormat });
  const began = performance.now();
  const shutdown = createShutdown((signal) =>
    log.lifecycle("SHUTTING_DOWN", `${signal} received: taking no new work`, { signal }),
  );
  const engine = new ComputeEngine(engineOptions(config));
  log.lifecycle("STARTING", `mode=${config.queueMode ? `queue/${config.queueBackend}` : "static"}`, {
    node: config.nodeName,
    params: config.totalParameters,
    compute: config.computeModule ?? "built-in simulation",
    ...(config.computeModule && config.computeModuleJs ? { computeBuild: config.computeModuleJs } : {}),
  });
  // Connecting and loading go on while the compute thread starts: start-up is paid once, not twice.
  const queue = config.queueMode ? openAndLoad(config, log, shutdown) : undefined;
  queue?.catch(() => undefined);
  try {
    await engine.start();
  } catch (error) {
    log.lifecycle("FAILED", (error as Error).message);
    writeErr(`worker: ${(error as Error).message}`);
    await engine.close();
    shutdown.request("SIGTERM");
    await (await queue?.catch(() => undefined))?.close().catch(() => undefined);
    shutdown.dispose();
    return EXIT_CODES.badInput;
  }
  const { metrics, server: metricsServer } = await startWorkerMetrics(config.metricsPort, {
    worker: config.workerId,
    runId: config.queueMode ? config.runId : "static",
    backend: config.queueMode ? config.queueBackend : "static",
  }, log);
  log.lifecycle("INITIALIZED", "compute thread ready");
  const activity: WorkerActivity = { state: "starting" };
  const stopHeartbeat = startHeartbeat(log, config.heartbeatMs, () => activity);
  const ctx: WorkerContext = { config, engine, log, shutdown, activity, metrics, began };
  try {
    return queue ? await runQueueMode(ctx, queue) : await runStatic(ctx);
  } finally {
    stopHeartbeat();
    await metricsServer?.close().catch(() => undefined);
    await engine.close();
    shutdown.dispose();
  }
}

async function runStatic(ctx: WorkerContext): Promise<number> {
  const { log, shutdown, began } = ctx;
  const outcome = await runStaticSlice(ctx);
  const seconds = (performance.now() - began) / 1000;
  if (outcome.status === "completed") log.lifecycle("COMPLETED", `Duration: ${seconds.toFixed(2)}s`);
  else if (outcome.status === "failed") log.lifecycle("FAILED", outcome.error ?? "unknown error");
  log.summary({
    mode: "static",
    status: outcome.status,
    start: outcome.range.start,
    end: outcome.range.end,
    chunks: outcome.status === "completed" ? 1 : 0,
    params: outcome.paramsDone,
    durationSeconds: Number(seconds.toFixed(3)),
    paramsPerSecond: Number((outcome.paramsDone / Math.max(seconds, 1e-9)).toFixed(1)),
    ...(outcome.aggregate ? { aggregate: outcome.aggregate } : {}),
    ...(outcome.best ? { best: outcome.best } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  });
  if (outcome.status === "completed") return EXIT_CODES.ok;
  return outcome.status === "interrupted" ? exitCodeForSignal(shutdown.signal) : EXIT_CODES.failed;
}
