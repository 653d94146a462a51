// The bench's results file (bench/results/<stamp>.json): the source of truth the Markdown renders.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { Mode } from "./bench-plan.ts";
import type { ChunkSizeResult } from "./chunk-size.ts";
import type { ComputeCmdResult } from "./compute-cmd.ts";
import type { CpuBound, EfficiencyFigure } from "./efficiency.ts";
import type { FleetFigure } from "./fleet-efficiency.ts";
import type { CodeVersion, MachineInfo } from "./machine-info.ts";
import type { OverheadResult } from "./overhead.ts";
import type { RecoveryFigure } from "./recovery.ts";
import type { IdleCostResult } from "./idle-cost.ts";
import type { ScaleFigure } from "./scale.ts";
import type { StartupFigure } from "./worker-startup.ts";
import type { SweepScaleFigure } from "./sweep-scale.ts";
import type { TargetCheck } from "./targets.ts";

/** A figure that was not measured, and why (backend missing, phase failed, skipped in --quick). */
export type Unavailable = { unavailable: string };

export type Maybe<T> = T | Unavailable;

export function isUnavailable(x: unknown): x is Unavailable {
  return typeof x === "object" && x !== null && "unavailable" in x;
}

export type BackendStatus = { available: boolean; url: string; reason?: string };

export type BenchReport = {
  schema: "ttg-bench/1";
  mode: Mode;
  command: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  code: CodeVersion;
  conditions: string[];
  backends: Record<BackendName, BackendStatus>;
  overhead: Record<BackendName, Maybe<OverheadResult>>;
  efficiency: {
    startupCounting: string;
    sleepBound: Record<BackendName, Maybe<EfficiencyFigure>>;
    cpuBound: Maybe<CpuBound>;
    /** Many local workers, sleep-bound (optional: absent in older reports). */
    fleet?: Record<BackendName, Maybe<FleetFigure>>;
  };
  recovery: { settings: string; byBackend: Record<BackendName, Maybe<RecoveryFigure[]>> };
  scale: { chunkSizeReason: string; byBackend: Record<BackendName, Maybe<ScaleFigure[]>> };
  /** Redis, --results params, the same run at two sizes (optional: absent in older reports). */
  resultsMemory?: Maybe<ScaleFigure[]>;
  chunkSize: Maybe<ChunkSizeResult>;
  /** Broker commands/s and CPU per idle worker (optional: absent in older reports). */
  idleCost?: Record<BackendName, Maybe<IdleCostResult>>;
  /** Spawn to first chunk taken for a local worker, on Redis (optional: absent in older reports). */
  startup?: Maybe<StartupFigure>;
  /** A grid sweep file of millions of points with --results none, per backend (optional: absent in older reports). */
  sweepScale?: Record<BackendName, Maybe<SweepScaleFigure>>;
  /** Zero-work through COMPUTE_COMMAND beside the module path, on Redis (optional: absent in older reports). */
  computeCmd?: Maybe<ComputeCmdResult>;
  targets: TargetCheck[];
};
