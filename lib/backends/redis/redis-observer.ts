// The coordinator's view of a run on Redis: new results, dead letters, queue figures,
// immediate reclaim of a dead worker's chunks, and a purge of this run's data only.
import type { Redis } from "ioredis";
import type { BackendOptions, ChunkResult, DeadLetterRecord, QueueStats, RunObserver, RunPlan } from "../backend.ts";
import { parseBestPoints, type BestPoints } from "../../results/best-points.ts";
import { decodeResultBatch } from "../result-batch.ts";
import { RELEASE_LEASE, runLua } from "./lua-scripts.ts";
import { connectRedis } from "./redis-connection.ts";
import { ALIVE_TTL_MS, allRunKeys, BEST_FIELD, countAccepted, FAILED_PARAMS_FIELD, HAND_BACK_IDLE_MS, ORPHANS, redisKeys, type RedisKeys } from "./redis-keys.ts";
import { loadRun, readRunMeta } from "./redis-loader.ts";
import { fieldsToRecord } from "./task-codec.ts";

type StreamEntry = [id: string, fields: string[]];
const PAGE = 2000;
/**
 * Results are read a few entries at a time. An entry is one worker batch (up to a few hundred
 * chunks' aggregates, or ~65,000 parameters' values), so a page is never the whole run's.
 */
const RESULTS_PAGE = 4;


export class RedisObserver implements RunObserver {
  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #o: BackendOptions;
  #lastResultId = "0-0";

  constructor(client: Redis, options: BackendOptions) {
    this.#client = client;
    this.#o = options;
    this.#keys = redisKeys(options.namespace, options.runId);
  }

  get keys(): RedisKeys {
    return this.#keys;
  }

  /** Loads the run; a coordinator (not a monitor) marks it alive at once, so no cleanup takes it for abandoned before the first poll. */
  async ensureLoaded(plan: RunPlan): Promise<void> {
    await loadRun(this.#client, this.#keys, plan);
    if (!this.#o.passive) await this.#client.set(this.#keys.alive, new Date().toISOString(), "PX", ALIVE_TTL_MS);
  }

  async describeRun(): Promise<RunPlan | undefined> {
    const meta = await readRunMeta(this.#client, this.#keys);
    if (!meta) return undefined;
    return { runId: this.#o.runId, totalChunks: meta.totalChunks, chunkSize: meta.chunkSize, totalParameters: meta.totalParameters };
  }

  /** The next results in the stream (at most a page: call again until it returns none). */
  async readNewResults(): Promise<ChunkResult[]> {
    const out: ChunkResult[] = [];
    for (;;) {
      const page = (await this.#client.xrange(this.#keys.results, `(${this.#lastResultId}`, "+", "COUNT", RESULTS_PAGE)) as StreamEntry[];
      for (const [id, fields] of page) {
        this.#lastResultId = id;
        const r = fieldsToRecord(fields);
        if (r.run_id !== this.#o.runId || !r.data) continue;
        try {
          const discard = new Set((r.discard ?? "").split(",").filter(Boolean).map(Number));
          for (const result of decodeResultBatch(r.data)) if (!discard.has(result.chunkId)) out.push(result);
        } catch (error) {
          this.#o.log?.("warn", `unreadable result entry ${id} skipped: ${(error as Error).message}`);
        }
      }
      // Entries of other runs are skipped; stop at the first page that holds any of ours.
      if (out.length > 0 || page.length < RESULTS_PAGE) return out;
    }
  }

  async deadLetters(): Promise<DeadLetterRecord[]> {
    const out: DeadLetterRecord[] = [];
    let from = "-";
    for (;;) {
      const page = (await this.#client.xrange(this.#keys.dlq, from, "+", "COUNT", PAGE)) as StreamEntry[];
      for (const [, fields] of page) {
        const r = fieldsToRecord(fields);
        if (r.run_id !== this.#o.runId) continue;
        const num = (v: string | undefined) => (v === undefined || v === "" ? null : Number(v));
        out.push({
          runId: r.run_id,
          chunkId: num(r.chunk_id),
          start: num(r.start),
          end: num(r.end),
          attempts: Number(r.attempts ?? 0),
          error: r.error ?? "",
          ...(r.raw ? { raw: r.raw } : {}),
        });
      }
      if (page.length < PAGE) return out;
      from = `(${page.at(-1)?.[0]}`;
    }
  }

  async stats(): Promise<QueueStats> {
    const k = this.#keys;
    const [accepted, , dead, duplicates, streamLength, resultsLength, dlqLength, meta, failedParams, best] = await Promise.all([
      countAccepted(this.#client, k),
      // The coordinator's sign of life (a monitor only looks): cleanup leaves an active run alone.
      this.#o.passive ? undefined : this.#client.set(k.alive, new Date().toISOString(), "PX", ALIVE_TTL_MS),
      this.#client.hlen(k.dead),
      this.#client.hget(k.stats, "duplicates"),
      this.#client.xlen(k.tasks),
      this.#client.xlen(k.results),
      this.#client.xlen(k.dlq),
      readRunMeta(this.#client, k),
      this.#client.hget(k.stats, FAILED_PARAMS_FIELD),
      // Only watchers read it back; the coordinator publishes it.
      this.#o.passive ? this.#client.hget(k.stats, BEST_FIELD) : undefined,
    ]);
    const inFlight: Record<string, number> = {};
    let pendingTotal = 0;
    try {
      const summary = (await this.#client.xpending(k.tasks, k.group)) as [number, string | null, string | null, [string, string][] | null];
      pendingTotal = Number(summary[0] ?? 0);
      for (const [consumer, count] of summary[3] ?? []) inFlight[consumer] = Number(count);
    } catch (error) {
      if (!String((error as Error).message).includes("NOGROUP")) throw error;
    }
    let activeWorkers = 0;
    const staleHolders: Record<string, number> = {};
    try {
      const consumers = (await this.#client.xinfo("CONSUMERS", k.tasks, k.group)) as unknown[][];
      // Active: seen within the last few reclaim thresholds (not every consumer ever registered).
      for (const c of consumers) {
        const info = fieldsToRecord(c.map(String));
        if (info.name === undefined || info.name === ORPHANS) continue;
        const idle = Number(info.idle);
        if (idle < Math.max(5000, 4 * this.#o.staleThresholdMs)) activeWorkers++;
        // A holder renews its lease while it computes: one silent past the threshold is gone or frozen.
        if (Number(info.pending) > 0 && idle >= this.#o.staleThresholdMs) staleHolders[info.name] = idle;
      }
    } catch {
      activeWorkers = 0;
    }
    return {
      accepted,
      failedParams: Number(failedParams ?? 0),
      duplicates: Number(duplicates ?? 0),
      deadLettered: dead,
      pending: Math.max(0, streamLength - pendingTotal) + (inFlight[ORPHANS] ?? 0),
      inFlight: Object.fromEntries(Object.entries(inFlight).filter(([c]) => c !== ORPHANS)),
      extra: {
        streamLength,
        resultsLength,
        dlqLength,
        pendingEntries: pendingTotal,
        activeWorkers,
        loadedChunks: meta?.loadedUpTo ?? 0,
        totalChunks: meta?.totalChunks ?? 0,
        chunkSize: meta?.chunkSize ?? 0,
        totalParameters: meta?.totalParameters ?? 0,
      },
      health: { loadedChunks: meta?.loadedUpTo ?? 0, consumers: activeWorkers, staleHolders, staleThresholdMs: this.#o.staleThresholdMs },
      ...withBest(best),
    };
  }

  async publishBest(best: BestPoints): Promise<void> {
    await this.#client.hset(this.#keys.stats, BEST_FIELD, JSON.stringify(best));
  }

  /** Hands a dead worker's entries to a placeholder consumer, idle past any threshold, so the next check takes them. */
  async reclaimFrom(workerId: string): Promise<number> {
    const k = this.#keys;
    let moved = 0;
    try {
      const pending = (await this.#client.xpending(k.tasks, k.group, "-", "+", 1000, workerId)) as [string, string, number, number][];
      for (const [id] of pending) {
        await this.#client.xclaim(k.tasks, k.group, ORPHANS, 0, id, "IDLE", HAND_BACK_IDLE_MS, "JUSTID");
        moved++;
      }
      await this.#client.xgroup("DELCONSUMER", k.tasks, k.group, workerId);
      // A dead reclaimer's lease would hold its successor off until it expired.
      await runLua(this.#client, RELEASE_LEASE, [k.reclaimer], [workerId]);
    } catch (error) {
      if (!String((error as Error).message).includes("NOGROUP")) throw error;
    }
    return moved;
  }

  /** Deletes every key of this run (no other run's entries live in them). */
  async purge(): Promise<void> {
    await this.#client.unlink(...allRunKeys(this.#keys));
  }

  async close(): Promise<void> {
    try {
      // The coordinator is gone: its run no longer counts as watched (cleanup may take a finished
      // one). Only on a live connection: commands wait for a reconnect, and close must not.
      if (!this.#o.passive && this.#client.status === "ready") await this.#client.unlink(this.#keys.alive).catch(() => undefined);
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }
}

function withBest(text: string | null | undefined): { best?: BestPoints } {
  const best = text ? parseBestPoints(text) : undefined;
  return best ? { best } : {};
}

export async function createRedisObserver(options: BackendOptions): Promise<RedisObserver> {
  const client = await connectRedis({ ...options, name: "ttg-coordinator", connectTimeoutMs: 3000 });
  return new RedisObserver(client, options);
}
