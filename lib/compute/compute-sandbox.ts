// Crash isolation: ranges evaluated in a child process that reports every parameter before it
// evaluates the next (lib/compute/sandbox-protocol.ts). A parameter that kills the process
// (SIGKILL, a segfault, an abort, an OOM kill) is named exactly and recorded with the signal or
// exit code, one that runs past the time limit is stopped the same way, and a new child goes on
// with the rest. Used for chunks whose earlier holder died: the normal path never pays for it.
import { sweepOf } from "./compute-function.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Readable } from "node:stream";
import { AggregateBuilder } from "./aggregate.ts";
import { ChunkBestBuilder } from "./chunk-best.ts";
import { ComputeAborted, type EngineOptions, type Range, type RangeOutcome } from "./compute-engine.ts";
import { crashed, describeEnd, timedOut, type ParamFailure } from "./param-failure.ts";
import { parseLine, REPORT_FD, type SandboxJob, type SandboxLine } from "./sandbox-protocol.ts";

type RunOptions = { collectValues?: boolean; onProgress?: (done: number) => void };

/** How one child ended: with the whole job done, or stopped at the parameter it was evaluating. */
type ChildEnd = { done: true } | { done: false; failure: (param: number) => ParamFailure };

type Slot = { agg: AggregateBuilder; best: ChunkBestBuilder; values: number[] | undefined; failed: ParamFailure[] };

function childCommand(): { command: string; args: string[] } {
  const deno = (process.versions as Record<string, string | undefined>).deno !== undefined;
  const entry = fileURLToPath(new URL(deno ? "./compute-sandbox-deno.ts" : "./compute-sandbox-node.mjs", import.meta.url));
  return { command: process.execPath, args: deno ? ["run", "-A", entry] : [entry] };
}

/** Walks the parameters of a list of ranges in order. */
class Cursor {
  readonly #ranges: readonly Range[];
  range = 0;
  param: number;

  constructor(ranges: readonly Range[]) {
    this.#ranges = ranges;
    this.param = ranges[0]?.start ?? 0;
    this.#settle();
  }

  get atEnd(): boolean {
    return this.range >= this.#ranges.length;
  }

  next(): void {
    this.param++;
    this.#settle();
  }

  /** The ranges still to evaluate, from here on. */
  rest(): Range[] {
    const first = this.#ranges[this.range];
    return first ? [{ start: this.param, end: first.end }, ...this.#ranges.slice(this.range + 1)] : [];
  }

  #settle(): void {
    while (this.range < this.#ranges.length && this.param >= this.#ranges[this.range]!.end) {
      this.range++;
      this.param = this.#ranges[this.range]?.start ?? 0;
    }
  }
}

export class ComputeSandbox {
  readonly #options: EngineOptions;
  #child: ChildProcess | undefined;
  #aborted = false;
  /** Milliseconds from each child's spawn to its "ready" line (module loaded), summed. */
  startupMs = 0;

  constructor(options: EngineOptions) {
    this.#options = options;
  }

  /** An outcome per range, in order, as ComputeEngine.runMany gives them. */
  async runMany(ranges: readonly Range[], opts: RunOptions = {}): Promise<RangeOutcome[]> {
    const slots: Slot[] = ranges.map(() => ({ agg: new AggregateBuilder(), best: new ChunkBestBuilder(), values: opts.collectValues ? [] : undefined, failed: [] }));
    const cursor = new Cursor(ranges);
    let done = 0;
    const record = (value: number | ParamFailure) => {
      const slot = slots[cursor.range]!;
      if (typeof value === "number") {
        slot.agg.add(value);
        slot.best.add(cursor.param, value);
        slot.values?.push(value);
      } else slot.failed.push(value);
      cursor.next();
      opts.onProgress?.(++done);
    };
    while (!cursor.atEnd) {
      const end = await this.#runChild(cursor.rest(), (line) => {
        const param = line.kind === "value" ? line.param : line.failure.param;
        if (param !== cursor.param) throw new Error(`Cannot follow the compute sandbox: it reported parameter ${param}, expected ${cursor.param}`);
        record(line.kind === "value" ? line.value : line.failure);
      });
      if (!end.done && !cursor.atEnd) record(end.failure(cursor.param));
    }
    return slots.map((s) => {
      const outcome: RangeOutcome = { aggregate: s.agg.build() };
      const best = s.best.build();
      if (best) outcome.best = best;
      if (s.values) outcome.values = s.values;
      if (s.failed.length > 0) outcome.failed = s.failed;
      return outcome;
    });
  }

  /** Runs one child on the ranges; `onParam` sees each parameter's line in order. */
  #runChild(ranges: Range[], onParam: (line: Extract<SandboxLine, { kind: "value" | "failed" }>) => void): Promise<ChildEnd> {
    if (this.#aborted) return Promise.reject(new ComputeAborted());
    const { command, args } = childCommand();
    const spawnedAt = performance.now();
    const child = spawn(command, args, { stdio: ["pipe", "inherit", "inherit", "pipe"] });
    this.#child = child;
    const limitMs = this.#options.paramTimeoutMs;
    const job: SandboxJob = { module: this.#options.module, simulateWorkMs: this.#options.simulateWorkMs, ...sweepOf(this.#options), paramRetries: this.#options.paramRetries ?? 0, ranges };
    child.stdin?.on("error", () => undefined).end(JSON.stringify(job));
    return new Promise<ChildEnd>((resolve, reject) => {
      let ready = false;
      let finished = false;
      let timedOutAt: number | undefined;
      let problem: Error | undefined;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (limitMs === undefined) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOutAt = limitMs;
          child.kill("SIGKILL");
        }, limitMs);
      };
      const lines = createInterface({ input: child.stdio[REPORT_FD] as Readable, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (text) => {
        if (problem) return;
        const line = parseLine(text);
        try {
          if (!line) throw new Error(`Cannot follow the compute sandbox: unexpected line ${JSON.stringify(text.slice(0, 200))}`);
          if (line.kind === "ready") {
            ready = true;
            this.startupMs += performance.now() - spawnedAt;
          }
          else if (line.kind === "done") finished = true;
          else onParam(line);
          arm();
        } catch (error) {
          problem = error as Error;
          child.kill("SIGKILL");
        }
      });
      child.once("error", (error) => {
        problem ??= new Error(`Cannot start the compute sandbox: ${error.message}`, { cause: error });
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        if (this.#child === child) this.#child = undefined;
        if (this.#aborted) return reject(new ComputeAborted());
        if (problem) return reject(problem);
        if (finished) return resolve({ done: true });
        if (!ready) return reject(new Error(`Cannot start the compute sandbox: it ${describeEnd(code, signal)} before loading the compute module`));
        if (timedOutAt !== undefined) return resolve({ done: false, failure: (param) => timedOut(param, timedOutAt!) });
        resolve({ done: false, failure: (param) => crashed(param, `its process ${describeEnd(code, signal)}`) });
      });
    });
  }

  /** Ends the child now; the running request rejects with ComputeAborted. */
  abort(): void {
    this.#aborted = true;
    this.#child?.kill("SIGKILL");
  }
}
