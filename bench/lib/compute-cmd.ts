// compute-cmd: the zero-work cost of evaluating through COMPUTE_COMMAND (a program speaking the
// line protocol, bench/compute/zero-work.py) beside the module path (bench/compute/zero-work.ts),
// with the same parameters, chunk size and workers; throughput counted once every worker runs.
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import type { Say } from "./progress.ts";
import { runQueueSweep, type SweepSpec, type SweepTiming } from "./queue-sweep.ts";
import { roundSummary, sig, summarize, type Summary } from "./stats.ts";

const ZERO_MODULE = fileURLToPath(new URL("../compute/zero-work.ts", import.meta.url));
const ZERO_PROGRAM = fileURLToPath(new URL("../compute/zero-work.py", import.meta.url));
/** COMPUTE_COMMAND's words are split on spaces with quotes kept: the path is quoted whole. */
export const ZERO_COMMAND = `python3 "${ZERO_PROGRAM}"`;

export type PathThroughput = { chunksPerSecond: Summary; paramsPerSecond: Summary };

export type ComputeCmdPoint = {
  chunkSize: number;
  chunks: number;
  module: PathThroughput;
  command: PathThroughput;
  /** Median chunks/s through the command over median chunks/s through the module. */
  ratio: number;
};

export type ComputeCmdResult = { backend: BackendName; workers: number; trials: number; module: string; command: string; points: ComputeCmdPoint[] };

/**
 * Chunks/s once every worker has finished its first batch: the program behind COMPUTE_COMMAND
 * starts while its worker takes the first batch (seconds, through a version manager's shim on a
 * busy machine), which the steady rate leaves out on both paths alike.
 */
export function steadyChunksPerSecond(t: SweepTiming): number {
  const w = t.afterFirstBatch ?? t.allRunning;
  return w && w.seconds > 0 ? w.chunks / w.seconds : t.chunks / t.steadySeconds;
}

export async function measureComputeCmd(backend: BackendName, url: string, plan: BenchPlan["computeCmd"], say: Say): Promise<ComputeCmdResult> {
  const points: ComputeCmdPoint[] = [];
  for (const chunkSize of plan.chunkSizes) {
    const chunks = plan.chunks;
    const rates = { module: [] as number[], command: [] as number[] };
    const base = { backend, url, params: chunks * chunkSize, chunkSize };
    const specs: Record<keyof typeof rates, SweepSpec> = {
      module: { ...base, label: "cmdmod", computeModule: ZERO_MODULE },
      command: { ...base, label: "cmdcmd", env: { COMPUTE_COMMAND: ZERO_COMMAND } },
    };
    for (let t = 0; t < plan.trials; t++) {
      // Alternated within a trial, so a burst of other load weighs on both paths alike.
      for (const path of ["module", "command"] as const) {
        const rate = steadyChunksPerSecond(await runQueueSweep(specs[path], plan.workers, 300_000));
        rates[path].push(rate);
        say(`${backend} compute-cmd, chunk ${chunkSize}, ${path} path, trial ${t + 1}/${plan.trials}: ${Math.round(rate)} chunks/s (${Math.round(rate * chunkSize)} params/s)`);
      }
    }
    const through = (r: number[]): PathThroughput => ({ chunksPerSecond: roundSummary(summarize(r)), paramsPerSecond: roundSummary(summarize(r.map((x) => x * chunkSize))) });
    const module = through(rates.module);
    const command = through(rates.command);
    points.push({ chunkSize, chunks, module, command, ratio: sig(command.chunksPerSecond.median / module.chunksPerSecond.median, 3) });
  }
  return { backend, workers: plan.workers, trials: plan.trials, module: "bench/compute/zero-work.ts (COMPUTE_MODULE, returns 0)", command: "python3 bench/compute/zero-work.py (COMPUTE_COMMAND, answers 0, one flushed line per request)", points };
}
