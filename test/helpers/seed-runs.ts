// Runs in each state, made by hand in a random namespace of the real Redis and RabbitMQ: a finished
// run, an abandoned one, an active one (two consumers on its task stream/queue), the old shared
// layout's objects and two foreign ones (another app's, and a namespace that merely starts alike).
// Everything goes again at the test's end.
import { randomBytes } from "node:crypto";
import { connect, type ChannelModel } from "amqplib";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.TTG_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const AMQP_URL = process.env.TTG_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export const rand = () => randomBytes(4).toString("hex");

type T = { after(fn: () => unknown): void };

export type Kind = "finished" | "abandoned" | "active" | "legacy" | "foreign";
export type Seeded = { runIds: Record<"finished" | "abandoned" | "active", string>; objects: Record<Kind, string[]> };

export function runIdsFor(): Seeded["runIds"] {
  const r = rand();
  return { finished: `fin-${r}`, abandoned: `old-${r}`, active: `live-${r}` };
}

const HOUR_AGO = () => new Date(Date.now() - 3_600_000).toISOString();

export async function seedRedisRuns(t: T, ns: string): Promise<Seeded & { redis: Redis }> {
  const redis = new Redis(REDIS_URL);
  const runIds = runIdsFor();
  const { finished: fin, abandoned: old, active: live } = runIds;
  const objects: Seeded["objects"] = {
    finished: [`${ns}:tasks:${fin}`, `${ns}:run:${fin}:meta`, `${ns}:run:${fin}:done`],
    abandoned: [`${ns}:tasks:${old}`, `${ns}:run:${old}:meta`],
    active: [`${ns}:tasks:${live}`, `${ns}:run:${live}:meta`],
    legacy: [`${ns}:tasks`, `${ns}:results`],
    foreign: [`other-app-${rand()}:data`, `${ns}x:tasks`],
  };
  await redis.xadd(`${ns}:tasks:${fin}`, "*", "chunk_id", "0");
  await redis.hset(`${ns}:run:${fin}:meta`, "totalChunks", "1", "createdAt", HOUR_AGO());
  await redis.setbit(`${ns}:run:${fin}:done`, 0, 1);
  await redis.xadd(`${ns}:tasks:${old}`, "*", "chunk_id", "0");
  await redis.xadd(`${ns}:tasks:${old}`, "*", "chunk_id", "1");
  await redis.hset(`${ns}:run:${old}:meta`, "totalChunks", "2", "createdAt", HOUR_AGO());
  for (const id of ["0", "1"]) await redis.xadd(`${ns}:tasks:${live}`, "*", "chunk_id", id);
  await redis.hset(`${ns}:run:${live}:meta`, "totalChunks", "2", "createdAt", HOUR_AGO());
  await redis.xgroup("CREATE", `${ns}:tasks:${live}`, `${ns}-workers`, "0");
  for (const worker of ["w1", "w2"]) await redis.xreadgroup("GROUP", `${ns}-workers`, worker, "COUNT", 1, "STREAMS", `${ns}:tasks:${live}`, ">");
  for (const key of objects.legacy) await redis.xadd(key, "*", "k", "v");
  await redis.set(objects.foreign[0] ?? "", "keep me");
  await redis.xadd(objects.foreign[1] ?? "", "*", "k", "v");
  t.after(async () => {
    await redis.del(...Object.values(objects).flat());
    redis.disconnect();
  });
  return { redis, runIds, objects };
}

export async function seedRabbitmqRuns(t: T, ns: string): Promise<Seeded & { model: ChannelModel }> {
  const model = await connect(AMQP_URL);
  const runIds = runIdsFor();
  const { finished: fin, abandoned: old, active: live } = runIds;
  const objects: Seeded["objects"] = {
    finished: [`${ns}.tasks.${fin}`, `${ns}.settled.${fin}`],
    abandoned: [`${ns}.tasks.${old}`, `${ns}.results.${old}`],
    active: [`${ns}.tasks.${live}`, `${ns}.results.${live}`],
    legacy: [`${ns}.tasks`, `${ns}.tasks.dlq`],
    foreign: [`other-app-${rand()}.tasks`, `${ns}x.tasks`],
  };
  const ch = await model.createChannel();
  for (const q of Object.values(objects).flat()) await ch.assertQueue(q, { durable: false, autoDelete: false });
  ch.sendToQueue(`${ns}.settled.${fin}`, Buffer.from("{}"));
  for (const q of [`${ns}.tasks.${old}`, `${ns}.tasks.${old}`, `${ns}.tasks`, objects.foreign[0] ?? ""]) ch.sendToQueue(q, Buffer.from("{}"));
  await ch.close();
  // Two workers of the active run: each its own channel consuming the run's task queue.
  for (let i = 0; i < 2; i++) {
    const worker = await model.createChannel();
    worker.on("error", () => undefined);
    await worker.consume(`${ns}.tasks.${live}`, () => undefined, { noAck: false });
  }
  t.after(async () => {
    const c = await model.createChannel();
    c.on("error", () => undefined);
    for (const q of Object.values(objects).flat()) await c.deleteQueue(q).catch(() => undefined);
    await model.close().catch(() => undefined);
  });
  return { model, runIds, objects };
}

export async function queueExists(model: ChannelModel, name: string): Promise<boolean> {
  const ch = await model.createChannel();
  ch.on("error", () => undefined);
  try {
    await ch.checkQueue(name);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

/** Which of the names exist, on either broker. */
export async function existing(b: { redis: Redis } | { model: ChannelModel }, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) if ("redis" in b ? (await b.redis.exists(n)) === 1 : await queueExists(b.model, n)) out.push(n);
  return out;
}
