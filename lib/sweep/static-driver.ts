// Static mode (M1) as a run: chunk i is worker i's slice. A worker that dies is
// started again on the same slice, as a Kubernetes Indexed Job restarts an index.
import { join } from "node:path";
import type { Aggregate } from "../compute/aggregate.ts";
import type { ChunkBest } from "../compute/chunk-best.ts";
import { parseLogLine } from "../log/parse-log-line.ts";
import type { WorkerExit } from "../platforms/platform.ts";
import { staticSlice } from "./static-slice.ts";
import { emptySnapshot, type ProgressSnapshot } from "./progress-snapshot.ts";
import type { DriverContext, LineProgress, RunDriver } from "./run-driver.ts";

export type StaticDriverOptions = { workers: number; params: number; maxAttempts: number };

type SliceState = { attempts: number; done: number; diedAt: Date | undefined; finished: boolean };

export class StaticDriver implements RunDriver {
  readonly expectedChunks: number;
  readonly #ctx: DriverContext;
  readonly #opts: StaticDriverOptions;
  readonly #slices: SliceState[];

  constructor(ctx: DriverContext, opts: StaticDriverOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.expectedChunks = opts.workers;
    this.#slices = Array.from({ length: opts.workers }, () => ({
      attempts: 1,
      done: 0,
      diedAt: undefined,
      finished: false,
    }));
  }

  get lineProgress(): LineProgress {
    return { share: this.#slices.reduce((sum, s) => sum + s.done, 0) / this.#opts.params, of: "the parameters done", after: "its slice reported progress" };
  }

  async prepare(): Promise<void> {}

  workerEnv(workerId: string): Record<string, string> {
    const values = this.#ctx.results?.granularity === "params" && this.#ctx.workDir
      ? { RESULTS_FILE: this.#sliceFile(workerId) }
      : {};
    return { QUEUE_MODE: "false", TOTAL_WORKERS: String(this.#opts.workers), ...values };
  }

  #sliceFile(workerId: string): string {
    return join(this.#ctx.workDir ?? ".", `slice-${workerId}.jsonl`);
  }

  onLine(workerId: string, line: string): void {
    const parsed = parseLogLine(line);
    const slice = this.#slices[Number(workerId)];
    if (!parsed || !slice) return;
    if (parsed.event === "PROGRESS" && typeof parsed.fields.done === "number") slice.done = parsed.fields.done;
    if (parsed.event === "SUMMARY" && parsed.fields.status === "completed") {
      const f = parsed.fields as { start: number; end: number; aggregate: Aggregate; best?: ChunkBest; durationSeconds: number };
      slice.finished = true;
      slice.done = f.end - f.start;
      const results = this.#ctx.results;
      if (results?.granularity === "params") results.addFile(Number(workerId), this.#sliceFile(workerId));
      else void results?.add({ chunkId: Number(workerId), start: f.start, end: f.end, worker: workerId, aggregate: f.aggregate });
      this.#ctx.ledger.accept(
        { chunkId: Number(workerId), start: f.start, end: f.end, worker: workerId, aggregate: f.aggregate, ...(f.best ? { best: f.best } : {}) },
        f.durationSeconds,
      );
    }
  }

  async onWorkerExit(exit: WorkerExit): Promise<{ restart: boolean }> {
    const index = Number(exit.id);
    const slice = this.#slices[index];
    const ledger = this.#ctx.ledger;
    if (!slice || slice.finished || ledger.has(index)) return { restart: false };
    if (slice.attempts >= this.#opts.maxAttempts) {
      const { start, end } = staticSlice(index, this.#opts.workers, this.#opts.params);
      ledger.deadLetters.push({
        chunkId: index,
        start,
        end,
        attempts: slice.attempts,
        error: `worker ${exit.id} ended with ${exit.signal ?? `exit code ${exit.code}`}`,
      });
      return { restart: false };
    }
    slice.attempts++;
    slice.done = 0;
    slice.diedAt = exit.at;
    ledger.redelivered++;
    const takenAt = new Date();
    ledger.redeliveries.push({
      chunkId: index,
      fromWorker: exit.id,
      toWorker: `${exit.id} (restarted)`,
      diedAt: exit.at.toISOString(),
      takenAt: takenAt.toISOString(),
      seconds: (takenAt.getTime() - exit.at.getTime()) / 1000,
    });
    ledger.note("recovered", `slice ${index} restarted on worker ${exit.id} (attempt ${slice.attempts})`, takenAt);
    return { restart: true };
  }

  async poll(): Promise<ProgressSnapshot> {
    const snap = emptySnapshot(this.expectedChunks, this.#opts.params);
    snap.chunksDone = this.#ctx.ledger.acceptedCount;
    snap.paramsDone = this.#slices.reduce((sum, s) => sum + s.done, 0);
    snap.deadLettered = this.#ctx.ledger.deadLetters.length;
    snap.pending = this.expectedChunks - snap.chunksDone - snap.deadLettered;
    const best = this.#ctx.ledger.bestSoFar();
    if (best) snap.best = best;
    this.#slices.forEach((s, i) => {
      if (!s.finished) snap.inFlight[String(i)] = 1;
    });
    return snap;
  }

  isSettled(): boolean {
    return this.#ctx.ledger.acceptedCount + this.#ctx.ledger.deadLetters.length >= this.expectedChunks;
  }

  pickVictim(running: string[]): string | undefined {
    return running.find((id) => !this.#slices[Number(id)]?.finished);
  }

  async finish(): Promise<void> {}
  async close(): Promise<void> {}
}
