// Messages between the worker's main thread and its compute thread.
import type { Sweep } from "../sweep-def/sweep-space.ts";
import type { Aggregate } from "./aggregate.ts";
import type { ChunkBest } from "./chunk-best.ts";
import type { PackedOutcomes } from "./packed-outcomes.ts";
import type { ParamFailure } from "./param-failure.ts";

export type Range = { start: number; end: number };

/**
 * Several ranges in one message: short chunks share one trip to the thread and back. `ranges` holds
 * start/end pairs (packRanges), moved to the thread rather than cloned. `skip`: parameters already
 * decided (timed out or crashed on an earlier try of this request), recorded as given, not evaluated.
 */
export type ComputeRequest = { type: "run"; id: number; ranges: Float64Array; collectValues: boolean; skip?: ParamFailure[] };

/**
 * A range's outcome: the aggregate of the values it has, its best (k lowest and highest, when it has
 * a value), the values in parameter order (when asked for; failed parameters have none) and a record
 * per parameter without a value.
 */
export type RangeReply = { aggregate: Aggregate; best?: ChunkBest; values?: number[]; failed?: ParamFailure[] };

export type ComputeReply =
  | { type: "ready" }
  | { type: "init-error"; message: string }
  /** Parameters finished so far over all the request's ranges. */
  | { type: "progress"; id: number; done: number }
  /** One outcome per range, in the request's order, packed (lib/compute/packed-outcomes.ts). */
  | ({ type: "done"; id: number } & PackedOutcomes);

/**
 * `watch` (WATCH_SLOTS float64s, shared): the parameter being evaluated and how many evaluations
 * have started, so the main thread can name the parameter that hangs or ends the thread; and the pid
 * of the COMPUTE_COMMAND program the thread started (0: none), which a stopped thread cannot end;
 * and 1 while that program is still starting up (the time limit does not run then).
 */
export type ComputeThreadData = { module: string | undefined; compiledModule?: string; simulateWorkMs: number; sweep?: Sweep; command?: string; paramRetries?: number; watch?: SharedArrayBuffer };

export const WATCH_SLOTS = 4;
