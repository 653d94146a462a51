// k8s/*.yaml are rendered from the builders, so the files a user applies by hand and the
// objects the runbook applies cannot drift apart. Regenerate with:
//   node --import tsx lib/k8s/manifests.ts
// (test/k8s-manifests.test.ts fails when a file is out of date).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { isMain } from "../script/entry.ts";
import { brokerSecret, rabbitmqObjects, redisInsightObjects, redisObjects, type K8sObject } from "./broker-objects.ts";
import { K8S_DIR, workerImage } from "./cluster.ts";
import { kedaScaledObject, kedaTriggerAuthentication } from "./keda-objects.ts";
import { kindClusterConfig } from "./kind-config.ts";
import { autoscaledWorkerDeployment, queueWorkerJob, staticIndexedJob, workerPod, type WorkerRunSpec } from "./worker-objects.ts";

/** Run id of the hand-applied manifests (the worker's RUN_ID default). */
const MANUAL_RUN_ID = "ttg-run";
const WORKERS = 3;
const SWEEP = { TOTAL_PARAMETERS: "10000", CHUNK_SIZE: "100", SIMULATE_WORK_MS: "1", LOG_LEVEL: "INFO", LOG_FORMAT: "text" } as const;

function spec(backend: WorkerRunSpec["backend"], env: WorkerRunSpec["env"] = {}): WorkerRunSpec {
  return { runId: MANUAL_RUN_ID, backend, image: workerImage(), env: { ...SWEEP, ...env } };
}

type Manifest = { about: string[]; objects: () => object[] };

export const MANIFESTS: Record<string, Manifest> = {
  "kind-config.yaml": {
    about: ["kind cluster ttg-sandbox: 1 control-plane + 3 workers.", "kind create cluster --config k8s/kind-config.yaml  (or ./runbook/setup.ts)"],
    objects: () => [kindClusterConfig()],
  },
  "parallel-jobs.yaml": {
    about: ["Static mode (M1): an Indexed Job; WORKER_ID comes from JOB_COMPLETION_INDEX.", "TOTAL_WORKERS always equals completions/parallelism."],
    objects: () => [staticIndexedJob(spec("static"), WORKERS)],
  },
  "parallel-jobs-queue.yaml": {
    about: ["Queue mode (M2), Redis Streams: needs k8s/redis.yaml; chunks are loaded by the first worker (idempotent)."],
    objects: () => [queueWorkerJob(spec("redis"), WORKERS)],
  },
  "parallel-jobs-queue-rabbitmq.yaml": {
    about: ["Queue mode (M3), RabbitMQ: needs k8s/rabbitmq.yaml."],
    objects: () => [queueWorkerJob(spec("rabbitmq"), WORKERS)],
  },
  "parallel-workers-standalone.yaml": {
    about: ["Standalone worker pods (not restarted by Kubernetes) for fault-tolerance demos, Redis queue mode."],
    objects: () => Array.from({ length: WORKERS }, (_, i) => workerPod(spec("redis"), String(i))),
  },
  "redis.yaml": {
    about: ["Redis with AOF on a PVC, probes, password from Secret ttg-redis-auth (k8s/secrets.template.yaml).", "NetworkPolicy: only TTG pods (and KEDA) reach it."],
    objects: () => redisObjects(),
  },
  "rabbitmq.yaml": {
    about: ["RabbitMQ with management, data on a PVC, probes, credentials from Secret ttg-rabbitmq-auth.", "NetworkPolicy: only TTG pods (and KEDA) reach it."],
    objects: () => rabbitmqObjects(),
  },
  "redis-insight.yaml": {
    about: ["RedisInsight (pinned image) for browsing ttg:* keys:", "kubectl port-forward service/redis-insight 5540:5540"],
    objects: () => redisInsightObjects(),
  },
  "secrets.template.yaml": {
    about: [
      "Broker credentials. No passwords live in this repository: fill the placeholders, e.g.",
      "  export REDIS_PASSWORD=$(openssl rand -hex 24) RABBITMQ_PASSWORD=$(openssl rand -hex 24)",
      "  envsubst < k8s/secrets.template.yaml | kubectl apply -f -",
      "The runbook (demo, recover) generates them itself when they are missing.",
    ],
    objects: () => [
      brokerSecret("redis", "${REDIS_PASSWORD}", { template: true }),
      brokerSecret("rabbitmq", "${RABBITMQ_PASSWORD}", { template: true }),
    ],
  },
  "keda-redis.yaml": {
    about: [
      "Autoscaling (needs KEDA: https://keda.sh/docs/deploy/): queue workers scaled on the",
      "consumer-group lag of the run's ttg:tasks:<run> stream (redis-streams lagCount), 0..12 replicas.",
    ],
    objects: () => [
      autoscaledWorkerDeployment(spec("redis", { IDLE_TIMEOUT_SECONDS: "300" })),
      kedaTriggerAuthentication("redis", { runId: MANUAL_RUN_ID }),
      kedaScaledObject("redis", { runId: MANUAL_RUN_ID }),
    ],
  },
  "keda-rabbitmq.yaml": {
    about: ["Autoscaling (needs KEDA): queue workers scaled on the length of the run's ttg.tasks.<run> queue, 0..12 replicas."],
    objects: () => [
      autoscaledWorkerDeployment(spec("rabbitmq", { IDLE_TIMEOUT_SECONDS: "300" })),
      kedaTriggerAuthentication("rabbitmq", { runId: MANUAL_RUN_ID }),
      kedaScaledObject("rabbitmq", { runId: MANUAL_RUN_ID }),
    ],
  },
};

/** Multi-document YAML for `kubectl apply -f -`. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

export function renderManifest(file: string): string {
  const m = MANIFESTS[file];
  if (!m) throw new Error(`Cannot render ${file}: not a TTG manifest`);
  const header = [`# Generated by lib/k8s/manifests.ts — edit the builders, not this file.`, ...m.about.map((l) => `# ${l}`)];
  return `${header.join("\n")}\n${toYaml(m.objects())}`;
}

function writeManifests(dir = K8S_DIR): string[] {
  return Object.keys(MANIFESTS).map((file) => {
    writeFileSync(join(dir, file), renderManifest(file));
    return file;
  });
}

export type { K8sObject };

if (isMain(import.meta)) for (const f of writeManifests()) process.stdout.write(`wrote k8s/${f}\n`);
