// --chunk-size auto: evaluate the real compute function for a moment, then choose a chunk size
// that makes a chunk last about two seconds (less in a short run, so its tail stays short), keeps
// the per-chunk cost small and gives every worker several chunks in whole rounds.
import { sweepOf } from "../compute/compute-function.ts";
import { ComputeEngine } from "../compute/compute-engine.ts";
import type { RunReport } from "../report/report-model.ts";
import { calibrateEvalCost, chooseChunkSize } from "./adaptive-chunk-size.ts";
import type { SweepConfig } from "./sweep-config.ts";

const TARGET_CHUNK_SECONDS = 2;

export type AutoChunkSize = NonNullable<RunReport["config"]["chunkSizeChoice"]>;

export async function autoChunkSize(cfg: SweepConfig): Promise<AutoChunkSize> {
  const engine = new ComputeEngine({ module: cfg.computeModule, simulateWorkMs: cfg.workMs, ...sweepOf({ sweep: cfg.sweep, command: cfg.computeCommand }) });
  try {
    await engine.start(); // the thread's start-up is not part of an evaluation's cost
    await engine.run(0, Math.min(cfg.params, 10)); // nor is the first call's warm-up
    const calibration = await calibrateEvalCost(
      async (start, end) => {
        const outcome = await engine.run(start, end);
        const failed = outcome.failed?.[0];
        if (failed) throw new Error(`Cannot measure the compute function: param ${failed.param}: ${failed.error}`);
      },
      { totalParams: cfg.params, minSampleMs: 200 },
    );
    const choice = chooseChunkSize(calibration.evalCostMs, TARGET_CHUNK_SECONDS, { totalParams: cfg.params, workers: cfg.workers });
    return {
      chunkSize: choice.chunkSize,
      evalCostMs: Number(calibration.evalCostMs.toPrecision(4)),
      sampledParams: calibration.sampledParams,
      limitedBy: choice.limitedBy,
      expectedChunkSeconds: Number(choice.chunkSeconds.toFixed(3)),
    };
  } finally {
    await engine.close();
  }
}

export function describeAutoChunkSize(a: AutoChunkSize): string {
  const why = {
    target: `about ${TARGET_CHUNK_SECONDS} s per chunk`,
    tail: "keeps the last round's idle workers under 1 % of the run",
    overhead: "keeps the fixed per-chunk cost under 2 %",
    balance: "gives every worker at least 4 chunks",
    bounds: "the sweep's size",
  }[a.limitedBy];
  return `one evaluation takes ${a.evalCostMs} ms (${a.sampledParams.toLocaleString("en-US")} sampled): chunk size ${a.chunkSize.toLocaleString("en-US")} (${why})`;
}
