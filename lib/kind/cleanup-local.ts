// cleanup.ts on the local platform: TTG's keys and queues in the local brokers, listed first
// (a dry run stops there), confirmed, then deleted by exact name.
import { EXIT_CODES } from "../cli/exit-codes.ts";
import { deleteNamespaceItems, listNamespace, type PurgeTarget } from "../backends/purge-namespace.ts";
import { describeItem, type BrokerListing } from "../backends/purge-types.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom, type Env } from "../config/worker-config.ts";
import { workerEnvFromEnvironment } from "../config/worker-env-passthrough.ts";
import { BrokerUnreachable } from "../net/broker-unreachable.ts";
import type { Run } from "../shell/run.ts";
import type { BrokerBackend } from "./broker-objects.ts";
import type { LocalBrokerPurge } from "./cleanup-plan.ts";

export type LocalBrokers = { redisUrl: string; amqpUrl: string; namespace: string; runIds: string[] };

/** The brokers a local run used: the worker variables, with this machine's brokers as defaults. */
export function localBrokersFromEnv(env: Env, runIds: readonly string[] = []): LocalBrokers {
  const local = { REDIS_HOST: "127.0.0.1", RABBITMQ_HOST: "127.0.0.1", RABBITMQ_USER: "guest", RABBITMQ_PASSWORD: "guest", ...workerEnvFromEnvironment(env) };
  return { redisUrl: redisUrlFrom(local), amqpUrl: amqpUrlFrom(local), namespace: readWorkerConfig(local).namespace, runIds: [...new Set(runIds)] };
}

export function purgeTarget(b: LocalBrokers, backend: BrokerBackend, run: Run): PurgeTarget {
  return { backend, url: backend === "redis" ? b.redisUrl : b.amqpUrl, namespace: b.namespace, runIds: b.runIds, run };
}

export function localBrokerPurge(b: LocalBrokers, run: Run): LocalBrokerPurge {
  return {
    list: (backend) => listNamespace(purgeTarget(b, backend, run)),
    remove: (backend, names) => deleteNamespaceItems(purgeTarget(b, backend, run), names),
  };
}

export type LocalPurgeOptions = {
  backends: readonly BrokerBackend[];
  dryRun: boolean;
  force: boolean;
  /** --redis/--rabbitmq given by name: an unreachable broker is an error, not a note. */
  required: boolean;
};
export type LocalPurgeIO = { log: (line: string) => void; confirm: (question: string) => Promise<boolean>; purge: LocalBrokerPurge };

const WHAT = { redis: "key(s)", rabbitmq: "queue(s)" } as const;

export async function runLocalPurge(o: LocalPurgeOptions, io: LocalPurgeIO): Promise<number> {
  const listings: BrokerListing[] = [];
  for (const backend of o.backends) {
    try {
      const l = await io.purge.list(backend);
      listings.push(l);
      io.log(`local ${backend} at ${l.where}, namespace ${l.namespace}: ${l.items.length === 0 ? "nothing to remove" : `${l.items.length} ${WHAT[backend]}`} (found by ${l.method})`);
      for (const item of l.items) io.log(`  ${describeItem(item)}`);
    } catch (error) {
      if (o.required || !(error instanceof BrokerUnreachable)) throw error;
      io.log(`local ${backend}: ${(error as Error).message}`);
    }
  }
  const total = listings.reduce((n, l) => n + l.items.length, 0);
  if (total === 0) {
    io.log("Nothing of TTG's to remove.");
    return EXIT_CODES.ok;
  }
  if (o.dryRun) {
    io.log("dry run: nothing removed");
    return EXIT_CODES.ok;
  }
  if (!o.force && !(await io.confirm(`Remove the ${total} key(s)/queue(s) above?`))) {
    io.log("Cancelled: nothing removed.");
    return EXIT_CODES.ok;
  }
  for (const l of listings) {
    if (l.items.length === 0) continue;
    const out = await io.purge.remove(l.backend, l.items.map((i) => i.name));
    io.log(`local ${l.backend}: removed ${out.deleted.length} ${WHAT[l.backend]}`);
    for (const s of out.skipped) io.log(`  kept ${s.name}: ${s.why}`);
  }
  return EXIT_CODES.ok;
}
