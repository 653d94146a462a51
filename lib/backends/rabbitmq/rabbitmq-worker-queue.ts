// A worker's side of the RabbitMQ backend. Chunks arrive by basic.consume (never a basic.get poll)
// on a channel with prefetch 1: a chunk is long, and a second one prefetched behind it would sit
// unstarted with this worker while others idle (and would die with it). Acks are manual and come
// only after the result (or retry copy, or dead letter) is confirmed by the broker (LESSONS 9).
import { randomUUID } from "node:crypto";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { BackendOptions, ChunkResult, DeadLetterRecord, Delivery, RunPlan, WorkerQueue } from "../backend.ts";
import { AmqpLink, describe, isProtocolError } from "./amqp-link.ts";
import { json, publishConfirmed } from "./publish.ts";
import { rabbitmqNames, type RabbitmqNames } from "./rabbitmq-names.ts";
import { loadRun } from "./run-loader.ts";
import { markDone, SettledCheck } from "./run-progress.ts";
import { ATTEMPT_HEADER, LAST_ERROR_HEADER, decodeAnyTask, deliveryAttempt, headerAttempt, headerLastError } from "./task-message.ts";
import { assertTopology } from "./topology.ts";

type RabbitDelivery = Delivery & { msg: ConsumeMessage; channel: ConfirmChannel; generation: number };
type Arrival = { msg: ConsumeMessage; channel: ConfirmChannel; generation: number };

/** Small notices the observer reads from the results queue to know who holds what (LESSONS 16). */
export type NoticeType = "taken" | "retry" | "released";

export class RabbitmqWorkerQueue implements WorkerQueue {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  readonly #o: BackendOptions;
  readonly #settled = new SettledCheck();
  #arrivals: Arrival[] = [];
  readonly #wakers = new Set<() => void>();
  #consumingGeneration = 0;
  #consumerTag: string | undefined;
  #closed: Promise<void> | undefined;

  constructor(link: AmqpLink, options: BackendOptions) {
    this.#link = link;
    this.#o = options;
    this.#names = rabbitmqNames(options.namespace, options.runId);
  }

  ensureLoaded(plan: RunPlan): Promise<void> {
    return loadRun(this.#link, this.#names, plan, this.#o.log);
  }

  async next(blockMs: number): Promise<Delivery | undefined> {
    const deadline = Date.now() + blockMs;
    for (;;) {
      const consuming = await this.#ensureConsuming(deadline);
      const arrival = this.#arrivals.shift();
      if (arrival) {
        if (!this.#link.isOpen(arrival.generation)) continue; // its channel died: the broker requeued it
        const delivery = await this.#toDelivery(arrival);
        if (delivery) return delivery;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await this.#waitForArrival(consuming ? remaining : Math.min(remaining, 100));
    }
  }

  /** (Re)starts the consumer after the first call and after every reconnect; false while the broker is away. */
  async #ensureConsuming(deadline: number): Promise<boolean> {
    if (this.#consumingGeneration === this.#link.generation && this.#link.isOpen()) return true;
    let channel: ConfirmChannel;
    let generation: number;
    try {
      ({ channel, generation } = await this.#link.channel(Math.max(0, deadline - Date.now())));
    } catch {
      return false;
    }
    try {
      await this.#consume(channel, generation);
      return true;
    } catch (error) {
      if (isProtocolError(error)) throw error;
      return false; // the connection broke meanwhile; the next call tries again
    }
  }

  async #consume(channel: ConfirmChannel, generation: number): Promise<void> {
    const aux = await this.#link.openChannel();
    try {
      // Declaring is idempotent: a worker that starts before any loader waits on empty queues.
      await assertTopology(aux, this.#names);
    } finally {
      await aux.close().catch(() => {});
    }
    await channel.prefetch(1);
    const { consumerTag } = await channel.consume(
      this.#names.tasks,
      (msg) => {
        // null: the broker cancelled the consumer (queue deleted); consume again on the next call.
        if (!msg) {
          if (this.#consumingGeneration === generation) this.#consumingGeneration = 0;
          return;
        }
        this.#arrivals.push({ msg, channel, generation });
        this.#wakeAll();
      },
      { noAck: false },
    );
    this.#consumingGeneration = generation;
    this.#consumerTag = consumerTag;
  }

  #waitForArrival(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  #wakeAll(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  async #toDelivery(a: Arrival): Promise<RabbitDelivery | undefined> {
    const raw = a.msg.content.toString("utf8");
    const parsed = decodeAnyTask(raw);
    const task = parsed?.runId === this.#o.runId ? parsed : undefined;
    const delivery: RabbitDelivery = { task, raw: raw.slice(0, 500), deliveryCount: deliveryAttempt(a.msg), ...a };
    if (task && delivery.deliveryCount > this.#o.maxDeliveries) {
      // Its holders died (or froze) with it more often than a chunk may be tried: poison.
      const error = headerLastError(a.msg) ?? `abandoned: its worker died or froze while holding it (delivery ${delivery.deliveryCount})`;
      await this.#deadLetter(delivery, error, delivery.deliveryCount - 1);
      return undefined;
    }
    if (task) this.#notice("taken", { chunkId: task.chunkId, attempt: delivery.deliveryCount });
    return delivery;
  }

  async renew(delivery: Delivery): Promise<boolean> {
    // Nothing to renew: the lease is the connection, kept alive by heartbeats.
    return this.#link.isOpen((delivery as RabbitDelivery).generation);
  }

  async complete(delivery: Delivery, result: ChunkResult): Promise<"accepted" | "duplicate"> {
    const d = delivery as RabbitDelivery;
    await this.#link.retrying("publish a chunk result", (ch) =>
      Promise.all([
        publishConfirmed(ch, this.#names.results, json(result), { type: "result", messageId: randomUUID() }),
        markDone(ch, this.#names, result.chunkId, "result"),
      ]),
    );
    this.#ack(d);
    // Deduplication happens where results are read (the observer's ledger), keyed by chunk id.
    return "accepted";
  }

  async fail(delivery: Delivery, error: string): Promise<"retry" | "dead-lettered"> {
    const d = delivery as RabbitDelivery;
    if (!d.task || d.deliveryCount >= this.#o.maxDeliveries) {
      await this.#deadLetter(d, error, d.deliveryCount);
      return "dead-lettered";
    }
    const delay = this.#o.retryDelayMs;
    const headers = { [ATTEMPT_HEADER]: d.deliveryCount + 1, [LAST_ERROR_HEADER]: error.slice(0, 2000) };
    // Per-message expiration, not a queue argument: another run may use another delay.
    const [queue, options] = delay > 0 ? [this.#names.retry, { expiration: String(delay) }] : [this.#names.tasks, {}];
    // The copy is confirmed before the original is acked: a crash in between duplicates the task
    // (absorbed by effectively-once results), the reverse order could lose it.
    await this.#link.retrying("publish a retry", (ch) =>
      publishConfirmed(ch, queue, d.msg.content, { ...options, headers, ...sameMessageId(d.msg) }),
    );
    this.#ack(d);
    this.#notice("retry", { chunkId: d.task.chunkId, attempt: d.deliveryCount, error });
    return "retry";
  }

  async release(delivery: Delivery): Promise<void> {
    const d = delivery as RabbitDelivery;
    if (!this.#link.isOpen(d.generation)) return; // its channel is gone: the broker already requeued it
    await this.#putBack(d);
    if (d.task) this.#notice("released", { chunkId: d.task.chunkId });
  }

  /**
   * Gives a chunk back with its attempt count unchanged: a copy to the tasks queue, confirmed, then
   * an ack. (A plain nack-requeue would mark it redelivered, which counts as an attempt.)
   */
  async #putBack(d: { msg: ConsumeMessage; channel: ConfirmChannel; generation: number }): Promise<void> {
    try {
      const lastError = headerLastError(d.msg);
      const headers = { [ATTEMPT_HEADER]: headerAttempt(d.msg), ...(lastError ? { [LAST_ERROR_HEADER]: lastError } : {}) };
      await publishConfirmed(d.channel, this.#names.tasks, d.msg.content, { headers, ...sameMessageId(d.msg) });
      d.channel.ack(d.msg);
    } catch {
      try {
        d.channel.nack(d.msg, false, true);
      } catch {
        // The channel is gone: the broker requeues the chunk itself.
      }
    }
  }

  async #deadLetter(d: RabbitDelivery, error: string, attempts: number): Promise<void> {
    const parsed = d.task ?? decodeAnyTask(d.msg.content.toString("utf8"));
    const foreign = parsed !== undefined && parsed.runId !== this.#o.runId;
    const record: DeadLetterRecord & { worker: string; at: string } = {
      runId: parsed?.runId ?? this.#o.runId,
      chunkId: parsed?.chunkId ?? null,
      start: parsed?.start ?? null,
      end: parsed?.end ?? null,
      attempts,
      error: foreign ? `${error} (a chunk of run ${parsed.runId}; this worker serves run ${this.#o.runId})` : error,
      worker: this.#o.consumer,
      at: new Date().toISOString(),
    };
    if (!d.task) record.raw = d.raw;
    await this.#link.retrying("dead-letter a chunk", async (ch) => {
      await publishConfirmed(ch, this.#names.dlq, json(record), { type: "dead-letter", messageId: randomUUID() });
      if (d.task) await markDone(ch, this.#names, d.task.chunkId, "dead-lettered");
    });
    this.#ack(d);
    this.#o.log?.("warn", `dead-lettered ${d.task ? `chunk ${d.task.chunkId}` : "a malformed message"}`, { attempts, error });
  }

  #ack(d: RabbitDelivery): void {
    if (!this.#link.isOpen(d.generation)) {
      // The connection broke after the confirm: the broker has requeued the chunk, and the copy
      // another worker computes will be discarded as a duplicate.
      this.#o.log?.("debug", "cannot ack a chunk whose channel is gone; it was requeued", { chunk: d.task?.chunkId });
      return;
    }
    try {
      d.channel.ack(d.msg);
    } catch (error) {
      this.#o.log?.("debug", "ack failed; the broker will requeue the chunk", { error: describe(error) });
    }
  }

  /** Advisory, so not awaited by the caller's path (still confirmed, like every publish). */
  #notice(type: NoticeType, fields: Record<string, unknown>): void {
    const body = { runId: this.#o.runId, worker: this.#o.consumer, at: new Date().toISOString(), ...fields };
    this.#link
      .channel(0)
      .then(({ channel }) => publishConfirmed(channel, this.#names.results, json(body), { type, persistent: false }))
      .catch((error: unknown) => this.#o.log?.("debug", `could not publish a ${type} notice`, { error: describe(error) }));
  }

  settled(plan: RunPlan): Promise<boolean> {
    return this.#settled.check(this.#link, this.#names, plan);
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    if (this.#consumerTag && this.#link.isOpen(this.#consumingGeneration)) {
      const { channel } = await this.#link.channel(0).catch(() => ({ channel: undefined }));
      await channel?.cancel(this.#consumerTag).catch(() => {});
    }
    // A chunk pushed to us but never started goes back with its attempt count unchanged (closing
    // the channel would requeue it marked redelivered, which counts as an attempt).
    for (const a of this.#arrivals.splice(0)) {
      if (this.#link.isOpen(a.generation)) await this.#putBack(a);
    }
    this.#wakeAll();
    await this.#link.close();
  }
}

function sameMessageId(msg: ConsumeMessage): { messageId?: string } {
  const id: unknown = msg.properties.messageId;
  return typeof id === "string" ? { messageId: id } : {};
}

export async function createRabbitmqWorkerQueue(options: BackendOptions): Promise<WorkerQueue> {
  const link = await AmqpLink.open({ url: options.url, name: `ttg-worker-${options.consumer}`, ...(options.log ? { log: options.log } : {}) });
  return new RabbitmqWorkerQueue(link, options);
}
