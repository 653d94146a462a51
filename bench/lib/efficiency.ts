// Efficiency: ideal time over measured wall time, for a sleep-bound sweep (the demo's medium preset)
// and a CPU-bound one (ideal = total single-thread CPU / min(workers, cores)).
// Wall time is counted from the first worker process being spawned (chunks already loaded) to the
// last result finished, so worker start-up is included; the figure without start-up is shown beside it.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { chooseChunkSize } from "../../lib/sweep/adaptive-chunk-size.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { calibrate, cores, CPU_MODULE, singleThread, type SingleThreadRun } from "./cpu-workload.ts";
import type { Say } from "./progress.ts";
import { runQueueSweep } from "./queue-sweep.ts";
import { roundSummary, sig, summarize, type Summary } from "./stats.ts";

/**
 * The best efficiency equal chunks allow, before any overhead: workers take chunks in rounds, so a
 * sweep of c chunks on w workers lasts ceil(c / w) chunk-times, not c / w (100 on 3: 34 rounds, not 33.3).
 */
export function granularityBound(params: number, chunkSize: number, workers: number): number {
  const rounds = Math.ceil(Math.ceil(params / chunkSize) / workers);
  return Math.min(1, params / workers / (rounds * chunkSize));
}

export type EfficiencyFigure = {
  backend: BackendName;
  params: number;
  chunkSize: number;
  workers: number;
  idealSeconds: number;
  /** granularityBound(): the ceiling set by the chunking alone. */
  granularityBound: number;
  wallSeconds: Summary;
  /** ideal / wall, start-up counted (the target's figure). */
  efficiency: Summary;
  /** ideal / (first chunk taken -> last result). */
  efficiencyWithoutStartup: Summary;
  startupSeconds: Summary;
  /** The first worker to finish its last chunk -> the last result (optional: absent in older reports). */
  tailSeconds?: Summary;
  /** Average cores the worker processes got, and what everything else used (coordinator, broker, other load). */
  workerCores: Summary | null;
  coordinatorCores: Summary | null;
  otherCores: Summary | null;
};

export type CpuBound = EfficiencyFigure & { singleThread: SingleThreadRun; cores: number; evalCostMs: number; chunkChoice: string };

async function trials(backend: BackendName, url: string, spec: { params: number; chunkSize: number; workMs?: number; computeModule?: string; workers: number }, ideal: number, n: number, say: Say, label: string): Promise<EfficiencyFigure> {
  const wall: number[] = [];
  const eff: number[] = [];
  const effSteady: number[] = [];
  const startup: number[] = [];
  const tail: number[] = [];
  const workerCores: number[] = [];
  const otherCores: number[] = [];
  const coordinatorCores: number[] = [];
  for (let t = 0; t < n; t++) {
    const timing = await runQueueSweep(
      { backend, url, params: spec.params, chunkSize: spec.chunkSize, label, ...(spec.workMs !== undefined ? { workMs: spec.workMs } : {}), ...(spec.computeModule ? { computeModule: spec.computeModule } : {}) },
      spec.workers,
      Math.max(120_000, ideal * 4000),
    );
    wall.push(timing.wallSeconds);
    eff.push(ideal / timing.wallSeconds);
    effSteady.push(ideal / timing.steadySeconds);
    startup.push(timing.startupSeconds);
    tail.push(timing.tailSeconds);
    if (timing.cpu) {
      workerCores.push(timing.cpu.workerCores);
      otherCores.push(timing.cpu.otherCores);
      coordinatorCores.push(timing.cpu.coordinatorCores);
    }
    const cores = timing.cpu ? `; workers used ${timing.cpu.workerCores.toFixed(2)} cores, the bench ${timing.cpu.coordinatorCores.toFixed(2)}, everything else ${timing.cpu.otherCores.toFixed(2)}` : "";
    say(`${backend} ${label} trial ${t + 1}/${n}: wall ${timing.wallSeconds.toFixed(2)} s vs ideal ${ideal.toFixed(2)} s -> ${(ideal / timing.wallSeconds).toFixed(3)} (start-up ${timing.startupSeconds.toFixed(2)} s, tail ${timing.tailSeconds.toFixed(2)} s${cores})`);
  }
  return {
    backend,
    params: spec.params,
    chunkSize: spec.chunkSize,
    workers: spec.workers,
    idealSeconds: sig(ideal),
    granularityBound: sig(granularityBound(spec.params, spec.chunkSize, spec.workers), 3),
    wallSeconds: roundSummary(summarize(wall)),
    efficiency: roundSummary(summarize(eff), 3),
    efficiencyWithoutStartup: roundSummary(summarize(effSteady), 3),
    startupSeconds: roundSummary(summarize(startup), 3),
    tailSeconds: roundSummary(summarize(tail), 3),
    workerCores: workerCores.length ? roundSummary(summarize(workerCores), 3) : null,
    coordinatorCores: coordinatorCores.length ? roundSummary(summarize(coordinatorCores), 3) : null,
    otherCores: otherCores.length ? roundSummary(summarize(otherCores), 3) : null,
  };
}

export function measureSleepBound(backend: BackendName, url: string, plan: BenchPlan["efficiency"], say: Say): Promise<EfficiencyFigure> {
  const s = plan.sleep;
  const ideal = (s.params * s.workMs) / s.workers / 1000;
  return trials(backend, url, s, ideal, plan.trials, say, "sleep-bound");
}

/** Sizes the CPU-bound sweep to plan.cpu.cpuSeconds of single-thread CPU, measures that CPU, then the sweep. */
export async function measureCpuBound(backend: BackendName, url: string, plan: BenchPlan["efficiency"], perChunkOverheadMs: number, say: Say): Promise<CpuBound> {
  const c = plan.cpu;
  const cal = await calibrate(CPU_MODULE, 1_000_000);
  // Sized in CPU time: on a loaded machine the wall time of an evaluation overstates its cost.
  const params = Math.max(1000, Math.round((c.cpuSeconds * 1000) / cal.cpuMsPerEval));
  say(`${backend} cpu-bound: ${(cal.cpuMsPerEval * 1000).toFixed(2)} µs of CPU per evaluation (${(cal.evalCostMs * 1000).toFixed(2)} µs wall); measuring ${params} params on one thread`);
  const single = await singleThread(CPU_MODULE, params);
  const n = cores();
  const ideal = single.cpuSeconds / Math.min(c.workers, n);
  const choice = chooseChunkSize(single.cpuSeconds * 1000 / params, c.targetChunkSeconds, { totalParams: params, workers: c.workers, perChunkOverheadMs });
  say(`${backend} cpu-bound: ${single.cpuSeconds.toFixed(2)} s CPU on one thread (${single.wallSeconds.toFixed(2)} s wall); chunk ${choice.chunkSize} (${choice.limitedBy})`);
  const fig = await trials(backend, url, { params, chunkSize: choice.chunkSize, computeModule: CPU_MODULE, workers: c.workers }, ideal, plan.trials, say, "cpu-bound");
  return {
    ...fig,
    singleThread: { params, cpuSeconds: sig(single.cpuSeconds), wallSeconds: sig(single.wallSeconds) },
    cores: n,
    evalCostMs: sig(single.cpuSeconds * 1000 / params),
    chunkChoice: `chooseChunkSize: ${choice.chunkSize} params (~${choice.chunkSeconds.toFixed(2)} s per chunk, limited by ${choice.limitedBy})`,
  };
}
