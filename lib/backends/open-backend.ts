// Opens the configured backend; each is imported only when used.
import type { BackendOptions, RunObserver, WorkerQueue } from "./backend.ts";

export type BackendName = "redis" | "rabbitmq";

export async function openWorkerQueue(backend: BackendName, options: BackendOptions): Promise<WorkerQueue> {
  if (backend === "redis") return (await import("./redis/index.ts")).createRedisWorkerQueue(options);
  return (await import("./rabbitmq/index.ts")).createRabbitmqWorkerQueue(options);
}

export async function openRunObserver(backend: BackendName, options: BackendOptions): Promise<RunObserver> {
  if (backend === "redis") return (await import("./redis/index.ts")).createRedisObserver(options);
  return (await import("./rabbitmq/index.ts")).createRabbitmqObserver(options);
}
