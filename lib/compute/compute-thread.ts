// Runs in a worker thread: evaluates parameter ranges so CPU-bound compute never
// starves the main thread's heartbeats, lease renewals and signal handling.
import { parentPort, workerData } from "node:worker_threads";
import { AggregateBuilder } from "./aggregate.ts";
import { loadComputeFunction, type ComputeFunction } from "./compute-function.ts";
import type { ComputeReply, ComputeRequest, ComputeThreadData } from "./compute-protocol.ts";

const PROGRESS_EVERY_MS = 100;
const port = parentPort;
if (!port) throw new Error("compute-thread.ts must run in a worker thread");
const post = (reply: ComputeReply) => port.postMessage(reply);

async function runRange(compute: ComputeFunction, req: ComputeRequest): Promise<void> {
  const agg = new AggregateBuilder();
  const values: number[] = [];
  let lastProgress = Date.now();
  let p = req.start;
  try {
    for (; p < req.end; p++) {
      const r = compute(p);
      const value = typeof r === "number" ? r : await r;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`compute(${p}) returned ${String(value)}, not a finite number`);
      }
      agg.add(value);
      if (req.collectValues) values.push(value);
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        post({ type: "progress", id: req.id, done: p + 1 - req.start });
      }
    }
  } catch (error) {
    post({ type: "error", id: req.id, message: (error as Error).message ?? String(error), paramId: p });
    return;
  }
  post({ type: "done", id: req.id, aggregate: agg.build(), ...(req.collectValues ? { values } : {}) });
}

try {
  const compute = await loadComputeFunction(workerData as ComputeThreadData);
  let queue = Promise.resolve();
  port.on("message", (req: ComputeRequest) => {
    queue = queue.then(() => runRange(compute, req));
  });
  post({ type: "ready" });
} catch (error) {
  post({ type: "init-error", message: (error as Error).message });
}
