// Messages between the worker's main thread and its compute thread.
import type { Aggregate } from "./aggregate.ts";

export type ComputeRequest = { type: "run"; id: number; start: number; end: number; collectValues: boolean };

export type ComputeReply =
  | { type: "ready" }
  | { type: "init-error"; message: string }
  | { type: "progress"; id: number; done: number }
  | { type: "done"; id: number; aggregate: Aggregate; values?: number[] }
  | { type: "error"; id: number; message: string; paramId: number };

export type ComputeThreadData = { module: string | undefined; simulateWorkMs: number };
