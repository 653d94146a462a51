// A worker's batch of chunk results on the wire, shared by both backends. The results of a batch
// share their run, worker and times (a batch is taken and finished together), so those are sent
// once and each chunk is a short tuple: about 35 bytes for a chunk's aggregate instead of ~230 as
// a JSON object, which is what the worker encodes, the broker stores and the coordinator parses.
import type { Aggregate } from "../compute/aggregate.ts";
import { BEST_K, chunkBestOfValues, higherFirst, type ChunkBest, type IdValue } from "../compute/chunk-best.ts";
import { isParamFailure, type ParamFailure } from "../compute/param-failure.ts";
import type { ChunkResult } from "./backend.ts";

type ChunkTuple = [
  chunkId: number,
  start: number,
  end: number,
  attempt: number,
  busySeconds: number,
  count: number,
  sum: number,
  sumPartials: number[],
  min: number | null,
  max: number | null,
  values?: number[] | null,
  /** The chunk's parameters without a value, when it has some (values is null when not published). */
  failed?: ParamFailure[] | null,
  /**
   * The chunk's best as flat id/value lists, [lowest, highest] ([lowest] alone when the chunk has at
   * most k values: both sides then hold all of them). Left out when the decoder can derive it: from
   * the values, or from min when the chunk is one parameter.
   */
  best?: [number[]] | [number[], number[]],
];

type WireBatch = { v: 1; runId: string; worker: string; takenAt: string; finishedAt: string; chunks: ChunkTuple[] };

export function encodeResultBatch(results: readonly ChunkResult[]): string {
  const first = results[0];
  if (!first) throw new Error("Cannot encode an empty result batch");
  const chunks = results.map((r): ChunkTuple => {
    if (r.runId !== first.runId || r.worker !== first.worker || r.takenAt !== first.takenAt || r.finishedAt !== first.finishedAt) {
      throw new Error(`Cannot encode chunk ${r.chunkId} in this batch: a batch's results share run, worker and times`);
    }
    const a = r.aggregate;
    const tuple: ChunkTuple = [r.chunkId, r.start, r.end, r.attempt, r.busySeconds, a.count, a.sum, a.sumPartials, a.min, a.max];
    if (r.values) tuple.push(r.values);
    if (r.failed?.length) {
      if (!r.values) tuple.push(null);
      tuple.push(r.failed);
    }
    const best = r.best && !derivable(r) ? wireBest(r.best, a.count) : undefined;
    if (best) {
      while (tuple.length < 12) tuple.push(null);
      tuple.push(best);
    }
    return tuple;
  });
  const batch: WireBatch = { v: 1, runId: first.runId, worker: first.worker, takenAt: first.takenAt, finishedAt: first.finishedAt, chunks };
  return JSON.stringify(batch);
}

/** The batch's results; throws (a one-line message) when the text is not a result batch. */
export function decodeResultBatch(text: string): ChunkResult[] {
  const batch = JSON.parse(text) as Partial<WireBatch>;
  if (batch?.v !== 1 || typeof batch.runId !== "string" || typeof batch.worker !== "string" || !Array.isArray(batch.chunks)) {
    throw new Error("not a TTG result batch (v1)");
  }
  const { runId, worker, takenAt = "", finishedAt = "" } = batch;
  return batch.chunks.map((t) => {
    if (!Array.isArray(t) || t.length < 10 || typeof t[0] !== "number") throw new Error("a result batch holds a malformed chunk");
    const [chunkId, start, end, attempt, busySeconds, count, sum, sumPartials, min, max, values, failed, best] = t;
    const aggregate: Aggregate = { count, sum, sumPartials, min, max };
    const result: ChunkResult = { runId, chunkId, start, end, worker, attempt, aggregate, takenAt, finishedAt, busySeconds };
    if (values) result.values = values;
    if (failed !== undefined && failed !== null) {
      if (!Array.isArray(failed) || !failed.every(isParamFailure)) throw new Error(`a result batch holds malformed failure records (chunk ${chunkId})`);
      result.failed = failed;
    }
    const chunkBest = best === undefined ? derivedBest(result) : readBest(best, chunkId);
    if (chunkBest) result.best = chunkBest;
    return result;
  });
}

/** The decoder rebuilds the best of a chunk whose values travel, or of a one-parameter chunk with its value. */
function derivable(r: ChunkResult): boolean {
  return r.values !== undefined || (r.aggregate.count === 1 && r.end - r.start === 1);
}

function derivedBest(r: ChunkResult): ChunkBest | undefined {
  if (r.values) return chunkBestOfValues(r.start, r.values, r.failed ? new Set(r.failed.map((f) => f.param)) : undefined);
  const { count, min } = r.aggregate;
  if (count === 1 && r.end - r.start === 1 && min !== null) return { lowest: [[r.start, min]], highest: [[r.start, min]] };
  return undefined;
}

const flat = (side: readonly IdValue[]) => side.flatMap(([id, value]) => [id, value]);

function wireBest(best: ChunkBest, count: number): [number[]] | [number[], number[]] {
  return count <= BEST_K && best.lowest.length === count ? [flat(best.lowest)] : [flat(best.lowest), flat(best.highest)];
}

function pairs(list: unknown, chunkId: number): IdValue[] {
  if (!Array.isArray(list) || list.length % 2 !== 0 || list.length > 2 * BEST_K || !list.every((n) => typeof n === "number" && Number.isFinite(n))) {
    throw new Error(`a result batch holds a malformed best (chunk ${chunkId})`);
  }
  const out: IdValue[] = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i] as number, list[i + 1] as number]);
  return out;
}

function readBest(best: unknown, chunkId: number): ChunkBest | undefined {
  if (!Array.isArray(best) || best.length < 1 || best.length > 2) throw new Error(`a result batch holds a malformed best (chunk ${chunkId})`);
  const lowest = pairs(best[0], chunkId);
  if (lowest.length === 0) return undefined;
  const highest = best.length === 2 ? pairs(best[1], chunkId) : [...lowest].sort((a, b) => (higherFirst(a[1], a[0], b[1], b[0]) ? -1 : 1));
  return { lowest, highest };
}
