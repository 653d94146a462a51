// Pure builders for the brokers (Redis with AOF, RabbitMQ with management), RedisInsight,
// their credentials Secrets and the NetworkPolicy that lets only TTG pods reach them.
import { randomBytes } from "node:crypto";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import type { IConfigMap, IPersistentVolumeClaim, ISecret, IService } from "kubernetes-models/v1";
import { labelsFor, LABEL, PART_OF, selectorLabels, type AppName } from "./labels.ts";
import { hardened, podSecurity, RESOURCES, scratchVolumes } from "./security.ts";

export const REDIS_SECRET = "ttg-redis-auth";
export const RABBITMQ_SECRET = "ttg-rabbitmq-auth";
const REDIS_IMAGE = "redis:7.4.2-alpine";
const RABBITMQ_IMAGE = "rabbitmq:3.13.7-management-alpine";
const REDIS_INSIGHT_IMAGE = "redis/redisinsight:2.66.0";
/** uid of the redis and rabbitmq users in the official images. */
const BROKER_UID = 999;

export type BrokerBackend = "redis" | "rabbitmq";
export type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };

type Ns = { namespace?: string };

function meta(app: AppName, name: string, opts: Ns) {
  return { name, labels: labelsFor(app), ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }) };
}

export function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

/** Credentials, generated per cluster (never a literal in a manifest; never guest/guest). */
export function brokerSecret(backend: BrokerBackend, password: string, opts: Ns & { username?: string; template?: boolean } = {}): ISecret {
  if (backend === "redis") {
    return { apiVersion: "v1", kind: "Secret", metadata: meta("redis", REDIS_SECRET, opts), type: "Opaque", stringData: { password } };
  }
  const username = opts.username ?? "ttg";
  // A template keeps ${PLACEHOLDERS} readable for envsubst; real values are URL-encoded.
  const enc = opts.template ? (t: string) => t : encodeURIComponent;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta("rabbitmq", RABBITMQ_SECRET, opts),
    type: "Opaque",
    // amqp-url is what KEDA's rabbitmq trigger reads (TriggerAuthentication "host").
    stringData: { username, password, "amqp-url": `amqp://${enc(username)}:${enc(password)}@ttg-rabbitmq:5672/` },
  };
}

function pvc(app: AppName, name: string, size: string, opts: Ns): IPersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(app, name, opts),
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
  };
}

function service(app: AppName, name: string, ports: Record<string, number>, opts: Ns): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(app, name, opts),
    spec: {
      selector: selectorLabels(app),
      ports: Object.entries(ports).map(([portName, port]) => ({ name: portName, port, targetPort: port, protocol: "TCP" as const })),
    },
  };
}

function singleton(app: AppName, name: string, podSpec: NonNullable<NonNullable<IDeployment["spec"]>["template"]["spec"]>, opts: Ns): IDeployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(app, name, opts),
    spec: {
      replicas: 1,
      // One writer on the volume: the old pod goes before the new one starts.
      strategy: { type: "Recreate" },
      selector: { matchLabels: selectorLabels(app) },
      template: { metadata: { labels: labelsFor(app) }, spec: { automountServiceAccountToken: false, ...podSpec } },
    },
  };
}

export function redisObjects(opts: Ns = {}): K8sObject[] {
  const scratch = scratchVolumes({ tmp: "/tmp" });
  const container = hardened(
    {
      name: "redis",
      image: REDIS_IMAGE,
      imagePullPolicy: "IfNotPresent",
      // AOF on every second: a broker restart loses no accepted chunk or result (docs/how-it-works.md §3).
      command: ["redis-server"],
      args: ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", "/data", "--requirepass", "$(REDIS_PASSWORD)"],
      env: [
        { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: "password" } } },
        // redis-cli reads REDISCLI_AUTH, so the probe never puts the password on a command line.
        { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: "password" } } },
      ],
      ports: [{ name: "redis", containerPort: 6379 }],
      readinessProbe: { exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] }, initialDelaySeconds: 2, periodSeconds: 5 },
      livenessProbe: { tcpSocket: { port: 6379 }, initialDelaySeconds: 10, periodSeconds: 10 },
      volumeMounts: [{ name: "data", mountPath: "/data" }, ...scratch.mounts],
    },
    RESOURCES.redis,
  );
  return [
    pvc("redis", "ttg-redis-data", "1Gi", opts),
    singleton(
      "redis",
      "ttg-redis",
      {
        securityContext: podSecurity(BROKER_UID),
        containers: [container],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "ttg-redis-data" } }, ...scratch.volumes],
      },
      opts,
    ),
    service("redis", "ttg-redis", { redis: 6379 }, opts),
    brokerNetworkPolicy("redis", opts),
  ];
}

const RABBITMQ_CONF = [
  "# TTG: logs to the console, management on 15672; the only user comes from Secret ttg-rabbitmq-auth.",
  "log.console = true",
  "log.file = false",
    "management.tcp.port = 15672",
  "",
].join("\n");

export function rabbitmqObjects(opts: Ns = {}): K8sObject[] {
  const scratch = scratchVolumes({ tmp: "/tmp" });
  const config: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta("rabbitmq", "ttg-rabbitmq-config", opts),
    data: { "10-ttg.conf": RABBITMQ_CONF, enabled_plugins: "[rabbitmq_management,rabbitmq_prometheus].\n" },
  };
  const container = hardened(
    {
      name: "rabbitmq",
      image: RABBITMQ_IMAGE,
      imagePullPolicy: "IfNotPresent",
      env: [
        { name: "RABBITMQ_DEFAULT_USER", valueFrom: { secretKeyRef: { name: RABBITMQ_SECRET, key: "username" } } },
        { name: "RABBITMQ_DEFAULT_PASS", valueFrom: { secretKeyRef: { name: RABBITMQ_SECRET, key: "password" } } },
        { name: "RABBITMQ_ENABLED_PLUGINS_FILE", value: "/etc/rabbitmq/ttg/enabled_plugins" },
        { name: "RABBITMQ_CONFIG_FILES", value: "/etc/rabbitmq/ttg" },
      ],
      ports: [
        { name: "amqp", containerPort: 5672 },
        { name: "management", containerPort: 15672 },
      ],
      readinessProbe: {
        exec: { command: ["rabbitmq-diagnostics", "-q", "check_port_connectivity"] },
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 10,
      },
      livenessProbe: { exec: { command: ["rabbitmq-diagnostics", "-q", "ping"] }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 10 },
      volumeMounts: [
        { name: "data", mountPath: "/var/lib/rabbitmq" },
        { name: "config", mountPath: "/etc/rabbitmq/ttg", readOnly: true },
        ...scratch.mounts,
      ],
    },
    RESOURCES.rabbitmq,
  );
  return [
    config,
    pvc("rabbitmq", "ttg-rabbitmq-data", "1Gi", opts),
    singleton(
      "rabbitmq",
      "ttg-rabbitmq",
      {
        securityContext: podSecurity(BROKER_UID),
        terminationGracePeriodSeconds: 60,
        containers: [container],
        volumes: [
          { name: "data", persistentVolumeClaim: { claimName: "ttg-rabbitmq-data" } },
          { name: "config", configMap: { name: "ttg-rabbitmq-config" } },
          ...scratch.volumes,
        ],
      },
      opts,
    ),
    service("rabbitmq", "ttg-rabbitmq", { amqp: 5672, management: 15672 }, opts),
    brokerNetworkPolicy("rabbitmq", opts),
  ];
}

export function redisInsightObjects(opts: Ns = {}): K8sObject[] {
  const scratch = scratchVolumes({ data: "/data", tmp: "/tmp" });
  const container = hardened(
    {
      name: "redis-insight",
      image: REDIS_INSIGHT_IMAGE,
      imagePullPolicy: "IfNotPresent",
      env: [{ name: "RI_APP_PORT", value: "5540" }],
      ports: [{ name: "http", containerPort: 5540 }],
      readinessProbe: { httpGet: { path: "/api/health", port: 5540 }, initialDelaySeconds: 5, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: "/api/health", port: 5540 }, initialDelaySeconds: 30, periodSeconds: 20 },
      volumeMounts: scratch.mounts,
    },
    RESOURCES.redisInsight,
  );
  return [
    singleton("redisInsight", "redis-insight", { securityContext: podSecurity(1000), containers: [container], volumes: scratch.volumes }, opts),
    service("redisInsight", "redis-insight", { http: 5540 }, opts),
  ];
}

/** Only pods that are part of TTG reach this broker (kubectl port-forward is not affected). */
function brokerNetworkPolicy(backend: BrokerBackend, opts: Ns = {}): INetworkPolicy {
  const ports = backend === "redis" ? [6379] : [5672, 15672];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(backend, `ttg-${backend}-ttg-only`, opts),
    spec: {
      podSelector: { matchLabels: selectorLabels(backend) },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { [LABEL.partOf]: PART_OF } } },
            // KEDA's operator reads queue lag to scale workers (k8s/keda-*.yaml).
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } },
          ],
          ports: ports.map((port) => ({ protocol: "TCP", port })),
        },
      ],
    },
  };
}

export function brokerObjects(backend: BrokerBackend, opts: Ns = {}): K8sObject[] {
  return backend === "redis" ? redisObjects(opts) : rabbitmqObjects(opts);
}
