// A worker's side of the Redis Streams backend: read new chunks, reclaim abandoned ones
// (XAUTOCLAIM, one reclaimer at a time per run), renew the lease while computing, accept-and-ack
// atomically, dead-letter poison; once out of work, hear the run's end on its settled channel.
import type { Redis } from "ioredis";
import { IDLE_PROBE_MS, type BackendOptions, type ChunkTask, type Completion, type Delivery, type RunPlan, type Verdict, type WorkerQueue } from "../backend.ts";
import { encodeResultBatch } from "../result-batch.ts";
import { COMPLETE, DEAD_LETTER, FETCH_NEW, MARK_IF_SETTLED, RELEASE_LEASE, RENEW, RENEW_LEASE, runLua, SETTLED_MARK } from "./lua-scripts.ts";
import { connectRedis } from "./redis-connection.ts";
import { FAILED_PARAMS_FIELD, HAND_BACK_IDLE_MS, redisKeys, type RedisKeys } from "./redis-keys.ts";
import { ensureGroup, loadRun } from "./redis-loader.ts";
import { decodeTask, decodeTaskValues, describeRaw, fieldsToRecord } from "./task-codec.ts";

type RedisDelivery = Delivery & { entryId: string };


type StreamEntry = [id: string, fields: string[] | null];

/** A chunk read by FETCH_NEW: first delivery, fields in the loader's shape. A class, so a batch of thousands shares one getter. */
class FetchedDelivery implements RedisDelivery {
  readonly deliveryCount = 1;
  readonly entryId: string;
  readonly task: ChunkTask;

  constructor(entryId: string, task: ChunkTask) {
    this.entryId = entryId;
    this.task = task;
  }

  get raw(): string {
    const t = this.task;
    return describeRaw({ run_id: t.runId, chunk_id: String(t.chunkId), start: String(t.start), end: String(t.end) });
  }
}

export class RedisWorkerQueue implements WorkerQueue {
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #keys: RedisKeys;
  readonly #o: BackendOptions;
  readonly #idleProbeMs: number;
  #plan: RunPlan | undefined;
  /** Every chunk of the run is in the stream (ensureLoaded returned). */
  #loaded = false;
  /** Took chunks at the last read: looks at the reclaimer's pace, to take over a dead peer's work quickly. */
  #busy = true;
  #workedAt = 0;
  /** Loaded and this worker saw no new chunk: only reclaimed chunks are left to take. */
  #drained = false;
  /** Holds the run's reclaimer lease (renewed at leaseAt). */
  #holder = false;
  #leaseAt = 0;
  #lookedAt = 0;
  #settled = false;
  #settledCheckAt = 0;
  /** Subscribed to the run's settled channel (once drained: the reader has no more reads to do). */
  #listening: Promise<void> | undefined;
  /** A message came on the settled channel: settled() checks the mark before believing it. */
  #heard = false;
  /** Ends the pause between looks early: the run's end was heard. */
  #wake: (() => void) | undefined;

  constructor(client: Redis, reader: Redis, options: BackendOptions) {
    this.#client = client;
    this.#reader = reader;
    this.#o = options;
    this.#idleProbeMs = options.idleProbeMs ?? IDLE_PROBE_MS;
    this.#keys = redisKeys(options.namespace, options.runId);
  }

  async ensureLoaded(plan: RunPlan): Promise<void> {
    this.#plan = plan;
    await loadRun(this.#client, this.#keys, plan);
    this.#loaded = true;
  }

  async next(blockMs: number, max: number): Promise<Delivery[]> {
    // A worker that is not the reclaimer sends its read beside its try for the lease: one round
    // trip between two chunks instead of two (one that becomes the reclaimer reclaims at its next look).
    const early = this.#holder || this.#drained ? undefined : this.#fetchNew(max);
    early?.catch(() => undefined); // awaited below; this only keeps a failure during the lease try from counting as unhandled
    const abandoned = await this.#houseKeep();
    const fetchedEarly = await early;
    if (fetchedEarly && fetchedEarly.length > 0) return this.#took(fetchedEarly);
    if (abandoned) {
      const reclaimed = await this.#reclaim(max, abandoned);
      if (reclaimed.length > 0) return this.#took(reclaimed);
    }
    if (!this.#drained) {
      // What is there already comes in one string; only an empty stream waits in a blocking read.
      const fetched = fetchedEarly ?? (await this.#fetchNew(max));
      if (fetched.length > 0) return this.#took(fetched);
      // Every chunk loaded and none new: no entry will ever be added, so no more reads.
      this.#drained = this.#loaded;
      if (!this.#drained) {
        const reply = (await this.#readNew(blockMs, max)) as [string, StreamEntry[]][] | null;
        return this.#took((reply?.[0]?.[1] ?? []).map((entry) => this.#delivery(entry[0], entry[1] ?? [], 1)));
      }
    }
    this.#busy = false;
    // Nothing to read: wait for the next look without a command, or for the run's end, pushed.
    if (this.#drained) await this.#listen();
    if (!this.#settled && !this.#heard) await this.#pause(Math.max(1, this.#lookedAt + this.#lookEveryMs() - Date.now()));
    return [];
  }

  /** True once the run's end reached this worker (pushed, or seen at a look): settled() answers at once. */
  settledHeard(): boolean {
    return this.#settled || this.#heard;
  }

  /**
   * Subscribes the reader (drained: it will never read again) to the run's settled channel, so an
   * idle worker leaves as soon as the run settles, not at its next look up to IDLE_PROBE_SECONDS
   * later. The mark is read once after subscribing: a run that settled just before is not missed.
   * A message only ends the pause: settled() believes it once the mark is there.
   * Without the subscription (a failure) the looks still find the end.
   */
  #listen(): Promise<void> {
    this.#listening ??= (async () => {
      const channel = this.#keys.settledChannel;
      this.#reader.on("message", (from: string) => {
        if (from !== channel) return;
        this.#heard = true;
        this.#wake?.();
      });
      try {
        await this.#reader.subscribe(channel);
        this.#settled ||= await this.#markSet();
      } catch (error) {
        this.#o.log?.("debug", `not listening for the run's end (${(error as Error).message}); the idle looks will find it`);
      }
    })();
    return this.#listening;
  }

  /** Whether the run's settled mark is in the reclaimer key (written before the channel's message). */
  async #markSet(): Promise<boolean> {
    return (await this.#client.get(this.#keys.reclaimer)) === SETTLED_MARK;
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #took(deliveries: Delivery[]): Delivery[] {
    this.#busy = deliveries.length > 0;
    if (this.#busy) this.#workedAt = Date.now();
    return deliveries;
  }

  /** The reclaimer and a worker between chunks look every STALE_CHECK_INTERVAL; an idle worker every idle probe (IDLE_PROBE_SECONDS). */
  #lookEveryMs(): number {
    return this.#holder || this.#busy ? this.#o.staleCheckIntervalMs : Math.max(this.#idleProbeMs, this.#o.staleCheckIntervalMs);
  }

  /**
   * When due: try for the reclaimer lease (one SET NX GET), renew it when held; the holder also
   * checks now and then whether the run is settled. Returns the first abandoned entry the holder
   * sees, or "".
   */
  async #houseKeep(): Promise<string> {
    const now = Date.now();
    if (now - this.#lookedAt < this.#lookEveryMs()) return "";
    this.#lookedAt = now;
    const k = this.#keys;
    const leaseMs = Math.max(1000, 5 * this.#o.staleCheckIntervalMs);
    if (!this.#holder) {
      const before = await this.#client.set(k.reclaimer, this.#o.consumer, "PX", leaseMs, "NX", "GET");
      this.#holder = before === null;
      if (this.#holder) this.#leaseAt = now;
      else this.#settled ||= before === SETTLED_MARK;
    } else if (now - this.#leaseAt >= leaseMs / 2) {
      const current = await runLua(this.#client, RENEW_LEASE, [k.reclaimer], [this.#o.consumer, leaseMs]);
      this.#holder = current === this.#o.consumer;
      this.#leaseAt = now;
      this.#settled ||= current === SETTLED_MARK;
    }
    if (!this.#holder) return "";
    // A backstop: the worker that finishes the last chunk usually marks the run settled first.
    if (this.#plan && now - this.#settledCheckAt >= this.#idleProbeMs) await this.#markIfSettled(this.#plan);
    return this.#firstAbandoned();
  }

  /** The first entry idle past the stale threshold; XAUTOCLAIM starts there. */
  async #firstAbandoned(): Promise<string> {
    const k = this.#keys;
    // XAUTOCLAIM walks the pending entries at a few µs each even when none is idle (16 ms with 4,000
    // in flight, Redis 7.0); XPENDING's IDLE filter answers "is anything abandoned?" for a fiftieth of that.
    try {
      const idle = (await this.#client.xpending(k.tasks, k.group, "IDLE", this.#o.staleThresholdMs, "-", "+", 1)) as [string, ...unknown[]][];
      return idle[0]?.[0] ?? "";
    } catch (error) {
      if (!String((error as Error).message).includes("NOGROUP")) throw error;
      return "";
    }
  }

  async #markIfSettled(plan: RunPlan): Promise<boolean> {
    const k = this.#keys;
    this.#settledCheckAt = Date.now();
    this.#settled ||= Number(await runLua(this.#client, MARK_IF_SETTLED, [k.meta, k.done, k.dead, k.reclaimer], [plan.totalChunks, k.settledChannel])) === 1;
    return this.#settled;
  }

  async #fetchNew(max: number): Promise<Delivery[]> {
    const k = this.#keys;
    let text: string;
    try {
      text = String(await runLua(this.#client, FETCH_NEW, [k.tasks], [k.group, this.#o.consumer, Math.max(1, max)]));
    } catch (error) {
      if (!String((error as Error).message).includes("NOGROUP")) throw error;
      await ensureGroup(this.#client, k);
      return [];
    }
    if (text === "") return [];
    const out: Delivery[] = [];
    for (const line of text.split("\n")) {
      const words = line.split(" ");
      const task = words.length === 5 ? decodeTaskValues(words[1], words[2], words[3], words[4]) : undefined;
      // Anything but a plain chunk (another shape, odd values) is read whole, to describe or dead-letter it.
      out.push(task ? new FetchedDelivery(words[0]!, task) : await this.#readWhole(words[0]!));
    }
    return out;
  }

  /** An entry FETCH_NEW could not put on one line, read with all its fields. */
  async #readWhole(entryId: string): Promise<Delivery> {
    const [entry] = (await this.#client.xrange(this.#keys.tasks, entryId, entryId)) as StreamEntry[];
    return this.#delivery(entryId, entry?.[1] ?? [], 1);
  }

  async #readNew(blockMs: number, max: number): Promise<unknown> {
    const k = this.#keys;
    const read = () =>
      this.#reader.xreadgroup("GROUP", k.group, this.#o.consumer, "COUNT", Math.max(1, max), "BLOCK", Math.max(1, Math.round(blockMs)), "STREAMS", k.tasks, ">");
    try {
      return await read();
    } catch (error) {
      // The stream or group is gone (a cleanup, a broker restart without persistence): recreate and go on.
      if (!String((error as Error).message).includes("NOGROUP")) throw error;
      await ensureGroup(this.#client, k);
      return null;
    }
  }

  /** Takes over up to `max` entries whose holders stopped renewing their leases, from `cursor` (the first one the probe saw); dead-letters poison. */
  async #reclaim(max: number, from: string): Promise<Delivery[]> {
    const k = this.#keys;
    const taken: Delivery[] = [];
    let cursor = from;
    for (let round = 0; round < 10 && taken.length === 0 && cursor !== "0-0"; round++) {
      const [next, entries] = (await this.#client.xautoclaim(
        k.tasks,
        k.group,
        this.#o.consumer,
        this.#o.staleThresholdMs,
        cursor,
        "COUNT",
        Math.max(1, max),
      )) as [string, StreamEntry[]];
      cursor = next;
      const live = entries.filter((e) => e[1] !== null);
      if (live.length === 0) continue;
      const counts = await this.#deliveryCounts(live.map((e) => e[0]));
      for (const entry of live) {
        const count = counts.get(entry[0]) ?? 1;
        const delivery = this.#delivery(entry[0], entry[1] ?? [], count);
        this.#o.log?.("info", `reclaimed an abandoned chunk`, { chunk: delivery.task?.chunkId, delivery: count });
        if (count <= this.#o.maxDeliveries) {
          taken.push(delivery);
          continue;
        }
        const lastError =
          (delivery.task && (await this.#client.hget(k.errors, String(delivery.task.chunkId)))) ??
          `abandoned ${count - 1} times (its worker died or froze while holding it)`;
        await this.#deadLetter(delivery, lastError, count - 1);
      }
    }
    return taken;
  }

  /** Delivery counts of entries this consumer just claimed (XAUTOCLAIM does not return them). */
  async #deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const k = this.#keys;
    const pending = (await this.#client.xpending(k.tasks, k.group, ids[0]!, ids.at(-1)!, ids.length * 4, this.#o.consumer)) as [
      string,
      string,
      number,
      number,
    ][];
    return new Map(pending.map((p) => [p[0], Number(p[3])]));
  }

  #delivery(entryId: string, fields: string[], deliveryCount: number): RedisDelivery {
    const record = fieldsToRecord(fields);
    // raw is read only for a message that is not a chunk: described on demand, not for every delivery.
    return { entryId, task: decodeTask(record), deliveryCount, get raw() { return describeRaw(record); } };
  }

  async renew(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map((d) => (d as RedisDelivery).entryId);
    const lost = (await runLua(this.#client, RENEW, [this.#keys.tasks], [this.#keys.group, this.#o.consumer, ...ids])) as number[];
    return lost.map((position) => deliveries[Number(position) - 1]!);
  }

  async complete(completions: readonly Completion[]): Promise<Verdict[]> {
    if (completions.length === 0) return [];
    const k = this.#keys;
    const verdicts = String(await runLua(this.#client, COMPLETE, [k.tasks, k.results, k.done, k.stats], [
      k.group,
      this.#o.consumer,
      this.#o.runId,
      encodeResultBatch(completions.map((c) => c.result)),
      completions.map((c) => (c.delivery as RedisDelivery).entryId).join(","),
      completions.map((c) => c.result.chunkId).join(","),
    ]));
    // "" is the usual answer: every chunk accepted.
    const out: Verdict[] = completions.map((_, i) => (verdicts[i] === "0" ? "duplicate" : "accepted"));
    // Failed parameters of accepted chunks, for the monitor: a round trip only when there are some.
    let failed = 0;
    for (let i = 0; i < completions.length; i++) if (out[i] === "accepted") failed += completions[i]!.result.failed?.length ?? 0;
    if (failed > 0) await this.#client.hincrby(k.stats, FAILED_PARAMS_FIELD, failed);
    return out;
  }

  async fail(delivery: Delivery, error: string): Promise<"retry" | "dead-lettered"> {
    const d = delivery as RedisDelivery;
    const k = this.#keys;
    if (!d.task || d.deliveryCount >= this.#o.maxDeliveries) {
      await this.#deadLetter(d, error, d.deliveryCount);
      return "dead-lettered";
    }
    await this.#client.hset(k.errors, String(d.task.chunkId), error);
    // Keep the entry pending but make it look idle, so it becomes reclaimable after retryDelayMs.
    const idle = Math.max(0, this.#o.staleThresholdMs - this.#o.retryDelayMs);
    await this.#client.xclaim(k.tasks, k.group, this.#o.consumer, 0, d.entryId, "IDLE", idle, "JUSTID");
    return "retry";
  }

  async #deadLetter(d: Delivery, error: string, attempts: number): Promise<void> {
    const k = this.#keys;
    const t = d.task;
    await runLua(this.#client, DEAD_LETTER, [k.tasks, k.dlq, k.dead], [
      k.group,
      (d as RedisDelivery).entryId,
      t?.runId ?? this.#o.runId,
      t ? String(t.chunkId) : "",
      t ? String(t.start) : "",
      t ? String(t.end) : "",
      String(attempts),
      error,
      t ? "" : d.raw,
    ]);
    this.#o.log?.("warn", `dead-lettered ${t ? `chunk ${t.chunkId}` : "a malformed message"}`, { attempts, error });
  }

  async release(delivery: Delivery): Promise<void> {
    const d = delivery as RedisDelivery;
    // Idle past the threshold: the next reclaim check of any worker takes it. That take counts a
    // delivery, so the count goes back one: a chunk handed back unfinished (a shutdown, a batch cut
    // short) has not been attempted once more, and must not come closer to dead-lettering for it.
    const retryCount = Math.max(0, d.deliveryCount - 1);
    await this.#client.xclaim(this.#keys.tasks, this.#keys.group, this.#o.consumer, 0, d.entryId, "IDLE", HAND_BACK_IDLE_MS, "RETRYCOUNT", retryCount, "JUSTID");
  }

  async settled(plan: RunPlan): Promise<boolean> {
    if (this.#settled) return true;
    if (this.#heard) {
      // Told on the channel: the mark, written before the publish, confirms it (a stray message does not).
      this.#heard = false;
      this.#settled = await this.#markSet();
      if (this.#settled) return true;
    }
    // Just out of work: this worker may have finished the last chunk, so it asks (and marks the run
    // settled for the rest). Long idle: the lease attempts carry the answer, at no extra command.
    const recentlyBusy = Date.now() - this.#workedAt < 2 * this.#idleProbeMs;
    const looking = Date.now() - this.#lookedAt < 2 * this.#lookEveryMs();
    if (recentlyBusy || !looking) return this.#markIfSettled(plan);
    return false;
  }

  async close(): Promise<void> {
    this.#wake?.();
    // A leaving reclaimer hands its lease on at once rather than when it expires.
    if (this.#holder) await runLua(this.#client, RELEASE_LEASE, [this.#keys.reclaimer], [this.#o.consumer]).catch(() => undefined);
    for (const c of [this.#reader, this.#client]) {
      try {
        await c.quit();
      } catch {
        c.disconnect();
      }
    }
  }
}

export async function createRedisWorkerQueue(options: BackendOptions): Promise<WorkerQueue> {
  // Blocking reads get their own connection so lease renewals never wait behind them. Both are
  // opened at once: a worker's start waits for the slower of the two, not for one after the other.
  const [client, reader] = await Promise.allSettled([
    connectRedis({ ...options, name: `ttg-worker-${options.consumer}` }),
    connectRedis({ ...options, name: `ttg-worker-${options.consumer}-reader` }),
  ]);
  if (client.status === "fulfilled" && reader.status === "fulfilled") return new RedisWorkerQueue(client.value, reader.value, options);
  for (const c of [client, reader]) if (c.status === "fulfilled") c.value.disconnect();
  throw client.status === "rejected" ? client.reason : (reader as PromiseRejectedResult).reason;
}
