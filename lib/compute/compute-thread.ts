// Runs in a worker thread: evaluates parameter ranges so CPU-bound compute never
// starves the main thread's heartbeats, lease renewals and signal handling.
import { parentPort, workerData } from "node:worker_threads";
import { AggregateBuilder } from "./aggregate.ts";
import { loadComputeFunction, type ComputeFunction } from "./compute-function.ts";
import type { ComputeReply, ComputeRequest, ComputeThreadData, Range } from "./compute-protocol.ts";
import { OutcomePacker, transferList } from "./packed-outcomes.ts";

const PROGRESS_EVERY_MS = 100;
const port = parentPort;
if (!port) throw new Error("compute-thread.ts must run in a worker thread");
const post = (reply: ComputeReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

type Progress = { id: number; done: number; lastPost: number };

/** Evaluates one range into the packer: its aggregate (and values), or where it failed. */
async function runRange(compute: ComputeFunction, range: Range, packer: OutcomePacker, progress: Progress): Promise<void> {
  const agg = new AggregateBuilder();
  const values = packer.values;
  let p = range.start;
  try {
    for (; p < range.end; p++) {
      const r = compute(p);
      const value = typeof r === "number" ? r : await r;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`compute(${p}) returned ${String(value)}, not a finite number`);
      }
      agg.add(value);
      if (values) values.push(value);
      progress.done++;
      if (Date.now() - progress.lastPost >= PROGRESS_EVERY_MS) {
        progress.lastPost = Date.now();
        post({ type: "progress", id: progress.id, done: progress.done });
      }
    }
  } catch (error) {
    packer.failed((error as Error).message ?? String(error), p, p - range.start);
    return;
  }
  packer.ok(agg);
}

async function runRequest(compute: ComputeFunction, req: ComputeRequest): Promise<void> {
  const progress: Progress = { id: req.id, done: 0, lastPost: Date.now() };
  const packer = new OutcomePacker(req.collectValues);
  const r = req.ranges;
  for (let i = 0; i + 1 < r.length; i += 2) await runRange(compute, { start: r[i]!, end: r[i + 1]! }, packer, progress);
  const packed = packer.finish();
  post({ type: "done", id: req.id, ...packed }, transferList(packed));
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
