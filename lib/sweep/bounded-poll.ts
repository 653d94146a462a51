// Reads progress without letting a broker outage freeze the sweep: a read that does not answer
// within the bound (clients wait for their reconnect) or fails leaves the last figures standing
// and says for how long the broker has not answered. One read at a time: a slow read is awaited
// again on the next call, never started twice.
import type { ProgressSnapshot } from "./progress-snapshot.ts";

type Outcome = { ok: true; snap: ProgressSnapshot } | { ok: false; error: string };

export type PollReading = {
  /** Fresh figures; undefined when the broker did not answer this time. */
  snap: ProgressSnapshot | undefined;
  /** Set while the broker does not answer. */
  unreachable?: { seconds: number; error: string };
};

export class BoundedPoll {
  readonly #poll: () => Promise<ProgressSnapshot>;
  readonly #timeoutMs: number;
  #pending: Promise<Outcome> | undefined;
  /** When the read in progress started. */
  #startedAt = 0;
  /** When the first read that did not answer started. */
  #downSince: number | undefined;
  #lastError = "";

  constructor(poll: () => Promise<ProgressSnapshot>, timeoutMs: number) {
    this.#poll = poll;
    this.#timeoutMs = timeoutMs;
  }

  async read(timeoutMs = this.#timeoutMs): Promise<PollReading> {
    if (!this.#pending) this.#startedAt = performance.now();
    this.#pending ??= this.#poll().then(
      (snap): Outcome => ({ ok: true, snap }),
      (error: unknown): Outcome => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const outcome = await Promise.race([this.#pending, late]);
    clearTimeout(timer);
    if (outcome === undefined) return this.#down(`no answer within ${timeoutMs / 1000} s`, true);
    this.#pending = undefined;
    if (!outcome.ok) return this.#down(outcome.error, false);
    this.#downSince = undefined;
    this.#lastError = "";
    return { snap: outcome.snap };
  }

  /** True when no read is still waiting for the broker (another reader may use the driver). */
  get idle(): boolean {
    return this.#pending === undefined;
  }

  #down(error: string, timedOut: boolean): PollReading {
    this.#downSince ??= this.#startedAt;
    // A timeout says less than the error an earlier read failed with: keep that one.
    if (!timedOut || this.#lastError === "") this.#lastError = error;
    return { snap: undefined, unreachable: { seconds: (performance.now() - this.#downSince) / 1000, error: this.#lastError } };
  }
}
