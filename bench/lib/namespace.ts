// Random namespaces on shared brokers, and removal of exactly what a namespace created.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { rabbitmqNames, runQueues, sharedQueues } from "../../lib/backends/rabbitmq/rabbitmq-names.ts";

export type BenchNamespace = { namespace: string; runId: string };

export function newNamespace(label: string): BenchNamespace {
  const tag = randomBytes(4).toString("hex");
  return { namespace: `ttgbench-${label}-${tag}`, runId: `bench-${tag}` };
}

export async function deleteNamespace(backend: BackendName, url: string, ns: BenchNamespace): Promise<void> {
  if (backend === "redis") {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${ns.namespace}:*`, "COUNT", 1000);
        cursor = next;
        if (keys.length) await client.del(...keys);
      } while (cursor !== "0");
    } finally {
      client.disconnect();
    }
    return;
  }
  const amqp = await import("amqplib");
  const conn = await amqp.connect(url);
  try {
    const names = rabbitmqNames(ns.namespace, ns.runId);
    for (const queue of [...sharedQueues(names), ...runQueues(names)]) {
      // A channel closes on the first error, so one per queue.
      const ch = await conn.createChannel();
      ch.on("error", () => undefined);
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}
