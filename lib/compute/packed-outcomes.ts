// A request's outcomes packed into numbers, so they cross from the compute thread as one typed
// array (moved, not copied) instead of one cloned object per range: cloning the objects of a
// 1,000-chunk batch of short chunks cost more than computing them.
//
// Layout of `numbers`, range after range: count, sum, min, max, n, the n sum partials, then the
// range's best (lib/compute/chunk-best.ts): l, l id/value pairs of the lowest, h, h pairs of the
// highest. min and max are NaN when count is 0. `values` holds every value of every range, in order, when they were
// asked for (a failed parameter has none). `failures` names the parameters without a value.
import type { Aggregate } from "./aggregate.ts";
import type { ChunkBest, IdValue } from "./chunk-best.ts";
import type { RangeReply } from "./compute-protocol.ts";
import type { ParamFailure } from "./param-failure.ts";

export type RangeFailure = ParamFailure & { range: number };

export type PackedOutcomes = { numbers: Float64Array; failures: RangeFailure[]; values?: Float64Array };

/** What packing needs of an aggregate being built (AggregateBuilder has it). */
export type AggregateParts = { count: number; sum: number; min: number; max: number; partials: readonly number[] };

export class OutcomePacker {
  readonly #numbers: number[] = [];
  readonly #failures: RangeFailure[] = [];
  readonly values: number[] | undefined;
  #ranges = 0;

  constructor(collectValues: boolean) {
    this.values = collectValues ? [] : undefined;
  }

  /** A parameter of the range being evaluated has no value. */
  paramFailed(failure: ParamFailure): void {
    this.#failures.push({ ...failure, range: this.#ranges });
  }

  /** The next range's outcome; its values (if asked for) were pushed onto `values` already. */
  ok(a: AggregateParts, best: { lowest: readonly IdValue[]; highest: readonly IdValue[] }): void {
    const empty = a.count === 0;
    const numbers = this.#numbers;
    numbers.push(a.count, a.sum, empty ? Number.NaN : a.min, empty ? Number.NaN : a.max, a.partials.length, ...a.partials);
    for (const side of [best.lowest, best.highest]) {
      numbers.push(side.length);
      for (const [id, value] of side) numbers.push(id, value);
    }
    this.#ranges++;
  }

  finish(): PackedOutcomes {
    const packed: PackedOutcomes = { numbers: Float64Array.from(this.#numbers), failures: this.#failures };
    if (this.values) packed.values = Float64Array.from(this.values);
    return packed;
  }
}

/** Buffers to move (transfer) with a packed reply instead of copying them. */
export function transferList(p: PackedOutcomes): ArrayBuffer[] {
  const list = [p.numbers.buffer as ArrayBuffer];
  if (p.values) list.push(p.values.buffer as ArrayBuffer);
  return list;
}

/** One outcome per range, in order, for a request of `rangeCount` ranges; throws when the reply holds fewer. */
export function unpackOutcomes(p: PackedOutcomes, rangeCount: number): RangeReply[] {
  const out: RangeReply[] = [];
  const n = p.numbers;
  let at = 0;
  let valueAt = 0;
  for (let i = 0; i < rangeCount; i++) {
    if (at >= n.length) throw new Error(`Cannot read the compute thread's reply: ${i} outcomes for ${rangeCount} ranges`);
    const count = n[at]!;
    const min = n[at + 2]!;
    const max = n[at + 3]!;
    const parts = n[at + 4]!;
    const sumPartials: number[] = [];
    for (let k = at + 5; k < at + 5 + parts; k++) sumPartials.push(n[k]!);
    const aggregate: Aggregate = {
      count,
      sum: n[at + 1]!,
      sumPartials,
      min: Number.isNaN(min) ? null : min,
      max: Number.isNaN(max) ? null : max,
    };
    at += 5 + parts;
    const lowest = readPairs(n, at);
    at += 1 + 2 * lowest.length;
    const highest = readPairs(n, at);
    at += 1 + 2 * highest.length;
    const reply: RangeReply = { aggregate };
    if (lowest.length > 0) reply.best = { lowest, highest } satisfies ChunkBest;
    if (p.values) {
      reply.values = Array.from(p.values.subarray(valueAt, valueAt + count));
      valueAt += count;
    }
    out.push(reply);
  }
  for (const { range, ...failure } of p.failures) {
    const reply = out[range];
    if (reply) (reply.failed ??= []).push(failure);
  }
  return out;
}

/** The count at `at`, then that many id/value pairs. */
function readPairs(n: Float64Array, at: number): IdValue[] {
  const count = n[at] ?? 0;
  const out: IdValue[] = [];
  for (let k = at + 1; k < at + 1 + 2 * count; k += 2) out.push([n[k]!, n[k + 1]!]);
  return out;
}

/** Ranges as start/end pairs in one typed array, to move to the thread. */
export function packRanges(ranges: readonly { start: number; end: number }[]): Float64Array {
  const out = new Float64Array(ranges.length * 2);
  for (let i = 0; i < ranges.length; i++) {
    out[2 * i] = ranges[i]!.start;
    out[2 * i + 1] = ranges[i]!.end;
  }
  return out;
}
