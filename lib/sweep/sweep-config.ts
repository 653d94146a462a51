// Everything one demo run needs to know, after flags, environment and preset are resolved.
import type { Sweep } from "../sweep-def/sweep-space.ts";
import type { Backend, Platform } from "../report/report-model.ts";

export type MonitorMode = "cli" | "web" | "both" | "none";

export type SweepConfig = {
  runId: string;
  platform: Platform;
  backend: Backend;
  workers: number;
  scale: string;
  params: number;
  chunkSize: number;
  workMs: number;
  faultDemo: boolean;
  /** Fraction of progress at which --fault-demo kills a worker. */
  faultAt: number;
  monitor: MonitorMode;
  skipCleanup: boolean;
  reportsDir: string;
  computeModule: string | undefined;
  /** --compute-cmd / COMPUTE_COMMAND: a program speaking the line protocol, instead of a module. */
  computeCommand?: string;
  /** --sweep FILE resolved: params is its size, and workers get it as SWEEP_JSON. */
  sweep?: Sweep;
  /** The --sweep file as given (shown in the report). */
  sweepFile?: string;
  maxDeliveries: number;
  /** Worker variables taken from the demo's environment, passed to every worker. */
  workerEnv: Record<string, string>;
  results: "params" | "chunks" | "none";
  /** Set when --chunk-size auto measured the compute function and chose chunkSize. */
  chunkSizeChoice?: import("../report/report-model.ts").RunReport["config"]["chunkSizeChoice"];
  resultsFormat: "jsonl" | "csv";
  /** Give up when nothing has progressed for this long. */
  stallSeconds: number;
  /** How many times in all a worker that died is started again (a Job's backoffLimit); default 6. */
  restartBudget?: number;
};
