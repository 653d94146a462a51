// Creates the consumer group and loads a run's chunks in atomic batches (idempotent, race-safe).
import type { Redis } from "ioredis";
import { PlanMismatch, type RunPlan } from "../backend.ts";
import { LOAD_BATCH, runLua } from "./lua-scripts.ts";
import { countAccepted, type RedisKeys } from "./redis-keys.ts";

const BATCH = 1000;

export async function ensureGroup(client: Redis, keys: RedisKeys): Promise<void> {
  try {
    await client.xgroup("CREATE", keys.tasks, keys.group, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

export async function loadRun(client: Redis, keys: RedisKeys, plan: RunPlan): Promise<void> {
  await ensureGroup(client, keys);
  for (;;) {
    let loaded: number;
    try {
      loaded = Number(
        await runLua(client, LOAD_BATCH, [keys.meta, keys.tasks], [
          plan.runId,
          plan.totalChunks,
          plan.chunkSize,
          plan.totalParameters,
          BATCH,
          new Date().toISOString(),
          plan.sweep ?? "",
        ]),
      );
    } catch (error) {
      const message = String((error as Error).message);
      const existing = /PLAN_MISMATCH (\d+) (\d+) ?(\S*)/.exec(message);
      if (existing) throw new PlanMismatch(plan.runId, { totalParameters: existing[1]!, chunkSize: existing[2]!, sweep: existing[3] || undefined });
      throw error;
    }
    if (loaded >= plan.totalChunks) return;
  }
}

export type RunMeta = { totalChunks: number; loadedUpTo: number; chunkSize: number; totalParameters: number };

export async function readRunMeta(client: Redis, keys: RedisKeys): Promise<RunMeta | undefined> {
  const m = await client.hgetall(keys.meta);
  if (!m.totalChunks) return undefined;
  return {
    totalChunks: Number(m.totalChunks),
    loadedUpTo: Number(m.loadedUpTo ?? 0),
    chunkSize: Number(m.chunkSize),
    totalParameters: Number(m.totalParameters),
  };
}

/** True when every chunk of the run is loaded and has an accepted result or a dead letter. */
export async function runSettled(client: Redis, keys: RedisKeys, totalChunks: number): Promise<boolean> {
  const [meta, done, dead] = await Promise.all([readRunMeta(client, keys), countAccepted(client, keys), client.hlen(keys.dead)]);
  return meta !== undefined && meta.loadedUpTo >= totalChunks && done + dead >= totalChunks;
}
