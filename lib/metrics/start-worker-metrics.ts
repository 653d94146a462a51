// A worker's metrics: kept with prom-client and served on METRICS_PORT when it is set (loaded
// only then); a port that cannot be bound is a warning, never a reason to stop computing.
import type { Logger } from "../log/logger.ts";
import { NO_METRICS, type ChunkMetrics } from "./chunk-metrics.ts";
import { serveMetrics, type MetricsServer } from "./serve-metrics.ts";
import type { WorkerMetricLabels } from "./worker-metrics.ts";

export type StartedMetrics = { metrics: ChunkMetrics; server: MetricsServer | undefined };

export async function startWorkerMetrics(port: number | undefined, labels: WorkerMetricLabels, log: Logger): Promise<StartedMetrics> {
  if (port === undefined) return { metrics: NO_METRICS, server: undefined };
  const { WorkerMetrics } = await import("./worker-metrics.ts");
  const metrics = new WorkerMetrics(labels);
  try {
    const server = await serveMetrics(metrics, port);
    log.info("metrics", `Prometheus metrics on :${server.port}/metrics`);
    return { metrics, server };
  } catch (error) {
    log.warn("metrics", (error as Error).message);
    return { metrics: NO_METRICS, server: undefined };
  }
}
