// A run's state (active / finished / abandoned and why) read again at every monitor reading, by
// the same rules as cleanup and the run listing (redis-run-states.ts, rabbitmq-run-states.ts).
import type { BackendName } from "../backends/open-backend.ts";
import { AmqpLink } from "../backends/rabbitmq/amqp-link.ts";
import { rabbitmqRunState } from "../backends/rabbitmq/rabbitmq-run-states.ts";
import { connectRedis } from "../backends/redis/redis-connection.ts";
import { redisRunState } from "../backends/redis/redis-run-states.ts";
import type { RunListing } from "../backends/run-listing.ts";

export type RunStateProbe = { read(runId: string): Promise<RunListing>; close(): Promise<void> };

export async function openRunStateProbe(backend: BackendName, url: string, namespace: string): Promise<RunStateProbe> {
  if (backend === "redis") {
    const client = await connectRedis({ url, connectTimeoutMs: 3_000, name: "ttg-monitor" });
    return {
      read: (runId) => redisRunState(client, namespace, runId, []),
      close: async () => void client.disconnect(),
    };
  }
  const link = await AmqpLink.open({ url, name: "ttg-monitor", connectTimeoutMs: 3_000 });
  return {
    read: (runId) => rabbitmqRunState(link, namespace, runId, []),
    close: () => link.close(),
  };
}
