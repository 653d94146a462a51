// Which broker the monitor reads. Local: the worker variables (127.0.0.1 by default). Kind: the
// broker inside the cluster, through a port-forward of the monitor's own (closed on exit) — the
// demo's forward uses a random port the monitor cannot know. Auto: kind when ttg-sandbox exists,
// no broker address is set in the environment and TTG's broker is deployed there.
import type { BrokerBackend } from "../k8s/broker-objects.ts";
import { cleanupSelector } from "../cleanup/cleanup-plan.ts";
import { forwardKindBroker } from "../kind/broker-forward.ts";
import { kubectlGetObjects, type KubeTarget } from "../kind/kubectl.ts";
import { detectPlatform } from "../platforms/detect-platform.ts";
import type { Shell } from "../shell/run.ts";
import { hasTool } from "../shell/tools.ts";

export type MonitorBroker = { url: string; where: string; stop(): Promise<void> };

export type MonitorBrokerOptions = {
  backend: BrokerBackend;
  platform: "kind" | "local" | "auto";
  target: KubeTarget;
  localUrl: string;
  /** REDIS_URL, AMQP_URL or a host variable is set: the user named the broker. */
  brokerNamed: boolean;
};

async function onKind(shell: Shell, o: MonitorBrokerOptions): Promise<boolean> {
  if (o.platform !== "auto") return o.platform === "kind";
  if (o.brokerNamed || !hasTool("kubectl")) return false;
  if ((await detectPlatform(shell.run)).platform !== "kind") return false;
  const found = await kubectlGetObjects(shell.run, ["deployments"], cleanupSelector(o.backend), o.target).catch(() => []);
  return found.length > 0;
}

export async function monitorBroker(shell: Shell, o: MonitorBrokerOptions): Promise<MonitorBroker> {
  if (!(await onKind(shell, o))) return { url: o.localUrl, where: "local", stop: async () => {} };
  const forward = await forwardKindBroker(shell, o.backend, o.target, { timeoutSeconds: 20 });
  return { url: forward.hostUrl, where: `ttg-${o.backend} on context ${o.target.context}, port-forwarded to 127.0.0.1:${forward.localPort}`, stop: () => forward.stop() };
}
