// Every Redis key TTG uses, derived from the namespace ("ttg" gives ttg:tasks) and run id.
import type { Redis } from "ioredis";
export type RedisKeys = {
  tasks: string;
  results: string;
  dlq: string;
  group: string;
  /** Hash: the run's plan and how far loading got (loadedUpTo). */
  meta: string;
  /**
   * Bitmap: bit chunkId is set once a result for that chunk was accepted (countAccepted reads it).
   * A bit per chunk: 1.25 MB for ten million chunks, where a hash field per chunk cost ~70 bytes.
   */
  done: string;
  /** Hash chunkId -> last error: dead-lettered chunks. */
  dead: string;
  /** Hash chunkId -> last error of a failed attempt. */
  errors: string;
  /** Hash of counters (duplicates). */
  stats: string;
};

export function redisKeys(namespace: string, runId: string): RedisKeys {
  const run = `${namespace}:run:${runId}`;
  return {
    tasks: `${namespace}:tasks`,
    results: `${namespace}:results`,
    dlq: `${namespace}:dlq`,
    group: `${namespace}-workers`,
    meta: `${run}:meta`,
    done: `${run}:done`,
    dead: `${run}:dead`,
    errors: `${run}:errors`,
    stats: `${run}:stats`,
  };
}

/** How many of the run's chunks have an accepted result. */
export function countAccepted(client: Redis, keys: RedisKeys): Promise<number> {
  return client.bitcount(keys.done);
}

/** Idle time given to an entry handed back on purpose: past any worker's stale threshold. */
export const HAND_BACK_IDLE_MS = 7 * 24 * 3600 * 1000;
