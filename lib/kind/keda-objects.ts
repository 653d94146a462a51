// KEDA autoscaling for queue-mode workers: scale the autoscaled worker Deployment on the
// Redis stream's consumer-group lag (redis-streams lagCount) or the RabbitMQ queue length.
import type { IScaledObject, ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { REDIS_SECRET, RABBITMQ_SECRET, type BrokerBackend } from "./broker-objects.ts";
import { labelsFor } from "./labels.ts";
import { dnsName } from "./worker-objects.ts";

export type KedaOptions = {
  runId: string;
  namespace?: string;
  /** Key/queue prefix (QUEUE_NAMESPACE): ttg gives the stream ttg:tasks and the queue ttg.tasks. */
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
    metadata: meta(`ttg-${backend}-auth`, o),
    spec: { secretTargetRef },
  };
}

export function kedaScaledObject(backend: BrokerBackend, o: KedaOptions): IScaledObject {
  const ns = o.queueNamespace ?? "ttg";
  const per = String(o.chunksPerWorker ?? 10);
  const trigger =
    backend === "redis"
      ? {
          type: "redis-streams",
          metadata: { address: "ttg-redis:6379", stream: `${ns}:tasks`, consumerGroup: "ttg-workers", lagCount: per, activationLagCount: "0" },
          authenticationRef: { name: `ttg-${backend}-auth` },
        }
      : {
          type: "rabbitmq",
          metadata: { protocol: "amqp", queueName: `${ns}.tasks`, mode: "QueueLength", value: per, activationValue: "0" },
          authenticationRef: { name: `ttg-${backend}-auth` },
        };
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: meta(dnsName(`ttg-worker-${backend}-autoscaled`), o),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: dnsName(`ttg-worker-${backend}-autoscaled`) },
      minReplicaCount: o.minReplicas ?? 0,
      maxReplicaCount: o.maxReplicas ?? 12,
      pollingInterval: 5,
      cooldownPeriod: 60,
      triggers: [trigger],
    },
  };
}
