// What a Redis run's workers are doing right now, read without taking anything: each registered
// consumer with the chunks it holds and how long it has been silent (XINFO CONSUMERS), and the
// chunks in flight with their holder, age and delivery count (XPENDING, then the task entries).
import type { Redis } from "ioredis";
import { ORPHANS, type RedisKeys } from "./redis-keys.ts";
import { decodeTask, fieldsToRecord } from "./task-codec.ts";

export type ConsumerSighting = { worker: string; holding: number; idleMs: number };

export type InFlightChunk = { worker: string; chunkId: number | null; start: number | null; end: number | null; ageMs: number; deliveries: number };

export async function readConsumers(client: Redis, keys: RedisKeys): Promise<ConsumerSighting[]> {
  let consumers: unknown[][];
  try {
    consumers = (await client.xinfo("CONSUMERS", keys.tasks, keys.group)) as unknown[][];
  } catch {
    return []; // no stream or no group yet
  }
  const out: ConsumerSighting[] = [];
  for (const c of consumers) {
    const info = fieldsToRecord(c.map(String));
    if (info.name === undefined || info.name === ORPHANS) continue;
    out.push({ worker: info.name, holding: Number(info.pending ?? 0), idleMs: Number(info.idle ?? 0) });
  }
  return out;
}

/** The oldest `limit` chunks held by a worker (or handed back and waiting to be taken over). */
export async function readInFlight(client: Redis, keys: RedisKeys, limit: number): Promise<InFlightChunk[]> {
  let pending: [string, string, number, number][];
  try {
    pending = (await client.xpending(keys.tasks, keys.group, "-", "+", limit)) as [string, string, number, number][];
  } catch {
    return [];
  }
  if (pending.length === 0) return [];
  const pipeline = client.pipeline();
  for (const [id] of pending) pipeline.xrange(keys.tasks, id, id);
  const entries = (await pipeline.exec()) ?? [];
  return pending.map(([, worker, idle, deliveries], i) => {
    const page = (entries[i]?.[1] ?? []) as [string, string[]][];
    const fields = page[0]?.[1];
    const task = fields ? decodeTask(fieldsToRecord(fields)) : undefined;
    return { worker, chunkId: task?.chunkId ?? null, start: task?.start ?? null, end: task?.end ?? null, ageMs: Number(idle), deliveries: Number(deliveries) };
  });
}
