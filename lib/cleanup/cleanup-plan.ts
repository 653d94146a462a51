// cleanup.ts: resolve exactly which TTG objects go (read-only `kubectl get` by label), then
// delete them by name. Worker and broker selectors never overlap (lib/k8s/labels.ts), and every
// object is checked again client-side: nothing without the project's labels is deleted.
import type { Run } from "../shell/run.ts";
import type { BrokerRuns } from "../backends/list-runs.ts";
import type { PurgeOutcome } from "../backends/purge-types.ts";
import type { BrokerBackend } from "../k8s/broker-objects.ts";
import { APPS, LABEL, PART_OF, PROJECT, selectorString, type AppName } from "../k8s/labels.ts";
import { kubectlDelete, kubectlGetObjects, type KubeTarget, type ObjectRef } from "../kind/kubectl.ts";

export type CleanupScope = { pods: boolean; redis: boolean; rabbitmq: boolean; monitoring: boolean; runId?: string };

const WORKER_KINDS = ["jobs", "deployments", "pods"] as const;
const BROKER_KINDS = ["deployments", "services", "networkpolicies", "configmaps", "persistentvolumeclaims", "secrets", "pods"] as const;

/** Label selector for one app; the run id narrows worker objects to one run. */
export function cleanupSelector(app: AppName, runId?: string): string {
  return selectorString({
    [LABEL.name]: APPS[app].name,
    [LABEL.partOf]: PART_OF,
    [LABEL.project]: PROJECT,
    [LABEL.ttgComponent]: APPS[app].ttgComponent,
    ...(app === "worker" && runId !== undefined ? { [LABEL.runId]: runId } : {}),
  });
}

function carries(ref: ObjectRef, app: AppName, runId?: string): boolean {
  const l = ref.labels;
  return (
    l[LABEL.name] === APPS[app].name &&
    l[LABEL.partOf] === PART_OF &&
    l[LABEL.project] === PROJECT &&
    l[LABEL.ttgComponent] === APPS[app].ttgComponent &&
    (app !== "worker" || runId === undefined || l[LABEL.runId] === runId)
  );
}

export type CleanupGroup = { app: AppName; objects: ObjectRef[] };

export async function planCleanup(run: Run, scope: CleanupScope, t: KubeTarget): Promise<CleanupGroup[]> {
  const wanted: [AppName, readonly string[]][] = [];
  if (scope.pods) wanted.push(["worker", WORKER_KINDS]);
  if (scope.redis) wanted.push(["redis", BROKER_KINDS]);
  if (scope.rabbitmq) wanted.push(["rabbitmq", BROKER_KINDS]);
  if (scope.monitoring) wanted.push(["redisInsight", ["deployments", "services", "pods"]]);
  const groups: CleanupGroup[] = [];
  for (const [app, kinds] of wanted) {
    const found = await kubectlGetObjects(run, kinds, cleanupSelector(app, scope.runId), t);
    groups.push({ app, objects: found.filter((o) => carries(o, app, scope.runId)) });
  }
  return groups;
}

/** Controllers first (so they do not recreate pods), then the rest. */
export async function executeCleanup(run: Run, groups: readonly CleanupGroup[], t: KubeTarget): Promise<void> {
  for (const g of groups) {
    const controllers = g.objects.filter((o) => o.kind === "Job" || o.kind === "Deployment");
    const rest = g.objects.filter((o) => !controllers.includes(o));
    await kubectlDelete(run, controllers, t);
    await kubectlDelete(run, rest, { ...t, wait: false });
  }
}

/**
 * The local platform's broker data (no cluster): `--redis`/`--rabbitmq` list TTG's runs in the
 * namespace with their state (Redis keys `<ns>:*`, RabbitMQ queues `<ns>.*`), then delete exact
 * names — never FLUSHALL, never another project's keys or queues. cleanup-local.ts builds
 * the real one from the environment.
 */
export type LocalBrokerPurge = {
  list(backend: BrokerBackend): Promise<BrokerRuns>;
  remove(backend: BrokerBackend, names: readonly string[]): Promise<PurgeOutcome>;
};
