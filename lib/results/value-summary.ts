// What the report's value pictures need, gathered while the values stream past once, in bounded
// memory: a histogram of HISTOGRAM_BINS bins over [min, max] (known from the run's aggregate), and
// for a grid of one or two axes the mean value per cell of at most MAP_CELLS per axis.
import type { AxisValue } from "../sweep-def/axis-values.ts";
import type { SweepSpace } from "../sweep-def/sweep-space.ts";

export const HISTOGRAM_BINS = 40;
export const MAP_CELLS = 100;

export type ValueHistogram = { min: number; max: number; counts: number[] };
/** Each axis: its name, first and last value, how many grid values and map cells it has. */
export type MapAxis = { name: string; first: AxisValue; last: AxisValue; values: number; cells: number };
/** means: row-major over the axes' cells (the last axis fastest), null for a cell without a value. */
export type ValueMap = { axes: MapAxis[]; means: (number | null)[] };
export type ValueSummary = { histogram: ValueHistogram; map?: ValueMap };

export class ValueSummaryBuilder {
  #histogram: ValueHistogram;
  #shape: readonly number[] | undefined;
  #cells: number[] = [];
  #sums: Float64Array = new Float64Array(0);
  #counts: Uint32Array = new Uint32Array(0);
  #space: SweepSpace | undefined;

  constructor(range: { min: number; max: number }, space: SweepSpace | undefined) {
    this.#histogram = { min: range.min, max: range.max, counts: new Array<number>(HISTOGRAM_BINS).fill(0) };
    const shape = space?.gridShape;
    if (space && shape && shape.length >= 1 && shape.length <= 2) {
      this.#space = space;
      this.#shape = shape;
      this.#cells = shape.map((n) => Math.min(n, MAP_CELLS));
      const total = this.#cells.reduce((a, b) => a * b, 1);
      this.#sums = new Float64Array(total);
      this.#counts = new Uint32Array(total);
    }
  }

  add(id: number, value: number): void {
    const { min, max, counts } = this.#histogram;
    const bin = max > min ? Math.min(HISTOGRAM_BINS - 1, Math.floor(((value - min) / (max - min)) * HISTOGRAM_BINS)) : 0;
    counts[Math.max(0, bin)]! += 1;
    if (!this.#shape) return;
    // Grid indices of id (last axis fastest), each scaled to its axis's cells.
    let rest = id;
    let cell = 0;
    let stride = 1;
    for (let k = this.#shape.length - 1; k >= 0; k--) {
      const n = this.#shape[k]!;
      const index = rest % n;
      rest = Math.floor(rest / n);
      cell += Math.floor((index * this.#cells[k]!) / n) * stride;
      stride *= this.#cells[k]!;
    }
    this.#sums[cell]! += value;
    this.#counts[cell]! += 1;
  }

  get summary(): ValueSummary {
    const histogram = { ...this.#histogram, counts: [...this.#histogram.counts] };
    const space = this.#space;
    const shape = this.#shape;
    if (!space || !shape) return { histogram };
    const last = space.pointOf(space.size - 1);
    const first = space.pointOf(0);
    const axes = space.names.map((name, k) => ({ name, first: first[name] as AxisValue, last: last[name] as AxisValue, values: shape[k]!, cells: this.#cells[k]! }));
    const means = [...this.#sums].map((sum, i) => (this.#counts[i] ? sum / this.#counts[i]! : null));
    return { histogram, map: { axes, means } };
  }
}
