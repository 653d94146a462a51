// One backend's side of a run, as the sweep orchestrator drives it.
import type { WorkerExit } from "../platforms/platform.ts";
import type { RunLedger } from "../report/run-ledger.ts";
import type { ResultsSpool } from "../results/results-spool.ts";
import type { ProgressSnapshot } from "./progress-snapshot.ts";

export interface RunDriver {
  readonly expectedChunks: number;
  /** Creates queues and loads chunks (idempotent); nothing for static mode. */
  prepare(): Promise<void>;
  /** Environment that tells a worker which run and backend to work on. */
  workerEnv(workerId: string): Record<string, string>;
  onLine(workerId: string, line: string): void;
  /** Called when a worker process or pod ends; returns whether to start it again. */
  onWorkerExit(exit: WorkerExit): Promise<{ restart: boolean }>;
  /**
   * Reads new results into the ledger (for a bounded time) and returns the current progress. With
   * pauseAtParams, a driver that can stops reading once that many parameters are done, so the run
   * sees that point even when its workers are far ahead of it (the fault demo's moment).
   */
  poll(pauseAtParams?: number): Promise<ProgressSnapshot>;
  /**
   * How far the run is by its workers' own lines, ahead of any reading: the share of chunks they
   * said they took (a chunk taken again counts again), or of parameters their slices said are done.
   */
  readonly lineProgress?: LineProgress;
  /** True when the last poll left results waiting because its time was up: poll again without a pause. */
  readonly behind?: boolean;
  /** True when every chunk id has an accepted result or has been dead-lettered. */
  isSettled(): boolean;
  /** The worker to kill for --fault-demo: one holding a chunk, if any. */
  pickVictim(running: string[]): string | undefined;
  /** Final read of results and dead letters into the ledger. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** `of` what the share is; `after` what the worker whose line reached a share had just done. */
export type LineProgress = { share: number; of: "the chunks taken" | "the parameters done"; after: "it took chunks" | "its slice reported progress" };

export type DriverContext = {
  ledger: RunLedger;
  runId: string;
  /** Where accepted results go, when the run keeps them. */
  results?: ResultsSpool;
  /** Folder for files workers write for this run (static slices' values). */
  workDir?: string;
};
