// An idle worker learns that its run settled by push, not by asking: it consumes the run's
// `<ns>.settled.<run>` queue, where the worker that proves the run settled leaves one message. The
// broker hands that message to one consumer at a time; each worker that receives it cancels its
// consumer and gives it back (nack, requeue), so it visits every idle worker once and stays in the
// queue, as the run's settled marker, when the last one has left. The consumer rides on the worker's
// task channel (no channel or queue of its own), so listening costs the broker nothing while idle.
import { randomUUID } from "node:crypto";
import type { ConfirmChannel } from "amqplib";
import type { AmqpLink } from "./amqp-link.ts";
import type { Arrival, UnackedTags } from "./delivery-acks.ts";
import type { RabbitmqNames } from "./rabbitmq-names.ts";

type Listening = { tag: string; channel: ConfirmChannel; generation: number };

export class SettledSignal {
  readonly #link: AmqpLink;
  readonly #names: RabbitmqNames;
  /** The task channel's unacked tags: the marker's tag joins them so a multiple ack never covers it. */
  readonly #acks: UnackedTags;
  #heard = false;
  #listening: Listening | undefined;
  #starting: Promise<void> | undefined;

  constructor(link: AmqpLink, names: RabbitmqNames, acks: UnackedTags) {
    this.#link = link;
    this.#names = names;
    this.#acks = acks;
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

  /** Heard: stop listening first, so the marker given back goes to another worker and not here again. */
  #pass(marker: Arrival, listening: Listening): void {
    this.#acks.add(marker);
    this.#heard = true;
    if (this.#listening === listening) this.#listening = undefined;
    void listening.channel
      .cancel(listening.tag)
      .catch(() => undefined)
      .finally(() => this.#acks.requeue([marker]));
  }

  /** Stops listening; a marker held at that moment goes back when its requeue (or the channel's close) arrives. */
  async close(): Promise<void> {
    const l = this.#listening;
    this.#listening = undefined;
    if (l && this.#link.isOpen(l.generation)) await l.channel.cancel(l.tag).catch(() => undefined);
  }
}
