// List and delete TTG's data in a broker — only the namespace's Redis keys (`<ns>:*`) or
// RabbitMQ queues (`<ns>.*` of the known shapes) — for cleanup.ts and the inventory.
import type { Run } from "../shell/run.ts";
import { candidateQueues, deleteQueues, isNamespaceQueue, openRabbitmq, probeQueues, rabbitmqctlQueues } from "./rabbitmq/purge-rabbitmq.ts";
import { deleteRedisKeys, listRedisNamespace, openRedis } from "./redis/purge-redis.ts";
import { redactUrl } from "../net/redact-url.ts";
import type { BrokerListing, PurgeOutcome } from "./purge-types.ts";

export type PurgeTarget = {
  backend: "redis" | "rabbitmq";
  url: string;
  namespace: string;
  /** RabbitMQ without rabbitmqctl: the runs whose per-run queues to look for. */
  runIds?: readonly string[];
  /** For rabbitmqctl (a dry-run shell still runs it: it only reads). */
  run: Run;
};

export async function listNamespace(t: PurgeTarget): Promise<BrokerListing> {
  const base = { backend: t.backend, where: redactUrl(t.url), namespace: t.namespace };
  if (t.backend === "redis") {
    const client = await openRedis(t.url);
    try {
      return { ...base, method: `SCAN MATCH ${t.namespace}:*`, items: await listRedisNamespace(client, t.namespace) };
    } finally {
      client.disconnect();
    }
  }
  const model = await openRabbitmq(t.url);
  try {
    const ctl = await rabbitmqctlQueues(t.run, t.url);
    if (ctl.queues) {
      const items = ctl.queues.filter((q) => isNamespaceQueue(q.name, t.namespace)).sort((a, b) => a.name.localeCompare(b.name));
      return { ...base, method: "rabbitmqctl list_queues", items };
    }
    const runIds = t.runIds ?? [];
    const method = `the shared queue names and those of ${runIds.length} known run(s) (${ctl.why})`;
    const items = await probeQueues(model, candidateQueues(t.namespace, runIds));
    return { ...base, method, items: items.sort((a, b) => a.name.localeCompare(b.name)) };
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** Deletes exactly the listed names (each checked against the namespace again). */
export async function deleteNamespaceItems(t: PurgeTarget, names: readonly string[]): Promise<PurgeOutcome> {
  if (t.backend === "redis") {
    const client = await openRedis(t.url);
    try {
      const deleted = await deleteRedisKeys(client, t.namespace, names);
      return { deleted, skipped: names.filter((n) => !deleted.includes(n)).map((name) => ({ name, why: "already gone or not in the namespace" })) };
    } finally {
      client.disconnect();
    }
  }
  const model = await openRabbitmq(t.url);
  try {
    return await deleteQueues(model, t.namespace, names);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** A Run for callers that know their run ids: no rabbitmqctl, only the known queue names are probed. */
export const withoutRabbitmqctl: Run = async () => ({ stdout: "", stderr: "not used", exitCode: 127 });

/** Removes everything of the namespace (tests and the bench clean up their random namespaces with it). */
export async function removeNamespace(t: Omit<PurgeTarget, "run"> & { run?: Run }): Promise<PurgeOutcome> {
  const target: PurgeTarget = { ...t, run: t.run ?? withoutRabbitmqctl };
  const listing = await listNamespace(target);
  return deleteNamespaceItems(target, listing.items.map((i) => i.name));
}
