// Chooses a chunk size from the measured cost of one evaluation, instead of a guess.
//
// Four pressures, in order of priority (the last one wins a conflict):
//   target   - a chunk should take about targetChunkSeconds: long enough to amortise the fixed
//              per-chunk cost, short enough that a killed worker loses little and progress moves;
//   tail     - workers finish their last chunks at different moments, about half a chunk apart
//              on average: a chunk is short enough that this idle tail stays under maxTailShare
//              of the run (so a short run gets shorter chunks than its target);
//   overhead - never so small that the fixed per-chunk cost (round trips, logs) exceeds
//              maxOverheadShare of the chunk's own work;
//   balance  - at least minChunksPerWorker chunks per worker, so the last chunks do not leave
//              the other workers idle while one finishes a huge chunk.
// Then the size is evened out so the chunks make whole rounds: c chunks on w workers last
// ceil(c / w) chunk-times, so 41 chunks on 2 workers cost 21 rounds for 20.5 rounds of work
// (a 2.4 % loss the bench measured); 42 slightly smaller chunks cost 21 full rounds.

export type ChunkSizeOptions = {
  totalParams: number;
  workers: number;
  /** Fixed cost of one chunk end to end (broker round trips, logs, thread hop), ms. Default 2. */
  perChunkOverheadMs?: number;
  /** Largest share of a chunk's time that its fixed cost may take. Default 0.02. */
  maxOverheadShare?: number;
  /** Fewest chunks per worker. Default 4. */
  minChunksPerWorker?: number;
  /** Largest share of the run the last round's idle tail (half a chunk) may take. Default 0.01. */
  maxTailShare?: number;
  /** Largest chunk allowed (CHUNK_SIZE's own limit). Default 10,000,000. */
  maxChunkSize?: number;
};

export type ChunkSizeChoice = {
  chunkSize: number;
  limitedBy: "target" | "tail" | "overhead" | "balance" | "bounds";
  /** Expected seconds per chunk at the measured cost. */
  chunkSeconds: number;
  /** Expected share of a chunk's time spent on its fixed cost. */
  overheadShare: number;
};

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`Cannot choose a chunk size: ${name} must be a positive number, got ${value}`);
}

/** Rounds down to two significant digits (142857 -> 140000), never below 1. */
export function roundDownTwoDigits(n: number): number {
  if (n < 100) return Math.max(1, Math.floor(n));
  const scale = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.floor(n / scale) * scale;
}

/**
 * The largest size <= size whose chunks fill whole rounds of `workers` (the last chunk may be a
 * little shorter): as many rounds as size gives, each chunk as long as those rounds allow.
 */
export function wholeRounds(size: number, totalParams: number, workers: number): number {
  const rounds = Math.ceil(totalParams / (workers * size));
  return Math.max(1, Math.min(size, Math.ceil(totalParams / (workers * rounds))));
}

export function chooseChunkSize(evalCostMs: number, targetChunkSeconds: number, options: ChunkSizeOptions): ChunkSizeChoice {
  positive("evalCostMs", evalCostMs);
  positive("targetChunkSeconds", targetChunkSeconds);
  positive("totalParams", options.totalParams);
  positive("workers", options.workers);
  const overheadMs = options.perChunkOverheadMs ?? 2;
  const share = options.maxOverheadShare ?? 0.02;
  const perWorker = options.minChunksPerWorker ?? 4;
  const max = Math.min(options.maxChunkSize ?? 10_000_000, Math.floor(options.totalParams));

  const tailShare = options.maxTailShare ?? 0.01;

  let size = roundDownTwoDigits((targetChunkSeconds * 1000) / evalCostMs);
  let limitedBy: ChunkSizeChoice["limitedBy"] = "target";
  // Half a chunk of idle at the end <= tailShare of a worker's share of the run.
  const tailCap = Math.floor((2 * tailShare * options.totalParams) / options.workers);
  if (size > tailCap) {
    size = tailCap;
    limitedBy = "tail";
  }
  const floor = Math.ceil(overheadMs / (share * evalCostMs));
  if (size < floor) {
    size = floor;
    limitedBy = "overhead";
  }
  const cap = Math.ceil(options.totalParams / (options.workers * perWorker));
  if (size > cap) {
    size = cap;
    limitedBy = "balance";
  }
  if (size > max || size < 1) {
    size = Math.min(max, Math.max(1, size));
    limitedBy = "bounds";
  }
  size = wholeRounds(size, options.totalParams, options.workers);
  const workMs = size * evalCostMs;
  return { chunkSize: size, limitedBy, chunkSeconds: workMs / 1000, overheadShare: overheadMs / (overheadMs + workMs) };
}

export type Calibration = { evalCostMs: number; sampledParams: number; seconds: number };

/**
 * Measures the cost of one evaluation with the real compute path: evaluates ranges of doubling
 * (or more) size until one takes at least minSampleMs, so fixed per-range costs vanish in it.
 */
export async function calibrateEvalCost(
  runRange: (start: number, end: number) => Promise<unknown>,
  options: { totalParams: number; minSampleMs?: number; now?: () => number },
): Promise<Calibration> {
  const now = options.now ?? (() => performance.now());
  const minSample = options.minSampleMs ?? 100;
  const began = now();
  let start = 0;
  let n = 1;
  for (;;) {
    n = Math.max(1, Math.min(n, options.totalParams - start));
    const t0 = now();
    await runRange(start, start + n);
    const ms = now() - t0;
    start += n;
    if (ms >= minSample || start >= options.totalParams) {
      return { evalCostMs: Math.max(ms, 1e-6) / n, sampledParams: start, seconds: (now() - began) / 1000 };
    }
    // Aim a little past the minimum next time; at most 16 times more parameters per step.
    n = ms <= 0 ? n * 16 : Math.ceil(n * Math.min(16, Math.max(2, (1.2 * minSample) / ms)));
  }
}
