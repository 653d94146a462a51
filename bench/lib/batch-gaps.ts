// The time a worker spends between two of its batches: from a batch's results being finished to the
// next batch being taken (the chunks of one batch share their taken and finished times). On a
// CPU-bound sweep that time is a core left idle, so it is the overhead left once start-up and tail are out.
import type { ChunkResult } from "../../lib/backends/backend.ts";
import { median } from "./stats.ts";

export type BatchGaps = {
  /** Gaps counted (batches after a worker's first). */
  gaps: number;
  /** The median gap, in milliseconds. */
  medianMs: number;
  /** Every worker's gaps added up, over the workers: seconds each worker spent between batches. */
  perWorkerSeconds: number;
};

type Batch = { taken: number; finished: number };

/** Gaps between consecutive batches of each worker, from accepted results; null when no worker took two batches. */
export function batchGaps(results: Iterable<Pick<ChunkResult, "worker" | "takenAt" | "finishedAt">>): BatchGaps | null {
  const byWorker = new Map<string, Map<number, Batch>>();
  for (const r of results) {
    const taken = Date.parse(r.takenAt);
    const batches = byWorker.get(r.worker) ?? new Map<number, Batch>();
    byWorker.set(r.worker, batches);
    const finished = Date.parse(r.finishedAt);
    const batch = batches.get(taken);
    batches.set(taken, { taken, finished: Math.max(finished, batch?.finished ?? finished) });
  }
  const gaps: number[] = [];
  for (const batches of byWorker.values()) {
    const ordered = [...batches.values()].sort((a, b) => a.taken - b.taken);
    for (let i = 1; i < ordered.length; i++) gaps.push(Math.max(0, ordered[i]!.taken - ordered[i - 1]!.finished));
  }
  if (gaps.length === 0) return null;
  return { gaps: gaps.length, medianMs: median(gaps), perWorkerSeconds: gaps.reduce((s, g) => s + g, 0) / 1000 / byWorker.size };
}
