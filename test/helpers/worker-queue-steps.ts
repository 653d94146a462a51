// Steps on a worker queue that any backend's tests take: chunks taken and completed with plain results.
import type { ChunkResult, Delivery, Verdict, WorkerQueue } from "../../lib/backends/backend.ts";

/** A batch's results share their worker and times (the wire form sends them once). */
export function resultFor(runId: string, task: { chunkId: number; start: number; end: number }, worker = "w1", now = new Date().toISOString()): ChunkResult {
  return {
    runId,
    chunkId: task.chunkId,
    start: task.start,
    end: task.end,
    worker,
    attempt: 1,
    aggregate: { count: task.end - task.start, sum: 1, sumPartials: [1], min: 0, max: 1 },
    takenAt: now,
    finishedAt: now,
    busySeconds: 0,
  };
}

/** One chunk (a batch of at most one); undefined when none came within ms. */
export async function nextOne(queue: WorkerQueue, ms: number): Promise<Delivery | undefined> {
  return (await queue.next(ms, 1))[0];
}

/** Takes n chunks in batches of at most max (without completing them); fails when none comes for 5 s. */
export async function takeExactly(queue: WorkerQueue, n: number, max: number): Promise<Delivery[]> {
  const out: Delivery[] = [];
  while (out.length < n) {
    const batch = await queue.next(5_000, max);
    if (batch.length === 0) throw new Error(`takeExactly: only ${out.length} of ${n} chunks came`);
    out.push(...batch);
  }
  return out;
}

/** Completes one delivery with the result resultFor() makes for it. */
export async function completeOne(queue: WorkerQueue, d: Delivery | undefined, worker = "w1"): Promise<Verdict | undefined> {
  if (!d?.task) throw new Error("completeOne: no chunk in hand");
  return (await queue.complete([{ delivery: d, result: resultFor(d.task.runId, d.task, worker) }]))[0];
}

/** Completes a batch of deliveries with resultFor() results; the verdicts in order. */
export function completeAll(queue: WorkerQueue, deliveries: readonly Delivery[], worker = "w1"): Promise<Verdict[]> {
  const now = new Date().toISOString();
  return queue.complete(
    deliveries.map((d) => {
      if (!d.task) throw new Error("completeAll: a delivery without a chunk");
      return { delivery: d, result: resultFor(d.task.runId, d.task, worker, now) };
    }),
  );
}
