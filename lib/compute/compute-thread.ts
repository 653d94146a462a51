// Runs in a worker thread: evaluates parameter ranges so CPU-bound compute never
// starves the main thread's heartbeats, lease renewals and signal handling.
import { parentPort, workerData } from "node:worker_threads";
import { AggregateBuilder } from "./aggregate.ts";
import { ChunkBestBuilder } from "./chunk-best.ts";
import { loadComputeFunction, type ComputeFunction } from "./compute-function.ts";
import type { ComputeReply, ComputeRequest, ComputeThreadData, Range } from "./compute-protocol.ts";
import { retryParam } from "./evaluate-param.ts";
import { isPipelined, type PipelinedCompute } from "./command-compute.ts";
import { runPipelined, type PipelineSink } from "./command-pipeline.ts";
import { OutcomePacker, transferList } from "./packed-outcomes.ts";
import type { ParamFailure } from "./param-failure.ts";

const PROGRESS_EVERY_MS = 100;
const port = parentPort;
if (!port) throw new Error("compute-thread.ts must run in a worker thread");
const post = (reply: ComputeReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
const data = workerData as ComputeThreadData;
const retries = data.paramRetries ?? 0;
/** [parameter being evaluated, evaluations started]: read by the main thread's time limit and crash report. */
const watch = data.watch ? new Float64Array(data.watch) : undefined;

type Progress = { id: number; done: number; lastPost: number };
type Skip = ReadonlyMap<number, ParamFailure> | undefined;

type RangeSink = { agg: AggregateBuilder; best: ChunkBestBuilder; values: number[] | undefined; packer: OutcomePacker; progress: Progress };

/** Where runSync stopped: the block's end, or a parameter whose compute threw or did not return a finite number at once. */
type SyncStop = { p: number; thrown?: unknown; returned?: unknown };

/**
 * Most parameters per call of runSync. Its values wait in these arrays and are added to the aggregate,
 * the best points and the values by recordBlock once it returns, always before anything is awaited.
 * A range starts with one parameter per call and doubles while a call takes under BLOCK_MS (halves
 * above), so slow evaluations still report progress after each one and fast ones come 256 at a time.
 */
const SYNC_BLOCK = 256;
const BLOCK_MS = 10;
const blockValues = new Float64Array(SYNC_BLOCK);
const blockIds = new Float64Array(SYNC_BLOCK);
let blockCount = 0;

/**
 * The hot loop: the user's compute and nothing else it could be compiled around. It is synchronous
 * and free of the rare paths (a throw, a promise, a retry), which in an async loop made V8 throw the
 * code away. It only stores each value: with the aggregate, the best points and the progress in the
 * loop, V8 compiled the user's function with boxed doubles in one compute thread of three or four
 * (examples/rosenbrock-descent.ts: 2.9-3.8 instead of 2.4-2.5 µs per evaluation, 20 times the garbage).
 */
function runSync(compute: ComputeFunction, from: number, end: number, sink: RangeSink, skip: Skip): SyncStop {
  // Module-level bindings in locals: the worker bundle turns this module's top-level const into var,
  // which the loop would read from the module's context on every evaluation (on the example the
  // difference is within the ±0.5% a thread's speed varies by: the bundled thread stays ~0.3% slower).
  const w = watch;
  const values = blockValues;
  const ids = blockIds;
  let n = 0;
  for (let p = from; p < end; p++) {
    if (w !== undefined) {
      w[0] = p;
      w[1]! += 1;
    }
    if (skip !== undefined) {
      const decided = skip.get(p);
      if (decided !== undefined) {
        sink.packer.paramFailed(decided);
        sink.progress.done++;
        continue;
      }
    }
    let r: number | Promise<number>;
    try {
      r = compute(p);
    } catch (error) {
      blockCount = n;
      return { p, thrown: error };
    }
    if (typeof r !== "number" || !Number.isFinite(r)) {
      blockCount = n;
      return { p, returned: r };
    }
    values[n] = r;
    ids[n] = p;
    n++;
  }
  blockCount = n;
  return { p: end };
}

/** Records the values runSync left in the block arrays, in parameter order. */
function recordBlock(sink: RangeSink): void {
  const n = blockCount;
  blockCount = 0;
  const { agg, best, values } = sink;
  for (let i = 0; i < n; i++) {
    const v = blockValues[i]!;
    agg.add(v);
    best.add(blockIds[i]!, v);
    if (values) values.push(v);
  }
  sink.progress.done += n;
  postProgress(sink.progress);
}

/** Evaluates one range into the packer: its aggregate, its values (when asked for), its failed parameters. */
async function runRange(compute: ComputeFunction, range: Range, packer: OutcomePacker, progress: Progress, skip: Skip): Promise<void> {
  const sink: RangeSink = { agg: new AggregateBuilder(), best: new ChunkBestBuilder(), values: packer.values, packer, progress };
  let block = 1;
  for (let p = range.start; p < range.end; ) {
    const began = performance.now();
    const stop = runSync(compute, p, Math.min(range.end, p + block), sink, skip);
    recordBlock(sink);
    block = performance.now() - began < BLOCK_MS ? Math.min(SYNC_BLOCK, block * 2) : Math.max(1, block >> 1);
    p = stop.p;
    if (!("thrown" in stop) && !("returned" in stop)) continue;
    // This parameter threw, returned a promise, or returned something else than a finite number.
    await settleParam(compute, p, stop, sink);
    p++;
  }
  packer.ok(sink.agg, sink.best);
}

/** The rare path of one parameter: awaits its promise, or retries it, and records its value or its failure. */
async function settleParam(compute: ComputeFunction, p: number, stop: SyncStop, sink: RangeSink): Promise<void> {
  let value: number;
  try {
    if ("thrown" in stop) throw stop.thrown;
    value = (await stop.returned) as number;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`compute(${p}) returned ${String(value)}, not a finite number`);
  } catch (error) {
    const retried = await retryParam(compute, p, error, retries);
    if (typeof retried !== "number") {
      sink.packer.paramFailed(retried);
      sink.progress.done++;
      return;
    }
    value = retried;
  }
  // Recorded as a block of one (runRange recorded the block before it, so the arrays are free).
  blockValues[0] = value;
  blockIds[0] = p;
  blockCount = 1;
  recordBlock(sink);
}

function postProgress(progress: Progress): void {
  if (Date.now() - progress.lastPost < PROGRESS_EVERY_MS) return;
  progress.lastPost = Date.now();
  post({ type: "progress", id: progress.id, done: progress.done });
}

/** Marks `param` as the one being evaluated (the time limit and crash report name it). */
function watching(param: number): void {
  if (watch === undefined) return;
  watch[0] = param;
  watch[1]! += 1;
}

/** A COMPUTE_COMMAND request: one window of requests in flight across all its ranges (lib/compute/command-pipeline.ts). */
async function runPipelinedRequest(compute: PipelinedCompute, ranges: readonly Range[], packer: OutcomePacker, progress: Progress, skip: Skip): Promise<void> {
  let agg = new AggregateBuilder();
  let best = new ChunkBestBuilder();
  const sink: PipelineSink = {
    outcome(param, outcome) {
      if (typeof outcome === "number") {
        agg.add(outcome);
        best.add(param, outcome);
        packer.values?.push(outcome);
      } else packer.paramFailed(outcome);
      progress.done++;
      postProgress(progress);
    },
    rangeEnd() {
      packer.ok(agg, best);
      agg = new AggregateBuilder();
      best = new ChunkBestBuilder();
    },
  };
  await runPipelined(compute, ranges, sink, { retries, skip, watching });
}

async function runRequest(compute: ComputeFunction, req: ComputeRequest): Promise<void> {
  const progress: Progress = { id: req.id, done: 0, lastPost: Date.now() };
  const packer = new OutcomePacker(req.collectValues);
  const skip = req.skip?.length ? new Map(req.skip.map((f) => [f.param, f])) : undefined;
  const r = req.ranges;
  const ranges: Range[] = [];
  for (let i = 0; i + 1 < r.length; i += 2) ranges.push({ start: r[i]!, end: r[i + 1]! });
  if (isPipelined(compute)) await runPipelinedRequest(compute, ranges, packer, progress, skip);
  else for (const range of ranges) await runRange(compute, range, packer, progress, skip);
  const packed = packer.finish();
  post({ type: "done", id: req.id, ...packed }, transferList(packed));
}

try {
  const compute = await loadComputeFunction(data, (pid, startedUp) => {
    if (watch === undefined) return;
    watch[2] = pid;
    watch[3] = 1;
    void startedUp.then(() => {
      if (watch[2] === pid) watch[3] = 0;
    });
  });
  let queue = Promise.resolve();
  port.on("message", (req: ComputeRequest) => {
    queue = queue.then(() => runRequest(compute, req));
  });
  post({ type: "ready" });
} catch (error) {
  post({ type: "init-error", message: (error as Error).message });
}
