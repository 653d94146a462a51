// Redis clients that ride out broker restarts: commands wait for the reconnect
// instead of failing, and the first connect gives a one-line, actionable error.
import { Redis } from "ioredis";
import type { BackendOptions } from "../backend.ts";
import { brokerUnreachable } from "../../net/broker-unreachable.ts";

export type ConnectOptions = Pick<BackendOptions, "url" | "log"> & {
  /** How long the first connection may take before giving up. */
  connectTimeoutMs?: number;
  name?: string;
};

export async function connectRedis(options: ConnectOptions): Promise<Redis> {
  const client = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: options.name ?? "ttg",
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  });
  let warned = false;
  client.on("error", (error: Error) => {
    if (!warned) options.log?.("warn", `Redis connection problem: ${error.message}; reconnecting`);
    warned = true;
  });
  client.on("ready", () => {
    if (warned) options.log?.("info", "Redis connection restored");
    warned = false;
  });
  const timeout = options.connectTimeoutMs ?? 5000;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout).unref()),
    ]);
  } catch (error) {
    client.disconnect();
    throw brokerUnreachable("Redis", "REDIS_URL", options.url, error);
  }
  return client;
}
