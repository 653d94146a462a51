// When is a run settled (no chunk pending, in retry or in flight anywhere)? RabbitMQ cannot say:
// passive declares count ready messages only, never the unacked chunks a slow or frozen worker holds
// (and a worker that leaves while one is held elsewhere strands it). So every finished batch (results confirmed, or a chunk dead-lettered) leaves a marker
// {"chunkIds":[...],"outcome":"result"|"dead-lettered"} in `<ns>.done.<runId>` before its tasks are
// acked, and the run is settled when the markers name every chunk id of the plan. Workers read the
// markers themselves, so settled detection never depends on the observer (which consumes results).
// A marker names a whole batch, so the marker count no longer bounds the chunk count: one worker
// reads the markers (exclusively, without acking) only when their count has changed since its last
// complete read came up short, and a worker that proves the run settled leaves a message in
// `<ns>.settled.<runId>` for the rest.
import type { Channel, ConfirmChannel } from "amqplib";
import type { RunPlan } from "../backend.ts";
import { isProtocolError, type AmqpLink } from "./amqp-link.ts";
import { json, publishConfirmed } from "./publish.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";
import { batchesNeeded } from "./run-loader.ts";

export type DoneOutcome = "result" | "dead-lettered";

/**
 * `failed`: [chunkId, parameters without a value] of the batch's chunks that have any, so that a
 * monitor counts failed parameters from the markers (once per chunk id, duplicates included).
 */
export function markDone(ch: ConfirmChannel, names: RabbitmqNames, chunkIds: readonly number[], outcome: DoneOutcome, failed: readonly [number, number][] = []): Promise<void> {
  return publishConfirmed(ch, names.done, json({ chunkIds, outcome, ...(failed.length > 0 ? { failed } : {}) }));
}

export type RunProgress = { loadedBatches: number; doneMarkers: number; settledMarker: boolean };

export async function readProgress(ch: Channel, names: RabbitmqNames): Promise<RunProgress> {
  const [run, done, settled] = [await ch.checkQueue(names.run), await ch.checkQueue(names.done), await ch.checkQueue(names.settled)];
  return { loadedBatches: run.messageCount, doneMarkers: done.messageCount, settledMarker: settled.messageCount > 0 };
}

/**
 * How long the check's channel stays open after a check: kept while checks come often (a worker that
 * has just run out of chunks), closed once they come seldom, so an idle worker holds one channel.
 */
const KEEP_CHANNEL_MS = 5_000;

/**
 * A worker's "is the run settled?", as cheap as an idle fleet needs: one passive declare while
 * nothing changes (the done queue's count: the run cannot have settled while no marker was added
 * since a complete read came up short), the rest only when the count moved.
 */
export class SettledCheck {
  #settled = false;
  #loaded = false;
  /** Marker count at which a complete read found ids missing: no need to read again until it grows. */
  #incompleteAt = -1;
  #channel: Channel | undefined;
  #release: NodeJS.Timeout | undefined;
  /** The link generation on whose connection the done queue was last found (0: not yet). */
  #doneSeenOn = 0;

  async check(link: AmqpLink, names: RabbitmqNames, plan: RunPlan): Promise<boolean> {
    if (this.#settled) return true;
    if (await this.#unchanged(link, names)) return false;
    clearTimeout(this.#release);
    this.#settled = await link.retrying("check whether the run is settled", async () => {
      const ch = (this.#channel ??= await link.openChannel());
      try {
        return await this.#ask(ch, link, names, plan);
      } catch (error) {
        // A missing queue closes the channel on the broker's side: the next check opens another.
        this.#channel = undefined;
        await ch.close().catch(() => {});
        throw error;
      }
    });
    if (this.#settled) await this.close();
    else this.#release = setTimeout(() => void this.close(), KEEP_CHANNEL_MS).unref();
    return this.#settled;
  }

  /**
   * The usual idle answer, asked on the worker's own channel so that nothing is opened for it: the
   * done count has not moved. Opening and closing a channel for each idle probe cost the broker
   * more than the probe (a channel process, its limiter and writer spawned and ended, three round
   * trips). Only once the queue was found on this connection: a passive declare of a missing queue
   * closes the channel it is asked on, here the one that carries the worker's chunks.
   */
  async #unchanged(link: AmqpLink, names: RabbitmqNames): Promise<boolean> {
    if (this.#doneSeenOn !== link.generation || !link.isOpen()) return false;
    let doneMarkers: number;
    try {
      const { channel } = await link.channel(0);
      doneMarkers = (await channel.checkQueue(names.done)).messageCount;
    } catch (error) {
      if (isProtocolError(error)) throw error;
      return false; // the connection broke: the full check waits for the reconnect
    }
    return doneMarkers === 0 || doneMarkers === this.#incompleteAt;
  }

  async #ask(ch: Channel, link: AmqpLink, names: RabbitmqNames, plan: RunPlan): Promise<boolean> {
    const generation = link.generation;
    const doneMarkers = (await ch.checkQueue(names.done)).messageCount;
    this.#doneSeenOn = generation;
    // No marker yet, or none since a read came up short: not settled (a settled run has markers for every chunk).
    if (doneMarkers === 0 || doneMarkers === this.#incompleteAt) return false;
    if ((await ch.checkQueue(names.settled)).messageCount > 0) return true;
    this.#loaded ||= (await ch.checkQueue(names.run)).messageCount >= batchesNeeded(plan);
    if (!this.#loaded) return false;
    const read = await readDoneMarkers(link, names, doneMarkers);
    if (!read) return false;
    if (countBelow(read.finished, plan.totalChunks) < plan.totalChunks) {
      if (read.complete) this.#incompleteAt = doneMarkers;
      return false;
    }
    const { channel } = await link.channel();
    await publishConfirmed(channel, names.settled, json({ runId: plan.runId, at: new Date().toISOString() }));
    return true;
  }

  async close(): Promise<void> {
    clearTimeout(this.#release);
    const ch = this.#channel;
    this.#channel = undefined;
    await ch?.close().catch(() => {});
  }
}

export type DoneMarkers = {
  /** Chunk ids with a marker of either outcome. */
  finished: Set<number>;
  /** Chunk ids with a "result" marker. */
  results: Set<number>;
  /** Parameters without a value, by chunk id (chunks that have any). */
  failedParams: Map<number, number>;
  /** True when every marker counted before the read was received. */
  complete: boolean;
};

/**
 * Reads the done markers without acking them (closing the channel puts them all back). The
 * consumer is exclusive, so two readers never each see half; undefined when another one is reading.
 */
export async function readDoneMarkers(link: AmqpLink, names: RabbitmqNames, expected: number): Promise<DoneMarkers | undefined> {
  const ch = await link.openChannel();
  const read: DoneMarkers = { finished: new Set(), results: new Set(), failedParams: new Map(), complete: false };
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      // Every ready marker is pushed at once (no prefetch limit); the timer only bounds a read that
      // raced with a consumer of another worker's closing channel.
      const timer = setTimeout(resolve, 3_000);
      ch.consume(
        names.done,
        (msg) => {
          if (!msg) return resolve();
          received++;
          const marker = parseMarker(msg.content);
          for (const id of marker?.chunkIds ?? []) {
            read.finished.add(id);
            if (marker?.outcome === "result") read.results.add(id);
          }
          for (const [id, count] of marker?.failed ?? []) read.failedParams.set(id, count);
          if (received >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
        { exclusive: true, noAck: false },
      ).catch((error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 403) return undefined;
    throw error;
  } finally {
    await ch.close().catch(() => {});
  }
  read.complete = received >= expected;
  return read;
}

function countBelow(ids: Set<number>, limit: number): number {
  let n = 0;
  for (const id of ids) if (id < limit) n++;
  return n;
}

const isChunkId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function parseMarker(content: Buffer): { chunkIds: number[]; outcome: unknown; failed: [number, number][] } | undefined {
  try {
    const value = JSON.parse(content.toString("utf8")) as { chunkIds?: unknown; outcome?: unknown; failed?: unknown };
    if (!Array.isArray(value.chunkIds)) return undefined;
    const failed = (Array.isArray(value.failed) ? (value.failed as unknown[]) : []).filter(
      (pair): pair is [number, number] => Array.isArray(pair) && isChunkId(pair[0]) && isChunkId(pair[1]),
    );
    return { chunkIds: (value.chunkIds as unknown[]).filter(isChunkId), outcome: value.outcome, failed };
  } catch {
    return undefined;
  }
}
