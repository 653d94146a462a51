// The aggregate of a set of parameter values: count, exact sum, min, max.
import { ExactSum } from "./exact-sum.ts";

export type Aggregate = {
  count: number;
  sum: number;
  /** Exact representation of `sum`, so aggregates merge without rounding drift. */
  sumPartials: number[];
  min: number | null;
  max: number | null;
};

export class AggregateBuilder {
  count = 0;
  #sum = new ExactSum();
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.count++;
    this.#sum.add(value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The sum so far, correctly rounded. */
  get sum(): number {
    return this.#sum.value();
  }

  /** The exact sum so far as partials (what `sumPartials` of the built aggregate holds). */
  get partials(): readonly number[] {
    return this.#sum.partials;
  }

  merge(a: Aggregate): void {
    if (a.count === 0) return;
    this.count += a.count;
    this.#sum.addPartials(a.sumPartials);
    if (a.min !== null && a.min < this.min) this.min = a.min;
    if (a.max !== null && a.max > this.max) this.max = a.max;
  }

  build(): Aggregate {
    const empty = this.count === 0;
    return {
      count: this.count,
      sum: this.#sum.value(),
      sumPartials: [...this.#sum.partials],
      min: empty ? null : this.min,
      max: empty ? null : this.max,
    };
  }
}

export function emptyAggregate(): Aggregate {
  return new AggregateBuilder().build();
}
