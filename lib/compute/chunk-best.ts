// A chunk's own best candidates: its k lowest and k highest values with their parameter ids,
// selected while the values stream past (an early reject keeps the common case at one comparison
// per side; never a sort of the chunk). Merged by the coordinator's BestTracker, so the run's best
// points exist in every results mode without the run's values ever being held.

/** [parameter id, value]. */
export type IdValue = [id: number, value: number];

/** Lowest first (ties: lower id first); highest first (ties: lower id first). Absent when the chunk has no value. */
export type ChunkBest = { lowest: IdValue[]; highest: IdValue[] };

/** How many of each side a chunk reports, and how many the run's report keeps. */
export const BEST_K = 10;

/** True when (v, id) ranks before (w, other) among the lowest: smaller value, then smaller id. */
export function lowerFirst(v: number, id: number, w: number, other: number): boolean {
  return v < w || (v === w && id < other);
}

/** True when (v, id) ranks before (w, other) among the highest: larger value, then smaller id. */
export function higherFirst(v: number, id: number, w: number, other: number): boolean {
  return v > w || (v === w && id < other);
}

/**
 * Inserts (id, value) into `list` (ranked by `before`, at most k long) unless it ranks after a full
 * list's last; an id already listed is not added again (a value offered twice counts once).
 * Returns whether the list changed.
 */
export function offerRanked(list: IdValue[], k: number, id: number, value: number, before: typeof lowerFirst): boolean {
  const n = list.length;
  if (n === k) {
    const last = list[n - 1]!;
    if (!before(value, id, last[1], last[0])) return false;
  }
  let at = n;
  while (at > 0) {
    const prev = list[at - 1]!;
    if (prev[0] === id) return false;
    if (!before(value, id, prev[1], prev[0])) break;
    at--;
  }
  for (let i = 0; i < at; i++) if (list[i]![0] === id) return false;
  list.splice(at, 0, [id, value]);
  if (list.length > k) list.pop();
  return true;
}

/** Collects one chunk's best while its values are computed (ids arrive in increasing order). */
export class ChunkBestBuilder {
  readonly lowest: IdValue[] = [];
  readonly highest: IdValue[] = [];
  readonly #k: number;

  constructor(k = BEST_K) {
    this.#k = k;
  }

  add(id: number, value: number): void {
    // Ids arrive in increasing order, so a tie never ranks before a listed entry: one comparison rejects.
    const low = this.lowest;
    if (low.length < this.#k || value < low[low.length - 1]![1]) offerRanked(low, this.#k, id, value, lowerFirst);
    const high = this.highest;
    if (high.length < this.#k || value > high[high.length - 1]![1]) offerRanked(high, this.#k, id, value, higherFirst);
  }

  /** Adds another chunk's best (any order of ids): the best of both. */
  merge(best: ChunkBest): void {
    for (const [id, value] of best.lowest) offerRanked(this.lowest, this.#k, id, value, lowerFirst);
    for (const [id, value] of best.highest) offerRanked(this.highest, this.#k, id, value, higherFirst);
  }

  build(): ChunkBest | undefined {
    return this.lowest.length === 0 ? undefined : { lowest: this.lowest, highest: this.highest };
  }
}

/** The best of values given in parameter order from `start`, skipping the parameters in `failed`. */
export function chunkBestOfValues(start: number, values: readonly number[], failed: ReadonlySet<number> | undefined, k = BEST_K): ChunkBest | undefined {
  const builder = new ChunkBestBuilder(k);
  let id = start;
  for (const value of values) {
    while (failed?.has(id)) id++;
    builder.add(id, value);
    id++;
  }
  return builder.build();
}
