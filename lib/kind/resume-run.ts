// Resuming an interrupted run = starting its workers again on the same RUN_ID: the queue
// kept the chunks (and results), so new workers pick up where the old ones stopped.
import type { IPod } from "kubernetes-models/v1";
import type { Run } from "../shell/run.ts";
import { workerSelector } from "../k8s/labels.ts";
import { kubectlApply, kubectlDelete, kubectlGetObjects, kubectlGetPodObjects, type KubeTarget } from "./kubectl.ts";
import { ATTEMPT_LABEL, workerPodName } from "../k8s/worker-objects.ts";

const ALIVE = new Set(["Running", "Pending", "Succeeded"]);

/** A fresh copy of a dead standalone worker pod: same image, env and labels, next attempt. */
function replacementPod(old: IPod, runId: string): IPod {
  const labels = { ...(old.metadata?.labels ?? {}) };
  const attempt = Number(labels[ATTEMPT_LABEL] ?? "1") + 1;
  labels[ATTEMPT_LABEL] = String(attempt);
  const container = old.spec?.containers[0];
  const workerId = container?.env?.find((e) => e.name === "WORKER_ID")?.value ?? old.metadata?.name ?? "0";
  const { nodeName: _node, ...spec } = old.spec ?? { containers: [] };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: workerPodName(runId, workerId, attempt),
      labels,
      ...(old.metadata?.namespace ? { namespace: old.metadata.namespace } : {}),
    },
    spec,
  };
}

export type ResumeResult = { restarted: string[]; alive: string[]; jobs: string[] };

export async function resumeRun(run: Run, runId: string, o: { target: KubeTarget; log: (line: string) => void }): Promise<ResumeResult> {
  const selector = workerSelector(runId);
  const jobs = (await kubectlGetObjects(run, ["jobs"], selector, o.target)).map((j) => j.name);
  const pods = (await kubectlGetPodObjects(run, selector, o.target)) as unknown as IPod[];
  const owned = (p: IPod) => (p.metadata?.ownerReferences?.length ?? 0) > 0;
  const dead = pods.filter((p) => !owned(p) && !(ALIVE.has(p.status?.phase ?? "") && !p.metadata?.deletionTimestamp));
  const alive = pods.filter((p) => !dead.includes(p)).map((p) => p.metadata?.name ?? "");
  if (pods.length === 0 && jobs.length === 0) {
    throw new Error(`Cannot resume run ${runId}: no worker pods or jobs of this run on the cluster (start it again with ./runbook/demo.ts --run-id ${runId})`);
  }
  for (const j of jobs) o.log(`job ${j}: its controller restarts its pods on RUN_ID=${runId}`);
  const replacements = dead.map((p) => replacementPod(p, runId));
  if (replacements.length > 0) {
    await kubectlApply(run, replacements, o.target);
    await kubectlDelete(run, dead.map((p) => ({ kind: "pod", name: p.metadata?.name ?? "", labels: {} })), { ...o.target, wait: false });
  }
  const restarted = replacements.map((p) => p.metadata?.name ?? "");
  o.log(`run ${runId}: ${restarted.length} worker(s) started again, ${alive.length} still alive`);
  return { restarted, alive, jobs };
}

/**
 * Before a resumed coordinator starts its own workers: the run's worker pods left from before the
 * interruption go (a live one is stopped with its grace period and hands its chunk back), so the
 * new pods can take their names.
 */
export async function removeRunWorkers(run: Run, runId: string, target: KubeTarget): Promise<number> {
  const pods = await kubectlGetObjects(run, ["pods"], workerSelector(runId), target);
  await kubectlDelete(run, pods, { ...target, wait: true });
  return pods.length;
}
