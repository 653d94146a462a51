// Efficiency: ideal time over measured wall time, for a sleep-bound sweep (the demo's medium preset)
// and a CPU-bound one (ideal = total single-thread CPU / min(workers, cores), that CPU measured
// right before and right after each trial, as thread CPU time on a shared VM drifts within minutes).
// Wall time is counted from the first worker process being spawned (chunks already loaded) to the
// last result finished, so worker start-up is included; the figure without start-up is shown beside it.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { chooseChunkSize } from "../../lib/sweep/adaptive-chunk-size.ts";
import type { BenchPlan } from "./bench-plan.ts";
import type { CpuShare } from "./cpu-accounting.ts";
import { calibrate, cores, CPU_MODULE, singleThread, threadsAtOnce, type SingleThreadRun } from "./cpu-workload.ts";
import type { Say } from "./progress.ts";
import { runQueueSweep, type SweepSpec, type SweepTiming } from "./queue-sweep.ts";
import { runStaticSweep, type StaticTiming } from "./static-sweep.ts";
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
  /** Seconds each worker spent between its batches (results finished -> next batch taken; absent in older reports). */
  betweenBatchesSeconds?: Summary;
  /** Average cores the worker processes got, and what everything else used (coordinator, broker, other load). */
  workerCores: Summary | null;
  coordinatorCores: Summary | null;
  otherCores: Summary | null;
};

/**
 * How far apart the CPU per evaluation of two measurements of the same work may be before the
 * machine is taken to have changed speed between them (a VM's thread CPU time drifts with host load).
 */
export const SPEED_TOLERANCE = 0.05;

/**
 * How far the first single-thread run may land from the plan's CPU seconds before the sweep is
 * resized from it: the calibration times the first ~150 ms of the range, and the example's evaluations
 * cost more there than on average (sized for 20 s, the sweep took 11.4-17.3 s on 2026-11-28).
 */
export const RESIZE_TOLERANCE = 0.1;

/** Whether another CPU-bound trial runs: until `wanted` have counted, and never past `max` (nor short of `wanted` run). */
export function anotherCpuTrial(run: number, counted: number, rule: { wanted: number; max: number }): boolean {
  return counted < rule.wanted && run < Math.max(rule.wanted, rule.max);
}

/**
 * The most of the ideal's cores the workers could have had in a measurement: min(workers, cores)
 * less what the bench and everything else (the broker, the machine's other services) took meanwhile,
 * over min(workers, cores). Efficiency cannot pass it even with no start-up, tail or worker overhead.
 */
export function coresLeftBound(taken: { coordinatorCores: number; otherCores: number }, cores: number, workers: number): number {
  const usable = Math.min(workers, cores);
  return Math.max(0, Math.min(usable, cores - taken.coordinatorCores - taken.otherCores)) / usable;
}

/** One CPU-bound trial beside the single-thread baselines measured just before and just after it. */
export type CpuTrial = {
  /** The mean of the two baselines' CPU / min(workers, cores). */
  idealSeconds: number;
  wallSeconds: number;
  efficiency: number;
  efficiencyWithoutStartup: number;
  /** The later baseline's CPU over the earlier's, minus 1. */
  baselineChange: number;
  /** The workers' compute threads' CPU over the baselines' compute thread's for the same evaluations, minus 1 (null: not measured). */
  workDrift: number | null;
  /**
   * The efficiency with the ideal taken at the trial's own speed: the baselines' ideal times 1 +
   * workDrift, i.e. what the workers' compute threads spent on the work, over the cores' wall time.
   * Within the 5 % the baselines may move, the plain figure flatters a trial run on a faster machine
   * and blames one run on a slower one; this does neither, but forgives an evaluation TTG itself
   * made dearer (null: the workers' threads not measured; absent in older reports).
   */
  atTrialSpeed?: number | null;
  /** Why the trial says nothing of TTG (the machine changed speed), or null when it counts. */
  invalid: string | null;
};

/**
 * The CPU-bound trials' result reads and CPU samples: the bench shares the 2 cores with the workers,
 * and reading and sampling every 100 ms cost it about 21 ms of CPU a second beside 12.5 at 250 ms
 * (medians of 6 sleep-bound runs of 2 workers, load 7-10), CPU a CPU-bound sweep's workers lose.
 */
const CPU_BOUND_WATCH_MS = 250;

/** Judges a trial by the baselines around it: the ideal from their mean, and whether the work cost the same throughout. */
export function judgeCpuTrial(
  before: SingleThreadRun,
  after: SingleThreadRun,
  trial: { wallSeconds: number; steadySeconds: number; workerComputeThreadSeconds: number | null },
  parallel: number,
): CpuTrial {
  const idealSeconds = (before.cpuSeconds + after.cpuSeconds) / 2 / parallel;
  const baselineChange = after.cpuSeconds / before.cpuSeconds - 1;
  const baselineThread = (before.computeThreadSeconds + after.computeThreadSeconds) / 2;
  const workDrift = trial.workerComputeThreadSeconds === null || baselineThread <= 0 ? null : trial.workerComputeThreadSeconds / baselineThread - 1;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const invalid = Math.abs(baselineChange) > SPEED_TOLERANCE
    ? `the single-thread baseline changed by ${pct(baselineChange)} across the trial`
    : workDrift !== null && Math.abs(workDrift) > SPEED_TOLERANCE
      ? `the workers' compute threads spent ${pct(workDrift)} CPU beside the baselines' for the same evaluations`
      : null;
  const atTrialSpeed = workDrift === null ? null : (idealSeconds * (1 + workDrift)) / trial.wallSeconds;
  return { idealSeconds, wallSeconds: trial.wallSeconds, efficiency: idealSeconds / trial.wallSeconds, efficiencyWithoutStartup: idealSeconds / trial.steadySeconds, baselineChange, workDrift, atTrialSpeed, invalid };
}

export type CpuBound = EfficiencyFigure & {
  /** The first baseline (it sized the sweep and chose the chunk). */
  singleThread: SingleThreadRun;
  cores: number;
  evalCostMs: number;
  chunkChoice: string;
  /**
   * The size the calibration gave and what it took on one thread, when that was more than
   * RESIZE_TOLERANCE off the plan's CPU seconds and the sweep was resized from it (absent: kept as
   * calibrated, or an older report).
   */
  resizedFrom?: { params: number; cpuSeconds: number; plannedCpuSeconds: number };
  /** Every baseline, one before the first trial and one after each (absent in older reports). */
  baselines?: SingleThreadRun[];
  /** Their CPU seconds: how much the same work's cost moved during the phase. */
  baselineCpuSeconds?: Summary;
  trials?: CpuTrial[];
  /** Trials the summaries count: those whose baselines and workers agree on the work's cost. */
  validTrials?: number;
  /** CpuTrial.atTrialSpeed over the counted trials that have it (absent: none, or an older report). */
  efficiencyAtTrialSpeed?: Summary;
  /** Trials went on until `wanted` counted, `max` at most (absent in older reports: a fixed number ran). */
  trialRule?: { wanted: number; max: number };
  /**
   * The sweep on min(workers, cores) compute threads at once in the bench process, right after the
   * first baseline: its CPU over that baseline's, minus 1, is what running side by side costs each
   * evaluation here (a diagnostic: the ideal still assumes it costs nothing).
   */
  threadsAtOnce?: { threads: number; cpuSeconds: number; wallSeconds: number; cpuOverSingle: number };
  /** coresLeftBound() over the counted trials: the ceiling the bench and the machine's other load left (absent in older reports). */
  coresLeftBound?: Summary;
  /**
   * The same sweep as static slices (the same worker program, no broker), run beside each trial
   * (in turn after and before it) and judged by the same two baselines: the machine's and the worker program's own ceiling, and the
   * queue run's efficiency over it (absent in older reports).
   */
  staticSlices?: StaticSlices;
};

export type StaticSlices = {
  trials: CpuTrial[];
  validTrials: number;
  efficiency: Summary;
  startupSeconds: Summary;
  tailSeconds: Summary;
  /** Per trial where both counted: the queue run's efficiency / the static run's. */
  queueOverStatic: Summary | null;
  /** The counted static runs' efficiency at their own speed (CpuTrial.atTrialSpeed; absent in older reports). */
  efficiencyAtTrialSpeed?: Summary;
};

type TrialRow = { timing: SweepTiming; efficiency: number; efficiencyWithoutStartup: number };

/** One trial's line of progress: wall against ideal, and where the cores went. */
function describeTrial(label: string, which: string, timing: SweepTiming, ideal: number): string {
  const g = timing.betweenBatches;
  const gaps = g ? `, between batches ${g.medianMs.toFixed(0)} ms median, ${g.perWorkerSeconds.toFixed(2)} s per worker` : "";
  const cores = timing.cpu ? `; workers used ${timing.cpu.workerCores.toFixed(2)} cores, the bench ${timing.cpu.coordinatorCores.toFixed(2)}, everything else ${timing.cpu.otherCores.toFixed(2)}` : "";
  return `${label} trial ${which}: wall ${timing.wallSeconds.toFixed(2)} s vs ideal ${ideal.toFixed(2)} s -> ${(ideal / timing.wallSeconds).toFixed(3)} (start-up ${timing.startupSeconds.toFixed(2)} s, tail ${timing.tailSeconds.toFixed(2)} s${gaps}${cores})`;
}

function trialSpec(backend: BackendName, url: string, spec: TrialShape, label: string): SweepSpec {
  return { backend, url, params: spec.params, chunkSize: spec.chunkSize, label, ...(spec.workMs !== undefined ? { workMs: spec.workMs } : {}), ...(spec.computeModule ? { computeModule: spec.computeModule } : {}) };
}

type TrialShape = { params: number; chunkSize: number; workMs?: number; computeModule?: string; workers: number };

function figure(backend: BackendName, spec: TrialShape, ideal: number, rows: TrialRow[]): EfficiencyFigure {
  const of = (pick: (r: TrialRow) => number, digits = 4) => roundSummary(summarize(rows.map(pick)), digits);
  const cpu = rows.flatMap((r) => (r.timing.cpu ? [r.timing.cpu] : []));
  const cores = (pick: (c: CpuShare) => number) => (cpu.length ? roundSummary(summarize(cpu.map(pick)), 3) : null);
  return {
    backend,
    params: spec.params,
    chunkSize: spec.chunkSize,
    workers: spec.workers,
    idealSeconds: sig(ideal),
    granularityBound: sig(granularityBound(spec.params, spec.chunkSize, spec.workers), 3),
    wallSeconds: of((r) => r.timing.wallSeconds),
    efficiency: of((r) => r.efficiency, 3),
    efficiencyWithoutStartup: of((r) => r.efficiencyWithoutStartup, 3),
    startupSeconds: of((r) => r.timing.startupSeconds, 3),
    tailSeconds: of((r) => r.timing.tailSeconds, 3),
    ...(rows.every((r) => r.timing.betweenBatches) ? { betweenBatchesSeconds: of((r) => r.timing.betweenBatches!.perWorkerSeconds, 3) } : {}),
    workerCores: cores((c) => c.workerCores),
    coordinatorCores: cores((c) => c.coordinatorCores),
    otherCores: cores((c) => c.otherCores),
  };
}

async function trials(backend: BackendName, url: string, spec: TrialShape, ideal: number, n: number, say: Say, label: string): Promise<EfficiencyFigure> {
  const rows: TrialRow[] = [];
  for (let t = 0; t < n; t++) {
    const timing = await runQueueSweep(trialSpec(backend, url, spec, label), spec.workers, Math.max(120_000, ideal * 4000));
    rows.push({ timing, efficiency: ideal / timing.wallSeconds, efficiencyWithoutStartup: ideal / timing.steadySeconds });
    say(`${backend} ${describeTrial(label, `${t + 1}/${n}`, timing, ideal)}`);
  }
  return figure(backend, spec, ideal, rows);
}

export function measureSleepBound(backend: BackendName, url: string, plan: BenchPlan["efficiency"], say: Say): Promise<EfficiencyFigure> {
  const s = plan.sleep;
  const ideal = (s.params * s.workMs) / s.workers / 1000;
  return trials(backend, url, s, ideal, plan.trials, say, "sleep-bound");
}

type StaticRun = { timing: StaticTiming; trial: CpuTrial };

function roundTrial(t: CpuTrial): CpuTrial {
  const orNull = (x: number | null | undefined) => (x === null || x === undefined ? null : sig(x, 3));
  return { ...t, idealSeconds: sig(t.idealSeconds), wallSeconds: sig(t.wallSeconds), efficiency: sig(t.efficiency, 3), efficiencyWithoutStartup: sig(t.efficiencyWithoutStartup, 3), baselineChange: sig(t.baselineChange, 3), workDrift: orNull(t.workDrift), atTrialSpeed: orNull(t.atTrialSpeed) };
}

/** The counted trials' efficiency at their own speed, where measured. */
function atTrialSpeedOf(trials: readonly CpuTrial[]): Summary | undefined {
  const xs = trials.flatMap((t) => (t.invalid === null && typeof t.atTrialSpeed === "number" ? [t.atTrialSpeed] : []));
  return xs.length > 0 ? roundSummary(summarize(xs), 3) : undefined;
}

/** A static run as a trial: its steady part runs from the first slice running to the last done. */
function staticTrial(t: StaticTiming): { wallSeconds: number; steadySeconds: number; workerComputeThreadSeconds: number | null } {
  return { wallSeconds: t.wallSeconds, steadySeconds: t.wallSeconds - t.startupSeconds, workerComputeThreadSeconds: t.cpu?.workerComputeThreadSeconds ?? null };
}

function describeDrift(trial: CpuTrial): string {
  const drift = trial.workDrift === null ? "" : `, workers' compute threads ${(trial.workDrift * 100).toFixed(1)}% beside it`;
  return `${drift}${trial.invalid ? ` -- not counted: ${trial.invalid}` : ""}`;
}

function describeStatic(t: StaticTiming, trial: CpuTrial): string {
  return `static slices, no broker: wall ${t.wallSeconds.toFixed(2)} s -> ${trial.efficiency.toFixed(3)} (start-up ${t.startupSeconds.toFixed(2)} s, tail ${t.tailSeconds.toFixed(2)} s)${trial.invalid ? " (not counted)" : ""}`;
}

/** The static runs' figures over the runs that counted (all of them when none did), and the queue runs' ratio to them. */
function summarizeStatic(runs: StaticRun[], queue: CpuTrial[]): StaticSlices {
  const counted = runs.filter((r) => r.trial.invalid === null);
  const use = counted.length > 0 ? counted : runs;
  const of = (pick: (r: StaticRun) => number, digits = 3) => roundSummary(summarize(use.map(pick)), digits);
  const ownSpeed = atTrialSpeedOf(runs.map((r) => r.trial));
  const ratios = runs.flatMap((r, i) => (r.trial.invalid === null && queue[i]!.invalid === null ? [queue[i]!.efficiency / r.trial.efficiency] : []));
  return {
    trials: runs.map((r) => roundTrial(r.trial)),
    validTrials: counted.length,
    efficiency: of((r) => r.trial.efficiency),
    startupSeconds: of((r) => r.timing.startupSeconds),
    tailSeconds: of((r) => r.timing.tailSeconds),
    queueOverStatic: ratios.length > 0 ? roundSummary(summarize(ratios), 3) : null,
    ...(ownSpeed ? { efficiencyAtTrialSpeed: ownSpeed } : {}),
  };
}

/**
 * Sizes the CPU-bound sweep to plan.cpu.cpuSeconds of single-thread CPU, then alternates that
 * single-thread baseline with the trials (B T B T ... B): each trial's ideal comes from the two
 * baselines around it, as a baseline minutes away is not the same machine on a shared VM.
 */
export async function measureCpuBound(backend: BackendName, url: string, plan: BenchPlan["efficiency"], perChunkOverheadMs: number, say: Say): Promise<CpuBound> {
  const c = plan.cpu;
  const cal = await calibrate(CPU_MODULE, 1_000_000);
  // Sized in CPU time: on a loaded machine the wall time of an evaluation overstates its cost.
  let params = Math.max(1000, Math.round((c.cpuSeconds * 1000) / cal.cpuMsPerEval));
  say(`${backend} cpu-bound: ${(cal.cpuMsPerEval * 1000).toFixed(2)} µs of CPU per evaluation (${(cal.evalCostMs * 1000).toFixed(2)} µs wall); measuring ${params} params on one thread`);
  const describeBaseline = (b: SingleThreadRun) => `${b.cpuSeconds.toFixed(2)} s CPU on one thread (compute thread ${b.computeThreadSeconds.toFixed(2)} s, ${b.wallSeconds.toFixed(2)} s wall)`;
  let first = await singleThread(CPU_MODULE, params);
  let resizedFrom: CpuBound["resizedFrom"];
  if (Math.abs(first.cpuSeconds / c.cpuSeconds - 1) > RESIZE_TOLERANCE) {
    resizedFrom = { params, cpuSeconds: sig(first.cpuSeconds), plannedCpuSeconds: c.cpuSeconds };
    params = Math.max(1000, Math.round((params * c.cpuSeconds) / first.cpuSeconds));
    say(`${backend} cpu-bound: ${resizedFrom.params} params took ${first.cpuSeconds.toFixed(2)} s CPU, not about ${c.cpuSeconds} s: measuring ${params} params on one thread`);
    first = await singleThread(CPU_MODULE, params);
  }
  const n = cores();
  const parallel = Math.min(c.workers, n);
  const choice = chooseChunkSize(first.cpuSeconds * 1000 / params, c.targetChunkSeconds, { totalParams: params, workers: c.workers, perChunkOverheadMs });
  say(`${backend} cpu-bound: baseline ${describeBaseline(first)}; chunk ${choice.chunkSize} (${choice.limitedBy})`);
  const together = await threadsAtOnce(CPU_MODULE, params, parallel);
  const cpuOverSingle = together.cpuSeconds / first.cpuSeconds - 1;
  say(`${backend} cpu-bound: the same sweep on ${parallel} threads at once: ${together.cpuSeconds.toFixed(2)} s CPU (${(cpuOverSingle * 100).toFixed(1)}% beside one thread), ${together.wallSeconds.toFixed(2)} s wall`);
  const spec: TrialShape = { params, chunkSize: choice.chunkSize, computeModule: CPU_MODULE, workers: c.workers };
  const baselines = [first];
  const judged: CpuTrial[] = [];
  const statics: StaticRun[] = [];
  const rows: TrialRow[] = [];
  // A trial run while the machine changed speed says nothing of TTG: more are run until plan.trials count.
  const rule = { wanted: plan.trials, max: Math.max(plan.trials, c.maxTrials) };
  const countedSoFar = () => judged.filter((j) => j.invalid === null).length;
  for (let t = 0; anotherCpuTrial(t, countedSoFar(), rule); t++) {
    const which = t < rule.wanted ? `${t + 1}/${rule.wanted}` : `${t + 1} (of at most ${rule.max}: ${countedSoFar()} of ${rule.wanted} counted before it)`;
    const timeoutMs = Math.max(120_000, (first.cpuSeconds / parallel) * 4000);
    const queued = () => runQueueSweep({ ...trialSpec(backend, url, spec, "cpu-bound"), watchEveryMs: CPU_BOUND_WATCH_MS }, spec.workers, timeoutMs);
    const sliced = () => runStaticSweep({ params, batchSize: spec.chunkSize, computeModule: CPU_MODULE, workers: spec.workers, watchEveryMs: CPU_BOUND_WATCH_MS }, timeoutMs);
    // Between the same two baselines, in turn first and second: neither gets the warmer machine every time.
    let timing: SweepTiming;
    let alone: StaticTiming;
    if (t % 2 === 0) {
      timing = await queued();
      alone = await sliced();
    } else {
      alone = await sliced();
      timing = await queued();
    }
    const after = await singleThread(CPU_MODULE, params);
    const trial = judgeCpuTrial(baselines.at(-1)!, after, { ...timing, workerComputeThreadSeconds: timing.cpu?.workerComputeThreadSeconds ?? null }, parallel);
    const slices = judgeCpuTrial(baselines.at(-1)!, after, staticTrial(alone), parallel);
    baselines.push(after);
    judged.push(trial);
    statics.push({ timing: alone, trial: slices });
    rows.push({ timing, efficiency: trial.efficiency, efficiencyWithoutStartup: trial.efficiencyWithoutStartup });
    say(`${backend} ${describeTrial("cpu-bound", which, timing, trial.idealSeconds)}; ${describeStatic(alone, slices)}; baseline after: ${describeBaseline(after)}${describeDrift(trial)}`);
  }
  // The figure counts the trials run on an unchanged machine; with none, every trial is shown and the target reads it as invalid.
  const counted = rows.filter((_, i) => judged[i]!.invalid === null);
  const ideal = (baselines.reduce((sum, b) => sum + b.cpuSeconds, 0) / baselines.length) / parallel;
  const atTrialSpeed = atTrialSpeedOf(judged);
  const shares = (counted.length > 0 ? counted : rows).flatMap((r) => (r.timing.cpu ? [coresLeftBound(r.timing.cpu, n, c.workers)] : []));
  const round = (b: SingleThreadRun): SingleThreadRun => ({ params: b.params, cpuSeconds: sig(b.cpuSeconds), wallSeconds: sig(b.wallSeconds), computeThreadSeconds: sig(b.computeThreadSeconds) });
  return {
    ...figure(backend, spec, ideal, counted.length > 0 ? counted : rows),
    singleThread: round(first),
    cores: n,
    evalCostMs: sig(first.cpuSeconds * 1000 / params),
    chunkChoice: `chooseChunkSize: ${choice.chunkSize} params (~${choice.chunkSeconds.toFixed(2)} s per chunk, limited by ${choice.limitedBy})`,
    ...(resizedFrom ? { resizedFrom } : {}),
    baselines: baselines.map(round),
    baselineCpuSeconds: roundSummary(summarize(baselines.map((b) => b.cpuSeconds))),
    trials: judged.map(roundTrial),
    validTrials: counted.length,
    ...(atTrialSpeed ? { efficiencyAtTrialSpeed: atTrialSpeed } : {}),
    trialRule: rule,
    staticSlices: summarizeStatic(statics, judged),
    threadsAtOnce: { threads: parallel, cpuSeconds: sig(together.cpuSeconds), wallSeconds: sig(together.wallSeconds), cpuOverSingle: sig(cpuOverSingle, 3) },
    ...(shares.length > 0 ? { coresLeftBound: roundSummary(summarize(shares), 3) } : {}),
  };
}
