// Exact floating-point summation (Shewchuk's non-overlapping partials, as in
// Python's math.fsum). A chunk's sum travels as its partials, so the run's
// total is the same whatever the order chunks arrive in or how they were cut.

export function addToPartials(partials: number[], x: number): void {
  let i = 0;
  for (const y0 of partials) {
    let y = y0;
    let v = x;
    if (Math.abs(v) < Math.abs(y)) [v, y] = [y, v];
    const hi = v + y;
    const lo = y - (hi - v);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** The correctly rounded value of the exact sum the partials represent. */
export function partialsValue(partials: readonly number[]): number {
  // Summing from the largest partial down, with Shewchuk's half-way correction.
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n] ?? 0;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n] ?? 0;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && (partials[n - 1] ?? 0) < 0) || (lo > 0 && (partials[n - 1] ?? 0) > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

export class ExactSum {
  readonly partials: number[] = [];
  add(x: number): void {
    addToPartials(this.partials, x);
  }
  addPartials(parts: readonly number[]): void {
    for (const p of parts) addToPartials(this.partials, p);
  }
  value(): number {
    return partialsValue(this.partials);
  }
}
