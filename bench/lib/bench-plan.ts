// Sizes and repetitions of every phase: the full bench and --quick (the whole thing in about a minute).
import type { BackendName } from "../../lib/backends/open-backend.ts";

export type Mode = "full" | "quick";

export type BenchPlan = {
  mode: Mode;
  overhead: {
    trials: number;
    workers: number[];
    /** Zero-work chunks (one parameter each) per end-to-end trial. */
    chunks: Record<BackendName, number>;
    rawMessages: Record<BackendName, number>;
    /** The raw loop one message at a time (a few thousand per second). */
    rawOneAtATimeMessages: number;
    loopChunks: Record<BackendName, number>;
    /** The loop probe one chunk at a time. */
    singleLoopChunks: Record<BackendName, number>;
    /** RabbitMQ publish-with-confirm probes (full bench only). */
    publishProbes: boolean;
    /** The BullMQ peer on Redis. */
    peer: { jobs: number; workers: number; concurrencies: number[]; trials: number };
  };
  efficiency: {
    trials: number;
    sleep: { params: number; chunkSize: number; workMs: number; workers: number };
    /**
     * CPU-bound: the example Rosenbrock function, sized to about this much single-thread CPU. Its
     * trials go on past `trials` until that many count (the machine's speed unchanged across each),
     * up to maxTrials.
     */
    cpu: { cpuSeconds: number; workers: number; targetChunkSeconds: number; maxTrials: number };
    /** Many local workers, sleep-bound (issue 19: 64 workers x 200 params of 25 ms). */
    fleet: { params: number; chunkSize: number; workMs: number; workers: number };
  };
  recovery: { trials: number; params: number; chunkSize: number; workMs: number; sigstop: boolean };
  scale: { params: number; chunkSize: number; workers: number; backends: BackendName[]; results: ("params" | "chunks")[] };
  /** The process writing results.jsonl at two sizes: its peak memory must not grow with the run. */
  resultsMemory: { sizes: number[]; chunkSize: number; workers: number };
  chunkSize: { trials: number; cpuSeconds: number; workers: number; sizes: number[]; targetChunkSeconds: number };
  /** Broker cost of idle workers at each size, projected to `projectTo`. */
  /** `windows` windows of `windowSeconds` at each size (medians, with the spread). */
  idleCost: { workers: number[]; windowSeconds: number; windows: number; projectTo: number };
  /** Spawn to first chunk taken, one local worker per trial. */
  startup: { trials: number };
  /** Zero-work through COMPUTE_COMMAND beside the module path: `chunks` chunks per run at each chunk size. */
  computeCmd: { trials: number; workers: number; chunks: number; chunkSizes: number[] };
  /** A grid sweep file of `axes` points per axis with --results none, through the demo as its own process. */
  sweepScale: { axes: number[]; chunkSize: number; workers: number; backends: BackendName[] };
};

export function benchPlan(mode: Mode): BenchPlan {
  const quick = mode === "quick";
  return {
    mode,
    overhead: {
      trials: quick ? 1 : 3,
      workers: [1, 2, 4],
      // Enough chunks that batches reach their full size and the run lasts long enough to time.
      chunks: quick ? { redis: 10_000, rabbitmq: 5_000 } : { redis: 100_000, rabbitmq: 50_000 },
      rawMessages: quick ? { redis: 20_000, rabbitmq: 10_000 } : { redis: 100_000, rabbitmq: 50_000 },
      rawOneAtATimeMessages: quick ? 1000 : 10_000,
      loopChunks: quick ? { redis: 5_000, rabbitmq: 3_000 } : { redis: 50_000, rabbitmq: 20_000 },
      singleLoopChunks: quick ? { redis: 500, rabbitmq: 200 } : { redis: 3000, rabbitmq: 1000 },
      publishProbes: !quick,
      peer: { jobs: quick ? 5_000 : 50_000, workers: 3, concurrencies: [1, 50], trials: quick ? 1 : 3 },
    },
    efficiency: {
      trials: quick ? 1 : 3,
      // The demo's medium preset; --quick keeps its 100 chunks, each a tenth as long.
      sleep: quick ? { params: 1000, chunkSize: 10, workMs: 10, workers: 3 } : { params: 10_000, chunkSize: 100, workMs: 10, workers: 3 },
      cpu: { cpuSeconds: quick ? 1.5 : 20, workers: 2, targetChunkSeconds: quick ? 0.1 : 0.5, maxTrials: quick ? 1 : 6 },
      // 0.25 s chunks, 20 per worker (ideal 5 s); --quick: half the workers, 100 params each.
      fleet: quick ? { params: 3_200, chunkSize: 10, workMs: 25, workers: 32 } : { params: 12_800, chunkSize: 10, workMs: 25, workers: 64 },
    },
    // --quick leaves out SIGSTOP (its RabbitMQ trial alone waits out two heartbeats).
    recovery: { trials: quick ? 1 : 5, params: 1000, chunkSize: 10, workMs: 10, sigstop: !quick },
    // --quick: a tenth of the size, on Redis only (a private RabbitMQ alone takes ~10 s to start and stop).
    scale: quick
      ? { params: 1_000_000, chunkSize: 10_000, workers: 2, backends: ["redis"], results: ["chunks"] }
      : { params: 10_000_000, chunkSize: 10_000, workers: 2, backends: ["redis", "rabbitmq"], results: ["chunks", "params"] },
    resultsMemory: { sizes: quick ? [20_000, 200_000] : [100_000, 1_000_000], chunkSize: quick ? 2_000 : 10_000, workers: 2 },
    chunkSize: {
      trials: quick ? 1 : 2,
      cpuSeconds: quick ? 0.5 : 3,
      workers: 2,
      sizes: quick ? [100, 30_000] : [100, 1000, 10_000, 100_000],
      targetChunkSeconds: 0.25,
    },
    idleCost: { workers: quick ? [4, 8] : [8, 32, 64], windowSeconds: quick ? 3 : 12, windows: quick ? 2 : 3, projectTo: 1000 },
    startup: { trials: quick ? 3 : 9 },
    computeCmd: { trials: quick ? 1 : 3, workers: 2, chunks: quick ? 5_000 : 30_000, chunkSizes: [1, 10] },
    // 250 x 200 x 200 = 10,000,000 points (--quick: 100^3 = 1,000,000, Redis only).
    sweepScale: quick
      ? { axes: [100, 100, 100], chunkSize: 10_000, workers: 2, backends: ["redis"] }
      : { axes: [250, 200, 200], chunkSize: 10_000, workers: 2, backends: ["redis", "rabbitmq"] },
  };
}
