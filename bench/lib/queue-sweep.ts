// One queue-mode sweep for a measurement: load the run from this process (the coordinator),
// start real worker processes, read results until every chunk has one, then remove the run.
import { planFor, type ChunkResult, type RunObserver, type RunPlan } from "../../lib/backends/backend.ts";
import { openRunObserver, type BackendName } from "../../lib/backends/open-backend.ts";
import { startFleet, type FleetStart } from "../../lib/platforms/fleet-start.ts";
import { LocalPlatform } from "../../lib/platforms/local-platform.ts";
import type { WorkerCommand } from "../../lib/platforms/worker-command.ts";
import { batchGaps, type BatchGaps } from "./batch-gaps.ts";
import { CpuAccounting, type CpuShare } from "./cpu-accounting.ts";
import { deleteNamespace, newNamespace, type BenchNamespace } from "./namespace.ts";
import { pause } from "./progress.ts";

export type SweepSpec = {
  backend: BackendName;
  url: string;
  params: number;
  chunkSize: number;
  workMs?: number;
  computeModule?: string;
  /** Extra worker variables (LOG_LEVEL, STALE_THRESHOLD_MS...). */
  env?: Record<string, string>;
  label: string;
  /** What the workers run (default: the bundled worker, as the demo runs it). */
  command?: WorkerCommand;
  /**
   * Milliseconds between result reads and CPU samples (default WATCH_EVERY_MS). Result times come
   * from the results themselves, so a slower poll costs them no accuracy; it does lengthen the window
   * the cores-used averages are taken over (to the poll that saw the last result), and a worker's CPU
   * after its last sample is lost when it exits.
   */
  watchEveryMs?: number;
};

export type SweepTiming = {
  chunks: number;
  params: number;
  /** Coordinator loading every chunk before any worker starts. */
  loadSeconds: number;
  /** First worker spawned -> last result finished: worker start-up counted. */
  wallSeconds: number;
  /** First chunk taken -> last result finished: start-up not counted. */
  steadySeconds: number;
  /** First worker spawned -> first chunk taken. */
  startupSeconds: number;
  /**
   * Chunks finished from the moment every worker that took part had taken its first batch to the
   * last result, and that time: throughput with all of them running, no worker still starting.
   */
  allRunning: { chunks: number; seconds: number } | null;
  /**
   * The same from the moment every worker had finished its first batch: a compute program that is
   * still starting when its worker takes the first batch (COMPUTE_COMMAND) is left out as well.
   */
  afterFirstBatch: { chunks: number; seconds: number } | null;
  /** The first worker to finish its last chunk -> the last result: the run's idle tail. */
  tailSeconds: number;
  /** Between a worker's batches (results finished -> next batch taken); null when none took two. */
  betweenBatches: BatchGaps | null;
  duplicates: number;
  /** Cores used on average by the workers and by everything else, spawn -> all results read. */
  cpu: CpuShare | null;
};

/** How often the bench reads results and samples the workers' CPU while they run, unless the spec says otherwise. */
const WATCH_EVERY_MS = 100;

export class BenchSweep {
  readonly spec: SweepSpec;
  readonly ns: BenchNamespace;
  readonly plan: RunPlan;
  readonly platform: LocalPlatform;
  readonly accepted = new Map<number, ChunkResult>();
  duplicates = 0;
  observer: RunObserver | undefined;
  loadSeconds = 0;
  spawnedAt = 0;
  cpu: CpuShare | null = null;
  readonly #cpu = new CpuAccounting();
  #fleet: FleetStart | undefined;
  #closed: Promise<void> | undefined;

  constructor(spec: SweepSpec) {
    this.spec = spec;
    this.ns = newNamespace(spec.label);
    this.plan = planFor(this.ns.runId, spec.params, spec.chunkSize);
    this.platform = new LocalPlatform({ baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME }, ...(spec.command ? { command: spec.command } : {}) });
  }

  workerEnv(): Record<string, string> {
    const s = this.spec;
    return {
      QUEUE_MODE: "true",
      QUEUE_BACKEND: s.backend,
      QUEUE_NAMESPACE: this.ns.namespace,
      RUN_ID: this.ns.runId,
      TOTAL_PARAMETERS: String(s.params),
      CHUNK_SIZE: String(s.chunkSize),
      SIMULATE_WORK_MS: String(s.workMs ?? 0),
      HEARTBEAT_SECONDS: "0",
      ...(s.backend === "redis" ? { REDIS_URL: s.url } : { AMQP_URL: s.url }),
      ...(s.computeModule ? { COMPUTE_MODULE: s.computeModule } : {}),
      ...s.env,
    };
  }

  /** Loads the run and prepares the workers' command and compute module (bundling is not start-up: it happens once per change). */
  async load(): Promise<void> {
    const s = this.spec;
    await this.platform.prepare();
    await this.platform.prepareComputeModule(s.computeModule);
    this.observer = await openRunObserver(s.backend, {
      url: s.url,
      namespace: this.ns.namespace,
      runId: this.ns.runId,
      consumer: "coordinator",
      maxDeliveries: 3,
      retryDelayMs: 500,
      staleThresholdMs: Number(s.env?.STALE_THRESHOLD_MS ?? 1500),
      staleCheckIntervalMs: 250,
    });
    const t0 = performance.now();
    await this.observer.ensureLoaded(this.plan);
    this.loadSeconds = (performance.now() - t0) / 1000;
  }

  async startWorkers(count: number, firstId = 0): Promise<void> {
    this.#spawning();
    for (let i = firstId; i < firstId + count; i++) await this.platform.startWorker({ id: String(i), env: this.workerEnv() });
  }

  /**
   * Starts `count` workers in the background as a run does (lib/platforms/fleet-start.ts): the
   * first at once, no more once every chunk has its result. stopStarting() ends it.
   */
  async startFleet(count: number): Promise<void> {
    this.#spawning();
    this.#fleet = await startFleet(this.platform, count, () => this.workerEnv(), () => this.accepted.size >= this.plan.totalChunks);
  }

  /** Workers started so far (a fleet started with startFleet may leave some out). */
  get workersStarted(): number {
    return this.platform.workers().length;
  }

  /** No more of the fleet's workers start; resolves once none is starting. */
  async stopStarting(): Promise<void> {
    await this.#fleet?.stop();
  }

  #spawning(): void {
    if (this.spawnedAt !== 0) return;
    this.spawnedAt = Date.now();
    this.#cpu.start(() => this.platform.workers().map((w) => Number(w.handle)), this.spec.watchEveryMs ?? WATCH_EVERY_MS);
  }

  /** Reads new results; returns how many chunks have an accepted result. */
  async collect(): Promise<number> {
    // readNewResults hands over a bounded batch per call: drain until it has nothing more.
    for (let batch = (await this.observer?.readNewResults()) ?? []; batch.length > 0; batch = (await this.observer?.readNewResults()) ?? []) {
      for (const r of batch) {
        if (r.runId !== this.ns.runId) continue;
        if (this.accepted.has(r.chunkId)) this.duplicates++;
        else this.accepted.set(r.chunkId, r);
      }
    }
    return this.accepted.size;
  }

  async waitForAll(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.collect()) < this.plan.totalChunks) {
      if (Date.now() > deadline) {
        throw new Error(`Cannot finish the ${this.spec.label} sweep: ${this.accepted.size}/${this.plan.totalChunks} chunks after ${timeoutMs} ms`);
      }
      const gone = this.platform.workers().length > 0 && this.platform.workers().every((w) => w.status === "exited");
      // Workers leave once the run is settled: read what they published before they left.
      if (gone && (await this.collect()) < this.plan.totalChunks) {
        throw new Error(`Cannot finish the ${this.spec.label} sweep: every worker exited at ${this.accepted.size}/${this.plan.totalChunks} chunks`);
      }
      await pause(this.spec.watchEveryMs ?? WATCH_EVERY_MS);
    }
    this.cpu = this.#cpu.stop();
  }

  timing(): SweepTiming {
    let firstTaken = Number.POSITIVE_INFINITY;
    let lastFinished = 0;
    const firstByWorker = new Map<string, number>();
    const firstDoneByWorker = new Map<string, number>();
    const lastByWorker = new Map<string, number>();
    for (const r of this.accepted.values()) {
      const taken = Date.parse(r.takenAt);
      const finished = Date.parse(r.finishedAt);
      firstTaken = Math.min(firstTaken, taken);
      lastFinished = Math.max(lastFinished, finished);
      firstByWorker.set(r.worker, Math.min(firstByWorker.get(r.worker) ?? taken, taken));
      firstDoneByWorker.set(r.worker, Math.min(firstDoneByWorker.get(r.worker) ?? finished, finished));
      lastByWorker.set(r.worker, Math.max(lastByWorker.get(r.worker) ?? finished, finished));
    }
    const latest = (m: Map<string, number>) => (m.size > 0 ? Math.max(...m.values()) : Number.POSITIVE_INFINITY);
    const allUpAt = latest(firstByWorker);
    const allDoneOnceAt = latest(firstDoneByWorker);
    let afterAllUp = 0;
    let afterAllDoneOnce = 0;
    for (const r of this.accepted.values()) {
      const finished = Date.parse(r.finishedAt);
      if (finished > allUpAt) afterAllUp++;
      if (finished > allDoneOnceAt) afterAllDoneOnce++;
    }
    return {
      chunks: this.accepted.size,
      params: [...this.accepted.values()].reduce((n, r) => n + (r.end - r.start), 0),
      loadSeconds: this.loadSeconds,
      wallSeconds: (lastFinished - this.spawnedAt) / 1000,
      steadySeconds: (lastFinished - firstTaken) / 1000,
      startupSeconds: (firstTaken - this.spawnedAt) / 1000,
      allRunning: lastFinished > allUpAt ? { chunks: afterAllUp, seconds: (lastFinished - allUpAt) / 1000 } : null,
      afterFirstBatch: lastFinished > allDoneOnceAt ? { chunks: afterAllDoneOnce, seconds: (lastFinished - allDoneOnceAt) / 1000 } : null,
      tailSeconds: lastByWorker.size > 0 ? (lastFinished - Math.min(...lastByWorker.values())) / 1000 : 0,
      betweenBatches: batchGaps(this.accepted.values()),
      duplicates: this.duplicates,
      cpu: this.cpu,
    };
  }

  /** Stops the workers (they normally leave by themselves once the run is settled) and removes the run. */
  close(options: { waitMs?: number } = {}): Promise<void> {
    this.#closed ??= this.#close(options.waitMs ?? 3000);
    return this.#closed;
  }

  async #close(waitMs: number): Promise<void> {
    this.#cpu.stop();
    await this.stopStarting();
    const deadline = Date.now() + waitMs;
    while (this.platform.workers().some((w) => w.status !== "exited") && Date.now() < deadline) await pause(50);
    for (const w of this.platform.workers()) {
      if (w.status === "exited") continue;
      try {
        process.kill(Number(w.handle), "SIGCONT"); // a frozen worker cannot act on SIGTERM
      } catch {
        // Already gone.
      }
    }
    await this.platform.stopAll(2000).catch(() => undefined);
    await this.observer?.close().catch(() => undefined);
    await deleteNamespace(this.spec.backend, this.spec.url, this.ns).catch(() => undefined);
  }
}

/** A whole sweep with `workers` workers; always removes what it created. */
export async function runQueueSweep(spec: SweepSpec, workers: number, timeoutMs: number): Promise<SweepTiming> {
  const sweep = new BenchSweep(spec);
  try {
    await sweep.load();
    await sweep.startWorkers(workers);
    await sweep.waitForAll(timeoutMs);
    return sweep.timing();
  } finally {
    await sweep.close();
  }
}
