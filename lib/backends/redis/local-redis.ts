// Local platform: use the Redis already listening, or start a private redis-server
// (AOF on, its own port and folder) and stop only that one afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { BadInput } from "../../script/bad-input.ts";
import { freePort } from "../../net/ports.ts";

export type RedisServer = { url: string; port: number; dir: string; pid: number | undefined; private: boolean; stop(options?: { keepDir?: boolean }): Promise<void> };

export class MissingBinary extends BadInput {}

async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startPrivateRedis(options: { port?: number; dir?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "ttg-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
    { stdio: "ignore" },
  );
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) =>
      reject(new MissingBinary(`Cannot start redis-server: ${e.message}. Install it (apt-get install redis-server) or set REDIS_URL.`)),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  const ready = (async () => {
    while (!(await redisAnswers(url, 300))) {
      if (Date.now() > deadline) throw new Error(`Cannot start redis-server on port ${port}: no answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await Promise.race([ready, spawnError]);
  return {
    url,
    port,
    dir,
    pid: child.pid,
    private: true,
    async stop({ keepDir = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Redis at `url` if it answers; else, for a local address, a private server. */
export async function provideLocalRedis(url: string): Promise<RedisServer> {
  if (await redisAnswers(url)) {
    const u = new URL(url);
    return { url, port: Number(u.port || 6379), dir: "", pid: undefined, private: false, stop: async () => {} };
  }
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new BadInput(`Cannot reach Redis at ${url}: start it or point REDIS_URL at a running one.`);
  }
  return startPrivateRedis();
}
