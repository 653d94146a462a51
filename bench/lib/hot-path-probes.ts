// In-process probes of a worker's per-chunk path, to say what costs what: the backend's own
// round trips (next + complete through the real WorkerQueue) and the compute-thread hop.
import type { ChunkResult } from "../../lib/backends/backend.ts";
import { openWorkerQueue, type BackendName } from "../../lib/backends/open-backend.ts";
import { emptyAggregate } from "../../lib/compute/aggregate.ts";
import { ComputeEngine } from "../../lib/compute/compute-engine.ts";
import { deleteNamespace, newNamespace } from "./namespace.ts";

/**
 * Chunks per second through one real WorkerQueue in this process: next() then complete(), nothing
 * computed, `batch` chunks at a time (1: a chunk's own round trips, as for long chunks).
 */
export async function backendLoopRate(backend: BackendName, url: string, chunks: number, batch = 1): Promise<number> {
  const ns = newNamespace("loop");
  const queue = await openWorkerQueue(backend, {
    url,
    namespace: ns.namespace,
    runId: ns.runId,
    consumer: "probe",
    maxDeliveries: 3,
    retryDelayMs: 500,
    staleThresholdMs: 1500,
    staleCheckIntervalMs: 250,
  });
  try {
    const plan = { runId: ns.runId, totalParameters: chunks, chunkSize: 1, totalChunks: chunks };
    await queue.ensureLoaded(plan);
    const aggregate = emptyAggregate();
    const t0 = performance.now();
    for (let done = 0; done < chunks; ) {
      const deliveries = await queue.next(200, batch);
      if (deliveries.length === 0) {
        if (performance.now() - t0 > 60_000) throw new Error(`Cannot finish the ${backend} loop probe: ${done}/${chunks} after 60 s`);
        continue;
      }
      const now = new Date().toISOString();
      const completions = deliveries.map((d) => {
        const result: ChunkResult = { ...d.task!, worker: "probe", attempt: d.deliveryCount, aggregate, takenAt: now, finishedAt: now, busySeconds: 0 };
        return { delivery: d, result };
      });
      await queue.complete(completions);
      done += deliveries.length;
    }
    return chunks / ((performance.now() - t0) / 1000);
  } finally {
    await queue.close().catch(() => undefined);
    await deleteNamespace(backend, url, ns).catch(() => undefined);
  }
}

/** Microseconds per one-parameter range through the compute thread (postMessage there and back). */
export async function computeHopMicros(rounds: number): Promise<number> {
  const engine = new ComputeEngine({ module: undefined, simulateWorkMs: 0 });
  try {
    await engine.start();
    for (let i = 0; i < 200; i++) await engine.run(i, i + 1); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await engine.run(i, i + 1);
    return ((performance.now() - t0) * 1000) / rounds;
  } finally {
    await engine.close();
  }
}
