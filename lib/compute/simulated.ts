// The built-in simulated workload of the Python original: cheap arithmetic on
// the parameter id, after SIMULATE_WORK_MS of sleeping.
import { createHash } from "node:crypto";

export function simulatedValue(paramId: number): number {
  return ((paramId * 7 + 13) % 1000) + (paramId % 100) / 100;
}

/** A short sha256 tag, as the original attached to each result. */
export function simulatedTag(paramId: number): string {
  return createHash("sha256").update(`ttg-param-${paramId}`).digest("hex").slice(0, 8);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread (the compute thread, never the main one) for `ms`. */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}
