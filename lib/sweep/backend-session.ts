// A run's broker on the local platform: found or started, observed, and tidied afterwards.
import type { BackendOptions, RunObserver, RunPlan } from "../backends/backend.ts";
import { openRunObserver } from "../backends/open-backend.ts";
import { provideLocalRedis } from "../backends/redis/local-redis.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom } from "../config/worker-config.ts";
import type { SweepConfig } from "./sweep-config.ts";
import { BadInput } from "../script/bad-input.ts";
import { chunkSizeChosen, runPlanOf, RunIdTaken, samePlan } from "./run-plan.ts";

export type BackendSession = {
  observer: RunObserver;
  plan: RunPlan;
  brokerEnv: Record<string, string>;
  /** The broker's URL from this host and the run's namespace (the web dashboard reads the run there). */
  broker: { url: string; namespace: string };
  /** Where the broker is, for people ("the Redis already listening at ..." / "a private ..."). */
  description: string;
  /** False for a private broker started for this run: its data goes when it stops, so no resume. */
  outlivesRun: boolean;
  /** Purges the run's data (unless kept: --skip-cleanup, or a run to be resumed) and stops a private broker. */
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

/** The broker has no data of the run a resume names (purged, or lost with a broker that kept nothing). */
export class RunNotOnBroker extends BadInput {
  constructor(runId: string, where: string) {
    super(`Cannot resume run ${runId}: ${where} holds none of its data (removed by cleanup, or lost in a broker restart without persistence); start it again with ./runbook/demo.ts --run-id ${runId}.`);
  }
}

/**
 * A new run whose id the broker still holds with another plan (an interrupted run kept for its
 * resume, or one kept by --skip-cleanup) is refused rather than purged. The broker keeps only the
 * sizes; a kept run's sweep is checked by its workers (PlanMismatch).
 */
async function refuseKeptRunOfAnotherPlan(observer: RunObserver, cfg: SweepConfig, plan: RunPlan, where: string): Promise<void> {
  const kept = await observer.describeRun?.();
  if (!kept || samePlan(kept, plan, { chunkSize: chunkSizeChosen(cfg), sweep: false })) return;
  const id = cfg.runId;
  throw new RunIdTaken(kept, plan, `its data is kept on ${where}`, `use another --run-id, resume it if it was interrupted (./runbook/demo.ts --resume ${id} with its --reports), or remove it with ./runbook/cleanup.ts --${cfg.backend} --run-id ${id}`);
}

/**
 * Opens the coordinator's view of the run. A fresh run starts from nothing: whatever an earlier run
 * of that id left is removed first. A resumed one re-attaches to what the broker kept.
 */
export async function openBackendSession(cfg: SweepConfig, broker: ProvidedBroker, o: { resume?: boolean } = {}): Promise<BackendSession> {
  if (cfg.backend === "static") throw new Error("the static backend has no broker");
  const options = observerOptions(cfg, broker.url);
  const plan = runPlanOf(cfg);
  let observer: RunObserver | undefined;
  try {
    observer = await openRunObserver(cfg.backend, options);
    if (!o.resume) {
      await refuseKeptRunOfAnotherPlan(observer, cfg, plan, broker.where);
      await observer.purge();
    } else if (!(await observer.describeRun?.())) throw new RunNotOnBroker(cfg.runId, broker.where);
  } catch (error) {
    await observer?.close().catch(() => undefined);
    await broker.stop();
    throw error;
  }
  const opened = observer;
  const urlVar = cfg.backend === "redis" ? "REDIS_URL" : "AMQP_URL";
  return {
    observer: opened,
    plan,
    brokerEnv: { [urlVar]: broker.url, QUEUE_NAMESPACE: options.namespace },
    broker: { url: broker.url, namespace: options.namespace },
    description: broker.where,
    outlivesRun: !broker.private,
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
