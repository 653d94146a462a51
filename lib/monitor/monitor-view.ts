// One monitor reading of a run, with the figures derived from it (params done for any
// chunk size, throughput between readings, ETA) and the run's state as the broker sees it.
import type { QueueStats } from "../backends/backend.ts";
import type { RunState } from "../backends/run-listing.ts";

export type MonitorReading = {
  at: Date;
  backend: "redis" | "rabbitmq";
  runId: string;
  totalChunks: number;
  totalParameters: number;
  chunkSize: number;
  stats: QueueStats;
  /** active / finished / abandoned and why (lib/backends/run-listing.ts), when known. */
  state?: { state: RunState; why: string };
};

export type MonitorView = MonitorReading & {
  paramsDone: number;
  paramsPerSecond: number | null;
  etaSeconds: number | null;
  settled: boolean;
};

/** Params covered by `accepted` chunks; only the last chunk may be short, and it is counted as such only if in doubt. */
export function paramsForChunks(accepted: number, totalChunks: number, chunkSize: number, totalParameters: number): number {
  if (accepted >= totalChunks) return totalParameters;
  return Math.min(totalParameters, accepted * chunkSize);
}

/**
 * Params/s since the previous reading, smoothed so one quiet interval does not swing the ETA.
 * None across a reset (chunks done went down or the plan changed: a purge, a reload under the
 * same id): the old figures say nothing about the new ones, and a difference would be negative.
 */
function throughput(reading: MonitorReading, paramsDone: number, previous: MonitorView | undefined, startedAt: Date | undefined): number | null {
  if (previous && reading.at > previous.at) {
    if (paramsDone < previous.paramsDone || reading.totalChunks !== previous.totalChunks) return null;
    const rate = (paramsDone - previous.paramsDone) / ((reading.at.getTime() - previous.at.getTime()) / 1000);
    return previous.paramsPerSecond === null ? rate : 0.5 * rate + 0.5 * previous.paramsPerSecond;
  }
  if (startedAt && reading.at > startedAt) return paramsDone / ((reading.at.getTime() - startedAt.getTime()) / 1000);
  return null;
}

export function deriveView(reading: MonitorReading, previous: MonitorView | undefined, startedAt: Date | undefined): MonitorView {
  const paramsDone = paramsForChunks(reading.stats.accepted, reading.totalChunks, reading.chunkSize, reading.totalParameters);
  const rate = throughput(reading, paramsDone, previous, startedAt);
  const settled = reading.stats.accepted + reading.stats.deadLettered >= reading.totalChunks && reading.totalChunks > 0;
  const remaining = reading.totalParameters - paramsDone;
  // Nobody works on an abandoned run: no ETA, however fast it once went.
  const live = reading.state?.state !== "abandoned";
  const etaSeconds = settled ? 0 : live && rate !== null && rate > 0 ? remaining / rate : null;
  return { ...reading, paramsDone, paramsPerSecond: rate, etaSeconds, settled };
}
