// The answer a sweep is run for: the k lowest and k highest values with their ids, kept in
// bounded memory (2k entries) however many values or chunks' bests are offered. Ranked by value,
// then by id (the lower id first on a tie), so the same values give the same best in any order.
import { BEST_K, higherFirst, lowerFirst, offerRanked, type ChunkBest, type IdValue } from "../compute/chunk-best.ts";
import type { Point } from "../sweep-def/sweep-space.ts";

export type BestEntry = { id: number; point: Point; value: number };
export type BestPoints = { lowest: BestEntry[]; highest: BestEntry[] };
/** The best so far as the live views show it: the lowest and the highest value with its point. */
export type BestSoFar = { lowest: BestEntry; highest: BestEntry };

const noPoint = (): Point => ({});

export class BestTracker {
  readonly #lowest: IdValue[] = [];
  readonly #highest: IdValue[] = [];
  readonly #k: number;
  #version = 0;

  constructor(k = BEST_K) {
    this.#k = k;
  }

  /** Grows whenever the best changes (a publisher compares it with the one it last sent). */
  get version(): number {
    return this.#version;
  }

  get empty(): boolean {
    return this.#lowest.length === 0;
  }

  offer(id: number, value: number): void {
    const low = offerRanked(this.#lowest, this.#k, id, value, lowerFirst);
    const high = offerRanked(this.#highest, this.#k, id, value, higherFirst);
    if (low || high) this.#version++;
  }

  /** A chunk's own best (lib/compute/chunk-best.ts): enough to keep the run's, since each side is the chunk's top k. */
  offerChunk(best: ChunkBest): void {
    let changed = false;
    for (const [id, value] of best.lowest) changed = offerRanked(this.#lowest, this.#k, id, value, lowerFirst) || changed;
    for (const [id, value] of best.highest) changed = offerRanked(this.#highest, this.#k, id, value, higherFirst) || changed;
    if (changed) this.#version++;
  }

  /** The lowest and the highest entry, undefined before any value. */
  top(pointOf: (id: number) => Point = noPoint): BestSoFar | undefined {
    const low = this.#lowest[0];
    const high = this.#highest[0];
    if (!low || !high) return undefined;
    return { lowest: { id: low[0], point: pointOf(low[0]), value: low[1] }, highest: { id: high[0], point: pointOf(high[0]), value: high[1] } };
  }

  /** The entries with their points (none without a sweep). */
  points(pointOf: (id: number) => Point = noPoint): BestPoints {
    const entry = ([id, value]: IdValue): BestEntry => ({ id, point: pointOf(id), value });
    return { lowest: this.#lowest.map(entry), highest: this.#highest.map(entry) };
  }
}

/** The first of each side, undefined when a side is empty. */
export function topOf(best: BestPoints): BestSoFar | undefined {
  const [lowest] = best.lowest;
  const [highest] = best.highest;
  return lowest && highest ? { lowest, highest } : undefined;
}

/** A value in few characters: 4 significant digits, as JavaScript writes it (0.0123, 9.87, 1.235e+21). */
export function shortNumber(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** "x=0.5 y=0.01", or "id 123" without a sweep. */
export function whereText(e: BestEntry): string {
  const axes = Object.entries(e.point);
  return axes.length > 0 ? axes.map(([name, v]) => `${name}=${typeof v === "number" ? shortNumber(v) : v}`).join(" ") : `id ${e.id}`;
}

/** "min 0.0123 @ x=0.5 y=0.01 · max 9.87 @ x=1 y=1000": the best so far in one short line. */
export function bestSoFarText(b: BestSoFar): string {
  return `min ${shortNumber(b.lowest.value)} @ ${whereText(b.lowest)} · max ${shortNumber(b.highest.value)} @ ${whereText(b.highest)}`;
}

const isEntry = (e: unknown): e is BestEntry =>
  typeof e === "object" && e !== null && Number.isSafeInteger((e as BestEntry).id) && typeof (e as BestEntry).value === "number" && typeof (e as BestEntry).point === "object";

/** Best points as published beside a run (JSON); undefined when the text is not that. */
export function parseBestPoints(text: string): BestPoints | undefined {
  try {
    const b = JSON.parse(text) as Partial<BestPoints>;
    return Array.isArray(b.lowest) && Array.isArray(b.highest) && b.lowest.every(isEntry) && b.highest.every(isEntry) ? { lowest: b.lowest, highest: b.highest } : undefined;
  } catch {
    return undefined;
  }
}
