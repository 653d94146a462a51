// How many local workers may be starting at once. A worker's start is CPU-bound (loading Node, its
// broker client and its compute thread: ~0.2 s of CPU when alone), so on a small machine 64 workers
// spawned at once take every core for many seconds: each comes up late, and the ones already up
// wait for a core between their chunks. Letting a few start at a time brings the first workers up
// at once and keeps the others' start from starving them, while all of them are up no later.
import { availableParallelism } from "node:os";

/** A worker still starting this long holds its place no more (a broker slow to answer, say). */
export const START_HOLD_LIMIT_MS = 10_000;

/**
 * Twice the cores, at least 4: a start waits on the broker part of its time, and a demo's 3 workers
 * all start at once (64 on 2 cores: 2 or 4 at a time measured alike, 0.86-0.89 start-up excluded).
 */
export function defaultStartConcurrency(): number {
  return Math.max(4, 2 * availableParallelism());
}

export class StartGate {
  readonly #limit: number;
  readonly #holdLimitMs: number;
  #starting = 0;
  readonly #waiting: ((place: boolean) => void)[] = [];

  constructor(limit = defaultStartConcurrency(), holdLimitMs = START_HOLD_LIMIT_MS) {
    this.#limit = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : Number.POSITIVE_INFINITY;
    this.#holdLimitMs = holdLimitMs;
  }

  /** How many may be starting at once (Infinity: no limit). */
  get limit(): number {
    return this.#limit;
  }

  /** Workers counted as starting now. */
  get starting(): number {
    return this.#starting;
  }

  /**
   * Waits for a place, then holds it until the returned function is called (the worker is up or
   * gone) or the hold limit passes; calling it again does nothing. Undefined: the wait was
   * cancelled (cancelWaiting), and the caller starts nothing.
   */
  async enter(): Promise<(() => void) | undefined> {
    while (this.#starting >= this.#limit) {
      if (!(await new Promise<boolean>((resolve) => this.#waiting.push(resolve)))) return undefined;
    }
    this.#starting++;
    let held = true;
    const leave = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.#starting--;
      this.#waiting.shift()?.(true);
    };
    // Not unref'd: a worker's exit always clears it, and a gate waited on must keep the loop alive.
    const timer = setTimeout(leave, this.#holdLimitMs);
    return leave;
  }

  /** Every start waiting for a place gets none (its enter() gives undefined); later ones wait as usual. */
  cancelWaiting(): number {
    const cancelled = this.#waiting.splice(0);
    for (const resolve of cancelled) resolve(false);
    return cancelled.length;
  }
}
