// One monitor reading of a run, with the figures derived from it (params done for any
// chunk size, throughput between readings, ETA).
import type { QueueStats } from "../backends/backend.ts";

export type MonitorReading = {
  at: Date;
  backend: "redis" | "rabbitmq";
  runId: string;
  totalChunks: number;
  totalParameters: number;
  chunkSize: number;
  stats: QueueStats;
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

export function deriveView(reading: MonitorReading, previous: MonitorView | undefined, startedAt: Date | undefined): MonitorView {
  const paramsDone = paramsForChunks(reading.stats.accepted, reading.totalChunks, reading.chunkSize, reading.totalParameters);
  let rate: number | null = null;
  if (previous && reading.at > previous.at) {
    rate = (paramsDone - previous.paramsDone) / ((reading.at.getTime() - previous.at.getTime()) / 1000);
    // Smooth between readings so one quiet interval does not swing the ETA.
    if (previous.paramsPerSecond !== null) rate = 0.5 * rate + 0.5 * previous.paramsPerSecond;
  } else if (startedAt && reading.at > startedAt) {
    rate = paramsDone / ((reading.at.getTime() - startedAt.getTime()) / 1000);
  }
  const settled = reading.stats.accepted + reading.stats.deadLettered >= reading.totalChunks && reading.totalChunks > 0;
  const remaining = reading.totalParameters - paramsDone;
  const etaSeconds = settled ? 0 : rate && rate > 0 ? remaining / rate : null;
  return { ...reading, paramsDone, paramsPerSecond: rate, etaSeconds, settled };
}
