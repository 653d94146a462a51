// The RabbitMQ limit with the same client (amqplib): a durable queue of persistent messages shaped
// like TTG's tasks, consumed with manual acks at a high prefetch (or prefetch 1, to show the cost
// of one delivery in flight at a time, which is how TTG workers consume).
import type { RawLimit } from "./raw-redis-limit.ts";

export type RawAmqpOptions = { messages: number; prefetch: number; consumers: number };

export async function measureRawAmqp(url: string, namespace: string, o: RawAmqpOptions): Promise<RawLimit> {
  const amqp = await import("amqplib");
  const queue = `${namespace}.raw`;
  const conn = await amqp.connect(url);
  const conns = await Promise.all(Array.from({ length: o.consumers }, () => amqp.connect(url)));
  try {
    const pub = await conn.createConfirmChannel();
    await pub.assertQueue(queue, { durable: true });
    for (let c = 0; c < o.messages; c++) {
      const body = Buffer.from(JSON.stringify({ runId: namespace, chunkId: c, start: c, end: c + 1 }));
      pub.sendToQueue(queue, body, { persistent: true, contentType: "application/json" });
      if (c % 1000 === 999) await pub.waitForConfirms();
    }
    await pub.waitForConfirms();
    const t0 = performance.now();
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      for (const c of conns) {
        c.createChannel()
          .then(async (ch) => {
            await ch.prefetch(o.prefetch);
            await ch.consume(queue, (msg) => {
              if (!msg) return;
              ch.ack(msg);
              if (++received === o.messages) resolve();
            });
          })
          .catch(reject);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    return { messages: received, seconds, perSecond: received / seconds };
  } finally {
    for (const c of conns) await c.close().catch(() => undefined);
    const ch = await conn.createChannel().catch(() => undefined);
    await ch?.deleteQueue(queue).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}
