// What the demo and the monitor show while a run is under way.
import type { BrokerHealth } from "../backends/backend.ts";
import type { BestSoFar } from "../results/best-points.ts";

export type ProgressSnapshot = {
  chunksDone: number;
  chunksExpected: number;
  /** Chunks the broker counts as done: ahead of chunksDone while the coordinator is behind its workers (queue backends). */
  chunksDoneOnBroker?: number;
  paramsDone: number;
  paramsTotal: number;
  /** Chunks held by a worker right now, by worker id (when the backend knows). */
  inFlight: Record<string, number>;
  pending: number;
  deadLettered: number;
  duplicates: number;
  /** Parameters evaluated without a value (an error, a timeout, a crash), when the driver knows. */
  failedParams?: number;
  /** The broker's side of a stall (queue backends). */
  broker?: BrokerHealth;
  /** The lowest and highest value accepted so far, with their points (once there is a value). */
  best?: BestSoFar;
  /** The chunk held longest by a worker, from the workers' "took" lines (when they log them). */
  longestHeld?: { worker: string; chunkId: number; seconds: number };
};

export function emptySnapshot(chunksExpected: number, paramsTotal: number): ProgressSnapshot {
  return {
    chunksDone: 0,
    chunksExpected,
    paramsDone: 0,
    paramsTotal,
    inFlight: {},
    pending: chunksExpected,
    deadLettered: 0,
    duplicates: 0,
  };
}

/** Where a sweep shows its progress (the demo's live line; tests record it). */
export type ProgressView = {
  /** Redraws the line; `note` (why nothing is accepted) goes at its end. */
  update(snap: ProgressSnapshot, elapsedSeconds: number, note?: string): void;
  /** Prints a message above the bar. */
  say(line: string): void;
  done(snap: ProgressSnapshot, elapsedSeconds: number): void;
};
