// How many chunks a worker takes at once. One while chunks are long (a chunk held unstarted
// behind another would idle other workers and die with this one), more when they are short, so
// that the broker's round trips, the hop to the compute thread and the log lines are shared by a
// batch of about TARGET_BATCH_MS of work. Grows by doubling at most, so one fast chunk is not
// taken for a trend; shrinks at once.

/** Work per batch the sizer aims at: small enough that a batch held at the end of a run or lost with its worker costs little. */
export const TARGET_BATCH_MS = 50;
/** With per-parameter values in each result, a batch's message stays a few MB at most. */
export const MAX_BATCH_PARAMS_WITH_VALUES = 65_536;

export type BatchLimits = { maxChunks: number; chunkSize: number; publishValues: boolean };

export class BatchSizer {
  readonly #limit: number;
  #size = 1;

  constructor(limits: BatchLimits) {
    const byParams = limits.publishValues ? Math.floor(MAX_BATCH_PARAMS_WITH_VALUES / Math.max(1, limits.chunkSize)) : Infinity;
    this.#limit = Math.max(1, Math.min(limits.maxChunks, byParams));
  }

  /** Chunks to ask for next. */
  get size(): number {
    return this.#size;
  }

  /** A batch of `chunks` took `ms` to compute. */
  record(chunks: number, ms: number): void {
    if (chunks <= 0) return;
    const perChunk = Math.max(ms / chunks, 1e-3);
    const fits = Math.floor(TARGET_BATCH_MS / perChunk);
    this.#size = Math.max(1, Math.min(this.#limit, fits, this.#size * 2));
  }
}
