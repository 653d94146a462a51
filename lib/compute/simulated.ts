// The built-in simulated workload of the Python original: cheap arithmetic on
// the parameter id, after SIMULATE_WORK_MS of sleeping.
import { createHash } from "node:crypto";

/** float(f"0.{r}") for r in 0..99, parsed once. */
const SEED_FRACTIONS: readonly number[] = Array.from({ length: 100 }, (_, r) => Number(`0.${r}`));

/**
 * The seed's arithmetic exactly: `(p*7+13) % 1000 + float(f"0.{p%100}")`. The fraction is the
 * digits of p%100 after "0.", so p%100 = 5 gives 0.5 (not 0.05): 1,000 params sum to 500035.5
 * and 10,000 to 5000355, the Python system's figures.
 */
export function simulatedValue(paramId: number): number {
  return ((paramId * 7 + 13) % 1000) + (SEED_FRACTIONS[paramId % 100] ?? 0);
}

/** A short sha256 tag, as the original attached to each result. */
export function simulatedTag(paramId: number): string {
  return createHash("sha256").update(`ttg-param-${paramId}`).digest("hex").slice(0, 8);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** What the last waits overslept (timer slack, ~0.2 ms each): the next wait is that much shorter. */
let overslept = 0;

/**
 * Blocks the calling thread (the compute thread, never the main one) for `ms`. Each wait
 * oversleeps a little; carrying that over keeps a run of waits at ms each on average instead of
 * ~2 % more, so a chunk of 100 x 10 ms takes 1.00 s, not 1.02 s.
 */
export function blockFor(ms: number): void {
  if (ms <= 0) return;
  const want = ms - overslept;
  if (want <= 0) {
    overslept = -want;
    return;
  }
  const began = performance.now();
  Atomics.wait(sleeper, 0, 0, want);
  // Bounded, so a long stall (a frozen process) is not paid back by skipping later work.
  overslept = Math.min(ms, Math.max(0, performance.now() - began - want));
}
