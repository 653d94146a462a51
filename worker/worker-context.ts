// What every part of a running worker shares.
import type { ComputeEngine } from "../lib/compute/compute-engine.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { ChunkMetrics } from "../lib/metrics/chunk-metrics.ts";
import type { WorkerActivity } from "./heartbeat.ts";
import type { Shutdown } from "./shutdown.ts";

export type WorkerContext = {
  config: WorkerConfig;
  engine: ComputeEngine;
  log: Logger;
  shutdown: Shutdown;
  activity: WorkerActivity;
  metrics: ChunkMetrics;
  /** performance.now() when the worker started. */
  began: number;
};
