// What every part of a running worker shares.
import type { ComputeEngine } from "../lib/compute/compute-engine.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { WorkerMetrics } from "../lib/metrics/worker-metrics.ts";
import type { WorkerActivity } from "./heartbeat.ts";
import type { Shutdown } from "./shutdown.ts";

export type WorkerContext = {
  config: WorkerConfig;
  engine: ComputeEngine;
  log: Logger;
  shutdown: Shutdown;
  activity: WorkerActivity;
  metrics: WorkerMetrics;
  /** performance.now() when the worker started. */
  began: number;
};
