// An idle worker learns that its run settled by push, not by asking: it consumes the run's
// `<ns>.settled.<run>` queue, where the worker that proves the run settled leaves one message. The
// broker hands a message to one consumer at a time; each worker that receives one cancels its
// consumer, gives the message back (nack, requeue) and adds a copy of it, so the messages double
// with each hand-over and reach n idle workers in about log2(n) hops instead of n (the bench's
// idle-cost phase: of 64 idle workers the last left 1.11-1.14 s after the run settled when told one
// after another, 0.74-0.76 s with copies, most of it 64 processes shutting down on 2 cores). The first
// message stays in the queue as the run's settled marker; the copies are not persistent and stay
// beside it, one per worker told, until the run's queues are removed. The consumer rides on the
// worker's task channel (no channel or queue of its own), so listening costs the broker nothing while idle.
import { randomUUID } from "node:crypto";
import type { ConfirmChannel } from "amqplib";
import type { AmqpLink } from "./amqp-link.ts";
import type { Arrival, UnackedTags } from "./delivery-acks.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";

/** Marks a copy of the settled marker (settled-signal.ts), to tell it from the one the settling worker left. */
export const SETTLED_COPY_HEADER = "x-ttg-settled-copy";

type Listening = { tag: string; channel: ConfirmChannel; generation: number };

export class SettledSignal {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  /** The task channel's unacked tags: the marker's tag joins them so a multiple ack never covers it. */
  readonly #acks: UnackedTags;
  /** Called once, when the marker first arrives: a worker waiting for chunks stops waiting. */
  readonly #onHeard: () => void;
  #heard = false;
  #listening: Listening | undefined;
  #starting: Promise<void> | undefined;
  /** Markers being handed on (cancel, copy, give back): close() waits for them, so a worker that leaves at once still passes its copy on. */
  #passing: Promise<void> = Promise.resolve();

  constructor(link: AmqpLink, names: RabbitmqNames, acks: UnackedTags, onHeard: () => void = () => {}) {
    this.#link = link;
    this.#names = names;
    this.#acks = acks;
    this.#onHeard = onHeard;
  }

  /** True once the settled marker reached this worker. */
  get heard(): boolean {
    return this.#heard;
  }

  /** True while a consumer on the live channel waits for the marker (false after a reconnect or a broker cancel). */
  get listening(): boolean {
    return this.#listening !== undefined && this.#link.isOpen(this.#listening.generation);
  }

  /** Starts the consumer on the current task channel unless it already runs there. */
  listen(): Promise<void> {
    if (this.#heard || this.listening) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { channel, generation } = await this.#link.channel(0);
    // Our own tag: the marker may arrive before consume() resolves, and its handler cancels by tag.
    const listening: Listening = { tag: `ttg-settled-${randomUUID()}`, channel, generation };
    this.#listening = listening;
    try {
      await channel.consume(
        this.#names.settled,
        (msg) => {
          // null: the broker cancelled the consumer (the queue was deleted); settled() asks instead.
          if (!msg) {
            if (this.#listening === listening) this.#listening = undefined;
            return;
          }
          this.#pass({ msg, channel, generation }, listening);
        },
        { noAck: false, consumerTag: listening.tag },
      );
    } catch (error) {
      if (this.#listening === listening) this.#listening = undefined;
      throw error;
    }
  }

  /** Heard: stop listening first, so what is given back goes to other workers and not here again. */
  #pass(marker: Arrival, listening: Listening): void {
    this.#acks.add(marker);
    // Once heard, listen() starts no consumer again; but this one's prefetch may bring more messages
    // before its cancel lands: only the first is news, and only it adds a copy (one per worker).
    const first = !this.#heard;
    this.#heard = true;
    if (this.#listening === listening) this.#listening = undefined;
    if (first) this.#onHeard();
    const passing = listening.channel
      .cancel(listening.tag)
      .catch(() => undefined)
      .finally(() => {
        if (first) this.#copy(marker);
        this.#acks.requeue([marker]);
      });
    this.#passing = Promise.all([this.#passing, passing]).then(() => undefined);
  }

  /** One more message for the workers still listening; lost with a closed channel, the one given back still goes round. */
  #copy(marker: Arrival): void {
    if (!this.#link.isOpen(marker.generation)) return;
    try {
      marker.channel.publish("", this.#names.settled, marker.msg.content, { persistent: false, headers: { [SETTLED_COPY_HEADER]: true } });
    } catch {
      // The channel closed under us: nothing to forward on.
    }
  }

  /** Stops listening, once every marker received was handed on; one held at that moment goes back when its requeue (or the channel's close) arrives. */
  async close(): Promise<void> {
    const l = this.#listening;
    this.#listening = undefined;
    if (l && this.#link.isOpen(l.generation)) await l.channel.cancel(l.tag).catch(() => undefined);
    await this.#passing;
  }
}
