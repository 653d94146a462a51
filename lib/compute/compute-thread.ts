// Runs in a worker thread: evaluates parameter ranges so CPU-bound compute never
// starves the main thread's heartbeats, lease renewals and signal handling.
import { parentPort, workerData } from "node:worker_threads";
import { AggregateBuilder } from "./aggregate.ts";
import { ChunkBestBuilder } from "./chunk-best.ts";
import { loadComputeFunction, type ComputeFunction } from "./compute-function.ts";
import type { ComputeReply, ComputeRequest, ComputeThreadData, Range } from "./compute-protocol.ts";
import { evaluateParam, retryParam } from "./evaluate-param.ts";
import { isPipelined, type PipelinedCompute } from "./command-compute.ts";
import { CommandEnded } from "./command-child.ts";
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

/** Evaluates one range into the packer: its aggregate, its values (when asked for), its failed parameters. */
async function runRange(compute: ComputeFunction, range: Range, packer: OutcomePacker, progress: Progress, skip: Skip): Promise<void> {
  if (isPipelined(compute)) return runRangePipelined(compute, range, packer, progress, skip);
  const agg = new AggregateBuilder();
  const best = new ChunkBestBuilder();
  const values = packer.values;
  for (let p = range.start; p < range.end; p++) {
    if (watch !== undefined) {
      watch[0] = p;
      watch[1]! += 1;
    }
    let value: number;
    const decided = skip === undefined ? undefined : skip.get(p);
    if (decided !== undefined) {
      packer.paramFailed(decided);
      progress.done++;
      continue;
    }
    try {
      const r = compute(p);
      value = typeof r === "number" ? r : await r;
      if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`compute(${p}) returned ${String(value)}, not a finite number`);
    } catch (error) {
      const retried = await retryParam(compute, p, error, retries);
      if (typeof retried !== "number") {
        packer.paramFailed(retried);
        progress.done++;
        continue;
      }
      value = retried;
    }
    agg.add(value);
    best.add(p, value);
    if (values) values.push(value);
    progress.done++;
    postProgress(progress);
  }
  packer.ok(agg, best);
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

/**
 * A COMPUTE_COMMAND range: up to `window` requests in flight, answers in any order. The watch names
 * the lowest unanswered parameter, so a hang is blamed on the one the others are not waiting for.
 * A parameter whose request failed because the program ended is evaluated again alone (a new
 * program), so only the one that ends it is recorded as a crash.
 */
async function runRangePipelined(compute: PipelinedCompute, range: Range, packer: OutcomePacker, progress: Progress, skip: Skip): Promise<void> {
  const agg = new AggregateBuilder();
  const best = new ChunkBestBuilder();
  for (let from = range.start; from < range.end; from += compute.window) {
    const to = Math.min(range.end, from + compute.window);
    const settled = await settleWindow(compute, from, to, skip);
    for (let p = from; p < to; p++) {
      const outcome = skip?.get(p) ?? (await decide(compute, p, settled[p - from] as PromiseSettledResult<number>));
      if (typeof outcome === "number") {
        agg.add(outcome);
        best.add(p, outcome);
        packer.values?.push(outcome);
      } else packer.paramFailed(outcome);
      progress.done++;
    }
    postProgress(progress);
  }
  packer.ok(agg, best);
}

async function settleWindow(compute: PipelinedCompute, from: number, to: number, skip: Skip): Promise<PromiseSettledResult<number>[]> {
  const answered = new Array<boolean>(to - from).fill(false);
  let lowest = from;
  const advance = () => {
    while (lowest < to && (answered[lowest - from] || skip?.has(lowest))) lowest++;
    if (lowest < to) watching(lowest);
  };
  advance();
  const requests = [];
  for (let p = from; p < to; p++) {
    const request = skip?.has(p) ? Promise.resolve(Number.NaN) : Promise.resolve(compute(p));
    requests.push(request.finally(() => {
      answered[p - from] = true;
      if (p === lowest) advance();
    }));
  }
  return Promise.allSettled(requests);
}

async function decide(compute: PipelinedCompute, p: number, answer: PromiseSettledResult<number>): Promise<number | ParamFailure> {
  if (answer.status === "fulfilled") return answer.value;
  watching(p);
  if (answer.reason instanceof CommandEnded) return evaluateParam(compute, p, retries);
  return retryParam(compute, p, answer.reason, retries);
}

async function runRequest(compute: ComputeFunction, req: ComputeRequest): Promise<void> {
  const progress: Progress = { id: req.id, done: 0, lastPost: Date.now() };
  const packer = new OutcomePacker(req.collectValues);
  const skip = req.skip?.length ? new Map(req.skip.map((f) => [f.param, f])) : undefined;
  const r = req.ranges;
  for (let i = 0; i + 1 < r.length; i += 2) await runRange(compute, { start: r[i]!, end: r[i + 1]! }, packer, progress, skip);
  const packed = packer.finish();
  post({ type: "done", id: req.id, ...packed }, transferList(packed));
}

try {
  const compute = await loadComputeFunction(data, (pid) => {
    if (watch !== undefined) watch[2] = pid;
  });
  let queue = Promise.resolve();
  port.on("message", (req: ComputeRequest) => {
    queue = queue.then(() => runRequest(compute, req));
  });
  post({ type: "ready" });
} catch (error) {
  post({ type: "init-error", message: (error as Error).message });
}
