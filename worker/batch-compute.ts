// Computes a batch of chunks: first deliveries on the compute thread (the normal path, unchanged),
// chunks delivered before in the crash sandbox (lib/compute/compute-sandbox.ts). A chunk comes back
// when its holder died, perhaps on one of its parameters: in a child process that parameter costs
// the child, is named exactly, and the rest of the chunk is still computed.
import type { Delivery } from "../lib/backends/backend.ts";
import type { Range, RangeOutcome } from "../lib/compute/compute-engine.ts";
import { ComputeSandbox } from "../lib/compute/compute-sandbox.ts";
import { formatIdRanges } from "../lib/log/chunk-ids.ts";
import { engineOptions } from "./engine-options.ts";
import type { WorkerContext } from "./worker-context.ts";

type Started = Delivery & { task: NonNullable<Delivery["task"]> };
type RunOptions = { collectValues: boolean; onProgress: (done: number) => void };

export class BatchCompute {
  readonly #ctx: WorkerContext;
  #sandbox: ComputeSandbox | undefined;
  #aborted = false;

  /**
   * Seconds spent starting sandbox processes in this batch: a redelivered chunk's batch pays a
   * process start that the next batches, on the normal path, will not. The batch sizer leaves it
   * out, or a dead worker's thousand short chunks would each get a batch and a process of their own.
   */
  /** Whether this batch went (partly) through a crash sandbox. */
  get sandboxed(): boolean {
    return this.#sandbox !== undefined;
  }

  get startupSeconds(): number {
    return (this.#sandbox?.startupMs ?? 0) / 1000;
  }

  constructor(ctx: WorkerContext) {
    this.#ctx = ctx;
  }

  /** An outcome per chunk, in order. */
  async run(started: readonly Started[], opts: RunOptions): Promise<RangeOutcome[]> {
    const { engine } = this.#ctx;
    if (!started.some((d) => d.deliveryCount > 1)) return engine.runMany(started.map((d) => d.task), opts);
    const fresh: number[] = [];
    const again: number[] = [];
    started.forEach((d, i) => (d.deliveryCount > 1 ? again : fresh).push(i));
    const ranges = (at: readonly number[]): Range[] => at.map((i) => started[i]!.task);
    const outcomes: RangeOutcome[] = new Array<RangeOutcome>(started.length);
    const freshParams = ranges(fresh).reduce((n, r) => n + r.end - r.start, 0);
    if (fresh.length > 0) {
      const computed = await engine.runMany(ranges(fresh), opts);
      fresh.forEach((at, k) => (outcomes[at] = computed[k]!));
    }
    const ids = formatIdRanges(again.map((i) => started[i]!.task.chunkId));
    this.#ctx.log.info("compute", `evaluating redelivered chunk(s) ${ids} in a sandbox process: a parameter that kills it is named and skipped`, { chunks: ids });
    const sandbox = new ComputeSandbox(engineOptions(this.#ctx.config));
    this.#sandbox = sandbox;
    if (this.#aborted) sandbox.abort();
    const sandboxed = await sandbox.runMany(ranges(again), { collectValues: opts.collectValues, onProgress: (n) => opts.onProgress(freshParams + n) });
    again.forEach((at, k) => (outcomes[at] = sandboxed[k]!));
    return outcomes;
  }

  /** Stops the batch mid-way: run() rejects with ComputeAborted. */
  abort(): void {
    this.#aborted = true;
    void this.#ctx.engine.abort();
    this.#sandbox?.abort();
  }
}
