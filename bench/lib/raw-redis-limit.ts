// The Redis Streams limit with the same client (ioredis): entries shaped like TTG's tasks, read by
// a consumer group in batches (XREADGROUP COUNT n) and acknowledged in batches (XACK many ids).
// With batch 1 it shows the cost of one read and one ack round trip per entry instead.
import { Redis } from "ioredis";

export type RawLimitOptions = { messages: number; batch: number; consumers: number };
export type RawLimit = { messages: number; seconds: number; perSecond: number };

export async function measureRawRedis(url: string, namespace: string, o: RawLimitOptions): Promise<RawLimit> {
  const key = `${namespace}:raw`;
  const group = `${namespace}-raw`;
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  const consumers = Array.from({ length: o.consumers }, () => new Redis(url, { maxRetriesPerRequest: 1 }));
  try {
    await admin.del(key);
    await admin.xgroup("CREATE", key, group, "0", "MKSTREAM");
    for (let from = 0; from < o.messages; from += 1000) {
      const pipe = admin.pipeline();
      for (let c = from; c < Math.min(o.messages, from + 1000); c++) {
        pipe.xadd(key, "*", "run_id", namespace, "chunk_id", String(c), "start", String(c), "end", String(c + 1));
      }
      await pipe.exec();
    }
    const t0 = performance.now();
    const counts = await Promise.all(consumers.map((client, i) => drain(client, key, group, `c${i}`, o.batch)));
    const seconds = (performance.now() - t0) / 1000;
    const messages = counts.reduce((a, b) => a + b, 0);
    if (messages !== o.messages) throw new Error(`Cannot measure the raw Redis limit: read ${messages} of ${o.messages} entries`);
    return { messages, seconds, perSecond: messages / seconds };
  } finally {
    await admin.del(key).catch(() => 0);
    for (const c of [admin, ...consumers]) c.disconnect();
  }
}

async function drain(client: Redis, key: string, group: string, consumer: string, batch: number): Promise<number> {
  let n = 0;
  for (;;) {
    const reply = (await client.xreadgroup("GROUP", group, consumer, "COUNT", batch, "STREAMS", key, ">")) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) return n;
    await client.xack(key, group, ...entries.map(([id]) => id));
    n += entries.length;
  }
}
