// The next batch, asked for a little before this one is computed, so that it is there when the
// compute ends. On Redis a take is a round trip: asked only once a batch was computed, it left the
// compute thread idle about 1 ms between batches (0.03-0.04 s per worker over a 10 s CPU-bound sweep
// of 0.15 s chunks, npm run bench). RabbitMQ's prefetch already has the next chunk waiting in the
// client; there the early ask finds it at once and changes nothing.
//
// The ask comes at the batch's expected end (its chunks times the fastest recent chunk time, so
// rather early than late) minus a lead. A batch taken early waits unstarted for that lead plus any
// overrun of this one: the lead is kept to a few ms, and nothing is asked early while no chunk time
// is known or for redelivered chunks (the crash sandbox's process start is not in the chunk time).
// A held batch is never lost: one whose lease ran out meanwhile is dropped when its renewal says so,
// as any batch is, and one held at shutdown goes back.

/** The most a batch is asked for ahead of the expected end of the one computing. */
export const MAX_LEAD_MS = 20;
/** The least: the round trip itself. */
export const MIN_LEAD_MS = 2;

/**
 * Milliseconds after a batch of `chunks` starts at which to ask for the next one (0: at once), or
 * undefined when it is asked for only once the batch is computed.
 */
export function takeAheadDelayMs(chunks: number, chunkMs: number | undefined, redelivered: boolean): number | undefined {
  if (chunkMs === undefined || !(chunkMs > 0) || redelivered || chunks <= 0) return undefined;
  const expected = chunks * chunkMs;
  const lead = Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, expected / 10));
  return Math.max(0, expected - lead);
}

/** At most one take in flight for the next batch: asked at a set delay or on demand, handed over once. */
export class TakeAhead<T> {
  readonly #take: () => Promise<T>;
  readonly #allowed: () => boolean;
  #asked: Promise<T> | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `allowed`: whether a take may be asked for now (false once the worker is stopping). */
  constructor(take: () => Promise<T>, allowed: () => boolean) {
    this.#take = take;
    this.#allowed = allowed;
  }

  /** Asks for the next batch after delayMs (undefined: not before now() is called). */
  askAfter(delayMs: number | undefined): void {
    this.#clearTimer();
    if (delayMs === undefined || this.#asked) return;
    if (delayMs <= 0) this.now();
    else this.#timer = setTimeout(() => this.now(), delayMs);
  }

  /** Asks for the next batch now, unless it was asked for already. */
  now(): void {
    this.#clearTimer();
    if (!this.#asked && this.#allowed()) this.#asked = this.#take();
  }

  /** The take asked for, if any; the caller now owns it, and the next ask starts afresh. */
  claim(): Promise<T> | undefined {
    this.#clearTimer();
    const asked = this.#asked;
    this.#asked = undefined;
    return asked;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
