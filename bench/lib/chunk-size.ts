// Chunk size: one CPU-bound workload swept over chunk sizes, showing where the fixed per-chunk cost
// stops mattering, beside the size chooseChunkSize picks from a calibrated evaluation cost.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { chooseChunkSize, type ChunkSizeChoice } from "../../lib/sweep/adaptive-chunk-size.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { calibrate, CPU_MODULE } from "./cpu-workload.ts";
import type { Say } from "./progress.ts";
import { runQueueSweep } from "./queue-sweep.ts";
import { roundSummary, sig, summarize, type Summary } from "./stats.ts";

export type ChunkSizePoint = {
  chunkSize: number;
  chunks: number;
  adaptive: boolean;
  /** Params per second, first chunk taken -> last result (start-up is the same for every size). */
  paramsPerSecond: Summary;
  /** Median throughput over the best median of the sweep. */
  relativeToBest: number;
};

export type ChunkSizeResult = {
  backend: BackendName;
  workload: string;
  params: number;
  workers: number;
  evalCostMs: number;
  perChunkOverheadMs: number;
  choice: ChunkSizeChoice & { targetChunkSeconds: number };
  points: ChunkSizePoint[];
  best: number;
  /** Smallest swept size within 5% of the best throughput. */
  overheadStopsMatteringAt: number | null;
};

/** Marks each point against the best and finds the smallest size within `tolerance` of it. */
export function rankPoints(points: Omit<ChunkSizePoint, "relativeToBest">[], tolerance = 0.05): { points: ChunkSizePoint[]; best: number; knee: number | null } {
  const bestRate = Math.max(...points.map((p) => p.paramsPerSecond.median));
  const ranked = points.map((p) => ({ ...p, relativeToBest: sig(p.paramsPerSecond.median / bestRate, 3) }));
  const best = ranked.find((p) => p.paramsPerSecond.median === bestRate)?.chunkSize ?? Number.NaN;
  const knee = ranked.filter((p) => !p.adaptive && p.relativeToBest >= 1 - tolerance).sort((a, b) => a.chunkSize - b.chunkSize)[0]?.chunkSize ?? null;
  return { points: ranked, best, knee };
}

export async function measureChunkSizes(backend: BackendName, url: string, plan: BenchPlan["chunkSize"], perChunkOverheadMs: number, say: Say): Promise<ChunkSizeResult> {
  const cal = await calibrate(CPU_MODULE, 1_000_000);
  const params = Math.round((plan.cpuSeconds * 1000) / cal.evalCostMs);
  const choice = chooseChunkSize(cal.evalCostMs, plan.targetChunkSeconds, { totalParams: params, workers: plan.workers, perChunkOverheadMs });
  say(`chunk sizes: ${(cal.evalCostMs * 1000).toFixed(2)} µs per evaluation (calibrated on ${cal.sampledParams} params in ${cal.seconds.toFixed(2)} s); chooseChunkSize -> ${choice.chunkSize} (${choice.limitedBy})`);
  const sizes = [...new Set([...plan.sizes.filter((s) => s < params), choice.chunkSize])].sort((a, b) => a - b);
  const raw: Omit<ChunkSizePoint, "relativeToBest">[] = [];
  for (const size of sizes) {
    const rates: number[] = [];
    for (let t = 0; t < plan.trials; t++) {
      const timing = await runQueueSweep({ backend, url, params, chunkSize: size, computeModule: CPU_MODULE, label: "cs" }, plan.workers, 300_000);
      rates.push(timing.params / timing.steadySeconds);
      say(`chunk size ${size} trial ${t + 1}/${plan.trials}: ${Math.round(rates.at(-1) ?? 0)} params/s (${timing.chunks} chunks)`);
    }
    raw.push({ chunkSize: size, chunks: Math.ceil(params / size), adaptive: size === choice.chunkSize, paramsPerSecond: roundSummary(summarize(rates)) });
  }
  const ranked = rankPoints(raw);
  return {
    backend,
    workload: "examples/rosenbrock-descent.ts (CPU-bound)",
    params,
    workers: plan.workers,
    evalCostMs: sig(cal.evalCostMs),
    perChunkOverheadMs: sig(perChunkOverheadMs, 3),
    choice: { ...choice, chunkSeconds: sig(choice.chunkSeconds, 3), overheadShare: sig(choice.overheadShare, 3), targetChunkSeconds: plan.targetChunkSeconds },
    points: ranked.points,
    best: ranked.best,
    overheadStopsMatteringAt: ranked.knee,
  };
}
