// The broker objects of exactly one run: for tests that run in a shared namespace (the default
// `ttg`), where removing the whole namespace would take other people's runs with it.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { deleteNamespaceItems, withoutRabbitmqctl } from "../../lib/backends/purge-namespace.ts";
import { openRabbitmq, probeQueues } from "../../lib/backends/rabbitmq/purge-rabbitmq.ts";
import { openRedis } from "../../lib/backends/redis/purge-redis.ts";
import { allRunQueues, rabbitmqNames } from "../../lib/backends/rabbitmq/rabbitmq-names.ts";
import { allRunKeys, redisKeys } from "../../lib/backends/redis/redis-keys.ts";

export type RunRef = { backend: BackendName; url: string; namespace: string; runId: string };

function runObjectNames({ backend, namespace, runId }: RunRef): string[] {
  return backend === "redis" ? allRunKeys(redisKeys(namespace, runId)) : allRunQueues(rabbitmqNames(namespace, runId));
}

/** The run's keys or queues that still exist. */
export async function runObjectsLeft(run: RunRef): Promise<string[]> {
  const names = runObjectNames(run);
  if (run.backend === "redis") {
    const client = await openRedis(run.url);
    try {
      const exists = await Promise.all(names.map((k) => client.exists(k)));
      return names.filter((_k, i) => exists[i] === 1);
    } finally {
      client.disconnect();
    }
  }
  const model = await openRabbitmq(run.url);
  try {
    return (await probeQueues(model, names)).map((q) => q.name);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** Deletes the run's keys or queues, and nothing else of the namespace. */
export async function removeRunObjects(run: RunRef): Promise<void> {
  await deleteNamespaceItems({ backend: run.backend, url: run.url, namespace: run.namespace, run: withoutRabbitmqctl }, runObjectNames(run));
}
