// Brokers on the cluster: credentials generated once per cluster, objects applied, readiness
// awaited, and a port-forward so the host-side coordinator (demo, monitor) can reach them.
import type { Shell, Run } from "../shell/run.ts";
import { brokerObjects, brokerSecret, generatePassword, REDIS_SECRET, RABBITMQ_SECRET, type BrokerBackend } from "../k8s/broker-objects.ts";
import { kubectlApply, kubectlGetSecret, kubectlRolloutStatus, type KubeTarget } from "./kubectl.ts";
import { forwardKindBroker, type BrokerCredentials } from "./broker-forward.ts";

export type { BrokerCredentials } from "./broker-forward.ts";

/** Reads the broker's Secret, creating it with a random password when missing. */
async function ensureBrokerSecret(run: Run, backend: BrokerBackend, t: KubeTarget): Promise<BrokerCredentials> {
  const name = backend === "redis" ? REDIS_SECRET : RABBITMQ_SECRET;
  const existing = await kubectlGetSecret(run, name, t);
  if (existing?.password) return { username: existing.username ?? "", password: existing.password };
  const password = generatePassword();
  const secret = brokerSecret(backend, password, t.namespace ? { namespace: t.namespace } : {});
  await kubectlApply(run, [secret], t);
  return { username: backend === "rabbitmq" ? "ttg" : "", password };
}

export async function deployBroker(run: Run, backend: BrokerBackend, t: KubeTarget & { timeoutSeconds?: number }): Promise<BrokerCredentials> {
  const credentials = await ensureBrokerSecret(run, backend, t);
  await kubectlApply(run, brokerObjects(backend, t.namespace ? { namespace: t.namespace } : {}), t);
  await kubectlRolloutStatus(run, `ttg-${backend}`, t.timeoutSeconds ?? (backend === "redis" ? 120 : 240), t);
  return credentials;
}

export type KindBroker = {
  /** URL the host uses (through the port-forward), credentials included. */
  hostUrl: string;
  /** Worker variables for pods: in-cluster service names; passwords come from the Secret. */
  workerEnv: Record<string, string>;
  /** Ends the port-forward. Idempotent. */
  stop(): Promise<void>;
};

export type PrepareBrokerOptions = KubeTarget & { timeoutSeconds?: number; localPort?: number; log?: (line: string) => void };

export async function prepareKindBroker(shell: Shell, backend: BrokerBackend, o: PrepareBrokerOptions): Promise<KindBroker> {
  const log = o.log ?? (() => undefined);
  const t: KubeTarget = { context: o.context, ...(o.namespace ? { namespace: o.namespace } : {}) };
  log(`deploying ${backend} on the cluster`);
  const credentials = await deployBroker(shell.run, backend, { ...t, ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}) });
  const forward = await forwardKindBroker(shell, backend, t, {
    credentials,
    ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}),
    ...(o.localPort ? { localPort: o.localPort } : {}),
  });
  log(`${backend} reachable from this host on 127.0.0.1:${forward.localPort}`);
  const { hostUrl, stop } = forward;
  const workerEnv: Record<string, string> =
    backend === "redis"
      ? { QUEUE_MODE: "true", QUEUE_BACKEND: "redis", REDIS_HOST: "ttg-redis", REDIS_PORT: "6379" }
      : { QUEUE_MODE: "true", QUEUE_BACKEND: "rabbitmq", RABBITMQ_HOST: "ttg-rabbitmq", RABBITMQ_PORT: "5672" };
  return { hostUrl, workerEnv, stop };
}
