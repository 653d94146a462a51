// A histogram of observations into fixed buckets, as Prometheus expects (upper bounds inclusive).
export class Histogram {
  readonly buckets: readonly number[];
  readonly #counts: number[];
  #sum = 0;

  constructor(buckets: readonly number[]) {
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] ?? b)))) {
      throw new Error(`Cannot use histogram buckets ${JSON.stringify(buckets)}: expected finite, strictly increasing numbers`);
    }
    this.buckets = [...buckets];
    this.#counts = new Array<number>(buckets.length + 1).fill(0);
  }

  observe(value: number): void {
    if (Number.isNaN(value)) return;
    const i = this.buckets.findIndex((le) => value <= le);
    const slot = i === -1 ? this.buckets.length : i;
    this.#counts[slot] = (this.#counts[slot] ?? 0) + 1;
    this.#sum += value;
  }

  /** Per-bucket counts (not cumulative), the last one above the largest bound. */
  get counts(): readonly number[] {
    return [...this.#counts];
  }

  get sum(): number {
    return this.#sum;
  }

  get count(): number {
    return this.#counts.reduce((a, b) => a + b, 0);
  }
}
