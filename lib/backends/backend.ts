// The contract both queue backends (Redis Streams, RabbitMQ) implement (docs/how-it-works.md §1-§4).
// Delivery is at-least-once; results are effectively-once, keyed by (runId, chunkId).
import { BadInput } from "../script/bad-input.ts";
import { WORKER_VARIABLES } from "../config/worker-variables.ts";
import type { Aggregate } from "../compute/aggregate.ts";
import type { ChunkBest } from "../compute/chunk-best.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import type { BestPoints } from "../results/best-points.ts";

export type ChunkTask = { runId: string; chunkId: number; start: number; end: number };

/** sweep: a digest of the run's sweep (--sweep), so the same run id with another sweep is refused. */
export type RunPlan = { runId: string; totalParameters: number; chunkSize: number; totalChunks: number; sweep?: string };

/** How many chunks `params` parameters make in chunks of `chunkSize` (the last one may be short). */
export function chunkCount(params: number, chunkSize: number): number {
  return Math.ceil(params / chunkSize);
}

/** A run's plan: the one place that turns a run id, a sweep size and a chunk size into one. */
export function planFor(runId: string, params: number, chunkSize: number, sweep?: string): RunPlan {
  return { runId, totalParameters: params, chunkSize, totalChunks: chunkCount(params, chunkSize), ...(sweep ? { sweep } : {}) };
}

/** The run already exists with another size or chunk size: bad input (another run id is the fix). */
export class PlanMismatch extends BadInput {
  constructor(runId: string, existing: { totalParameters: number | string; chunkSize: number | string; sweep?: string | undefined }) {
    const sweep = existing.sweep ? ` of sweep ${existing.sweep}` : "";
    super(`Cannot load run ${runId}: it exists with ${existing.totalParameters} params${sweep} in chunks of ${existing.chunkSize}; use another --run-id.`);
  }
}

export type ChunkResult = {
  runId: string;
  chunkId: number;
  start: number;
  end: number;
  worker: string;
  /** Delivery number of the attempt that produced this result (1 = first delivery). */
  attempt: number;
  /** Of the parameters with a value. */
  aggregate: Aggregate;
  /** The chunk's k lowest and highest values with their ids (absent when it has no value). */
  best?: ChunkBest;
  /** The values of the parameters that have one, in parameter order (when published). */
  values?: number[];
  /** The chunk's parameters without a value (a failure record each); absent when every one has a value. */
  failed?: ParamFailure[];
  takenAt: string;
  finishedAt: string;
  busySeconds: number;
};

export type DeadLetterRecord = {
  runId: string;
  chunkId: number | null;
  start: number | null;
  end: number | null;
  attempts: number;
  error: string;
  /** The message as received, for malformed ones. */
  raw?: string;
};

export interface Delivery {
  /** undefined when the message could not be parsed as a chunk of this run. */
  readonly task: ChunkTask | undefined;
  readonly raw: string;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
}

export type Verdict = "accepted" | "duplicate";

/** A finished chunk and the delivery it came in. */
export type Completion = { delivery: Delivery; result: ChunkResult };

/**
 * A worker's side of a queue. A worker holds a small batch of chunks at a time (one when chunks
 * are long, more when they are short, so a chunk's fixed cost is shared): every call below takes
 * or returns a batch, and a batch costs the same broker round trips as a single chunk.
 */
export interface WorkerQueue {
  /** Creates queues/groups if needed and loads the run's chunks; idempotent and race-safe. */
  ensureLoaded(plan: RunPlan): Promise<void>;
  /**
   * Waits up to blockMs for chunks (new, or reclaimed from a dead worker) and returns at most
   * `max` of them (max >= 1); an empty array when none came. `chunkMs`: what this worker's recent
   * chunks took each (undefined before it has computed one), so a backend may keep the next chunk
   * coming while the current one computes when chunks are short.
   */
  next(blockMs: number, max: number, chunkMs?: number): Promise<Delivery[]>;
  /** Extends this worker's claim on the chunks it holds; returns those taken from it meanwhile. */
  renew(deliveries: readonly Delivery[]): Promise<Delivery[]>;
  /**
   * Publishes the results and acknowledges their chunks; a verdict per completion, in order:
   * "duplicate" when the chunk already had a result.
   */
  complete(completions: readonly Completion[]): Promise<Verdict[]>;
  /** A failed attempt of a whole chunk (malformed, a simulated fault): retried later, or dead-lettered after maxDeliveries. */
  fail(delivery: Delivery, error: string): Promise<"retry" | "dead-lettered">;
  /** Gives the chunk back unacknowledged (shutdown mid-chunk): another worker redoes it. */
  release(delivery: Delivery): Promise<void>;
  /** True when no chunk of the run is pending, reclaimable or in flight anywhere. */
  settled(plan: RunPlan): Promise<boolean>;
  /**
   * How often an idle worker asks settled() once past its first idle seconds; IDLE_PROBE_MS when
   * absent. A backend that pushes the run's end to idle workers (settledHeard) asks seldom.
   */
  readonly idleProbeMs?: number;
  /** True once the broker has told this worker that the run settled: settled() answers at once. */
  settledHeard?(): boolean;
  close(): Promise<void>;
}

export type QueueStats = {
  /** Chunks with an accepted result. */
  accepted: number;
  duplicates: number;
  deadLettered: number;
  /** Chunks waiting for a worker. */
  pending: number;
  /** Parameters of accepted chunks without a value (Redis: the run's stats hash; RabbitMQ: the done markers or the results read). */
  failedParams?: number;
  /** Chunks held by a worker right now, by worker id. */
  inFlight: Record<string, number>;
  /** Broker-specific figures for the monitor (stream lengths, queue depths...). */
  extra: Record<string, number | string>;
  /** What a stalled run's diagnosis needs from the broker (the coordinator's observer; not passive ones). */
  health?: BrokerHealth;
  /** The best points so far as the run's coordinator last published them (passive observers). */
  best?: BestPoints;
};

/** The broker's side of "why is nothing being accepted?", read in the same round trips as the figures. */
export type BrokerHealth = {
  /** Chunks the broker holds for the run (loaded so far); 0 when the plan or its markers are missing. */
  loadedChunks: number;
  /** Workers connected to the run's tasks right now. */
  consumers: number;
  /** Holders of chunks that have not touched the broker for longer than the stale threshold: worker id -> ms idle. */
  staleHolders: Record<string, number>;
  staleThresholdMs: number;
};

/** The coordinator's side: the demo, the monitor and the benchmark read a run through it. */
export interface RunObserver {
  ensureLoaded(plan: RunPlan): Promise<void>;
  /**
   * The next results published since the last call (duplicates included; the ledger discards
   * them), a bounded batch at a time: call again until it returns none.
   */
  readNewResults(): Promise<ChunkResult[]>;
  deadLetters(): Promise<DeadLetterRecord[]>;
  stats(): Promise<QueueStats>;
  /** The platform saw this worker die: hand its chunks to others now. Returns how many. */
  reclaimFrom(workerId: string): Promise<number>;
  /** The run's plan as the broker knows it (undefined when the run was never loaded). */
  describeRun?(): Promise<RunPlan | undefined>;
  /**
   * Replaces the best points so far kept beside the run on the broker, where passive observers
   * (the monitor, the dashboard) read them as `stats().best`: the coordinator's, from accepted results.
   */
  publishBest?(best: BestPoints): Promise<void>;
  /** Removes this run's tasks, results and dead letters (never anything else). */
  purge(): Promise<void>;
  close(): Promise<void>;
}

/** What a backend needs to open a worker queue or an observer. */
export type BackendOptions = {
  /** redis://… or amqp://… */
  url: string;
  /** Prefix of every key/queue name: "ttg" gives ttg:tasks / ttg.tasks. Tests use a random one. */
  namespace: string;
  runId: string;
  /** Consumer name (worker id); "coordinator" for observers. */
  consumer: string;
  maxDeliveries: number;
  retryDelayMs: number;
  /** A chunk whose holder has not renewed for this long counts as abandoned. */
  staleThresholdMs: number;
  staleCheckIntervalMs: number;
  /** How often a worker with nothing left to take asks the broker anything (default IDLE_PROBE_MS). */
  idleProbeMs?: number;
  /** RabbitMQ: the AMQP heartbeat to ask for (a worker's RABBITMQ_HEARTBEAT_SECONDS); the link's default when absent. */
  heartbeatSeconds?: number;
  /**
   * An observer that only looks (the monitor): it must not take messages another observer (the
   * demo) is reading. Figures may then be coarser where the broker cannot count without consuming.
   */
  passive?: boolean;
  /** Called for broker events worth a log line (reconnects, reclaims, dead letters). */
  log?: (level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
};

/**
 * How often a worker with nothing to do asks the broker anything (whether the run is settled; on
 * Redis also the reclaimer lease): an idle fleet costs the broker under one command per worker per
 * second, whatever its size. The default of IDLE_PROBE_SECONDS, which tests shorten. RabbitMQ
 * pushes the run's end instead (WorkerQueue.idleProbeMs).
 */
export const IDLE_PROBE_MS = Number(WORKER_VARIABLES.IDLE_PROBE_SECONDS.default) * 1000;
