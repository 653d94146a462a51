// The brokers a bench uses: the machine's own (throughput figures, random namespaces) and
// private servers (figures that kill, restart or measure the broker), plus their versions and memory.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { startPrivateRedis } from "../../lib/backends/redis/local-redis.ts";
import { rabbitmqCounters, redisCounters, type BrokerCounters } from "./broker-counters.ts";
import { parseRedisVersion } from "./machine-info.ts";

export const SHARED_URLS: Record<BackendName, string> = {
  redis: process.env.TTG_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  rabbitmq: process.env.TTG_BENCH_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
};

export type PrivateBroker = {
  backend: BackendName;
  url: string;
  /** How the server was started, for the report. */
  note: string;
  memory(): Promise<BrokerMemory>;
  /** Commands processed and CPU used so far. */
  counters: BrokerCounters;
  stop(): Promise<void>;
};

export type BrokerMemory = { usedBytes: number | null; peakBytes: number | null; source: string };

type RabbitmqLocalModule = {
  startPrivateRabbitmq(options?: { startTimeoutMs?: number }): Promise<{ url: string; nodeName: string; dir: string; stop(): Promise<void> }>;
};
// Loaded by a computed path: the RabbitMQ backend lands alongside this bench.
const RABBITMQ_INDEX = "../../lib/backends/rabbitmq/index.ts";
const RABBITMQ_LOCAL = "../../lib/backends/rabbitmq/local-rabbitmq.ts";

/** Whether the RabbitMQ backend can be loaded; the reason when it cannot. */
export async function rabbitmqBackendStatus(): Promise<{ available: boolean; reason: string }> {
  if (!existsSync(fileURLToPath(new URL(RABBITMQ_INDEX, import.meta.url)))) {
    return { available: false, reason: "lib/backends/rabbitmq/index.ts does not exist yet" };
  }
  try {
    const mod = (await import(RABBITMQ_INDEX)) as Record<string, unknown>;
    for (const name of ["createRabbitmqWorkerQueue", "createRabbitmqObserver"]) {
      if (typeof mod[name] !== "function") return { available: false, reason: `lib/backends/rabbitmq/index.ts does not export ${name}` };
    }
  } catch (error) {
    return { available: false, reason: `lib/backends/rabbitmq/index.ts does not load: ${(error as Error).message}` };
  }
  return { available: true, reason: "" };
}

export async function redisServerVersion(url: string): Promise<string | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return parseRedisVersion(await client.info("server"));
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

export async function rabbitmqServerVersion(url: string): Promise<string | null> {
  try {
    const amqp = await import("amqplib");
    const conn = await amqp.connect(url, { timeout: 2000 });
    const props = (conn as unknown as { connection: { serverProperties?: Record<string, unknown> } }).connection.serverProperties;
    await conn.close();
    return typeof props?.version === "string" ? props.version : null;
  } catch {
    return null;
  }
}

/** used_memory and used_memory_peak of an INFO memory reply. */
export function parseRedisMemory(info: string): { used: number | null; peak: number | null } {
  const field = (name: string) => {
    const m = info.match(new RegExp(`^${name}:(\\d+)`, "m"));
    return m ? Number(m[1]) : null;
  };
  return { used: field("used_memory"), peak: field("used_memory_peak") };
}

/** Total memory (the Erlang VM's own count, and the OS's RSS) from `rabbitmqctl status --formatter json`. */
export function parseRabbitmqStatusMemory(json: string): { total: number | null; rss: number | null } {
  try {
    const status = JSON.parse(json) as { memory?: { total?: Record<string, number> | number } };
    const total = status.memory?.total;
    if (typeof total === "number") return { total, rss: null };
    if (total && typeof total === "object") return { total: total.erlang ?? total.allocated ?? null, rss: total.rss ?? null };
    return { total: null, rss: null };
  } catch {
    return { total: null, rss: null };
  }
}

export async function startPrivateBroker(backend: BackendName): Promise<PrivateBroker> {
  if (backend === "redis") {
    const server = await startPrivateRedis();
    return {
      backend,
      url: server.url,
      note: "private redis-server (the platform's settings: AOF, appendfsync always)",
      async memory() {
        const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        client.on("error", () => undefined);
        try {
          await client.connect();
          const m = parseRedisMemory(await client.info("memory"));
          return { usedBytes: m.used, peakBytes: m.peak, source: "INFO memory used_memory / used_memory_peak" };
        } finally {
          client.disconnect();
        }
      },
      counters: redisCounters(server.url, requirePid(server.pid)),
      stop: () => server.stop(),
    };
  }
  const { startPrivateRabbitmq } = (await import(RABBITMQ_LOCAL)) as RabbitmqLocalModule;
  const server = await startPrivateRabbitmq({ startTimeoutMs: 90_000 });
  return {
    backend,
    url: server.url,
    note: "private rabbitmq-server (its own node, port and data folder)",
    memory: () => rabbitmqctlMemory(server.nodeName, server.dir),
    counters: rabbitmqCounters(server),
    stop: () => server.stop(),
  };
}

function requirePid(pid: number | undefined): number {
  if (pid === undefined) throw new Error("Cannot count the private redis-server's wake-ups: it has no pid");
  return pid;
}

const RABBITMQCTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";

function rabbitmqctlMemory(nodeName: string, home: string): Promise<BrokerMemory> {
  return new Promise((resolve) => {
    // The private node's Erlang cookie lives in its HOME.
    // The script itself, not /usr/sbin's wrapper, which switches to the rabbitmq user and its cookie.
    const ctl = existsSync(RABBITMQCTL) ? RABBITMQCTL : "rabbitmqctl";
    execFile(ctl, ["-n", nodeName, "status", "--formatter", "json"], { env: { ...process.env, HOME: home }, timeout: 30_000 }, (error, stdout) => {
      const m = error ? { total: null, rss: null } : parseRabbitmqStatusMemory(String(stdout));
      resolve({
        usedBytes: m.total,
        peakBytes: null,
        source:
          m.total === null
            ? `rabbitmqctl status failed: ${(error?.message ?? "no memory field").split("\n")[0]}`
            : `rabbitmqctl status memory.total.erlang${m.rss === null ? "" : `; the node's RSS was ${(m.rss / 2 ** 20).toFixed(1)} MiB`}`,
      });
    });
  });
}
