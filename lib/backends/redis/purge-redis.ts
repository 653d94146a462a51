// TTG's data in a Redis: every key named `<namespace>:...`, found with SCAN (never KEYS, which
// blocks the server) and removed by exact name with UNLINK (never FLUSHALL/FLUSHDB: the server
// may hold other applications' data).
import { Redis } from "ioredis";
import type { BrokerItem } from "../purge-types.ts";
import { brokerUnreachable } from "../../net/broker-unreachable.ts";

/** SCAN pattern for the namespace; glob characters in it are escaped so they match literally. */
export function redisNamespacePattern(namespace: string): string {
  return `${namespace.replace(/[*?[\]\\]/g, "\\$&")}:*`;
}

/** The client-side check every key passes before it is listed or deleted. */
function isNamespaceKey(key: string, namespace: string): boolean {
  return key.startsWith(`${namespace}:`);
}

const SIZE_COMMAND: Record<string, string> = { stream: "xlen", hash: "hlen", list: "llen", set: "scard", zset: "zcard", string: "strlen" };
const UNIT: Record<string, string> = { stream: "entries", hash: "fields", list: "items", set: "members", zset: "members", string: "bytes" };

export async function openRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 3000, connectionName: "ttg-cleanup" });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw brokerUnreachable("Redis", "REDIS_URL", url, error);
  }
  return client;
}

export async function listRedisNamespace(client: Redis, namespace: string): Promise<BrokerItem[]> {
  const keys = new Set<string>();
  let cursor = "0";
  do {
    const [next, page] = await client.scan(cursor, "MATCH", redisNamespacePattern(namespace), "COUNT", 1000);
    cursor = next;
    for (const key of page) if (isNamespaceKey(key, namespace)) keys.add(key);
  } while (cursor !== "0");
  const sorted = [...keys].sort();
  const items: BrokerItem[] = [];
  for (const key of sorted) {
    const type = await client.type(key);
    const command = SIZE_COMMAND[type];
    const size = command ? Number(await client.call(command, key)) : undefined;
    items.push({ name: key, type, ...(size === undefined ? {} : { size, unit: UNIT[type] ?? "" }) });
  }
  return items;
}

/** Deletes exactly the named keys, each checked against the namespace again. */
export async function deleteRedisKeys(client: Redis, namespace: string, keys: readonly string[]): Promise<string[]> {
  const ours = keys.filter((k) => isNamespaceKey(k, namespace));
  const deleted: string[] = [];
  for (let i = 0; i < ours.length; i += 500) {
    const batch = ours.slice(i, i + 500);
    const replies = (await client.pipeline(batch.map((k) => ["unlink", k])).exec()) ?? [];
    batch.forEach((key, j) => {
      if (Number(replies[j]?.[1] ?? 0) > 0) deleted.push(key);
    });
  }
  return deleted;
}
