// The runs of a Redis namespace with their state (run-listing.ts): found from their keys (SCAN),
// finished from the plan and the accepted/dead-lettered counts, active from the coordinator's
// short-lived alive key (even once finished: it has a report to write), a consumer of the run's
// group that touched the stream recently. A coordinator sets its alive key as soon as it loads.
import type { Redis } from "ioredis";
import type { BrokerItem } from "../purge-types.ts";
import { ACTIVE_WINDOW_MS, decideState, formatAge, runStates, type RunListing } from "../run-listing.ts";
import { countAccepted, keyOwner, ORPHANS, redisKeys } from "./redis-keys.ts";
import { SETTLED_MARK } from "./lua-scripts.ts";
import { fieldsToRecord } from "./task-codec.ts";

export async function redisRunStates(client: Redis, namespace: string, items: readonly BrokerItem[]): Promise<{ runs: RunListing[]; legacy: BrokerItem[] }> {
  return runStates(items, (name) => keyOwner(name, namespace), (runId, objects) => redisRunState(client, namespace, runId, objects));
}

export async function redisRunState(client: Redis, namespace: string, runId: string, objects: BrokerItem[]): Promise<RunListing> {
  const keys = redisKeys(namespace, runId);
  const [meta, accepted, dead, alive, reclaimer] = await Promise.all([
    client.hgetall(keys.meta),
    countAccepted(client, keys),
    client.hlen(keys.dead),
    client.pttl(keys.alive),
    client.get(keys.reclaimer),
  ]);
  const totalChunks = meta.totalChunks ? Number(meta.totalChunks) : undefined;
  const workers = await recentConsumers(client, keys.tasks, keys.group);
  const watchedBecause = alive > 0 ? "its coordinator is watching it" : undefined;
  // Idle workers stop reading the stream, but one of them always holds the short reclaimer lease.
  const reclaiming = reclaimer !== null && reclaimer !== SETTLED_MARK;
  const activeBecause = workers.recent > 0 ? `${workers.recent} worker(s) consuming` : reclaiming ? `worker ${reclaimer} holds the reclaimer lease` : undefined;
  const lastSeen = workers.lastSeenMsAgo === undefined ? "no worker ever consumed it" : `last worker activity ${formatAge(workers.lastSeenMsAgo)} ago`;
  const decided = decideState({
    ...(totalChunks === undefined ? {} : { totalChunks }),
    finishedChunks: accepted + dead,
    ...(watchedBecause ? { watchedBecause } : {}),
    ...(activeBecause ? { activeBecause } : {}),
    idleWhy: `no coordinator, ${lastSeen}`,
  });
  return {
    backend: "redis",
    namespace,
    runId,
    ...decided,
    ...(meta.createdAt ? { createdAt: meta.createdAt } : {}),
    ...(totalChunks === undefined ? {} : { totalChunks }),
    chunksDone: accepted,
    deadLettered: dead,
    objects,
  };
}

/** Consumers of the group (placeholders aside) seen within the active window, and the most recent one's idle time. */
async function recentConsumers(client: Redis, stream: string, group: string): Promise<{ recent: number; lastSeenMsAgo?: number }> {
  let consumers: unknown[][];
  try {
    consumers = (await client.xinfo("CONSUMERS", stream, group)) as unknown[][];
  } catch {
    return { recent: 0 }; // no stream or no group yet
  }
  let recent = 0;
  let lastSeenMsAgo: number | undefined;
  for (const c of consumers) {
    const info = fieldsToRecord(c.map(String));
    if (info.name === ORPHANS) continue;
    const idle = Number(info.idle);
    if (idle < ACTIVE_WINDOW_MS) recent++;
    lastSeenMsAgo = Math.min(lastSeenMsAgo ?? idle, idle);
  }
  return { recent, ...(lastSeenMsAgo === undefined ? {} : { lastSeenMsAgo }) };
}
