// Queue mode (M2/M3): placeholder until the backends land.
import type { ComputeEngine } from "../lib/compute/compute-engine.ts";
import type { WorkerConfig } from "../lib/config/worker-config.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { WorkerActivity } from "./heartbeat.ts";
import type { Shutdown } from "./shutdown.ts";

export async function runQueueMode(
  config: WorkerConfig,
  _engine: ComputeEngine,
  log: Logger,
  _shutdown: Shutdown,
  _began: number,
  _activity: WorkerActivity,
): Promise<number> {
  log.lifecycle("FAILED", `QUEUE_BACKEND=${config.queueBackend} is not available yet`);
  return 2;
}
