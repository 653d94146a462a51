// Every Redis key of a run, derived from the namespace and the run id: the original's names plus the run
// id (ttg:tasks:<run>, ttg:results:<run>, ttg:dlq:<run>) and the run's bookkeeping under
// ttg:run:<run>:*. A run id never holds ':', so no two runs' keys can meet, and the consumer group
// (ttg-workers, the original's name) lives on the run's own stream.
import type { Redis } from "ioredis";
import { isRunId } from "../../config/run-id.ts";
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
  /** String with a short expiry, renewed by the run's coordinator while it watches the run. */
  alive: string;
  /** String with a short expiry: the worker that looks for abandoned chunks, one at a time (SET NX PX). */
  reclaimer: string;
  /** Pub/sub channel, not a key: the run's end, told once to the idle workers subscribed to it. */
  settledChannel: string;
};

/** Field of the run's stats hash counting failed parameters of accepted chunks. */
export const FAILED_PARAMS_FIELD = "failed_params";

/** Field of the run's stats hash holding the coordinator's best points so far (JSON, about 2 KB). */
export const BEST_FIELD = "best";

export function redisKeys(namespace: string, runId: string): RedisKeys {
  const run = `${namespace}:run:${runId}`;
  return {
    tasks: `${namespace}:tasks:${runId}`,
    results: `${namespace}:results:${runId}`,
    dlq: `${namespace}:dlq:${runId}`,
    group: `${namespace}-workers`,
    meta: `${run}:meta`,
    done: `${run}:done`,
    dead: `${run}:dead`,
    errors: `${run}:errors`,
    stats: `${run}:stats`,
    alive: `${run}:alive`,
    reclaimer: `${run}:reclaimer`,
    settledChannel: `${run}:settled`,
  };
}

/** Every key the run may have (what removing the run deletes). */
export function allRunKeys(keys: RedisKeys): string[] {
  return [keys.tasks, keys.results, keys.dlq, keys.meta, keys.done, keys.dead, keys.errors, keys.stats, keys.alive, keys.reclaimer];
}

/** How many of the run's chunks have an accepted result. */
export function countAccepted(client: Redis, keys: RedisKeys): Promise<number> {
  return client.bitcount(keys.done);
}

/** How long the coordinator's alive key outlives its last renewal (it renews at every poll). */
export const ALIVE_TTL_MS = 15_000;

/** Consumer that holds entries handed back by the coordinator; always reclaimable, never a worker. */
export const ORPHANS = "orphaned";

/** Idle time given to an entry handed back on purpose: past any worker's stale threshold. */
export const HAND_BACK_IDLE_MS = 7 * 24 * 3600 * 1000;

/** The streams every run of a namespace shared before runs were isolated (removed by cleanup). */
export function legacyKeys(namespace: string): string[] {
  return ["tasks", "results", "dlq"].map((k) => `${namespace}:${k}`);
}

export type KeyOwner = { kind: "run"; runId: string } | { kind: "legacy" };

/** Whose a key of the namespace is: one run's, the old shared layout's, or not TTG's (undefined). */
export function keyOwner(key: string, namespace: string): KeyOwner | undefined {
  if (legacyKeys(namespace).includes(key)) return { kind: "legacy" };
  if (!key.startsWith(`${namespace}:`)) return undefined;
  const parts = key.slice(namespace.length + 1).split(":");
  const [kind, runId, field] = parts;
  const stream = (kind === "tasks" || kind === "results" || kind === "dlq") && parts.length === 2;
  const book = kind === "run" && parts.length === 3 && ["meta", "done", "dead", "errors", "stats", "alive", "reclaimer"].includes(field ?? "");
  return (stream || book) && runId !== undefined && isRunId(runId) ? { kind: "run", runId } : undefined;
}
