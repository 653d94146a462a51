// Main-thread handle on the compute thread: run ranges, watch progress, abort. A parameter that
// runs past the time limit, or that ends the thread (process.exit, an uncaught error, the thread's
// heap), is recorded as failed; the thread is replaced and the request goes on without it.
import { Worker } from "node:worker_threads";
import { WATCH_SLOTS, type ComputeReply, type ComputeRequest, type ComputeThreadData, type Range, type RangeReply } from "./compute-protocol.ts";
import { packRanges, unpackOutcomes } from "./packed-outcomes.ts";
import { sweepOf } from "./compute-function.ts";
import type { Sweep } from "../sweep-def/sweep-space.ts";
import { crashed, timedOut, type ParamFailure } from "./param-failure.ts";

export type RangeOutcome = RangeReply;
export type { Range };

type RunOptions = { collectValues?: boolean; onProgress?: (done: number) => void };

export type EngineOptions = {
  module: string | undefined;
  /** A JavaScript build of a TypeScript module (COMPUTE_MODULE_JS), imported instead of it. */
  compiledModule?: string;
  simulateWorkMs: number;
  /** The sweep: the module is called compute(point, id) (none: compute(id)). */
  sweep?: Sweep;
  /** COMPUTE_COMMAND: a program speaking the line protocol, instead of the module. */
  command?: string;
  /** In-place retries of a parameter that throws (PARAM_RETRIES); default 0. */
  paramRetries?: number;
  /** Time limit of one evaluation (PARAM_TIMEOUT_SECONDS); none when undefined. */
  paramTimeoutMs?: number;
};

/** A terminated thread leaves its COMPUTE_COMMAND program running (a hung one would never end). */
function killCommand(watch: Float64Array<ArrayBufferLike>): void {
  const pid = watch[2] ?? 0;
  watch[2] = 0;
  watch[3] = 0;
  if (pid <= 0) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export class ComputeAborted extends Error {
  constructor() {
    super("compute aborted");
    this.name = "ComputeAborted";
  }
}

/** Deno runs TypeScript threads as they are; Node needs tsx registered in the thread. */
function threadEntry(): URL {
  const deno = (process.versions as Record<string, string | undefined>).deno !== undefined;
  return new URL(deno ? "./compute-thread.ts" : "./compute-thread-node.mjs", import.meta.url);
}

/** A request ends with its outcomes, or stops at a parameter that hung or ended the thread. */
type Ending = { outcomes: RangeOutcome[] } | { stopped: ParamFailure };

type Pending = {
  id: number;
  /** How many ranges the request holds (one outcome each). */
  ranges: number;
  /** Evaluations the thread had started when the request was sent. */
  startedBefore: number;
  end: (e: Ending) => void;
  reject: (e: Error) => void;
  onProgress: ((done: number) => void) | undefined;
};

export class ComputeEngine {
  #options: EngineOptions;
  #thread: Worker | undefined;
  #watch: Float64Array<ArrayBufferLike> = new Float64Array(WATCH_SLOTS);
  #ready: Promise<void> | undefined;
  #pending: Pending | undefined;
  #nextId = 1;

  constructor(options: EngineOptions) {
    this.#options = options;
  }

  /** Starts the thread and loads the compute module; rejects if it cannot be loaded. */
  start(): Promise<void> {
    if (this.#ready) return this.#ready;
    const shared = new SharedArrayBuffer(WATCH_SLOTS * Float64Array.BYTES_PER_ELEMENT);
    const data: ComputeThreadData = { module: this.#options.module, ...(this.#options.compiledModule ? { compiledModule: this.#options.compiledModule } : {}), simulateWorkMs: this.#options.simulateWorkMs, ...sweepOf(this.#options), paramRetries: this.#options.paramRetries ?? 0, watch: shared };
    const thread = new Worker(threadEntry(), { workerData: data });
    this.#thread = thread;
    const watch = new Float64Array(shared);
    this.#watch = watch;
    this.#ready = new Promise<void>((resolve, reject) => {
      thread.on("message", (reply: ComputeReply) => {
        if (reply.type === "ready") resolve();
        else if (reply.type === "init-error") reject(new Error(reply.message));
        else this.#onReply(reply);
      });
      thread.on("error", (error) => {
        reject(error);
        if (this.#thread === thread) this.#threadEnded(`the compute thread failed: ${error.message}`);
      });
      thread.on("exit", (code) => {
        reject(new Error(`compute thread exited with code ${code}`));
        killCommand(watch);
        if (this.#thread === thread) this.#threadEnded(`ended the compute thread (exit code ${code})`);
      });
    });
    return this.#ready;
  }

  #onReply(reply: ComputeReply): void {
    const pending = this.#pending;
    if (!pending || !("id" in reply) || reply.id !== pending.id) return;
    if (reply.type === "progress") pending.onProgress?.(reply.done);
    else if (reply.type === "done") {
      this.#pending = undefined;
      try {
        pending.end({ outcomes: unpackOutcomes(reply, pending.ranges) });
      } catch (error) {
        pending.reject(error as Error);
      }
    }
  }

  /** The thread ended by itself: the parameter it was evaluating is a crash, if it had started one. */
  #threadEnded(how: string): void {
    const pending = this.#pending;
    this.#thread = undefined;
    this.#ready = undefined;
    this.#pending = undefined;
    if (!pending) return;
    if (this.#watch[1]! > pending.startedBefore) pending.end({ stopped: crashed(this.#watch[0]!, how) });
    else pending.reject(new Error(`Cannot compute: ${how} before evaluating a parameter`));
  }

  #failPending(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }

  async run(start: number, end: number, opts: RunOptions = {}): Promise<RangeOutcome> {
    const [outcome] = await this.runMany([{ start, end }], opts);
    return outcome!;
  }

  /**
   * Runs the ranges one after another in one trip to the thread; an outcome per range, in order.
   * A parameter that hangs or ends the thread costs the thread, not the request: it is recorded,
   * a new thread starts, and the request runs again without evaluating it.
   */
  async runMany(ranges: readonly Range[], opts: RunOptions = {}): Promise<RangeOutcome[]> {
    const decided: ParamFailure[] = [];
    for (;;) {
      await this.start();
      const ending = await this.#request(ranges, opts, decided);
      if ("outcomes" in ending) return ending.outcomes;
      if (decided.some((f) => f.param === ending.stopped.param)) {
        throw new Error(`Cannot compute: parameter ${ending.stopped.param} stopped the thread although it was skipped`);
      }
      decided.push(ending.stopped);
    }
  }

  #request(ranges: readonly Range[], opts: RunOptions, skip: readonly ParamFailure[]): Promise<Ending> {
    if (this.#pending) throw new Error("Cannot run two requests at once on one compute thread");
    const id = this.#nextId++;
    const stopTimer = this.#timeLimit();
    return new Promise<Ending>((resolve, reject) => {
      this.#pending = { id, ranges: ranges.length, startedBefore: this.#watch[1]!, end: resolve, reject, onProgress: opts.onProgress };
      const request: ComputeRequest = { type: "run", id, ranges: packRanges(ranges), collectValues: opts.collectValues ?? false };
      if (skip.length > 0) request.skip = [...skip];
      this.#thread?.postMessage(request, [request.ranges.buffer as ArrayBuffer]);
    }).finally(stopTimer);
  }

  /** PARAM_TIMEOUT_SECONDS: ends the thread when one evaluation has run longer; returns the stop. */
  #timeLimit(): () => void {
    const limitMs = this.#options.paramTimeoutMs;
    if (limitMs === undefined) return () => {};
    let seen = this.#watch[1];
    let since = performance.now();
    const timer = setInterval(() => {
      const started = this.#watch[1];
      // A COMPUTE_COMMAND program still starting up (an interpreter loading): its start is not the parameter's time.
      if (started !== seen || this.#watch[3] === 1) {
        seen = started;
        since = performance.now();
        return;
      }
      const pending = this.#pending;
      if (!pending || started === pending.startedBefore || performance.now() - since < limitMs) return;
      const param = this.#watch[0]!;
      this.#pending = undefined;
      void this.#stopThread();
      pending.end({ stopped: timedOut(param, limitMs) });
    }, Math.max(20, Math.min(250, limitMs / 8)));
    return () => clearInterval(timer);
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  async #stopThread(): Promise<void> {
    const thread = this.#thread;
    const watch = this.#watch;
    this.#thread = undefined;
    this.#ready = undefined;
    await thread?.terminate();
    killCommand(watch);
  }



  /** Stops the thread mid-range; the range's promise rejects with ComputeAborted. */
  async abort(): Promise<void> {
    this.#failPending(new ComputeAborted());
    await this.#stopThread();
  }

  async close(): Promise<void> {
    await this.abort();
  }
}
