// TTG's queues in a RabbitMQ: each run's (`<ns>.tasks.<run>`, `.tasks.retry.<run>`, ... see
// rabbitmq/rabbitmq-names.ts) and the shared ones of the old layout (`<ns>.tasks`, ...). AMQP cannot list queues and the management API may be
// absent, so the names come from `rabbitmqctl list_queues` when the broker is this machine's and
// rabbitmqctl reaches that very node (its AMQP listener is the URL's port); otherwise from the
// shared names plus the per-run names of the run ids we know (reports, --run-id). Either way a
// queue is only ever touched when its name has exactly one of those shapes.
import { connect, type ChannelModel } from "amqplib";
import { onChannel } from "./on-channel.ts";
import { isResourceLocked } from "./amqp-link.ts";
import type { Run } from "../../shell/run.ts";
import { hasTool } from "../../shell/tools.ts";
import { allRunQueues, legacyQueues, queueOwner, rabbitmqNames } from "./rabbitmq-names.ts";
import { brokerUnreachable } from "../../net/broker-unreachable.ts";
import type { BrokerItem } from "../purge-types.ts";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isNamespaceQueue(name: string, namespace: string): boolean {
  return queueOwner(name, namespace) !== undefined;
}

/** The names a namespace's runs use, for the run ids we know, and the old shared ones. */
export function candidateQueues(namespace: string, runIds: readonly string[]): string[] {
  return [...legacyQueues(namespace), ...[...new Set(runIds)].flatMap((id) => allRunQueues(rabbitmqNames(namespace, id)))];
}

function vhostOf(url: URL): string {
  return url.pathname === "" || url.pathname === "/" ? "/" : decodeURIComponent(url.pathname.slice(1));
}

/**
 * Every queue of the broker with its size, through rabbitmqctl — or undefined (with why) when
 * that is not possible or would describe another broker than the one at `amqpUrl`.
 */
export async function rabbitmqctlQueues(run: Run, amqpUrl: string): Promise<{ queues?: BrokerItem[]; why: string }> {
  const url = new URL(amqpUrl);
  if (!LOCAL_HOSTS.has(url.hostname)) return { why: "the broker is not on this machine" };
  if (!hasTool("rabbitmqctl")) return { why: "rabbitmqctl is not installed" };
  const opts = { allowFailure: true, readOnly: true, timeoutMs: 30_000 } as const;
  const status = await run("rabbitmqctl", ["-q", "status", "--formatter", "json"], opts).catch(() => undefined);
  if (!status || status.exitCode !== 0) return { why: "rabbitmqctl cannot reach its node" };
  const port = Number(url.port || 5672);
  let listeners: { protocol?: string; port?: number }[];
  try {
    listeners = (JSON.parse(status.stdout) as { listeners?: { protocol?: string; port?: number }[] }).listeners ?? [];
  } catch {
    return { why: "rabbitmqctl status is not JSON" };
  }
  if (!listeners.some((l) => l.protocol === "amqp" && l.port === port)) return { why: `rabbitmqctl's node does not listen on port ${port}` };
  const list = await run("rabbitmqctl", ["-q", "list_queues", "-p", vhostOf(url), "--formatter", "json", "name", "messages", "consumers"], opts);
  if (list.exitCode !== 0) return { why: "rabbitmqctl list_queues failed" };
  const rows = JSON.parse(list.stdout || "[]") as { name?: string; messages?: number; consumers?: number }[];
  return {
    why: "",
    queues: rows.map((r) => ({ name: r.name ?? "", type: "queue", size: Number(r.messages ?? 0), unit: "messages", note: `${r.consumers ?? 0} consumers` })),
  };
}

export async function openRabbitmq(url: string): Promise<ChannelModel> {
  try {
    const model = await connect(url, { timeout: 3000 });
    model.on("error", () => undefined);
    return model;
  } catch (error) {
    throw brokerUnreachable("RabbitMQ", "AMQP_URL", url, error);
  }
}

/** Which of the names exist, with their sizes (a passive declare creates nothing). */
export async function probeQueues(model: ChannelModel, names: readonly string[]): Promise<BrokerItem[]> {
  const found: BrokerItem[] = [];
  for (const name of names) {
    try {
      const q = await onChannel(() => model.createChannel(), (ch) => ch.checkQueue(name));
      found.push({ name, type: "queue", size: q.messageCount, unit: "messages", note: `${q.consumerCount} consumers` });
    } catch (error) {
      if (isResourceLocked(error)) found.push({ name, type: "queue", note: "exclusive to a loader's connection" });
      // 404 NOT_FOUND: the queue does not exist.
    }
  }
  return found;
}

export async function deleteQueues(model: ChannelModel, namespace: string, names: readonly string[]) {
  const deleted: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const name of names) {
    if (!isNamespaceQueue(name, namespace)) {
      skipped.push({ name, why: `not a queue of namespace ${namespace}` });
      continue;
    }
    try {
      await onChannel(() => model.createChannel(), (ch) => ch.deleteQueue(name));
      deleted.push(name);
    } catch (error) {
      skipped.push({ name, why: String((error as Error).message).split("\n")[0] ?? "refused" });
    }
  }
  return { deleted, skipped };
}
