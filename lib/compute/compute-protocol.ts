// Messages between the worker's main thread and its compute thread.
import type { Aggregate } from "./aggregate.ts";
import type { PackedOutcomes } from "./packed-outcomes.ts";

export type Range = { start: number; end: number };

/**
 * Several ranges in one message: short chunks share one trip to the thread and back. `ranges` holds
 * start/end pairs (packRanges), moved to the thread rather than cloned.
 */
export type ComputeRequest = { type: "run"; id: number; ranges: Float64Array; collectValues: boolean };

export type RangeReply =
  | { ok: true; aggregate: Aggregate; values?: number[] }
  | { ok: false; error: string; paramId: number };

export type ComputeReply =
  | { type: "ready" }
  | { type: "init-error"; message: string }
  /** Parameters finished so far over all the request's ranges. */
  | { type: "progress"; id: number; done: number }
  /** One outcome per range, in the request's order, packed (lib/compute/packed-outcomes.ts). */
  | ({ type: "done"; id: number } & PackedOutcomes);

export type ComputeThreadData = { module: string | undefined; simulateWorkMs: number };
