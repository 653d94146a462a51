// TTG's data inside the brokers on the cluster (cleanup.ts --redis/--rabbitmq/--all on kind): each
// broker that exists is reached through its own port-forward (closed afterwards), then its runs'
// keys and queues are chosen and removed exactly as on the local platform — finished and
// abandoned runs, or --run-id's, active ones only with --force. The broker Deployment, its
// volume and its Secret stay (deleting those is --delete-brokers).
import type { BrokerBackend } from "../k8s/broker-objects.ts";
import { forwardKindBroker } from "../kind/broker-forward.ts";
import { kubectlGetObjects, type KubeTarget } from "../kind/kubectl.ts";
import type { Shell } from "../shell/run.ts";
import { realShell } from "../shell/zx-runner.ts";
import { cleanupSelector } from "./cleanup-plan.ts";
import { localBrokerPurge, localBrokersFromEnv, runLocalPurge } from "./cleanup-local.ts";

export type ClusterDataOptions = {
  backends: readonly BrokerBackend[];
  target: KubeTarget;
  runId?: string;
  force: boolean;
  ask: boolean;
  brokersRequired?: boolean;
  knownRunIds?: readonly string[];
};

type IO = { log: (line: string) => void; confirm: (question: string) => Promise<boolean> };

export async function cleanClusterData(shell: Shell, o: ClusterDataOptions, io: IO): Promise<void> {
  for (const backend of o.backends) {
    const where = `${backend} on context ${o.target.context}`;
    if ((await kubectlGetObjects(shell.run, ["deployments"], cleanupSelector(backend), o.target)).length === 0) {
      io.log(`${where}: no TTG broker deployed, so no data to remove`);
      continue;
    }
    // A port-forward only reads and writes through to the broker: a dry run opens it too, so its
    // preview names the exact keys and queues.
    let forward;
    try {
      forward = await forwardKindBroker({ ...realShell, run: shell.run }, backend, o.target, { timeoutSeconds: 20 });
    } catch (error) {
      if (o.brokersRequired) throw error;
      io.log(`${where}: ${(error as Error).message}; its data was not removed`);
      continue;
    }
    try {
      const runIds = [...(o.runId ? [o.runId] : []), ...(o.knownRunIds ?? [])];
      const local = localBrokersFromEnv(process.env, runIds);
      const brokers = backend === "redis" ? { ...local, redisUrl: forward.hostUrl } : { ...local, amqpUrl: forward.hostUrl };
      io.log(`${where}, through kubectl port-forward on 127.0.0.1:${forward.localPort}:`);
      const choice = { force: o.force, ...(o.runId === undefined ? {} : { runId: o.runId }) };
      await runLocalPurge(
        { ...choice, backends: [backend], dryRun: shell.dryRun, ask: o.ask, required: o.brokersRequired ?? false },
        { log: io.log, confirm: io.confirm, purge: localBrokerPurge(brokers, shell.run) },
      );
    } finally {
      await forward.stop();
    }
  }
}
