// A queue-mode run for behavioural tests: a random namespace on the real broker, real
// worker processes, an observer, and a teardown that removes only what the test created.
import type { TestContext } from "node:test";
import { planFor, type BackendOptions, type ChunkResult, type RunObserver, type RunPlan } from "../../lib/backends/backend.ts";
import { openRunObserver, type BackendName } from "../../lib/backends/open-backend.ts";
import { removeNamespace } from "../../lib/backends/purge-namespace.ts";
import { localWorkerCommand, type WorkerCommand } from "../../lib/platforms/worker-command.ts";
import { RunLedger } from "../../lib/report/run-ledger.ts";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.ts";
import { waitFor, within } from "./wait-for.ts";

export const BROKER_URLS: Record<BackendName, string> = {
  redis: process.env.TTG_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.TTG_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

export type QueueRunOptions = {
  params: number;
  chunkSize: number;
  workMs?: number;
  env?: Record<string, string>;
  url?: string;
  /** What the workers run (default: the bundled worker, see bundledWorker). */
  command?: WorkerCommand;
};

let bundled: Promise<WorkerCommand> | undefined;

/**
 * The worker the local platform and the image run: the bundle of the current sources (built again
 * whenever one changed). It starts several times faster than worker/main.ts under tsx, which a test
 * starting a dozen workers feels. (test/worker-static.test.ts still starts worker/main.ts under tsx.)
 */
export function bundledWorker(): Promise<WorkerCommand> {
  return (bundled ??= localWorkerCommand());
}

export type QueueRun = {
  backend: BackendName;
  namespace: string;
  runId: string;
  plan: RunPlan;
  url: string;
  observer: RunObserver;
  ledger: RunLedger;
  results: ChunkResult[];
  workers: Map<string, WorkerProcess>;
  workerEnv(id: string, extra?: Record<string, string>): Record<string, string>;
  start(id: string, extra?: Record<string, string>): WorkerProcess;
  /** Reads new results into the ledger; returns the ledger. */
  collect(): Promise<RunLedger>;
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
};

/** A worker queue's options on the run's broker, for a test that opens one itself: defaults a test rarely changes, then overrides. */
export function workerQueueOptions(run: Pick<QueueRun, "url" | "namespace" | "runId">, consumer: string, overrides: Partial<BackendOptions> = {}): BackendOptions {
  return { url: run.url, namespace: run.namespace, runId: run.runId, consumer, maxDeliveries: 3, retryDelayMs: 100, staleThresholdMs: 60_000, staleCheckIntervalMs: 60_000, ...overrides };
}

export async function deleteNamespace(backend: BackendName, url: string, namespace: string, runIds: string[] = []): Promise<void> {
  await removeNamespace({ backend, url, namespace, runIds });
}

export async function createQueueRun(t: TestContext, backend: BackendName, o: QueueRunOptions): Promise<QueueRun> {
  const namespace = `ttgtest-${Math.random().toString(36).slice(2, 10)}`;
  const runId = `run-${Math.random().toString(36).slice(2, 8)}`;
  const url = o.url ?? BROKER_URLS[backend];
  const plan = planFor(runId, o.params, o.chunkSize);
  const command = o.command ?? (await bundledWorker());
  const observer = await openRunObserver(backend, {
    url,
    namespace,
    runId,
    consumer: "coordinator",
    maxDeliveries: Number(o.env?.MAX_DELIVERIES ?? 3),
    retryDelayMs: 100,
    staleThresholdMs: Number(o.env?.STALE_THRESHOLD_MS ?? 1000),
    staleCheckIntervalMs: 100,
  });
  const ledger = new RunLedger(plan.totalChunks);
  const workers = new Map<string, WorkerProcess>();
  const results: ChunkResult[] = [];
  t.after(async () => {
    for (const w of workers.values()) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill("SIGCONT");
        w.child.kill("SIGKILL");
      }
      await w.exitedWithin(10_000).catch(() => undefined);
    }
    // Bounded, and on a timer that keeps the process alive: after a test purged the run, a RabbitMQ
    // observer's close could wait on nothing the event loop holds, and node:test failed the test
    // with "Promise resolution is still pending but the event loop has already resolved".
    await within(observer.close(), 10_000, "the run's observer to close").catch(() => undefined);
    await within(deleteNamespace(backend, url, namespace, [runId]), 20_000, "the test's namespace to be removed").catch(() => undefined);
  });
  const workerEnv = (id: string, extra: Record<string, string> = {}) => ({
    WORKER_ID: id,
    QUEUE_MODE: "true",
    QUEUE_BACKEND: backend,
    QUEUE_NAMESPACE: namespace,
    RUN_ID: runId,
    TOTAL_PARAMETERS: String(o.params),
    CHUNK_SIZE: String(o.chunkSize),
    SIMULATE_WORK_MS: String(o.workMs ?? 0),
    STALE_THRESHOLD_MS: "1000",
    STALE_CHECK_INTERVAL_SECONDS: "0.1",
    // Idle workers notice the settled run (and leave) within 0.2 s rather than the product's 2 s.
    IDLE_PROBE_SECONDS: "0.2",
    RETRY_DELAY_MS: "100",
    HEARTBEAT_SECONDS: "0",
    ...(backend === "redis" ? { REDIS_URL: url } : { AMQP_URL: url }),
    ...o.env,
    ...extra,
  });
  const run: QueueRun = {
    backend,
    namespace,
    runId,
    plan,
    url,
    observer,
    ledger,
    results,
    workers,
    workerEnv,
    start(id, extra) {
      const w = startWorkerProcess(workerEnv(id, extra), command);
      workers.set(id, w);
      return w;
    },
    async collect() {
      for (let batch = await observer.readNewResults(); batch.length > 0; batch = await observer.readNewResults()) {
        for (const r of batch) {
          results.push(r);
          ledger.accept({ chunkId: r.chunkId, start: r.start, end: r.end, worker: r.worker, aggregate: r.aggregate, ...(r.failed ? { failed: r.failed } : {}) });
        }
      }
      return ledger;
    },
    async waitForAccepted(count, timeoutMs = 30_000) {
      await waitFor(async () => (await run.collect()).acceptedCount >= count, `${count} accepted chunks`, timeoutMs, 50);
    },
  };
  return run;
}
