// Runs in a worker thread: evaluates parameter ranges so CPU-bound compute never
// starves the main thread's heartbeats, lease renewals and signal handling.
import { parentPort, workerData } from "node:worker_threads";
import { AggregateBuilder } from "./aggregate.ts";
import { loadComputeFunction, type ComputeFunction } from "./compute-function.ts";
import type { ComputeReply, ComputeRequest, ComputeThreadData, Range, RangeReply } from "./compute-protocol.ts";

const PROGRESS_EVERY_MS = 100;
const port = parentPort;
if (!port) throw new Error("compute-thread.ts must run in a worker thread");
const post = (reply: ComputeReply) => port.postMessage(reply);

type Progress = { id: number; done: number; lastPost: number };

async function runRange(compute: ComputeFunction, range: Range, collectValues: boolean, progress: Progress): Promise<RangeReply> {
  const agg = new AggregateBuilder();
  const values: number[] = [];
  let p = range.start;
  try {
    for (; p < range.end; p++) {
      const r = compute(p);
      const value = typeof r === "number" ? r : await r;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`compute(${p}) returned ${String(value)}, not a finite number`);
      }
      agg.add(value);
      if (collectValues) values.push(value);
      progress.done++;
      if (Date.now() - progress.lastPost >= PROGRESS_EVERY_MS) {
        progress.lastPost = Date.now();
        post({ type: "progress", id: progress.id, done: progress.done });
      }
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message ?? String(error), paramId: p };
  }
  return { ok: true, aggregate: agg.build(), ...(collectValues ? { values } : {}) };
}

async function runRequest(compute: ComputeFunction, req: ComputeRequest): Promise<void> {
  const progress: Progress = { id: req.id, done: 0, lastPost: Date.now() };
  const outcomes: RangeReply[] = [];
  for (const range of req.ranges) outcomes.push(await runRange(compute, range, req.collectValues, progress));
  post({ type: "done", id: req.id, outcomes });
}

try {
  const compute = await loadComputeFunction(workerData as ComputeThreadData);
  let queue = Promise.resolve();
  port.on("message", (req: ComputeRequest) => {
    queue = queue.then(() => runRequest(compute, req));
  });
  post({ type: "ready" });
} catch (error) {
  post({ type: "init-error", message: (error as Error).message });
}
