// Main-thread handle on the compute thread: run a range, watch progress, abort.
import { Worker } from "node:worker_threads";
import type { ComputeReply, ComputeRequest, ComputeThreadData, Range, RangeReply } from "./compute-protocol.ts";
import { packRanges, unpackOutcomes } from "./packed-outcomes.ts";

export type RangeOutcome = RangeReply;
export type { Range };

type RunOptions = { collectValues?: boolean; onProgress?: (done: number) => void };

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

type Pending = {
  id: number;
  /** How many ranges the request holds (one outcome each). */
  ranges: number;
  resolve: (o: RangeOutcome[]) => void;
  reject: (e: Error) => void;
  onProgress: ((done: number) => void) | undefined;
};

export class ComputeEngine {
  #data: ComputeThreadData;
  #thread: Worker | undefined;
  #ready: Promise<void> | undefined;
  #pending: Pending | undefined;
  #nextId = 1;

  constructor(data: ComputeThreadData) {
    this.#data = data;
  }

  /** Starts the thread and loads the compute module; rejects if it cannot be loaded. */
  start(): Promise<void> {
    if (this.#ready) return this.#ready;
    const thread = new Worker(threadEntry(), { workerData: this.#data });
    this.#thread = thread;
    this.#ready = new Promise<void>((resolve, reject) => {
      thread.on("message", (reply: ComputeReply) => {
        if (reply.type === "ready") resolve();
        else if (reply.type === "init-error") reject(new Error(reply.message));
        else this.#onReply(reply);
      });
      thread.on("error", (error) => {
        reject(error);
        if (this.#thread !== thread) return;
        this.#failPending(error);
      });
      thread.on("exit", (code) => {
        reject(new Error(`compute thread exited with code ${code}`));
        if (this.#thread !== thread) return;
        this.#thread = undefined;
        this.#ready = undefined;
        this.#failPending(new ComputeAborted());
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
        pending.resolve(unpackOutcomes(reply, pending.ranges));
      } catch (error) {
        pending.reject(error as Error);
      }
    }
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

  /** Runs the ranges one after another in one trip to the thread; an outcome per range, in order. */
  async runMany(ranges: readonly Range[], opts: RunOptions = {}): Promise<RangeOutcome[]> {
    await this.start();
    if (this.#pending) throw new Error("Cannot run two requests at once on one compute thread");
    const id = this.#nextId++;
    return new Promise<RangeOutcome[]>((resolve, reject) => {
      this.#pending = { id, ranges: ranges.length, resolve, reject, onProgress: opts.onProgress };
      const request: ComputeRequest = { type: "run", id, ranges: packRanges(ranges), collectValues: opts.collectValues ?? false };
      this.#thread?.postMessage(request, [request.ranges.buffer as ArrayBuffer]);
    });
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Stops the thread mid-range; the range's promise rejects with ComputeAborted. */
  async abort(): Promise<void> {
    const thread = this.#thread;
    this.#thread = undefined;
    this.#ready = undefined;
    this.#failPending(new ComputeAborted());
    await thread?.terminate();
  }

  async close(): Promise<void> {
    await this.abort();
  }
}
