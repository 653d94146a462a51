// What a worker tells its metrics about chunks. NO_METRICS when METRICS_PORT is unset: nothing
// is counted and prom-client is never loaded, so a worker without metrics starts faster.
export type ChunkMetrics = {
  /** The worker took a chunk and starts computing it. */
  chunkStarted(): void;
  /** A chunk's result was published: `seconds` it took, `params` it covered. */
  chunkFinished(seconds: number, params: number): void;
  /** A chunk threw or could not be published; it will be retried or dead-lettered. */
  chunkFailed(): void;
  /** A chunk was given up without a result or a failure (shutdown, lost lease); only clears busy. */
  chunkAbandoned(): void;
  /** The backend reported this worker's result as a second copy, discarded. */
  chunkDuplicate(): void;
};

const ignore = (): void => undefined;

export const NO_METRICS: ChunkMetrics = {
  chunkStarted: ignore,
  chunkFinished: ignore,
  chunkFailed: ignore,
  chunkAbandoned: ignore,
  chunkDuplicate: ignore,
};
