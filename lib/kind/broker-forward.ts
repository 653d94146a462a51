// A broker on the cluster reached from this host: its credentials read from its Secret, a
// `kubectl port-forward` to its Service on a free local port (always with the target's context),
// and the URL through it. The demo, the monitor and cleanup's data removal all use this.
import { canConnect, freePort } from "../net/ports.ts";
import type { Run, Start } from "../shell/run.ts";
import { REDIS_SECRET, RABBITMQ_SECRET, type BrokerBackend } from "../k8s/broker-objects.ts";
import { kubectlGetSecret, kubectlPortForward, type KubeTarget } from "./kubectl.ts";

export type BrokerCredentials = { username: string; password: string };

export type BrokerForward = {
  /** URL through the port-forward, credentials included. */
  hostUrl: string;
  localPort: number;
  /** Ends the port-forward. Idempotent. */
  stop(): Promise<void>;
};

export type ForwardOptions = { timeoutSeconds?: number; localPort?: number; credentials?: BrokerCredentials };

export const BROKER_PORTS = { redis: 6379, rabbitmq: 5672 } as const;

/** The broker's credentials from its Secret; undefined when the Secret does not exist. */
export async function readBrokerCredentials(run: Run, backend: BrokerBackend, t: KubeTarget): Promise<BrokerCredentials | undefined> {
  const secret = await kubectlGetSecret(run, backend === "redis" ? REDIS_SECRET : RABBITMQ_SECRET, t);
  if (!secret?.password) return undefined;
  return { username: secret.username ?? (backend === "rabbitmq" ? "ttg" : ""), password: secret.password };
}

export function brokerHostUrl(backend: BrokerBackend, localPort: number, c: BrokerCredentials): string {
  const pw = encodeURIComponent(c.password);
  return backend === "redis" ? `redis://:${pw}@127.0.0.1:${localPort}` : `amqp://${encodeURIComponent(c.username)}:${pw}@127.0.0.1:${localPort}/`;
}

/**
 * Opens the port-forward and waits until the port answers (`dryRun`: does not wait). Throws
 * `Cannot reach <backend> through kubectl port-forward ...` when it exits or times out.
 */
export async function forwardKindBroker(shell: { run: Run; start: Start; dryRun: boolean }, backend: BrokerBackend, t: KubeTarget, o: ForwardOptions = {}): Promise<BrokerForward> {
  const credentials = o.credentials ?? (await readBrokerCredentials(shell.run, backend, t)) ?? { username: "", password: "" };
  const localPort = o.localPort ?? (await freePort());
  const forward = kubectlPortForward(shell.start, `service/ttg-${backend}`, localPort, BROKER_PORTS[backend], t);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    forward.kill();
    await forward.exited;
  };
  if (!shell.dryRun) {
    const deadline = Date.now() + (o.timeoutSeconds ?? 30) * 1000;
    let exited = false;
    void forward.exited.then(() => (exited = true));
    while (!(await canConnect(localPort))) {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`Cannot reach ${backend} through kubectl port-forward on 127.0.0.1:${localPort}: ${exited ? "port-forward exited" : "timed out"}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { hostUrl: brokerHostUrl(backend, localPort, credentials), localPort, stop };
}
