// KEDA autoscaling for queue-mode workers: scale a run's autoscaled worker Deployment on the lag
// of the run's own task stream (redis-streams lagCount) or the length of its own task queue. Every
// object is named after the run, so two runs autoscale side by side in one cluster.
import type { IScaledObject, ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { REDIS_SECRET, RABBITMQ_SECRET, type BrokerBackend } from "./broker-objects.ts";
import { labelsFor } from "./labels.ts";
import { autoscaledName, distinctDnsName } from "./worker-objects.ts";
import { rabbitmqNames } from "../backends/rabbitmq/rabbitmq-names.ts";
import { redisKeys } from "../backends/redis/redis-keys.ts";

export type KedaOptions = {
  runId: string;
  namespace?: string;
  /** Key/queue prefix (QUEUE_NAMESPACE): ttg gives the stream ttg:tasks:<run> and the queue ttg.tasks.<run>. */
  queueNamespace?: string;
  minReplicas?: number;
  maxReplicas?: number;
  /** Chunks waiting per worker before KEDA adds one. */
  chunksPerWorker?: number;
};

function meta(name: string, o: KedaOptions) {
  return { name, labels: labelsFor("worker", { runId: o.runId }), ...(o.namespace === undefined ? {} : { namespace: o.namespace }) };
}

export function kedaTriggerAuthentication(backend: BrokerBackend, o: KedaOptions): ITriggerAuthentication {
  const secretTargetRef =
    backend === "redis"
      ? [{ parameter: "password", name: REDIS_SECRET, key: "password" }]
      : [{ parameter: "host", name: RABBITMQ_SECRET, key: "amqp-url" }];
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "TriggerAuthentication",
    metadata: meta(authName(backend, o.runId), o),
    spec: { secretTargetRef },
  };
}

function authName(backend: BrokerBackend, runId: string): string {
  return distinctDnsName(`ttg-${backend}-auth-${runId}`);
}

export function kedaScaledObject(backend: BrokerBackend, o: KedaOptions): IScaledObject {
  const ns = o.queueNamespace ?? "ttg";
  const per = String(o.chunksPerWorker ?? 10);
  const keys = redisKeys(ns, o.runId);
  const trigger =
    backend === "redis"
      ? {
          type: "redis-streams",
          metadata: { address: "ttg-redis:6379", stream: keys.tasks, consumerGroup: keys.group, lagCount: per, activationLagCount: "0" },
          authenticationRef: { name: authName(backend, o.runId) },
        }
      : {
          type: "rabbitmq",
          metadata: { protocol: "amqp", queueName: rabbitmqNames(ns, o.runId).tasks, mode: "QueueLength", value: per, activationValue: "0" },
          authenticationRef: { name: authName(backend, o.runId) },
        };
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: meta(autoscaledName(backend, o.runId), o),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: autoscaledName(backend, o.runId) },
      minReplicaCount: o.minReplicas ?? 0,
      maxReplicaCount: o.maxReplicas ?? 12,
      pollingInterval: 5,
      cooldownPeriod: 60,
      triggers: [trigger],
    },
  };
}
