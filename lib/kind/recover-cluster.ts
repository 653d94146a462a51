// recover.ts after a reboot: node containers, API server, CoreDNS, nodes, brokers, image, run.
import type { Shell } from "../shell/run.ts";
import type { BrokerBackend } from "../k8s/broker-objects.ts";
import { cleanupSelector } from "../cleanup/cleanup-plan.ts";
import { CLUSTER_NAME, KIND_CONTEXT, workerImage } from "../k8s/cluster.ts";
import { dockerImageExists, dockerNodeContainers, dockerStart } from "./docker.ts";
import { nodesMissingImage } from "./ensure-image.ts";
import { kindClusters, kindLoadImage } from "./kind.ts";
import { deployBroker } from "./kind-broker.ts";
import { apiServerReady, kubectlGetNodes, kubectlGetObjects, kubectlGetPods, kubectlRolloutStatus, type KubeTarget } from "./kubectl.ts";
import { checkPrerequisites } from "./prerequisites.ts";
import { resumeRun } from "./resume-run.ts";

export type RecoverOptions = {
  timeoutSeconds: number;
  brokers: readonly BrokerBackend[];
  resumeRunId?: string;
  /**
   * The run was started by demo.ts here (its reports/<run>/run.json exists): the caller resumes its
   * coordinator with demo.ts --resume, which starts the workers itself. Otherwise the run's dead
   * worker pods are started again.
   */
  resumeByDemo?: boolean;
  namespace?: string;
  pollMs?: number;
};

type Log = (line: string) => void;

/** Polls `check` until it holds, printing progress, or fails at the deadline. */
export async function waitUntil(what: string, check: () => Promise<string | true>, o: { timeoutMs: number; everyMs: number; log: Log }): Promise<void> {
  const started = Date.now();
  let lastPrint = 0;
  for (;;) {
    const status = await check();
    const elapsed = Math.round((Date.now() - started) / 1000);
    if (status === true) return o.log(`  ${what}: ready (${elapsed}s)`);
    if (Date.now() - started > o.timeoutMs) throw new Error(`Cannot recover: ${what} not ready after ${Math.round(o.timeoutMs / 1000)}s (${status})`);
    if (Date.now() - lastPrint >= 5000 || lastPrint === 0) {
      o.log(`  waiting for ${what}: ${status} (${elapsed}s)`);
      lastPrint = Date.now();
    }
    await new Promise((r) => setTimeout(r, o.everyMs));
  }
}

export async function recoverCluster(shell: Shell, o: RecoverOptions, log: Log): Promise<void> {
  const { run } = shell;
  const t: KubeTarget = { context: KIND_CONTEXT, ...(o.namespace ? { namespace: o.namespace } : {}) };
  const wait = { timeoutMs: o.timeoutSeconds * 1000, everyMs: o.pollMs ?? 2000, log };
  log("[1/7] Prerequisites and cluster");
  await checkPrerequisites(run, ["docker", "kind", "kubectl"], log);
  if (!(await kindClusters(run)).includes(CLUSTER_NAME)) {
    throw new Error(`Cannot recover: kind cluster ${CLUSTER_NAME} does not exist; create it with ./runbook/setup.ts`);
  }
  log(`[2/7] Node containers of ${CLUSTER_NAME}`);
  const containers = await dockerNodeContainers(run, CLUSTER_NAME);
  if (containers.length === 0) throw new Error(`Cannot recover: no node containers labelled for ${CLUSTER_NAME}; recreate it with kind delete cluster --name ${CLUSTER_NAME} && ./runbook/setup.ts`);
  const stopped = containers.filter((c) => !c.running).map((c) => c.name);
  for (const c of containers) log(`  ${c.name}: ${c.state}`);
  await dockerStart(run, stopped);
  if (shell.dryRun) {
    log("dry run: would wait for the API server, CoreDNS and every node, then check brokers, image and run");
  } else {
    log("[3/7] API server");
    await waitUntil("API server", async () => ((await apiServerReady(run, t)) ? true : "not answering /readyz"), wait);
    log("[4/7] CoreDNS and nodes");
    await waitUntil("CoreDNS", async () => {
      const pods = await kubectlGetPods(run, "k8s-app=kube-dns", { ...t, namespace: "kube-system" }).catch(() => []);
      const ready = pods.filter((p) => p.ready).length;
      return pods.length > 0 && ready === pods.length ? true : `${ready}/${pods.length} pods ready`;
    }, wait);
    await waitUntil(`${containers.length} nodes`, async () => {
      const nodes = await kubectlGetNodes(run, t).catch(() => []);
      const ready = nodes.filter((n) => n.ready).length;
      return ready === containers.length ? true : `${ready}/${containers.length} Ready`;
    }, wait);
  }
  log("[5/7] Brokers");
  for (const backend of o.brokers) {
    const present = await kubectlGetObjects(run, ["deployments"], cleanupSelector(backend), t);
    if (present.length > 0) {
      log(`  ${backend}: present`);
      if (!shell.dryRun) await kubectlRolloutStatus(run, `ttg-${backend}`, o.timeoutSeconds, t);
    } else {
      log(`  ${backend}: missing, redeploying`);
      await deployBroker(run, backend, { ...t, timeoutSeconds: o.timeoutSeconds });
    }
  }
  log("[6/7] Worker image");
  const image = workerImage();
  const missing = await nodesMissingImage(run, image);
  if (missing.length === 0) log(`  ${image} is loaded on every node`);
  else if (await dockerImageExists(run, image)) await kindLoadImage(run, image, CLUSTER_NAME);
  else log(`  ${image} is missing on ${missing.join(", ")} and not built: run ./runbook/build.ts --load-kind`);
  log("[7/7] Interrupted run");
  if (o.resumeRunId && o.resumeByDemo) log(`  run ${o.resumeRunId}: resumed with its coordinator (./runbook/demo.ts --resume ${o.resumeRunId}) once the cluster is back`);
  else if (o.resumeRunId) await resumeRun(run, o.resumeRunId, { target: t, log });
  else log("  no --resume RUN_ID given: nothing to resume");
  log(`Cluster ${CLUSTER_NAME} recovered.`);
}
