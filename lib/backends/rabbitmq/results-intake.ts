// The observer's consumer of `<ns>.results`, with what it holds bounded in bytes, not messages.
//
// A results message carries a whole batch: a few hundred chunk aggregates, or, with per-parameter
// values, up to a few MB. RabbitMQ bounds unacked deliveries by count only (prefetch_size is not
// implemented), so the prefetch follows the largest results message seen: about HELD_BYTES / largest,
// between MIN_PREFETCH and MAX_PREFETCH, INITIAL_PREFETCH before any was seen. basic.qos applies only
// to consumers started after it, so a new prefetch means a new consumer; it is started when nothing
// of this run is held and the wanted prefetch is off by a factor of two, or when messages that
// cannot be handed out (another run's, unreadable: held unacked, back in the queue when the
// observer closes) fill half of the current one and would otherwise starve it.
//
// Results are handed to the caller as whole messages, a bounded batch per call, and acked on the
// caller's next call (or purge): by then the caller has kept them (the coordinator journals them),
// so a coordinator killed in between finds them in the queue again when the run is resumed. Notices
// are acked on arrival. Only the parsed results are kept, never the message bodies.
import { ArrivalSignal } from "./arrival-signal.ts";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { ChunkResult } from "../backend.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { decodeResults, NOTICE_TYPES, parseBody, RESULTS_TYPE, type NoticeType } from "./result-messages.ts";

const HELD_BYTES = 8 * 2 ** 20;
const INITIAL_PREFETCH = 8;
const MIN_PREFETCH = 2;
const MAX_PREFETCH = 256;
/** A call hands out whole messages until it has this many results or bytes. */
const HANDOUT_RESULTS = 500;
const HANDOUT_BYTES = 4 * 2 ** 20;
/** After handing results out, how long to wait for the broker to push the next ones before saying "none". */
const REFILL_WAIT_MS = 25;

export type ResultsHandlers = {
  onNotice(type: NoticeType, body: Record<string, unknown>): void;
  /** A results message of this run arrived (before it is handed out). */
  onResults(worker: string, results: readonly ChunkResult[]): void;
  /** Entries or messages of this run that are not results or notices: acked and left out. */
  onMalformed(count: number, worker: string): void;
};

type Held = { results: ChunkResult[]; bytes: number; msg: ConsumeMessage; channel: ConfirmChannel; generation: number };
type Consumer = { tag: string; channel: ConfirmChannel; generation: number; prefetch: number; stuck: number };

const EMPTY = Buffer.alloc(0);

export class ResultsIntake {
  readonly #link: AmqpLink;
  readonly #queue: string;
  readonly #runId: string;
  readonly #h: ResultsHandlers;
  #held: Held[] = [];
  /** Handed to the caller by the last call: acked by the next one. */
  #handedOut: Held[] = [];
  #consumer: Consumer | undefined;
  #largest = 0;
  #handedLast = false;
  readonly #arrived = new ArrivalSignal();
  /** Messages held unacked that are not this run's (or unreadable), on the current channel. */
  otherHeld = 0;

  constructor(link: AmqpLink, queue: string, runId: string, handlers: ResultsHandlers) {
    this.#link = link;
    this.#queue = queue;
    this.#runId = runId;
    this.#h = handlers;
  }

  get prefetch(): number {
    return this.#consumer?.prefetch ?? 0;
  }

  /** Consumes on a new channel (first use, or after a reconnect put every held message back). */
  async start(channel: ConfirmChannel, generation: number): Promise<void> {
    this.#held = this.#held.filter((h) => h.generation === generation);
    this.otherHeld = 0;
    await this.#consume(channel, generation, this.#wantedPrefetch());
  }

  /** The next bounded batch of results ([] when none came); acks the batch the last call handed out. */
  async take(): Promise<ChunkResult[]> {
    for (const h of this.#handedOut.splice(0)) this.#ack(h);
    this.#held = this.#held.filter((h) => this.#link.isOpen(h.generation));
    if (this.#held.length === 0) {
      await this.#restartIfNeeded();
      if (this.#handedLast) await this.#arrived.wait(REFILL_WAIT_MS);
    }
    const out: ChunkResult[] = [];
    let bytes = 0;
    let messages = 0;
    while (this.#held.length > 0 && (messages === 0 || (out.length < HANDOUT_RESULTS && bytes < HANDOUT_BYTES))) {
      const h = this.#held.shift();
      if (!h) break;
      messages++;
      bytes += h.bytes;
      for (const r of h.results) out.push(r);
      this.#handedOut.push(h);
    }
    this.#handedLast = messages > 0;
    return out;
  }

  /** Acks every result held and not handed out (purge: the run's results are being removed). */
  ackAll(): void {
    for (const h of [...this.#handedOut.splice(0), ...this.#held.splice(0)]) this.#ack(h);
  }

  async stop(): Promise<void> {
    const c = this.#consumer;
    this.#consumer = undefined;
    if (c && this.#link.isOpen(c.generation)) await c.channel.cancel(c.tag).catch(() => {});
  }

  #wantedPrefetch(): number {
    if (this.#largest === 0) return INITIAL_PREFETCH;
    return Math.max(MIN_PREFETCH, Math.min(MAX_PREFETCH, Math.floor(HELD_BYTES / this.#largest)));
  }

  async #restartIfNeeded(): Promise<void> {
    const c = this.#consumer;
    if (!c || !this.#link.isOpen(c.generation)) return;
    const wanted = this.#wantedPrefetch();
    const off = wanted >= c.prefetch * 2 || wanted * 2 <= c.prefetch;
    if (!off && c.stuck * 2 < c.prefetch) return;
    this.#consumer = undefined;
    // Whatever the old consumer pushed before cancel-ok is still ours, acked on the same channel.
    await c.channel.cancel(c.tag).catch(() => {});
    await this.#consume(c.channel, c.generation, wanted);
  }

  async #consume(channel: ConfirmChannel, generation: number, prefetch: number): Promise<void> {
    await channel.prefetch(prefetch);
    const consumer: Consumer = { tag: "", channel, generation, prefetch, stuck: 0 };
    const { consumerTag } = await channel.consume(
      this.#queue,
      (msg) => {
        if (!msg) {
          // The broker cancelled the consumer (queue deleted): the observer consumes again after a reconnect.
          if (this.#consumer === consumer) this.#consumer = undefined;
          return;
        }
        this.#onMessage(msg, consumer);
      },
      { noAck: false },
    );
    consumer.tag = consumerTag;
    this.#consumer = consumer;
  }

  #onMessage(msg: ConsumeMessage, c: Consumer): void {
    const type = String(msg.properties.type);
    if (type === RESULTS_TYPE) return this.#onResults(msg, c);
    const body = parseBody(msg.content);
    if (!body || body.runId !== this.#runId) return this.#hold(c);
    const worker = typeof body.worker === "string" ? body.worker : "?";
    if (NOTICE_TYPES.includes(type)) this.#h.onNotice(type as NoticeType, body);
    else this.#h.onMalformed(1, worker);
    this.#ack({ msg, channel: c.channel, generation: c.generation });
  }

  #onResults(msg: ConsumeMessage, c: Consumer): void {
    const decoded = decodeResults(msg.content, this.#runId);
    if (decoded.kind === "foreign" || (decoded.kind === "malformed" && decoded.runId !== this.#runId)) return this.#hold(c);
    if (decoded.kind === "malformed") {
      this.#h.onMalformed(1, decoded.worker);
      return this.#ack({ msg, channel: c.channel, generation: c.generation });
    }
    this.#largest = Math.max(this.#largest, msg.content.length);
    const stub: ConsumeMessage = { fields: msg.fields, properties: msg.properties, content: EMPTY };
    this.#held.push({ results: decoded.results, bytes: msg.content.length, msg: stub, channel: c.channel, generation: c.generation });
    this.#h.onResults(decoded.results[0]?.worker ?? "?", decoded.results);
    this.#arrived.wake();
  }

  /** Another run's (or unreadable): held, not acked, back in the queue when the observer closes. */
  #hold(c: Consumer): void {
    c.stuck++;
    this.otherHeld++;
  }

  #ack(h: Pick<Held, "msg" | "channel" | "generation">): void {
    if (!this.#link.isOpen(h.generation)) return; // after a reconnect the broker has put it back already
    try {
      h.channel.ack(h.msg);
    } catch {
      // The channel closed in between: the message is back in its queue.
    }
  }
}
