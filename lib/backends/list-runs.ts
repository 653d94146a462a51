// Every run a broker holds in a namespace, with its state and objects (cleanup.ts --list, the
// monitor without a run id, cleanup's refusal of active runs), plus the old shared layout's
// objects when they are still there.
import { AmqpLink } from "./rabbitmq/amqp-link.ts";
import { rabbitmqRunStates } from "./rabbitmq/rabbitmq-run-states.ts";
import { openRedis } from "./redis/purge-redis.ts";
import { redisRunStates } from "./redis/redis-run-states.ts";
import { listNamespace, type PurgeTarget } from "./purge-namespace.ts";
import type { BrokerItem, BrokerListing } from "./purge-types.ts";
import type { RunListing } from "./run-listing.ts";

export type BrokerRuns = { listing: BrokerListing; runs: RunListing[]; legacy: BrokerItem[] };

export async function listRuns(t: PurgeTarget): Promise<BrokerRuns> {
  const listing = await listNamespace(t);
  if (t.backend === "redis") {
    const client = await openRedis(t.url);
    try {
      return { listing, ...(await redisRunStates(client, t.namespace, listing.items)) };
    } finally {
      client.disconnect();
    }
  }
  const link = await AmqpLink.open({ url: t.url, name: "ttg-list-runs", connectTimeoutMs: 3_000 });
  try {
    return { listing, ...(await rabbitmqRunStates(link, t.namespace, listing.items)) };
  } finally {
    await link.close();
  }
}
