// Static mode (M1): worker i of n takes a contiguous slice; the slices tile [0, total).
export type ParamRange = { start: number; end: number };

export function staticSlice(index: number, workers: number, total: number): ParamRange {
  return { start: Math.floor((index * total) / workers), end: Math.floor(((index + 1) * total) / workers) };
}

/** Cuts a range into consecutive pieces of at most `size` parameters. */
export function* batches(range: ParamRange, size: number): Generator<ParamRange> {
  for (let start = range.start; start < range.end; start += size) {
    yield { start, end: Math.min(range.end, start + size) };
  }
}
