// cleanup.ts on the local platform: TTG's keys and queues in the local brokers, run by run — listed
// with each run's state (a dry run stops there), confirmed, then deleted by exact name. Active runs
// are left alone and named unless --force (choose-removals.ts decides).
import { chooseRemovals, describeLeftAlone, describeRemoval, removalNames, type RemovalChoice, type RemovalPlan } from "./choose-removals.ts";
import { listRuns } from "../backends/list-runs.ts";
import { deleteNamespaceItems, type PurgeTarget } from "../backends/purge-namespace.ts";
import { EXIT_CODES } from "../script/exit-codes.ts";
import { describeItem, type BrokerListing } from "../backends/purge-types.ts";
import { amqpUrlFrom, readWorkerConfig, redisUrlFrom, type Env } from "../config/worker-config.ts";
import { workerEnvFromEnvironment } from "../config/worker-env-passthrough.ts";
import { BrokerUnreachable } from "../net/broker-unreachable.ts";
import type { Run } from "../shell/run.ts";
import type { BrokerBackend } from "../k8s/broker-objects.ts";
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
    list: (backend) => listRuns(purgeTarget(b, backend, run)),
    remove: (backend, names) => deleteNamespaceItems(purgeTarget(b, backend, run), names),
  };
}

export type LocalPurgeOptions = RemovalChoice & {
  backends: readonly BrokerBackend[];
  dryRun: boolean;
  /** Ask before removing (a terminal, no --force). */
  ask: boolean;
  /** --redis/--rabbitmq given by name: an unreachable broker is an error, not a note. */
  required: boolean;
};
export type LocalPurgeIO = { log: (line: string) => void; confirm: (question: string) => Promise<boolean>; purge: LocalBrokerPurge };

const WHAT = { redis: "key(s)", rabbitmq: "queue(s)" } as const;

type Planned = { backend: BrokerBackend; plan: RemovalPlan };

export async function runLocalPurge(o: LocalPurgeOptions, io: LocalPurgeIO): Promise<number> {
  const planned: Planned[] = [];
  for (const backend of o.backends) {
    try {
      const found = await io.purge.list(backend);
      const plan = chooseRemovals(found, o);
      planned.push({ backend, plan });
      showPlan(found.listing, plan, io.log);
    } catch (error) {
      if (o.required || !(error instanceof BrokerUnreachable)) throw error;
      io.log(`local ${backend}: ${(error as Error).message}`);
    }
  }
  const total = planned.reduce((n, p) => n + removalNames(p.plan).length, 0);
  if (total === 0) {
    io.log("Nothing of TTG's to remove.");
    return EXIT_CODES.ok;
  }
  if (o.dryRun) {
    io.log("dry run: nothing removed");
    return EXIT_CODES.ok;
  }
  if (o.ask && !(await io.confirm(`Remove the ${total} key(s)/queue(s) above?`))) {
    io.log("Cancelled: nothing removed.");
    return EXIT_CODES.ok;
  }
  for (const p of planned) {
    // After a question, time has passed: a run that became active since is left alone after all.
    const names = o.ask ? await stillChosen(p, o, io) : removalNames(p.plan);
    if (names.length === 0) continue;
    const out = await io.purge.remove(p.backend, names);
    io.log(`local ${p.backend}: removed ${out.deleted.length} ${WHAT[p.backend]}`);
    for (const s of out.skipped) io.log(`  kept ${s.name}: ${s.why}`);
  }
  return EXIT_CODES.ok;
}

function showPlan(l: BrokerListing, plan: RemovalPlan, log: (line: string) => void): void {
  const what = WHAT[l.backend];
  const count = removalNames(plan).length;
  log(`local ${l.backend} at ${l.where}, namespace ${l.namespace}: ${count === 0 ? "nothing to remove" : `${count} ${what} to remove`} (found by ${l.method})`);
  if (plan.notFound) log(`  no run ${plan.notFound} in namespace ${l.namespace}: nothing of it to remove`);
  for (const r of plan.remove) {
    log(`  ${describeRemoval(r)}: ${r.items.length} ${what}`);
    for (const item of r.items) log(`    ${describeItem(item)}`);
  }
  for (const r of plan.leftAlone) log(`  ${describeLeftAlone(r)}`);
}

async function stillChosen(p: Planned, o: RemovalChoice, io: LocalPurgeIO): Promise<string[]> {
  const fresh = chooseRemovals(await io.purge.list(p.backend), o);
  for (const r of fresh.leftAlone) if (p.plan.remove.some((x) => x.run?.runId === r.runId)) io.log(`  ${describeLeftAlone(r)} (it became active meanwhile)`);
  const now = new Set(removalNames(fresh));
  return removalNames(p.plan).filter((n) => now.has(n));
}
