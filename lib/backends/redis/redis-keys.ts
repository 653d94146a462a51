// Every Redis key TTG uses, derived from the namespace ("ttg" gives ttg:tasks) and run id.
export type RedisKeys = {
  tasks: string;
  results: string;
  dlq: string;
  group: string;
  /** Hash: the run's plan and how far loading got (loadedUpTo). */
  meta: string;
  /** Hash chunkId -> worker: the one accepted result per chunk. */
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

/** Idle time given to an entry handed back on purpose: past any worker's stale threshold. */
export const HAND_BACK_IDLE_MS = 7 * 24 * 3600 * 1000;
