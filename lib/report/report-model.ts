// report.json: the source of truth of a run. Markdown and pictures render from it.
import type { BestPoints } from "../results/best-points.ts";
import type { ValueSummary } from "../results/value-summary.ts";
import type { ParamFailure } from "../compute/param-failure.ts";
import type { SweepShape } from "../sweep-def/sweep-shape.ts";

export const REPORT_SCHEMA_VERSION = 1;

export type Platform = "local" | "kind";
export type Backend = "redis" | "rabbitmq" | "static";

export type DeadLetter = { chunkId: number; start: number; end: number; attempts: number; error: string };
export type Fault = { at: string; worker: string; kind: "kill" | "stop" | "term" };
/** A chunk id and the parameters it covers, [start, end). */
export type ChunkRange = { chunkId: number; start: number; end: number };
export type Redelivery = {
  chunkId: number;
  /** The chunk's parameters [start, end), when the backend knows them; renderers otherwise derive them from the plan. */
  start?: number;
  end?: number;
  fromWorker: string;
  toWorker: string;
  diedAt: string;
  takenAt: string;
  seconds: number;
};
export type TimelineEvent = {
  at: string;
  event: "start" | "fault" | "recovered" | "interrupted" | "resumed" | "retried" | "finish" | "note";
  detail: string;
};
export type ProgressSample = { seconds: number; chunks: number; params: number };
export type WorkerRow = {
  worker: string;
  /** Where it ran: the host name locally, the pod's node on Kubernetes (several when restarted elsewhere). */
  node?: string;
  chunks: number;
  params: number;
  busySeconds: number;
  exit: string;
};

export type RunReport = {
  schemaVersion: number;
  runId: string;
  platform: Platform;
  backend: Backend;
  workers: number;
  config: {
    scale: string;
    params: number;
    chunkSize: number;
    workMs: number;
    computeModule: string | null;
    /** --compute-cmd / COMPUTE_COMMAND: the program that computed instead of a module. */
    computeCommand?: string;
    /** The --sweep file as given (the sweep itself is in reports/<run>/run.json). */
    sweepFile?: string;
    /** The sweep's digest (the run plan's), mode, size and axes, when the run had one. */
    sweep?: SweepShape;
    faultDemo: boolean;
    maxDeliveries: number | null;
    /** How --chunk-size auto chose the chunk size, when it did. */
    chunkSizeChoice?: {
      chunkSize: number;
      evalCostMs: number;
      sampledParams: number;
      limitedBy: "target" | "tail" | "overhead" | "balance" | "bounds";
      expectedChunkSeconds: number;
    };
  };
  startedAt: string;
  finishedAt: string;
  /** covered: parameters with a value; failed: evaluated without one (failedParams lists them). */
  params: { total: number; covered: number; failed: number };
  chunks: {
    expected: number;
    accepted: number;
    duplicatesDiscarded: number;
    deadLettered: number;
    redelivered: number;
  };
  deadLetters: DeadLetter[];
  /** Every parameter without a value, in parameter order (the verdict passes only when there are none). */
  failedParams: ParamFailure[];
  aggregate: { count: number; sum: number; min: number | null; max: number | null };
  faults: Fault[];
  recovery: { /** 0 when no chunk had to be redelivered. */
    maxRedeliverySeconds: number; redeliveries: Redelivery[] };
  timeline: TimelineEvent[];
  progress: ProgressSample[];
  perWorker: WorkerRow[];
  wallSeconds: number;
  paramsPerSecond: number;
  /** "pass" exactly when problems is empty (build-report.ts judges once). */
  verdict: "pass" | "fail";
  readonly problems: readonly string[];
  /** Chunks with no accepted result that were not dead-lettered either (lost), when the producer records them. */
  missingChunks?: ChunkRange[];
  /** The accepted results written next to the report (absent with --results none). */
  results?: { file: string; granularity: "params" | "chunks"; format: "jsonl" | "csv"; chunks: number };
  /** The 10 lowest and 10 highest values with their ids and points (from a per-parameter results file). */
  best?: BestPoints;
  /** A histogram of the values, and the mean value per cell of a 1- or 2-axis grid (the pictures' data). */
  values?: ValueSummary;
  /** A run that was interrupted and resumed: how many parameters were computed on each side of its last resume. */
  resume?: { resumedAt: string; interruptions: number; paramsComputedBefore: number; paramsComputedAfter: number };
  /** Second copies that were discarded, when the producer records them. */
  duplicateChunks?: (ChunkRange & { worker: string })[];
};
