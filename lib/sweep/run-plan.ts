// A run id names one run: one sweep (its parameters, or its --sweep) cut into chunks of one size.
// Starting an id that already ran with another plan would put a different sweep's report, results
// or broker data under the same name, so it is refused (bad input naming the fix).
import { planFor, type RunPlan } from "../backends/backend.ts";
import { BadInput } from "../script/bad-input.ts";
import { sweepDigest } from "../sweep-def/sweep-json.ts";
import type { SweepConfig } from "./sweep-config.ts";

/** The plan of a configured run: what its coordinator loads and its workers check against. */
export function runPlanOf(cfg: Pick<SweepConfig, "runId" | "params" | "chunkSize" | "sweep">): RunPlan {
  return planFor(cfg.runId, cfg.params, cfg.chunkSize, cfg.sweep ? sweepDigest(cfg.sweep) : undefined);
}

/** "100 params in chunks of 10", with the sweep's digest when there is one. */
export function describePlan(plan: RunPlan): string {
  return `${plan.totalParameters} params${plan.sweep ? ` of sweep ${plan.sweep}` : ""} in chunks of ${plan.chunkSize}`;
}

/**
 * What may differ between two runs of one id: nothing of the sweep. The chunk size only counts where
 * it was chosen (not measured by --chunk-size auto, nor a static run's progress step), and the sweep
 * only where the earlier plan is known to carry it (a broker may keep just sizes).
 */
export type PlanComparison = { chunkSize: boolean; sweep: boolean };

export function samePlan(was: RunPlan, now: RunPlan, o: PlanComparison): boolean {
  if (was.totalParameters !== now.totalParameters) return false;
  if (o.sweep && (was.sweep ?? "") !== (now.sweep ?? "")) return false;
  return !o.chunkSize || was.chunkSize === now.chunkSize;
}

type ChunkSizeSource = Pick<SweepConfig, "backend" | "chunkSizeChoice">;

/** Whether the chunk size is part of the plan: chosen by flag (not measured) for a queue run, by each run known. */
export function chunkSizeChosen(...runs: ChunkSizeSource[]): boolean {
  return runs.every((cfg) => cfg.backend !== "static" && cfg.chunkSizeChoice === undefined);
}

/** The run id is taken by a run of another plan: where that run is, and how to get past it. */
export class RunIdTaken extends BadInput {
  constructor(was: RunPlan, now: RunPlan, where: string, fix: string) {
    super(`Cannot start run ${now.runId}: it already exists with ${describePlan(was)} (${where}), not ${describePlan(now)}; ${fix}.`);
  }
}
