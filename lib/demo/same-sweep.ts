// A run keeps the sweep it started with (reports/<run>/run.json): --resume and --retry-failed use
// that one, and a --sweep given with them must name the same sweep or is refused.
import { BadInput } from "../script/bad-input.ts";
import { sweepDigest } from "../sweep-def/sweep-json.ts";
import type { Sweep } from "../sweep-def/sweep-space.ts";

export type NamedSweep = { sweep?: Sweep | undefined; sweepFile?: string | undefined };

/** `doing`: "resume run R" or "retry the failed parameters of run R". */
export function checkSameSweep(given: NamedSweep, run: NamedSweep, doing: string): void {
  if (!given.sweep) return;
  const digest = sweepDigest(given.sweep);
  if (run.sweep && sweepDigest(run.sweep) === digest) return;
  const started = run.sweep ? `with ${run.sweepFile ?? "another sweep"} (digest ${sweepDigest(run.sweep)})` : "without a sweep";
  throw new BadInput(`Cannot ${doing} with --sweep ${given.sweepFile ?? ""} (digest ${digest}): the run was started ${started}; leave --sweep out, the run's own sweep is kept in its run.json.`);
}
