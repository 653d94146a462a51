// cleanup.ts end to end: plan (read-only), show, confirm, delete; on the local platform (asked
// for, or no cluster answers) TTG's keys and queues in the local brokers instead, run by run
// (cleanup-local.ts); the kind cluster itself only for --all without --keep-cluster.
import { createInterface } from "node:readline/promises";
import { EXIT_CODES } from "../script/exit-codes.ts";
import type { Shell } from "../shell/run.ts";
import { hasTool, requireTool } from "../shell/tools.ts";
import { executeCleanup, planCleanup, type CleanupScope, type LocalBrokerPurge } from "./cleanup-plan.ts";
import { localBrokerPurge, localBrokersFromEnv, runLocalPurge } from "./cleanup-local.ts";
import { CLUSTER_NAME, KIND_CONTEXT } from "../k8s/cluster.ts";
import { kindClusters, kindDeleteCluster } from "../kind/kind.ts";
import { apiServerReady, type KubeTarget } from "../kind/kubectl.ts";

export type CleanupOptions = CleanupScope & {
  deleteCluster: boolean;
  /** Ask before removing (on a terminal, without --force). */
  ask: boolean;
  /** --force: local brokers' active runs go too. */
  force: boolean;
  target: KubeTarget;
  /** local: the local brokers' data; kind: the cluster's objects; auto (default): kind when a cluster answers. */
  platform?: "kind" | "local" | "auto";
  /** --redis/--rabbitmq were named (not implied by --all): an unreachable local broker is an error. */
  brokersRequired?: boolean;
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
  const { run } = shell;
  const platform = o.platform ?? "auto";
  const brokersAsked = o.redis || o.rabbitmq;
  if (platform === "local") return cleanLocal(shell, o, io);
  if (platform === "auto" && !hasTool("kubectl") && brokersAsked) {
    io.log("kubectl: not installed, so nothing to remove on Kubernetes; cleaning the local brokers");
    return cleanLocal(shell, o, io);
  }
  requireTool("kubectl");
  if (!(await apiServerReady(run, o.target))) {
    io.log(`no cluster answers at context ${o.target.context ?? "(current)"}: nothing to remove on Kubernetes`);
    return platform === "auto" && brokersAsked ? cleanLocal(shell, o, io) : EXIT_CODES.ok;
  }
  const groups = await planCleanup(run, o, o.target);
  const total = groups.reduce((n, g) => n + g.objects.length, 0);
  for (const g of groups) {
    io.log(`${g.app}: ${g.objects.length === 0 ? "nothing to remove" : `${g.objects.length} object(s)`}`);
    for (const obj of g.objects) io.log(`  ${obj.kind.toLowerCase()}/${obj.name}`);
  }
  const clusterToo = o.deleteCluster && o.target.context === KIND_CONTEXT && hasTool("kind") && (await kindClusters(run)).includes(CLUSTER_NAME);
  if (clusterToo) io.log(`kind cluster ${CLUSTER_NAME} (add --keep-cluster to keep it)`);
  if (total === 0 && !clusterToo) {
    io.log("Nothing of TTG's to remove.");
    return EXIT_CODES.ok;
  }
  if (!shell.dryRun && o.ask && !(await io.confirm(`Remove the ${total} object(s) above${clusterToo ? ` and cluster ${CLUSTER_NAME}` : ""}?`))) {
    io.log("Cancelled: nothing removed.");
    return EXIT_CODES.ok;
  }
  await executeCleanup(run, groups, o.target);
  if (clusterToo) await kindDeleteCluster(run, CLUSTER_NAME);
  io.log(shell.dryRun ? "dry run: nothing removed" : `Removed ${total} object(s)${clusterToo ? ` and cluster ${CLUSTER_NAME}` : ""}.`);
  return EXIT_CODES.ok;
}

async function cleanLocal(shell: Shell, o: CleanupOptions, io: CleanupIO): Promise<number> {
  if (o.pods) io.log("pods: none on the local platform (local worker processes exit on their own; list them with --list)");
  const backends = (["redis", "rabbitmq"] as const).filter((b) => o[b]);
  if (backends.length === 0) return EXIT_CODES.ok;
  const purge = io.purge ?? localBrokerPurge(localBrokersFromEnv(process.env, o.runId ? [o.runId] : []), shell.run);
  const choice = { force: o.force, ...(o.runId === undefined ? {} : { runId: o.runId }) };
  return runLocalPurge({ ...choice, backends, dryRun: shell.dryRun, ask: o.ask, required: o.brokersRequired ?? false }, { log: io.log, confirm: io.confirm, purge });
}
