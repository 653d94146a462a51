// A worker's batch of chunk results on the wire, shared by both backends. The results of a batch
// share their run, worker and times (a batch is taken and finished together), so those are sent
// once and each chunk is a short tuple: about 35 bytes for a chunk's aggregate instead of ~230 as
// a JSON object, which is what the worker encodes, the broker stores and the coordinator parses.
import type { Aggregate } from "../compute/aggregate.ts";
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
  failed?: ParamFailure[],
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
    const [chunkId, start, end, attempt, busySeconds, count, sum, sumPartials, min, max, values, failed] = t;
    const aggregate: Aggregate = { count, sum, sumPartials, min, max };
    const result: ChunkResult = { runId, chunkId, start, end, worker, attempt, aggregate, takenAt, finishedAt, busySeconds };
    if (values) result.values = values;
    if (failed !== undefined) {
      if (!Array.isArray(failed) || !failed.every(isParamFailure)) throw new Error(`a result batch holds malformed failure records (chunk ${chunkId})`);
      result.failed = failed;
    }
    return result;
  });
}
