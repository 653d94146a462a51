// Where workers run. `local`: child processes; `kind`: pods. The sweep only sees this.
export type PlatformName = "local" | "kind";

export type WorkerSpec = { id: string; env: Record<string, string> };

export type WorkerStatus = "starting" | "running" | "exited";

export type WorkerState = {
  id: string;
  /** Process id (local) or pod name (kind). */
  handle: string;
  node: string;
  status: WorkerStatus;
  exitCode: number | null;
  signal: string | null;
  startedAt: Date;
  exitedAt: Date | undefined;
};

export type WorkerExit = { id: string; code: number | null; signal: string | null; at: Date };

export interface Platform {
  readonly name: PlatformName;
  /** Starts a worker; false when it was not started because cancelPendingStarts dropped its start. */
  startWorker(spec: WorkerSpec): Promise<boolean>;
  /** Drops the starts still waiting for their turn (the run is over, or stopping): none of them spawns. */
  cancelPendingStarts(): void;
  workers(): WorkerState[];
  /** Fault injection or shutdown of one worker, with a real signal (or pod deletion). */
  kill(id: string, signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM every worker, then SIGKILL what is left after graceMs. */
  stopAll(graceMs: number): Promise<void>;
  onExit(listener: (exit: WorkerExit) => void): void;
  onLine(listener: (workerId: string, line: string) => void): void;
}
