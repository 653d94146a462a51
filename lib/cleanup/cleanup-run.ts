// cleanup.ts end to end (docs/operations.md §7, as the v1.3.0 runbook's cleanup says). `--all` is pods + TTG's Redis data + TTG's
// RabbitMQ data, never the cluster. On kind the data is the runs' keys and queues inside the
// in-cluster brokers, reached through a port-forward (cluster-data.ts), the brokers themselves
// stay; on the local platform (asked for, or no cluster answers) the local brokers' runs.
// Deleting broker Deployments with their volumes (--delete-brokers) and the kind cluster
// (--delete-cluster) each take their own flag; everything is previewed first and confirmed on a
// terminal (--force skips the question, never the preview).
import { createInterface } from "node:readline/promises";
import { EXIT_CODES } from "../script/exit-codes.ts";
import type { Shell } from "../shell/run.ts";
import { hasTool, requireTool } from "../shell/tools.ts";
import type { BrokerBackend } from "../k8s/broker-objects.ts";
import { executeCleanup, planCleanup, type CleanupGroup, type LocalBrokerPurge } from "./cleanup-plan.ts";
import { localBrokerPurge, localBrokersFromEnv, runLocalPurge } from "./cleanup-local.ts";
import { cleanClusterData } from "./cluster-data.ts";
import { removeKindCluster } from "./remove-cluster.ts";
import { apiServerReady, type KubeTarget } from "../kind/kubectl.ts";

export type CleanupOptions = {
  /** Worker pods, Jobs and Deployments (never brokers). */
  pods: boolean;
  /** TTG's data (keys, queues) in the broker, run by run; the broker stays. */
  redis: boolean;
  rabbitmq: boolean;
  runId?: string;
  /** Broker Deployments with their Services, PVCs and Secrets (and RedisInsight). */
  deleteBrokers: readonly BrokerBackend[];
  /** The kind cluster ttg-sandbox (the seed's cleanup-all). */
  deleteCluster: boolean;
  /** With deleteCluster: keep the ttg-worker images. */
  keepImage: boolean;
  /** Ask before removing (on a terminal, without --force). */
  ask: boolean;
  /** --force: active runs' data goes too. */
  force: boolean;
  target: KubeTarget;
  /** local: the local brokers' data; kind: the cluster's; auto (default): kind when a cluster answers. */
  platform?: "kind" | "local" | "auto";
  /** --redis/--rabbitmq were named (not implied by --all): an unreachable broker is an error. */
  brokersRequired?: boolean;
  /** RabbitMQ runs to look for when the broker cannot list its queues (from the reports). */
  knownRunIds?: readonly string[];
};
export type CleanupIO = { log: (line: string) => void; confirm: (question: string) => Promise<boolean>; purge?: LocalBrokerPurge };

/** y/N on a terminal; the caller decides when to ask (never without a TTY, never with --force). */
export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function runCleanup(shell: Shell, o: CleanupOptions, io: CleanupIO): Promise<number> {
  const code = await cleanWhere(shell, o, io);
  if (o.deleteCluster) await removeKindCluster(shell, { keepImage: o.keepImage, ask: o.ask }, io);
  return code;
}

function dataBackends(o: CleanupOptions): BrokerBackend[] {
  return (["redis", "rabbitmq"] as const).filter((b) => o[b]);
}

async function cleanWhere(shell: Shell, o: CleanupOptions, io: CleanupIO): Promise<number> {
  const { run } = shell;
  const platform = o.platform ?? "auto";
  const data = dataBackends(o).length > 0;
  if (!o.pods && !data && o.deleteBrokers.length === 0) return EXIT_CODES.ok;
  if (platform === "local") return cleanLocal(shell, o, io);
  if (platform === "auto" && !hasTool("kubectl") && data) {
    io.log("kubectl: not installed, so nothing to remove on Kubernetes; cleaning the local brokers");
    return cleanLocal(shell, o, io);
  }
  requireTool("kubectl");
  if (!(await apiServerReady(run, o.target))) {
    io.log(`no cluster answers at context ${o.target.context}: nothing to remove on Kubernetes`);
    return platform === "auto" && data ? cleanLocal(shell, o, io) : EXIT_CODES.ok;
  }
  await cleanObjects(shell, o, io);
  // The data of a broker whose volume is being deleted goes with it.
  const backends = dataBackends(o).filter((b) => !o.deleteBrokers.includes(b));
  if (backends.length > 0) await cleanClusterData(shell, { ...o, backends }, io);
  return EXIT_CODES.ok;
}

/** Worker objects (--pods) and broker objects (--delete-brokers): listed, confirmed, deleted by name. */
async function cleanObjects(shell: Shell, o: CleanupOptions, io: CleanupIO): Promise<void> {
  const brokers = o.deleteBrokers;
  const groups: CleanupGroup[] = await planCleanup(
    shell.run,
    { pods: o.pods, redis: brokers.includes("redis"), rabbitmq: brokers.includes("rabbitmq"), monitoring: brokers.length > 0, ...(o.runId ? { runId: o.runId } : {}) },
    o.target,
  );
  if (groups.length === 0) return;
  const total = groups.reduce((n, g) => n + g.objects.length, 0);
  for (const g of groups) {
    const what = g.app === "worker" ? "" : " (the broker itself, with its volume and credentials: --delete-brokers)";
    io.log(`${g.app}${what}: ${g.objects.length === 0 ? "nothing to remove" : `${g.objects.length} object(s)`}`);
    for (const obj of g.objects) io.log(`  ${obj.kind.toLowerCase()}/${obj.name}`);
  }
  if (total === 0) return io.log("No TTG objects to remove on the cluster.");
  if (!shell.dryRun && o.ask && !(await io.confirm(`Remove the ${total} object(s) above?`))) return io.log("Cancelled: no object removed.");
  await executeCleanup(shell.run, groups, o.target);
  io.log(shell.dryRun ? "dry run: no object removed" : `Removed ${total} object(s).`);
}

async function cleanLocal(shell: Shell, o: CleanupOptions, io: CleanupIO): Promise<number> {
  if (o.pods) io.log("pods: none on the local platform (local worker processes exit on their own; list them with --list)");
  if (o.deleteBrokers.length > 0) io.log("--delete-brokers: no broker Deployments on the local platform (a private redis-server or rabbitmq-server stops with its demo)");
  const backends = dataBackends(o);
  if (backends.length === 0) return EXIT_CODES.ok;
  const purge = io.purge ?? localBrokerPurge(localBrokersFromEnv(process.env, o.runId ? [o.runId] : []), shell.run);
  const choice = { force: o.force, ...(o.runId === undefined ? {} : { runId: o.runId }) };
  return runLocalPurge({ ...choice, backends, dryRun: shell.dryRun, ask: o.ask, required: o.brokersRequired ?? false }, { log: io.log, confirm: io.confirm, purge });
}
