// Pure builders for a run's worker objects: standalone pods (fault demo), the static Indexed
// Job, queue-mode Jobs and the Deployment KEDA scales. Env names come from WORKER_VARIABLES.
import { createHash } from "node:crypto";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IJob, IPodFailurePolicy } from "kubernetes-models/batch/v1";
import type { IContainer, IEnvVar, IPod, IPodSpec } from "kubernetes-models/v1";
import { WORKER_VARIABLES, type WorkerVariableName } from "../config/worker-variables.ts";
import { EXIT_CODES } from "../script/exit-codes.ts";
import { labelsFor, LABEL, selectorLabels } from "./labels.ts";
import { hardened, podSecurity, RESOURCES, scratchVolumes } from "./security.ts";
import { REDIS_SECRET, RABBITMQ_SECRET } from "./broker-objects.ts";

const WORKER_UID = 1000;
const WORKER_ID_LABEL = "ttg.io/worker-id";
export const ATTEMPT_LABEL = "ttg.io/attempt";

export type WorkerBackend = "redis" | "rabbitmq" | "static";

export type WorkerRunSpec = {
  runId: string;
  backend: WorkerBackend;
  image: string;
  /** Worker variables for every worker (TOTAL_PARAMETERS, CHUNK_SIZE, ...). */
  env?: Partial<Record<WorkerVariableName, string>>;
  namespace?: string;
};

/** Kubernetes object names: lowercase DNS labels, at most `max` characters. */
function dnsName(text: string, max = 63): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "");
  return cleaned.slice(0, max).replace(/-+$/, "") || "x";
}

/**
 * dnsName that keeps distinct texts distinct: when cleaning or shortening changed the text (a run
 * id with a dot, or too long), a short hash of the whole text is appended, so runs "a.b" and "a-b",
 * or two long ids that share their first 40 characters, never name the same Job or pod.
 */
export function distinctDnsName(text: string, max = 63): string {
  const plain = dnsName(text, max);
  if (plain === text) return plain;
  return `${dnsName(text, max - 9)}-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;
}

function envVar(name: WorkerVariableName, value: string): IEnvVar {
  return { name: WORKER_VARIABLES[name].name, value };
}

function secretEnv(name: WorkerVariableName, secret: string, key: string): IEnvVar {
  return { name: WORKER_VARIABLES[name].name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** Backend settings a queue worker needs inside the cluster; credentials only by Secret reference. */
function backendEnv(backend: WorkerBackend): IEnvVar[] {
  if (backend === "static") return [envVar("QUEUE_MODE", "false")];
  const common = [envVar("QUEUE_MODE", "true"), envVar("QUEUE_BACKEND", backend)];
  if (backend === "redis") {
    return [...common, envVar("REDIS_HOST", "ttg-redis"), envVar("REDIS_PORT", "6379"), secretEnv("REDIS_PASSWORD", REDIS_SECRET, "password")];
  }
  return [
    ...common,
    envVar("RABBITMQ_HOST", "ttg-rabbitmq"),
    envVar("RABBITMQ_PORT", "5672"),
    secretEnv("RABBITMQ_USER", RABBITMQ_SECRET, "username"),
    secretEnv("RABBITMQ_PASSWORD", RABBITMQ_SECRET, "password"),
  ];
}

const CLUSTER_SET = new Set<string>(["QUEUE_MODE", "USE_QUEUE", "NODE_NAME", "QUEUE_BACKEND", "RUN_ID", "REDIS_HOST", "REDIS_PORT", "REDIS_URL", "REDIS_PASSWORD", "RABBITMQ_HOST", "RABBITMQ_PORT", "AMQP_URL", "RABBITMQ_USER", "RABBITMQ_PASSWORD"]);

/** NODE_NAME from the pod's node (downward API): the worker's logs and the report name it. */
function nodeNameFromPod(): IEnvVar {
  return { name: WORKER_VARIABLES.NODE_NAME.name, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } };
}

/** The full env list: user variables (minus what the cluster decides), backend, run id, extras. */
export function workerEnv(spec: WorkerRunSpec, extra: IEnvVar[] = []): IEnvVar[] {
  const user = Object.entries(spec.env ?? {})
    .filter((e): e is [WorkerVariableName, string] => e[1] !== undefined && !CLUSTER_SET.has(e[0]))
    .filter(([name]) => !extra.some((x) => x.name === name))
    .map(([name, value]) => {
      if (!(name in WORKER_VARIABLES)) throw new Error(`Cannot set ${name} on a worker: it is not a worker variable`);
      return envVar(name, value);
    });
  return [...user, ...backendEnv(spec.backend), envVar("RUN_ID", spec.runId), nodeNameFromPod(), ...extra];
}

function workerPodSpec(spec: WorkerRunSpec, extraEnv: IEnvVar[], restartPolicy: "Never" | "Always"): IPodSpec {
  const scratch = scratchVolumes({ tmp: "/tmp" });
  const container: IContainer = hardened(
    { name: "worker", image: spec.image, imagePullPolicy: "IfNotPresent", env: workerEnv(spec, extraEnv), volumeMounts: scratch.mounts },
    RESOURCES.worker,
  );
  return {
    restartPolicy,
    // SHUTDOWN_GRACE_SECONDS plus margin: a SIGTERMed worker finishes or releases its chunk.
    terminationGracePeriodSeconds: 15,
    automountServiceAccountToken: false,
    securityContext: podSecurity(WORKER_UID),
    // Spread the run's workers over the nodes, so a lost node costs one worker, not all.
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selectorLabels("worker", spec.runId) },
      },
    ],
    containers: [container],
    volumes: scratch.volumes,
  };
}

function meta(spec: WorkerRunSpec, name: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    labels: { ...labelsFor("worker", { runId: spec.runId }), ...extraLabels },
    ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
  };
}

/** Pod name of worker `workerId`; `attempt` > 1 when the same worker is started again. */
export function workerPodName(runId: string, workerId: string, attempt = 1): string {
  const suffix = `-${dnsName(workerId, 20)}${attempt > 1 ? `-${attempt}` : ""}`;
  return `${distinctDnsName(`ttg-worker-${runId}`, 63 - suffix.length)}${suffix}`;
}

/** One standalone worker pod (not restarted by Kubernetes: the fault demo's kill is final). */
export function workerPod(spec: WorkerRunSpec, workerId: string, attempt = 1): IPod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(spec, workerPodName(spec.runId, workerId, attempt), { [WORKER_ID_LABEL]: dnsName(workerId), [ATTEMPT_LABEL]: String(attempt) }),
    spec: workerPodSpec(spec, [envVar("WORKER_ID", workerId)], "Never"),
  };
}

/**
 * A worker that exits 2 (bad input: a variable, a compute module that cannot load) would fail the
 * same way in every replacement: the Job fails at once instead of spending its backoffLimit.
 * A pod disrupted by the cluster (a drained node) does not count against the limit.
 */
function badInputFailsTheJob(): IPodFailurePolicy {
  return {
    rules: [
      { action: "FailJob", onExitCodes: { containerName: "worker", operator: "In", values: [EXIT_CODES.badInput] } },
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
    ],
  };
}

/** Static mode (M1): worker i of n from JOB_COMPLETION_INDEX; a failed index is retried. */
export function staticIndexedJob(spec: WorkerRunSpec, workers: number): IJob {
  const s = { ...spec, backend: "static" as const };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(s, distinctDnsName(`ttg-worker-static-${spec.runId}`, 52)),
    spec: {
      completionMode: "Indexed",
      completions: workers,
      parallelism: workers,
      backoffLimit: workers * 2,
      podFailurePolicy: badInputFailsTheJob(),
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labelsFor("worker", { runId: spec.runId }) },
        // TOTAL_WORKERS is the same number as completions: they cannot disagree (in the original, --workers 5 ran 5 workers that each believed there were 3).
        spec: workerPodSpec(s, [envVar("TOTAL_WORKERS", String(workers))], "Never"),
      },
    },
  };
}

/** WORKER_ID from the pod's own name, so every queue worker is told apart in results. */
function podNameAsWorkerId(): IEnvVar {
  return { name: WORKER_VARIABLES.WORKER_ID.name, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };
}

/** Queue mode (M2/M3): a work-queue Job; pods pull chunks until the run is settled. */
export function queueWorkerJob(spec: WorkerRunSpec, workers: number): IJob {
  if (spec.backend === "static") throw new Error("Cannot build a queue-mode Job for the static backend");
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(spec, distinctDnsName(`ttg-worker-${spec.backend}-${spec.runId}`, 52)),
    spec: {
      parallelism: workers,
      // A pod that dies is replaced (the Job's restart budget); bad input (exit 2) fails the Job at once.
      backoffLimit: workers * 3,
      podFailurePolicy: badInputFailsTheJob(),
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labelsFor("worker", { runId: spec.runId }) },
        spec: workerPodSpec(spec, [podNameAsWorkerId()], "Never"),
      },
    },
  };
}

/** The autoscaled Deployment of a run (its ScaledObject has the same name). */
export function autoscaledName(backend: string, runId: string): string {
  return distinctDnsName(`ttg-worker-${backend}-autoscaled-${runId}`);
}

/** Long-lived queue workers for KEDA to scale on queue lag (replicas owned by the ScaledObject). */
export function autoscaledWorkerDeployment(spec: WorkerRunSpec): IDeployment {
  if (spec.backend === "static") throw new Error("Cannot autoscale the static backend");
  const selector = { ...selectorLabels("worker", spec.runId), [LABEL.component]: "worker" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(spec, autoscaledName(spec.backend, spec.runId)),
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labelsFor("worker", { runId: spec.runId }) },
        spec: workerPodSpec(spec, [podNameAsWorkerId()], "Always"),
      },
    },
  };
}
