// When is a run settled (no chunk pending, in retry or in flight anywhere)? RabbitMQ cannot say:
// passive declares count ready messages only, never the unacked chunk a slow or frozen worker holds
// (LESSONS 2). So every finished chunk (result confirmed, or dead-lettered) leaves a marker
// {chunkId} in `<ns>.done.<runId>` before its task is acked, and the run is settled when the markers
// name every chunk id of the plan. The marker count is cheap (a passive declare) and never smaller
// than the number of distinct ids, so it rules "not yet" out at no cost; only when it reaches the
// plan's size does one worker read the markers (exclusively, without acking) to count distinct ids,
// and a worker that proves the run settled leaves a message in `<ns>.settled.<runId>` for the rest.
import type { Channel, ConfirmChannel } from "amqplib";
import type { RunPlan } from "../backend.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { json, publishConfirmed } from "./publish.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";
import { batchesNeeded } from "./run-loader.ts";

export type DoneOutcome = "result" | "dead-lettered";

export function markDone(ch: ConfirmChannel, names: RabbitmqNames, chunkId: number, outcome: DoneOutcome): Promise<void> {
  return publishConfirmed(ch, names.done, json({ chunkId, outcome }));
}

export type RunProgress = { loadedBatches: number; doneMarkers: number; settledMarker: boolean };

export async function readProgress(ch: Channel, names: RabbitmqNames): Promise<RunProgress> {
  const [run, done, settled] = [await ch.checkQueue(names.run), await ch.checkQueue(names.done), await ch.checkQueue(names.settled)];
  return { loadedBatches: run.messageCount, doneMarkers: done.messageCount, settledMarker: settled.messageCount > 0 };
}

export class SettledCheck {
  #settled = false;
  /** Marker count at which a complete read found ids missing: no need to read again until it grows. */
  #incompleteAt = -1;

  async check(link: AmqpLink, names: RabbitmqNames, plan: RunPlan): Promise<boolean> {
    if (this.#settled) return true;
    this.#settled = await link.retrying("check whether the run is settled", async () => {
      const ch = await link.openChannel();
      try {
        const progress = await readProgress(ch, names);
        if (progress.settledMarker) return true;
        if (progress.loadedBatches < batchesNeeded(plan)) return false;
        if (progress.doneMarkers < plan.totalChunks || progress.doneMarkers === this.#incompleteAt) return false;
        const read = await readDistinctDone(link, names, plan, progress.doneMarkers);
        if (!read) return false;
        if (read.distinct < plan.totalChunks) {
          if (read.complete) this.#incompleteAt = progress.doneMarkers;
          return false;
        }
        const { channel } = await link.channel();
        await publishConfirmed(channel, names.settled, json({ runId: plan.runId, at: new Date().toISOString() }));
        return true;
      } finally {
        await ch.close().catch(() => {});
      }
    });
    return this.#settled;
  }
}

/**
 * Reads the done markers without acking them (closing the channel puts them all back). The
 * consumer is exclusive, so two workers never each see half; undefined when another one is reading.
 */
async function readDistinctDone(
  link: AmqpLink,
  names: RabbitmqNames,
  plan: RunPlan,
  expected: number,
): Promise<{ distinct: number; complete: boolean } | undefined> {
  const ch = await link.openChannel();
  const seen = new Set<number>();
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
          const chunkId = parseChunkId(msg.content);
          if (chunkId !== undefined && chunkId < plan.totalChunks) seen.add(chunkId);
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
  return { distinct: seen.size, complete: received >= expected };
}

function parseChunkId(content: Buffer): number | undefined {
  try {
    const id = (JSON.parse(content.toString("utf8")) as { chunkId?: unknown }).chunkId;
    return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : undefined;
  } catch {
    return undefined;
  }
}
