// The answer a sweep is run for: the k lowest and k highest values with their ids, kept in
// bounded memory (2k entries) while the values stream past once.
import type { Point } from "../sweep-def/sweep-space.ts";

export type BestEntry = { id: number; point: Point; value: number };
export type BestPoints = { lowest: BestEntry[]; highest: BestEntry[] };

export const BEST_COUNT = 10;

/** The k best entries under `better`; on a tie the one offered first (the lower id) stays ahead. */
class TopK {
  readonly entries: BestEntry[] = [];
  readonly k: number;
  readonly better: (a: number, b: number) => boolean;

  constructor(k: number, better: (a: number, b: number) => boolean) {
    this.k = k;
    this.better = better;
  }

  offer(id: number, value: number, pointOf: (id: number) => Point): void {
    const last = this.entries.at(-1);
    if (this.entries.length === this.k && last && !this.better(value, last.value)) return;
    let at = this.entries.length;
    while (at > 0 && this.better(value, (this.entries[at - 1] as BestEntry).value)) at--;
    this.entries.splice(at, 0, { id, point: pointOf(id), value });
    if (this.entries.length > this.k) this.entries.pop();
  }
}

export class BestTracker {
  #lowest: TopK;
  #highest: TopK;
  #pointOf: (id: number) => Point;

  constructor(pointOf: (id: number) => Point = () => ({}), k = BEST_COUNT) {
    this.#pointOf = pointOf;
    this.#lowest = new TopK(k, (a, b) => a < b);
    this.#highest = new TopK(k, (a, b) => a > b);
  }

  offer(id: number, value: number): void {
    this.#lowest.offer(id, value, this.#pointOf);
    this.#highest.offer(id, value, this.#pointOf);
  }

  get best(): BestPoints {
    return { lowest: [...this.#lowest.entries], highest: [...this.#highest.entries] };
  }
}
