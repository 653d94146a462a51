// Puts a message that is not a chunk into a run's task queue, as a buggy producer would.
import { Redis } from "ioredis";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { rabbitmqNames } from "../../lib/backends/rabbitmq/rabbitmq-names.ts";
import { redisKeys } from "../../lib/backends/redis/redis-keys.ts";

export async function injectMalformed(backend: BackendName, url: string, namespace: string, runId: string): Promise<void> {
  if (backend === "redis") {
    const client = new Redis(url);
    try {
      await client.xadd(redisKeys(namespace, runId).tasks, "*", "run_id", runId, "chunk_id", "not-a-number", "garbage", "yes");
    } finally {
      client.disconnect();
    }
    return;
  }
  const amqp = await import("amqplib");
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    ch.sendToQueue(rabbitmqNames(namespace, runId).tasks, Buffer.from("{not json"), { persistent: true });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}
