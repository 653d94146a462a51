// The runs a Redis namespace knows, newest first (for the monitor and the inventory).
import type { Redis } from "ioredis";
import { countAccepted, redisKeys } from "./redis-keys.ts";

export type RedisRunInfo = { runId: string; createdAt: string; totalChunks: number; accepted: number; deadLettered: number };

export async function listRedisRuns(client: Redis, namespace: string): Promise<RedisRunInfo[]> {
  const runs: RedisRunInfo[] = [];
  const prefix = `${namespace}:run:`;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*:meta`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const runId = key.slice(prefix.length, -":meta".length);
      const keys = redisKeys(namespace, runId);
      const [meta, accepted, dead] = await Promise.all([client.hgetall(keys.meta), countAccepted(client, keys), client.hlen(keys.dead)]);
      runs.push({ runId, createdAt: meta.createdAt ?? "", totalChunks: Number(meta.totalChunks ?? 0), accepted, deadLettered: dead });
    }
  } while (cursor !== "0");
  return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
