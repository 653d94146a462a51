// Loads a run's chunks exactly once, whoever loads and however often (a loader killed half-way, or
// restarted, neither loses nor republishes chunks).
//
// - A per-run lock: an exclusive queue `<ns>.lock.<runId>`. A second connection declaring it gets
//   RESOURCE_LOCKED and waits; a crashed or frozen holder's lock vanishes with its connection.
// - Durable progress: `<ns>.run.<runId>` receives one marker per committed batch of
//   LOAD_BATCH_CHUNKS chunks; its message count *is* the number of batches loaded. Nothing ever
//   consumes it, so the count never hides a marker held unacked by a dead client.
// - The plan: `<ns>.plan.<runId>` holds one message with the plan, committed with the first batch.
//   A loader refuses with PlanMismatch a run id that exists with another plan.
// - Joining without the lock: a worker starting on a run that is already loaded with its very plan
//   (the plan message read and put back, the marker count complete) takes no lock and declares
//   nothing, so a fleet joining at once does not queue up on the lock. Reading the plan message
//   hides it from other readers for a moment; a reader that finds nothing takes the locked path,
//   and the batch markers, whose count is the progress, are never read outside the lock.
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
import { json, publishConfirmed } from "./publish.ts";
import { onChannel } from "./on-channel.ts";
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
  if (await loadedAlready(link, names, plan, needed)) return;
  const existing = await link.retrying("load the run's chunks", async () => {
    const ch = await link.openChannel();
    try {
      await assertTopology(ch, names);
      await acquireLock(link, names.lock);
      try {
        // Under the lock: only a loader holding it counts the batch markers.
        const { loaded, fromMarker, batches } = await loadedPlan(ch, names);
        if (loaded && !samePlan(loaded, plan)) return loaded;
        if (batches < needed) await loadBatches(link, names, plan, needed, log);
        // A run loaded before the plan queue existed: give it its plan message. (A plan message a
        // joining worker held just now may come back beside this one: x-max-length 1 keeps one.)
        else if (fromMarker) await publishConfirmed((await link.channel()).channel, names.plan, json(planMessage(plan, loaded?.at)));
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

/**
 * Under the lock, with the run's queues declared: the batches loaded, and the plan the run was
 * loaded with, from its plan message or, for a run loaded before there was one, from its first
 * batch marker (put back at once); no plan for a new run. Reading a marker hides it from the count
 * until the broker has taken it back, so the count is read first and awaited back after.
 */
async function loadedPlan(ch: Channel, names: RabbitmqNames): Promise<{ loaded?: LoadedPlan; fromMarker: boolean; batches: number }> {
  const batches = (await ch.checkQueue(names.run)).messageCount;
  const fromPlan = await readPlan(ch, names.plan);
  if (fromPlan || batches === 0) return { ...(fromPlan ? { loaded: fromPlan } : {}), fromMarker: false, batches };
  const fromMarker = await readPlan(ch, names.run);
  for (let waited = 0; (await ch.checkQueue(names.run)).messageCount < batches; waited += 5) {
    if (waited > 10_000) throw new Error(`Cannot read run ${names.run}'s plan: a batch marker read did not come back within 10 s`);
    await pause(5);
  }
  return { ...(fromMarker ? { loaded: fromMarker } : {}), fromMarker: fromMarker !== undefined, batches };
}

/**
 * The plan a run was loaded with, for a reader outside the lock; undefined when the run is missing
 * or its plan message stays held by others for a moment. A batch marker is read only for a run
 * loaded before the plan queue existed (no plan queue at all), as such runs always were.
 */
export async function lookUpPlan(link: AmqpLink, names: RabbitmqNames): Promise<LoadedPlan | undefined> {
  // One channel per read: a missing queue closes its channel (404).
  const read = (queue: string) => onChannel(() => link.openChannel(), (ch) => readPlan(ch, queue));
  for (let attempt = 0; attempt < 4; attempt++) {
    let plan: LoadedPlan | undefined;
    try {
      plan = await read(names.plan);
    } catch {
      return read(names.run).catch(() => undefined);
    }
    if (plan) return plan;
    await pause(20);
  }
  return undefined;
}

/** The plan in the first message of `queue`, which is put back at once (undefined when empty or not a plan). */
async function readPlan(ch: Channel, queue: string): Promise<LoadedPlan | undefined> {
  const message = await ch.get(queue, { noAck: false });
  if (!message) return undefined;
  ch.nack(message, false, true);
  try {
    const m = JSON.parse(message.content.toString()) as Partial<LoadedPlan>;
    if ([m.totalParameters, m.chunkSize, m.totalChunks].every((n) => typeof n === "number")) return m as LoadedPlan;
  } catch {
    // Not a plan of ours: nothing to compare with.
  }
  return undefined;
}

/**
 * True when the run is loaded in full with this very plan, asked without the lock: its plan message
 * (no batch marker is read) and its marker count. False sends the caller to the locked path, which
 * also tells a plan mismatch and finishes a load left half-way.
 */
async function loadedAlready(link: AmqpLink, names: RabbitmqNames, plan: RunPlan, needed: number): Promise<boolean> {
  try {
    return await onChannel(() => link.openChannel(), async (ch) => {
      const loaded = await readPlan(ch, names.plan);
      return loaded !== undefined && samePlan(loaded, plan) && (await ch.checkQueue(names.run)).messageCount >= needed;
    });
  } catch {
    // No plan queue (a new run, or one loaded before it existed) closes the channel with 404.
    return false;
  }
}

function planMessage(plan: RunPlan, at = new Date().toISOString()) {
  return { runId: plan.runId, totalChunks: plan.totalChunks, chunkSize: plan.chunkSize, totalParameters: plan.totalParameters, ...(plan.sweep ? { sweep: plan.sweep } : {}), at };
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
      const marker = { ...planMessage(plan), batch, from, to };
      await send(tx, names.run, json(marker), `${plan.runId}/batch/${batch}`);
      // The plan goes out with the first batch, in its transaction: a run has its plan message once it has chunks.
      if (batch === 0) await send(tx, names.plan, json(planMessage(plan, marker.at)), `${plan.runId}/plan`);
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
