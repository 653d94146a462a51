// The Sweep to and from SWEEP_JSON, the worker variable that carries it, and the sweep's digest.
// Kept apart from the sweep file reader (YAML, zod): a worker needs only this, and loading those
// two libraries was most of the code a worker parsed at start-up.
import { createHash } from "node:crypto";
import { BadInput } from "../script/bad-input.ts";
import type { Sweep } from "./sweep-space.ts";

export function sweepJson(sweep: Sweep): string {
  return JSON.stringify(sweep);
}

/** The sweep a worker was given in SWEEP_JSON (written by sweepJson), or undefined. */
export function sweepFromJson(json: string | undefined): Sweep | undefined {
  if (json === undefined || json.trim() === "") return undefined;
  try {
    return JSON.parse(json) as Sweep;
  } catch (cause) {
    throw new BadInput(`Cannot parse SWEEP_JSON: ${(cause as Error).message}; set it from demo.ts --sweep FILE or unset it.`, { cause });
  }
}

/** A short digest of the sweep for the run's plan: the same run id with another sweep is refused. */
export function sweepDigest(sweep: Sweep): string {
  return createHash("sha256").update(sweepJson(sweep)).digest("hex").slice(0, 16);
}
