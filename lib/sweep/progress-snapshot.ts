// What the demo and the monitor show while a run is under way.
export type ProgressSnapshot = {
  chunksDone: number;
  chunksExpected: number;
  paramsDone: number;
  paramsTotal: number;
  /** Chunks held by a worker right now, by worker id (when the backend knows). */
  inFlight: Record<string, number>;
  pending: number;
  deadLettered: number;
  duplicates: number;
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
