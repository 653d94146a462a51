// Opens the configured backend; each is imported only when used.
import type { BackendOptions, RunObserver, WorkerQueue } from "./backend.ts";

export type BackendName = "redis" | "rabbitmq";

type RabbitmqModule = {
  createRabbitmqWorkerQueue(options: BackendOptions): Promise<WorkerQueue>;
  createRabbitmqObserver(options: BackendOptions): Promise<RunObserver>;
};
// The RabbitMQ backend is being written alongside; until it lands, it is loaded by a computed path.
const RABBITMQ_MODULE = "./rabbitmq/index.ts";
const rabbitmq = () => import(RABBITMQ_MODULE) as Promise<RabbitmqModule>;

export async function openWorkerQueue(backend: BackendName, options: BackendOptions): Promise<WorkerQueue> {
  if (backend === "redis") return (await import("./redis/index.ts")).createRedisWorkerQueue(options);
  return (await rabbitmq()).createRabbitmqWorkerQueue(options);
}

export async function openRunObserver(backend: BackendName, options: BackendOptions): Promise<RunObserver> {
  if (backend === "redis") return (await import("./redis/index.ts")).createRedisObserver(options);
  return (await rabbitmq()).createRabbitmqObserver(options);
}
