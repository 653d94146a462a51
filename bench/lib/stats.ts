// Medians and spreads of repeated trials: every bench figure is a Summary, never one sample.
export type Summary = {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  p25: number;
  p75: number;
};

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("Cannot take a quantile of no samples");
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(samples: readonly number[]): number {
  return quantile([...samples].sort((x, y) => x - y), 0.5);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (sorted.length === 0) throw new Error("Cannot summarize: no finite samples");
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
  };
}

/** Summary of a/b for paired-by-position samples is not what a ratio of medians means; this is the latter. */
/** Rounds to `digits` significant digits, for figures in JSON that should stay readable. */
export function sig(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

export function roundSummary(s: Summary, digits = 4): Summary {
  return {
    n: s.n,
    median: sig(s.median, digits),
    min: sig(s.min, digits),
    max: sig(s.max, digits),
    p25: sig(s.p25, digits),
    p75: sig(s.p75, digits),
  };
}

/** The least-squares line through (x, y) points; needs two distinct x. */
export function fitLine(points: readonly (readonly [number, number])[]): { intercept: number; slope: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (!(sxx > 0)) throw new Error("Cannot fit a line: the points need two different x");
  const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}
