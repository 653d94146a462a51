// A Redis run read by the dashboard: streams are read with XRANGE (results stay for the
// coordinator), consumers with XINFO, chunks in flight with XPENDING. Nothing is claimed or acked.
import { RedisObserver } from "../backends/redis/redis-observer.ts";
import { connectRedis } from "../backends/redis/redis-connection.ts";
import { redisKeys } from "../backends/redis/redis-keys.ts";
import { readConsumers, readInFlight } from "../backends/redis/redis-run-details.ts";
import { redisRunState } from "../backends/redis/redis-run-states.ts";
import type { ChunkResult } from "../backends/backend.ts";
import { passiveObserverOptions, type RunSource, type SourceOptions } from "./run-source.ts";

/** Chunks in flight listed (the oldest first); the count in the figures covers them all. */
const IN_FLIGHT_SHOWN = 50;
/** Result pages read per reading, so a long backlog (a restarted dashboard) is caught up over a few readings. */
const RESULT_PAGES_PER_READING = 200;

export async function openRedisRunSource(o: SourceOptions): Promise<RunSource> {
  const client = await connectRedis({ url: o.url, connectTimeoutMs: 3_000, name: "ttg-dashboard" });
  const observer = new RedisObserver(client, passiveObserverOptions(o));
  const keys = redisKeys(o.namespace, o.runId);
  let deadSeen = -1;
  return {
    notes: [],
    async read() {
      const plan = await observer.describeRun();
      if (!plan) return undefined;
      const stats = await observer.stats();
      const [state, consumers, inFlight] = await Promise.all([
        redisRunState(client, o.namespace, o.runId, []),
        readConsumers(client, keys),
        readInFlight(client, keys, IN_FLIGHT_SHOWN),
      ]);
      const results: ChunkResult[] = [];
      for (let i = 0; i < RESULT_PAGES_PER_READING; i++) {
        const page = await observer.readNewResults();
        if (page.length === 0) break;
        results.push(...page);
      }
      const deadChanged = stats.deadLettered !== deadSeen;
      deadSeen = stats.deadLettered;
      return { plan, stats, state, consumers, inFlight, results, ...(deadChanged ? { deadLetters: await observer.deadLetters() } : {}) };
    },
    // A passive reader has nothing to tidy on the broker: drop the connection at once, even mid-reconnect.
    close: async () => client.disconnect(),
  };
}
