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

/**
 * The shape of a TTG worker's RabbitMQ round: consume at prefetch 1, publish `publishes` confirmed
 * messages (persistent or not), wait for the confirms, then ack. Shows what confirms of persistent
 * messages cost (the broker confirms them only once they are on disk).
 */
export async function measureAmqpConsumePublish(url: string, namespace: string, o: { messages: number; publishes: number; persistent: boolean }): Promise<RawLimit> {
  const amqp = await import("amqplib");
  const queue = `${namespace}.probe`;
  const out = `${namespace}.probe.out`;
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    await ch.assertQueue(out, { durable: true });
    for (let i = 0; i < o.messages; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ chunkId: i })), { persistent: true });
    await ch.waitForConfirms();
    const worker = await conn.createConfirmChannel();
    await worker.prefetch(1);
    const body = Buffer.alloc(300, 120); // about the size of a chunk result
    const t0 = performance.now();
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      worker
        .consume(queue, (msg) => {
          if (!msg) return;
          const confirms = Array.from({ length: o.publishes }, () =>
            new Promise<void>((res, rej) => worker.sendToQueue(out, body, { persistent: o.persistent }, (e: unknown) => (e ? rej(new Error(String(e))) : res()))),
          );
          Promise.all(confirms)
            .then(() => {
              worker.ack(msg);
              if (++n === o.messages) resolve();
            })
            .catch(reject);
        })
        .catch(reject);
    });
    const seconds = (performance.now() - t0) / 1000;
    return { messages: n, seconds, perSecond: n / seconds };
  } finally {
    const ch = await conn.createChannel().catch(() => undefined);
    await ch?.deleteQueue(queue).catch(() => undefined);
    await ch?.deleteQueue(out).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}
