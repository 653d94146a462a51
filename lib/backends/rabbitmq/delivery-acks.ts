// Acks on a worker's task channel. A worker holds many unacked deliveries on one channel (the batch
// it works on and the arrivals buffered behind it), so the tags still unacked are tracked: a batch
// that is the lowest of them is acked with one basic.ack(multiple=true), the rest one by one; a tag
// is never acked twice (the broker would close the channel: PRECONDITION_FAILED, unknown delivery
// tag, and requeue everything else the worker holds); a tag of an earlier channel is never acked.
import type { ConfirmChannel, ConsumeMessage } from "amqplib";

/** A message as it came: on which channel, of which link generation. */
export type Arrival = { msg: ConsumeMessage; channel: ConfirmChannel; generation: number };

export class UnackedTags {
  #generation = 0;
  readonly #tags = new Set<number>();

  /** A message arrived on the channel of `generation` (a new generation forgets the old channel's tags). */
  add(a: Arrival): void {
    if (a.generation !== this.#generation) {
      this.#generation = a.generation;
      this.#tags.clear();
    }
    this.#tags.add(a.msg.fields.deliveryTag);
  }

  /** Those of the arrivals still unacked on the current channel, each once, by tag. */
  #stillHeld(arrivals: readonly Arrival[]): Arrival[] {
    const byTag = new Map<number, Arrival>();
    for (const a of arrivals) {
      const tag = a.msg.fields.deliveryTag;
      if (a.generation === this.#generation && this.#tags.has(tag)) byTag.set(tag, a);
    }
    return [...byTag.values()].sort((x, y) => x.msg.fields.deliveryTag - y.msg.fields.deliveryTag);
  }

  /** Acks the arrivals; a channel that is gone already requeued them (nothing to do). */
  ack(arrivals: readonly Arrival[]): void {
    const held = this.#stillHeld(arrivals);
    const first = held[0];
    if (!first) return;
    const batch = new Set(held.map((a) => a.msg.fields.deliveryTag));
    let lowestOther = Number.POSITIVE_INFINITY;
    for (const tag of this.#tags) if (!batch.has(tag) && tag < lowestOther) lowestOther = tag;
    // Every unacked tag up to the last of this prefix is in the batch: one ack covers them all.
    const prefix = held.filter((a) => a.msg.fields.deliveryTag < lowestOther);
    const rest = held.slice(prefix.length);
    for (const tag of batch) this.#tags.delete(tag);
    try {
      const last = prefix.at(-1);
      if (last) first.channel.ack(last.msg, prefix.length > 1);
      for (const a of rest) a.channel.ack(a.msg);
    } catch {
      // The channel closed in between: the broker requeues whatever it had not seen acked.
    }
  }

  /** Hands the arrivals back to the queue through the broker (marked redelivered: an attempt). */
  requeue(arrivals: readonly Arrival[]): void {
    for (const a of this.#stillHeld(arrivals)) {
      this.#tags.delete(a.msg.fields.deliveryTag);
      try {
        a.channel.nack(a.msg, false, true);
      } catch {
        // The channel is gone: the broker requeues it itself.
      }
    }
  }
}
