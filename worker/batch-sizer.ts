// How many chunks a worker takes at once. One while chunks are long (a chunk held unstarted
// behind another would idle other workers and die with this one), more when they are short, so
// that the broker's round trips, the hop to the compute thread and the log lines are shared by a
// batch of about TARGET_BATCH_MS of work. Grows by doubling at most, so one fast chunk is not
// taken for a trend.
//
// A busy machine stretches a batch's time (the compute thread or the worker descheduled for tens
// of ms) but never shortens it, so the size follows the fastest per-chunk time of the last few
// batches, and a stretched batch is not read as slower chunks. Only a batch that ran past
// STALL_MS, four times the target, shrinks the size at once: that is chunks that got longer, and
// a batch never holds much more than that.

/** Work per batch the sizer aims at: small enough that a batch held at the end of a run or lost with its worker costs little. */
export const TARGET_BATCH_MS = 50;
/** A batch that took longer than this is taken at its word: the size shrinks to fit at once. */
export const STALL_MS = 4 * TARGET_BATCH_MS;
/** With per-parameter values in each result, a batch's message stays a few MB at most. */
export const MAX_BATCH_PARAMS_WITH_VALUES = 65_536;
/**
 * A batch that went through the crash sandbox (redelivered chunks) grows the size while its chunks
 * took less than this each: its time is mostly the sandbox's own, so it cannot size normal batches,
 * but one process per short chunk would leave a dead worker's batch to crawl.
 */
const SANDBOX_GROW_MS = 1000;
/** How many recent batches' per-chunk times the size follows (their fastest). */
const RECENT = 4;

export type BatchLimits = { maxChunks: number; chunkSize: number; publishValues: boolean };

export class BatchSizer {
  readonly #limit: number;
  #size = 1;
  #recent: number[] = [];

  constructor(limits: BatchLimits) {
    const byParams = limits.publishValues ? Math.floor(MAX_BATCH_PARAMS_WITH_VALUES / Math.max(1, limits.chunkSize)) : Infinity;
    this.#limit = Math.max(1, Math.min(limits.maxChunks, byParams));
  }

  /** What a chunk took lately (the fastest of the recent batches), ms; undefined before any. */
  get chunkMs(): number | undefined {
    return this.#recent.length > 0 ? Math.min(...this.#recent) : undefined;
  }

  /** Chunks to ask for in the next take. */
  get chunksPerTake(): number {
    return this.#size;
  }

  /** A sandboxed batch of `chunks` took `ms`: the size doubles if they were short, and nothing is learned. */
  recordSandboxed(chunks: number, ms: number): void {
    if (chunks > 0 && ms / chunks < SANDBOX_GROW_MS) this.#size = Math.min(this.#limit, this.#size * 2);
  }

  /** A batch of `chunks` took `ms` to compute. */
  record(chunks: number, ms: number): void {
    if (chunks <= 0) return;
    const perChunk = Math.max(ms / chunks, 1e-3);
    if (ms > STALL_MS) this.#recent = [perChunk];
    else this.#recent = [...this.#recent.slice(1 - RECENT), perChunk];
    const fits = Math.floor(TARGET_BATCH_MS / (this.chunkMs ?? perChunk));
    this.#size = Math.max(1, Math.min(this.#limit, fits, this.#size * 2));
  }
}
