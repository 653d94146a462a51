// Messages between the worker's main thread and its compute thread.
import type { Aggregate } from "./aggregate.ts";

export type Range = { start: number; end: number };

/** Several ranges in one message: short chunks share one trip to the thread and back. */
export type ComputeRequest = { type: "run"; id: number; ranges: Range[]; collectValues: boolean };

export type RangeReply =
  | { ok: true; aggregate: Aggregate; values?: number[] }
  | { ok: false; error: string; paramId: number };

export type ComputeReply =
  | { type: "ready" }
  | { type: "init-error"; message: string }
  /** Parameters finished so far over all the request's ranges. */
  | { type: "progress"; id: number; done: number }
  /** One outcome per range, in the request's order. */
  | { type: "done"; id: number; outcomes: RangeReply[] };

export type ComputeThreadData = { module: string | undefined; simulateWorkMs: number };
