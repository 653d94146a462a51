// A run's broker on the local platform: found or started, observed, and tidied afterwards.
import type { BackendOptions, RunObserver } from "../backends/backend.ts";
import { openRunObserver } from "../backends/open-backend.ts";
import { provideLocalRedis } from "../backends/redis/local-redis.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom } from "../config/worker-config.ts";
import type { SweepConfig } from "./sweep-config.ts";
import { planFor, type RunPlan } from "../backends/backend.ts";

export type BackendSession = {
  observer: RunObserver;
  plan: RunPlan;
  brokerEnv: Record<string, string>;
  /** Where the broker is, for people ("the Redis already listening at ..." / "a private ..."). */
  description: string;
  /** Purges the run's data (unless kept) and stops a private broker. */
  close(options: { keepData: boolean }): Promise<void>;
};

/** Where the broker is for the coordinator; `private` ones were started for this run and go with it. */
export type ProvidedBroker = { url: string; private: boolean; where: string; stop(): Promise<void> };


/** Local platform: the broker already listening, or a private one started for this run. */
export async function provideLocalBroker(cfg: SweepConfig): Promise<ProvidedBroker> {
  const where = (url: string, started: boolean) => `${started ? "a private" : "the"} ${cfg.backend === "redis" ? "Redis" : "RabbitMQ"} ${started ? "started for this run" : "already listening"} at ${new URL(url).host}`;
  if (cfg.backend === "redis") {
    const redis = await provideLocalRedis(redisUrlFrom({ REDIS_HOST: "127.0.0.1", ...cfg.workerEnv }));
    return { url: redis.url, private: redis.private, where: where(redis.url, redis.private), stop: () => redis.stop() };
  }
  const url = amqpUrlFrom({ RABBITMQ_HOST: "127.0.0.1", RABBITMQ_USER: "guest", RABBITMQ_PASSWORD: "guest", ...cfg.workerEnv });
  const { ensureLocalRabbitmq } = await import("../backends/rabbitmq/local-rabbitmq.ts");
  const broker = await ensureLocalRabbitmq(url);
  return { url: broker.url, private: broker.started, where: where(broker.url, broker.started), stop: () => broker.stop() };
}

function observerOptions(cfg: SweepConfig, url: string): BackendOptions {
  const worker = readWorkerConfig({ ...cfg.workerEnv, QUEUE_MODE: "true", RUN_ID: cfg.runId });
  return {
    url,
    namespace: worker.namespace,
    runId: cfg.runId,
    consumer: "coordinator",
    maxDeliveries: cfg.maxDeliveries,
    retryDelayMs: worker.retryDelayMs,
    staleThresholdMs: worker.staleThresholdMs,
    staleCheckIntervalMs: worker.staleCheckIntervalMs,
  };
}

export async function openBackendSession(cfg: SweepConfig, broker: ProvidedBroker): Promise<BackendSession> {
  if (cfg.backend === "static") throw new Error("the static backend has no broker");
  const options = observerOptions(cfg, broker.url);
  let observer: RunObserver | undefined;
  try {
    observer = await openRunObserver(cfg.backend, options);
    // A demo run id names a fresh run: whatever an earlier run of that id left is removed first.
    await observer.purge();
  } catch (error) {
    await observer?.close().catch(() => undefined);
    await broker.stop();
    throw error;
  }
  const opened = observer;
  const urlVar = cfg.backend === "redis" ? "REDIS_URL" : "AMQP_URL";
  return {
    observer: opened,
    plan: planFor(cfg.runId, cfg.params, cfg.chunkSize),
    brokerEnv: { [urlVar]: broker.url, QUEUE_NAMESPACE: options.namespace },
    description: broker.where,
    async close({ keepData }) {
      try {
        if (!keepData && !broker.private) await opened.purge();
      } finally {
        await opened.close().catch(() => undefined);
        await broker.stop();
      }
    },
  };
}
