// The CPU-bound workload (examples/rosenbrock-descent.ts) measured through the real compute thread:
// its evaluation cost, and the total CPU of a whole sweep run on one thread.
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { ComputeEngine } from "../../lib/compute/compute-engine.ts";
import { calibrateEvalCost, type Calibration } from "../../lib/sweep/adaptive-chunk-size.ts";
import { busiestThreadSeconds, threadJiffies } from "./cpu-accounting.ts";

export const CPU_MODULE = fileURLToPath(new URL("../../examples/rosenbrock-descent.ts", import.meta.url));

async function withEngine<T>(module: string | undefined, use: (engine: ComputeEngine) => Promise<T>): Promise<T> {
  const engine = new ComputeEngine({ module, simulateWorkMs: 0 });
  try {
    await engine.start();
    return await use(engine);
  } finally {
    await engine.close();
  }
}

/**
 * Evaluation cost of a compute module (undefined: the built-in one with no sleep), per parameter;
 * cpuMsPerEval is the same in CPU time (this process's, which only the compute thread uses then),
 * so other processes taking the cores do not make the evaluation look dearer.
 */
export function calibrate(module: string | undefined, totalParams: number, minSampleMs = 150): Promise<Calibration & { cpuMsPerEval: number }> {
  return withEngine(module, async (engine) => {
    const cpu0 = process.cpuUsage();
    const cal = await calibrateEvalCost((s, e) => engine.run(s, e), { totalParams, minSampleMs });
    const cpu = process.cpuUsage(cpu0);
    return { ...cal, cpuMsPerEval: (cpu.user + cpu.system) / 1000 / cal.sampledParams };
  });
}

/**
 * cpuSeconds: this process's CPU (the compute thread and the GC helpers it keeps busy; the ideal's
 * work); computeThreadSeconds: the compute thread's alone, the same measure as a worker's busiest thread.
 */
export type SingleThreadRun = { params: number; cpuSeconds: number; wallSeconds: number; computeThreadSeconds: number };

/** Runs [0, params) on one compute thread; CPU time is this process's, which only that thread uses then. */
export function singleThread(module: string, params: number): Promise<SingleThreadRun> {
  return withEngine(module, async (engine) => {
    await engine.run(0, Math.min(params, 2000)); // warm-up, as a worker's first chunk would be
    const threads0 = threadJiffies("self");
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const outcome = await engine.run(0, params);
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const computeThreadSeconds = busiestThreadSeconds(threads0, threadJiffies("self"));
    if (outcome.failed) throw new Error(`Cannot measure the CPU workload: ${outcome.failed[0]!.error}`);
    return { params, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds, computeThreadSeconds };
  });
}

/**
 * The same sweep split between `threads` compute threads running at once in this process: its CPU
 * beside singleThread's tells what running side by side costs each evaluation on this machine
 * (shared caches, a host that places the vCPUs on one core's hyperthreads), which no scheduling
 * by TTG can win back.
 */
export async function threadsAtOnce(module: string, params: number, threads: number): Promise<{ cpuSeconds: number; wallSeconds: number }> {
  const engines = Array.from({ length: threads }, () => new ComputeEngine({ module, simulateWorkMs: 0 }));
  try {
    await Promise.all(engines.map((e) => e.start()));
    await Promise.all(engines.map((e) => e.run(0, Math.min(params, 2000)))); // warm-up, as in singleThread
    const share = Math.ceil(params / threads);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const outcomes = await Promise.all(engines.map((e, i) => e.run(i * share, Math.min(params, (i + 1) * share))));
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const failed = outcomes.find((o) => o.failed)?.failed;
    if (failed) throw new Error(`Cannot measure the CPU workload: ${failed[0]!.error}`);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
}

export function cores(): number {
  return cpus().length;
}
