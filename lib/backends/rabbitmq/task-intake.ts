// How chunks reach a worker: basic.consume (never a basic.get poll) with a prefetch sized from the
// batch the worker asks for (prefetchFor). A worker asks for one chunk while chunks are long, and
// then the prefetch is 1 (a second chunk prefetched behind a long one would sit unstarted while
// others idle, and die with it), unless they take under READ_AHEAD_BELOW_MS each: then it is 2, so
// the next chunk is here when this one is computed instead of one confirm, ack and push later (on a
// busy broker that gap was 40-80 ms per 250 ms chunk), and one held chunk costs the run's end at most
// that much. When chunks are short it asks for more, and the prefetch is two batches, so the next
// batch is already here when this one's results are confirmed.
//
// RabbitMQ applies basic.qos to consumers started after it, never to a running one, so a new
// prefetch means: cancel the consumer (arrivals it already pushed stay ours, unacked), keep as many
// of them as the new size allows, put the rest back with their attempt count unchanged, and consume
// again with the new prefetch once those kept are handed out. That costs round trips, and a put-back
// costs a confirmed publish and an ack per chunk, so the prefetch grows as soon as the size grows past
// it, but shrinks only for a trend: at once when the worker asks for one chunk (chunks became long),
// else when every one of the last SHRINK_AFTER_TAKES asks was a quarter of the prefetch or less. A
// size that dips for a batch or two (one batch's compute time stretched by a busy machine halves it
// or worse, and it doubles back) keeps the consumer; what it buffered beyond the size is handed out
// next, a batch of the asked size at a time.
import { ArrivalSignal } from "./arrival-signal.ts";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { BackendOptions } from "../backend.ts";
import { isProtocolError, type AmqpLink } from "./amqp-link.ts";
import { UnackedTags, type Arrival } from "./delivery-acks.ts";
import { publishConfirmed } from "./publish.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";
import { ATTEMPT_HEADER, LAST_ERROR_HEADER, deliveryAttempt, headerLastError } from "./task-message.ts";
import { assertTopology } from "./topology.ts";

/** Chunks one at a time that take less than this each keep the next one coming (prefetch 2). */
export const READ_AHEAD_BELOW_MS = 500;

/**
 * The prefetch for batches of `max` whose chunks took `chunkMs` each: one while chunks are long
 * (nothing waits unstarted behind a long chunk; unknown counts as long), else two batches, so the
 * next batch arrives while this one's results are confirmed.
 */
export function prefetchFor(max: number, chunkMs?: number): number {
  if (max > 1) return 2 * max;
  return chunkMs !== undefined && chunkMs < READ_AHEAD_BELOW_MS ? 2 : 1;
}

/**
 * Arrivals further apart than this are not one burst of the broker's. On a busy machine the broker
 * is descheduled for a few ms mid-burst; at 2 ms, two workers got batches of 100-300 where they
 * asked for 1024, and paid a batch's messages (results, done marker, taken notice) for each:
 * 29-33k chunks/s against 36-40k at 10 ms (two workers, 50,000 chunks, A/B alternated).
 */
const FILL_GAP_MS = 10;

/**
 * How many asks in a row must fit a prefetch a quarter of the current one or less before it shrinks:
 * a size that dipped doubles back to where it was within this many batches (1024 from 8).
 */
export const SHRINK_AFTER_TAKES = 8;

type Consumer = { tag: string; channel: ConfirmChannel; generation: number; prefetch: number };

export class TaskIntake {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  readonly #log: BackendOptions["log"];
  readonly acks = new UnackedTags();
  #arrivals: Arrival[] = [];
  readonly #arrived = new ArrivalSignal();
  #consumer: Consumer | undefined;
  /** The prefetch of the next consumer (the running one's, while it runs). */
  #prefetch = 0;
  #declaredGeneration = 0;
  /** The last SHRINK_AFTER_TAKES asks, newest last. */
  #asks: number[] = [];
  /** Set by interrupt(): the take() waiting now (or the next one to find nothing) returns without waiting out its deadline. */
  #interrupted = false;

  constructor(link: AmqpLink, names: RabbitmqNames, log: BackendOptions["log"]) {
    this.#link = link;
    this.#names = names;
    this.#log = log;
  }

  /** Up to max arrivals of the live channel, waiting until deadline (or an interrupt()) for the first one; [] when none came. */
  async take(max: number, deadline: number, chunkMs?: number): Promise<Arrival[]> {
    const window = this.#windowFor(max, chunkMs);
    if (window !== this.#prefetch) await this.#resize(window);
    for (;;) {
      this.#dropDead();
      if (this.#arrivals.length === 0) {
        const consuming = await this.#ensureConsuming(deadline);
        const remaining = deadline - Date.now();
        if (this.#arrivals.length === 0) {
          if (remaining <= 0) return [];
          if (this.#interrupted) {
            this.#interrupted = false;
            return [];
          }
          await this.#arrived.wait(consuming ? remaining : Math.min(remaining, 100));
          continue;
        }
      } else if (this.#arrivals.length < max) {
        await this.#fill(max, deadline);
      }
      return this.#arrivals.splice(0, max);
    }
  }

  /** Ends the wait of a take() for its first arrival now, or the next take's, with [] : the worker has news of its own to act on (its run settled). */
  interrupt(): void {
    this.#interrupted = true;
    this.#arrived.wake();
  }

  /**
   * Gives arrivals back with their attempt count unchanged: a copy to the tasks queue, confirmed,
   * then an ack (a plain nack-requeue would mark them redelivered, which counts as an attempt).
   * A copy the broker did not confirm leaves its original to a nack-requeue.
   */
  async putBack(arrivals: readonly Arrival[]): Promise<void> {
    const live = arrivals.filter((a) => this.#link.isOpen(a.generation));
    const sent = await Promise.allSettled(
      live.map((a) => publishConfirmed(a.channel, this.#names.tasks, a.msg.content, { headers: sameAttempt(a.msg), ...sameMessageId(a.msg) })),
    );
    this.acks.ack(live.filter((_, i) => sent[i]?.status === "fulfilled"));
    this.acks.requeue(live.filter((_, i) => sent[i]?.status === "rejected"));
  }

  /** Stops consuming and puts back every arrival not handed out yet. */
  async close(): Promise<void> {
    await this.#cancel();
    await this.putBack(this.#arrivals.splice(0));
    this.#arrived.wake();
  }

  /** The prefetch for an ask of max: grown at once, shrunk at once for long chunks one at a time, else only for a trend (see the top). */
  #windowFor(max: number, chunkMs?: number): number {
    this.#asks.push(max);
    if (this.#asks.length > SHRINK_AFTER_TAKES) this.#asks.shift();
    const window = prefetchFor(max, chunkMs);
    if (window > this.#prefetch || (max === 1 && this.#prefetch > window)) return window;
    const trend = prefetchFor(Math.max(...this.#asks), chunkMs);
    return this.#asks.length === SHRINK_AFTER_TAKES && trend * 2 <= this.#prefetch ? trend : this.#prefetch;
  }

  async #resize(window: number): Promise<void> {
    this.#prefetch = window;
    if (this.#consumer && this.#consumer.prefetch !== window) await this.#cancel();
    this.#dropDead();
    const excess = this.#arrivals.splice(window);
    if (excess.length > 0) {
      this.#log?.("debug", "batch size lowered: putting buffered chunks back", { window, putBack: excess.length });
      await this.putBack(excess);
    }
  }

  async #cancel(): Promise<void> {
    const c = this.#consumer;
    this.#consumer = undefined;
    // After cancel-ok nothing more arrives for the tag; what it pushed before is in #arrivals.
    if (c && this.#link.isOpen(c.generation)) await c.channel.cancel(c.tag).catch(() => {});
  }

  #dropDead(): void {
    // An arrival of a channel that died was requeued by the broker: it is not ours any more.
    if (this.#arrivals.some((a) => !this.#link.isOpen(a.generation))) this.#arrivals = this.#arrivals.filter((a) => this.#link.isOpen(a.generation));
  }

  /** (Re)starts the consumer with prefetch = the batch size; false while the broker is away. */
  async #ensureConsuming(deadline: number): Promise<boolean> {
    if (this.#consumer && this.#link.isOpen(this.#consumer.generation)) return true;
    this.#consumer = undefined;
    try {
      const { channel, generation } = await this.#link.channel(Math.max(0, deadline - Date.now()));
      await this.#consume(channel, generation);
      return true;
    } catch (error) {
      if (isProtocolError(error)) throw error;
      return false; // the connection broke meanwhile; the next call tries again
    }
  }

  async #consume(channel: ConfirmChannel, generation: number): Promise<void> {
    if (this.#declaredGeneration !== generation) {
      // Declaring is idempotent: a worker that starts before any loader waits on empty queues.
      const aux = await this.#link.openChannel();
      try {
        await assertTopology(aux, this.#names);
      } finally {
        await aux.close().catch(() => {});
      }
      this.#declaredGeneration = generation;
    }
    const prefetch = this.#prefetch;
    await channel.prefetch(prefetch);
    let tag = "";
    const { consumerTag } = await channel.consume(
      this.#names.tasks,
      (msg) => {
        // null: the broker cancelled the consumer (queue deleted); consume again on the next call.
        if (!msg) {
          if (this.#consumer?.tag === tag) this.#consumer = undefined;
          return;
        }
        const arrival = { msg, channel, generation };
        this.acks.add(arrival);
        this.#arrivals.push(arrival);
        this.#arrived.wake();
      },
      { noAck: false },
    );
    tag = consumerTag;
    this.#consumer = { tag, channel, generation, prefetch };
  }

  /**
   * The broker pushes a batch's worth back to back once the previous batch is acked: a batch handed
   * out at the first arrival would be a fraction of what was asked for. So wait while arrivals keep
   * coming (a gap of FILL_GAP_MS ends it) until max are here; a worker asking for one never waits.
   */
  async #fill(max: number, deadline: number): Promise<void> {
    while (this.#arrivals.length < max && this.#consumer && Date.now() < deadline) {
      const before = this.#arrivals.length;
      await this.#arrived.wait(FILL_GAP_MS);
      if (this.#arrivals.length === before) break;
    }
    this.#dropDead();
  }
}

/**
 * Headers of a put-back copy: the copy arrives fresh (not marked redelivered), so it carries this
 * delivery's attempt number, redelivery included. A chunk a dead worker held comes back as attempt
 * 2; put back unstarted, it must stay 2, or a chunk that kills its workers would never reach
 * MAX_DELIVERIES.
 */
function sameAttempt(msg: ConsumeMessage): Record<string, unknown> {
  const lastError = headerLastError(msg);
  return { [ATTEMPT_HEADER]: deliveryAttempt(msg), ...(lastError ? { [LAST_ERROR_HEADER]: lastError } : {}) };
}

export function sameMessageId(msg: ConsumeMessage): { messageId?: string } {
  const id: unknown = msg.properties.messageId;
  return typeof id === "string" ? { messageId: id } : {};
}
