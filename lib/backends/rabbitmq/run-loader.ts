// Loads a run's chunks exactly once, whoever loads and however often (a loader killed half-way, or
// restarted, neither loses nor republishes chunks).
//
// - A per-run lock: an exclusive queue `<ns>.lock.<runId>`. A second connection declaring it gets
//   RESOURCE_LOCKED and waits; a crashed or frozen holder's lock vanishes with its connection.
// - Durable progress: `<ns>.run.<runId>` receives one marker per committed batch of
//   LOAD_BATCH_CHUNKS chunks; its message count *is* the number of batches loaded. Nothing ever
//   consumes it, so the count never hides a marker held unacked by a dead client.
// - The plan: a loader (every worker, at its start) reads the plan from the first marker, under the
//   lock, and refuses with PlanMismatch a run id that exists with another plan.
// - Atomic batches: the batch's chunk publishes and its marker go out in one AMQP transaction
//   (tx.select / tx.commit, whose commit-ok plays the role of the publisher confirm here). A loader
//   killed before the commit leaves nothing of the batch; one killed after it leaves the whole batch.
//
// Remaining window, honestly: RabbitMQ makes a transaction spanning several queues atomic against a
// client crash but not against a *broker* crash in the middle of tx.commit; a broker dying at that
// instant may keep the chunks without the marker, and the next loader would publish that batch again
// (duplicate tasks, absorbed by the effectively-once results, never a lost chunk).
import type { Channel } from "amqplib";
import { chunkCount, PlanMismatch, type BackendOptions, type ChunkTask, type RunPlan } from "../backend.ts";
import { pause, type AmqpLink } from "./amqp-link.ts";
import { json } from "./publish.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";
import { encodeTask } from "./task-message.ts";
import { assertTopology } from "./topology.ts";

/** Chunks per transaction. A constant: the marker count only means something if it never changes. */
export const LOAD_BATCH_CHUNKS = 500;

// AMQP 0-9-1 tx class (90) methods, as amqplib numbers them ((class << 16) | method); amqplib has
// no public transaction API, but its channel's rpc() speaks any method.
const TX_SELECT = (90 << 16) | 10;
const TX_SELECT_OK = (90 << 16) | 11;
const TX_COMMIT = (90 << 16) | 20;
const TX_COMMIT_OK = (90 << 16) | 21;

type RpcChannel = Channel & { rpc(method: number, fields: object, expect: number): Promise<unknown> };

export function batchesNeeded(plan: RunPlan): number {
  return Math.ceil(plan.totalChunks / LOAD_BATCH_CHUNKS);
}

function chunkOf(plan: RunPlan, chunkId: number): ChunkTask {
  const start = chunkId * plan.chunkSize;
  return { runId: plan.runId, chunkId, start, end: Math.min(start + plan.chunkSize, plan.totalParameters) };
}

function checkPlan(plan: RunPlan): void {
  const expected = chunkCount(plan.totalParameters, plan.chunkSize);
  if (plan.totalChunks !== expected || plan.totalChunks < 1) {
    throw new Error(`Cannot load run ${plan.runId}: ${plan.totalChunks} chunks do not cover ${plan.totalParameters} parameters in chunks of ${plan.chunkSize}`);
  }
}

/** The lock queue belongs to a connection, so loads sharing one connection must take turns. */
const loadsOnLink = new WeakMap<AmqpLink, Promise<void>>();

export function loadRun(link: AmqpLink, names: RabbitmqNames, plan: RunPlan, log: BackendOptions["log"]): Promise<void> {
  const previous = loadsOnLink.get(link) ?? Promise.resolve();
  const load = previous.catch(() => {}).then(() => loadRunAlone(link, names, plan, log));
  loadsOnLink.set(link, load);
  return load;
}

async function loadRunAlone(link: AmqpLink, names: RabbitmqNames, plan: RunPlan, log: BackendOptions["log"]): Promise<void> {
  checkPlan(plan);
  const needed = batchesNeeded(plan);
  const existing = await link.retrying("load the run's chunks", async () => {
    const ch = await link.openChannel();
    try {
      await assertTopology(ch, names);
      await acquireLock(link, names.lock);
      try {
        // Under the lock: reading a marker hides it from the count for a moment, and only a loader
        // holding the lock counts.
        const loaded = await loadedPlan(ch, names);
        if (loaded && !samePlan(loaded, plan)) return loaded;
        if ((await ch.checkQueue(names.run)).messageCount < needed) await loadBatches(link, names, plan, needed, log);
        return undefined;
      } finally {
        await ch.deleteQueue(names.lock).catch(() => {});
      }
    } finally {
      await ch.close().catch(() => {});
    }
  }, 600_000);
  if (existing) throw new PlanMismatch(plan.runId, existing);
}

export type LoadedPlan = Pick<RunPlan, "totalParameters" | "chunkSize" | "totalChunks" | "sweep"> & { at?: string };

/** The plan a run was loaded with, read from its first batch marker (put back at once); undefined for a new run. */
export async function loadedPlan(ch: Channel, names: RabbitmqNames): Promise<LoadedPlan | undefined> {
  const marker = await ch.get(names.run, { noAck: false });
  if (!marker) return undefined;
  ch.nack(marker, false, true);
  try {
    const m = JSON.parse(marker.content.toString()) as Partial<LoadedPlan>;
    if ([m.totalParameters, m.chunkSize, m.totalChunks].every((n) => typeof n === "number")) return m as LoadedPlan;
  } catch {
    // Not a marker of ours: nothing to compare with.
  }
  return undefined;
}

function samePlan(a: LoadedPlan, b: LoadedPlan): boolean {
  return a.totalParameters === b.totalParameters && a.chunkSize === b.chunkSize && a.totalChunks === b.totalChunks && (a.sweep ?? "") === (b.sweep ?? "");
}

async function loadBatches(link: AmqpLink, names: RabbitmqNames, plan: RunPlan, needed: number, log: BackendOptions["log"]): Promise<void> {
  const tx = (await link.openChannel()) as RpcChannel;
  try {
    await tx.rpc(TX_SELECT, {}, TX_SELECT_OK);
    for (;;) {
      const batch = (await tx.checkQueue(names.run)).messageCount;
      if (batch >= needed) return;
      const from = batch * LOAD_BATCH_CHUNKS;
      const to = Math.min(from + LOAD_BATCH_CHUNKS, plan.totalChunks);
      for (let id = from; id < to; id++) {
        await send(tx, names.tasks, encodeTask(chunkOf(plan, id)), `${plan.runId}/${id}`);
      }
      const marker = { runId: plan.runId, batch, from, to, totalChunks: plan.totalChunks, chunkSize: plan.chunkSize, totalParameters: plan.totalParameters, ...(plan.sweep ? { sweep: plan.sweep } : {}), at: new Date().toISOString() };
      await send(tx, names.run, json(marker), `${plan.runId}/batch/${batch}`);
      await tx.rpc(TX_COMMIT, {}, TX_COMMIT_OK);
      log?.("debug", "loaded a batch of chunks", { runId: plan.runId, from, to });
    }
  } finally {
    await tx.close().catch(() => {});
  }
}

async function send(ch: Channel, queue: string, body: Buffer, messageId: string): Promise<void> {
  if (!ch.sendToQueue(queue, body, { persistent: true, contentType: "application/json", messageId })) {
    await new Promise((resolve) => ch.once("drain", resolve));
  }
}

/** Declares the run's exclusive lock queue, waiting while another live connection holds it. */
async function acquireLock(link: AmqpLink, lock: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  // Most holds are a worker's start reading the plan (a few ms); a loader's holds last longer.
  let delay = 10;
  for (;;) {
    // A RESOURCE_LOCKED reply closes the channel it came on, so every attempt gets its own.
    // The queue belongs to the connection, not to this channel: closing the channel keeps the lock.
    const attempt = await link.openChannel();
    try {
      await attempt.assertQueue(lock, { exclusive: true, durable: false });
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 405) throw error;
      if (Date.now() > deadline) throw Object.assign(new Error(`Cannot load the run: another loader has held ${lock} for 10 minutes`), { code: 405 });
    } finally {
      await attempt.close().catch(() => {});
    }
    await pause(delay);
    delay = Math.min(delay * 2, 500);
  }
}
